"""Mail folders and inbox rules on the emulator's Graph, in Graph's wire shapes: mailFolders and
childFolders (listing, creating, a nested folder), messageRules (moveToFolder, delete), and a filed
message seen by that folder's own delta and by the mailbox-wide listing with its parentFolderId."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.integration.emulator_microsoft.support import MicrosoftSetup, rfc822

FOLDER_KEYS = {"id", "displayName", "parentFolderId", "childFolderCount", "unreadItemCount", "totalItemCount",
               "sizeInBytes", "isHidden"}
RULE_KEYS = {"id", "displayName", "sequence", "isEnabled", "hasError", "isReadOnly", "conditions", "actions"}


def folders(graph: requests.Session, url: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        page = graph.get(next_url, timeout=10).json()
        found += page["value"]
        next_url = page.get("@odata.nextLink")
    return found


def make_clients_acme(setup: MicrosoftSetup, graph: requests.Session) -> tuple[dict[str, Any], dict[str, Any]]:
    clients = graph.post(f"{setup.user_url}/mailFolders", json={"displayName": "Clients"}, timeout=10)
    acme = graph.post(f"{setup.user_url}/mailFolders/{clients.json()['id']}/childFolders",
                      json={"displayName": "Acme"}, timeout=10)
    assert (clients.status_code, acme.status_code) == (201, 201)
    return clients.json(), acme.json()


def test_the_well_known_folders_are_listed_at_the_top_in_graphs_shape(setup: MicrosoftSetup) -> None:
    listed = folders(setup.session(), f"{setup.user_url}/mailFolders")
    assert all(set(f) == FOLDER_KEYS for f in listed)
    assert {f["displayName"] for f in listed} >= {"Inbox", "Drafts", "Sent Items", "Deleted Items", "Junk Email",
                                                  "Outbox"}
    assert len({f["parentFolderId"] for f in listed}) == 1  # all under the mailbox's root
    inbox = setup.session().get(f"{setup.user_url}/mailFolders/inbox", timeout=10).json()
    assert inbox["id"] in {f["id"] for f in listed} and inbox["displayName"] == "Inbox"


def test_a_nested_user_folder_is_listed_under_its_parent_only(setup: MicrosoftSetup) -> None:
    graph = setup.session()
    clients, acme = make_clients_acme(setup, graph)
    assert set(acme) - {"@odata.context"} == FOLDER_KEYS and acme["parentFolderId"] == clients["id"]
    top = folders(graph, f"{setup.user_url}/mailFolders")
    assert "Clients" in {f["displayName"] for f in top} and "Acme" not in {f["displayName"] for f in top}
    children = folders(graph, f"{setup.user_url}/mailFolders/{clients['id']}/childFolders")
    assert [(f["displayName"], f["childFolderCount"]) for f in children] == [("Acme", 0)]
    again = graph.post(f"{setup.user_url}/mailFolders", json={"displayName": "clients"}, timeout=10)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "ErrorFolderExists")


def test_an_inbox_rule_files_a_message_where_its_folder_delta_and_the_mailbox_listing_see_it(
        setup: MicrosoftSetup) -> None:
    graph = setup.session()
    _, acme = make_clients_acme(setup, graph)
    rule = graph.post(f"{setup.user_url}/mailFolders/inbox/messageRules", timeout=10, json={
        "displayName": "Customers to Acme", "sequence": 1, "isEnabled": True,
        "conditions": {"senderContains": ["customer.example"]}, "actions": {"moveToFolder": acme["id"]}})
    assert rule.status_code == 201 and set(rule.json()) - {"@odata.context"} == RULE_KEYS
    delivered = setup.control.deliver(setup.address, rfc822("Re: pricing", to=setup.address))
    assert delivered["folder"] == acme["id"]

    inbox = graph.get(f"{setup.user_url}/mailFolders('inbox')/messages/delta", timeout=10).json()
    assert inbox["value"] == []
    filed = graph.get(f"{setup.user_url}/mailFolders/{acme['id']}/messages/delta", timeout=10).json()
    assert [m["subject"] for m in filed["value"]] == ["Re: pricing"]
    listing = graph.get(f"{setup.user_url}/messages", timeout=10, params={
        "$filter": "receivedDateTime ge 2000-01-01T00:00:00Z", "$select": "id,parentFolderId,receivedDateTime"})
    assert [m["parentFolderId"] for m in listing.json()["value"]] == [acme["id"]]
    assert graph.get(f"{setup.user_url}/mailFolders/{acme['id']}", timeout=10).json()["totalItemCount"] == 1


def test_the_junk_filter_files_before_the_rules_and_a_rule_can_delete(setup: MicrosoftSetup) -> None:
    graph = setup.session()
    made = graph.post(f"{setup.user_url}/mailFolders/inbox/messageRules", timeout=10, json={
        "displayName": "Delete", "sequence": 1, "conditions": {"subjectContains": ["unsubscribe"]},
        "actions": {"delete": True}})
    assert made.status_code == 201
    assert setup.control.deliver(setup.address, rfc822("Please unsubscribe me", to=setup.address))["folder"] == (
        "deleteditems")
    junked = setup.control.deliver(setup.address, rfc822("Please unsubscribe", to=setup.address,
                                                         message_id="<j@customer.example>"), folder="junkemail")
    assert junked["folder"] == "junkemail"


@pytest.mark.parametrize(("where", "body", "status"), [
    pytest.param("inbox", {"displayName": "x", "sequence": 0, "actions": {"delete": True}}, 400,
                 id="a sequence below 1 is refused"),
    pytest.param("inbox", {"displayName": "x", "sequence": 1}, 400, id="a rule without actions is refused"),
    pytest.param("inbox", {"displayName": "x", "sequence": 1, "actions": {"moveToFolder": "AQMkADnowhere"}}, 400,
                 id="a move into a folder that does not exist is refused"),
    pytest.param("sentitems", {"displayName": "x", "sequence": 1, "actions": {"delete": True}}, 400,
                 id="rules live on the inbox only"),
])
def test_a_rule_graph_would_refuse_is_refused(setup: MicrosoftSetup, where: str, body: dict[str, Any],
                                              status: int) -> None:
    answer = setup.session().post(f"{setup.user_url}/mailFolders/{where}/messageRules", json=body, timeout=10)
    assert answer.status_code == status and "error" in answer.json()


def test_a_message_moved_after_it_landed_is_in_its_new_folder_and_graph_answers_201_with_it(
        setup: MicrosoftSetup) -> None:
    graph = setup.session()
    _, acme = make_clients_acme(setup, graph)
    delivered = setup.control.deliver(setup.address, rfc822("Re: pricing", to=setup.address))
    url = f"{setup.user_url}/messages/{delivered['immutable_id']}"

    filed = graph.post(f"{url}/move", json={"destinationId": acme["id"]}, timeout=10)
    assert filed.status_code == 201, filed.text
    assert (filed.json()["parentFolderId"], filed.json()["subject"]) == (acme["id"], "Re: pricing")
    deleted = graph.post(f"{url}/move", json={"destinationId": "deleteditems"}, timeout=10)
    assert deleted.status_code == 201
    deleted_items = graph.get(f"{setup.user_url}/mailFolders/deleteditems", timeout=10).json()
    assert graph.get(url, timeout=10).json()["parentFolderId"] == deleted_items["id"]
    assert [m["folder"] for m in setup.control.messages(setup.address)] == ["deleteditems"]


@pytest.mark.parametrize(("body", "status"), [
    pytest.param({}, 400, id="a move without destinationId is refused"),
    pytest.param({"destinationId": 7}, 400, id="a destinationId that is not text is refused"),
    pytest.param({"destinationId": "AQMkADnowhere"}, 404, id="a move into a folder that does not exist is refused"),
])
def test_a_move_graph_would_refuse_is_refused(setup: MicrosoftSetup, body: dict[str, Any], status: int) -> None:
    delivered = setup.control.deliver(setup.address, rfc822("Re: pricing", to=setup.address))
    answer = setup.session().post(f"{setup.user_url}/messages/{delivered['immutable_id']}/move", json=body,
                                  timeout=10)
    assert answer.status_code == status and "error" in answer.json()
    assert [m["folder"] for m in setup.control.messages(setup.address)] == ["inbox"]
