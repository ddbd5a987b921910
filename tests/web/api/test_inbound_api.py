"""Dry run and undo through the API; the simulate and inbox commands."""

from __future__ import annotations

import io
import json
import os
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from sqlalchemy import func, select

from addin_server.cli import main
from addin_server.db import tables as t
from addin_server.mail.message import InboundMessage
from addin_server.services import accounts, directory, enrollments, unsubscribe
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.errors import Forbidden
from addin_server.services.inbound import apply_inbound_message
from tests.builders import World, make_world

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "inbound"


def render(name: str, w: World, in_reply_to: str) -> str:
    text = (FIXTURES / name).read_text()
    for key, value in {"sender": w.contact["email"], "mailbox": w.rep["mailbox_address"], "in_reply_to": in_reply_to,
                       "n": "1", "date": "Tue, 03 Mar 2026 10:00:00 +0000"}.items():
        text = text.replace("{" + key + "}", value)
    return text


def enrolled(services: ServiceContext) -> tuple[World, dict[str, Any], str]:
    w = make_world(services)
    e = enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=w.contact["id"],
                           sender_user_id=w.rep["id"])
    with services.session() as s:
        mid = s.scalars(select(t.SequenceEmail.rfc_message_id)).one()
    return w, e, mid


def test_simulate_shows_the_decision_and_changes_nothing(client: Any, services: ServiceContext) -> None:
    w, e, mid = enrolled(services)
    r = client.post("/api/v1/inbound/simulate", headers=w.headers,
                    json={"mailbox": w.rep["mailbox_address"], "raw": render("human_reply.eml", w, mid)})
    assert r.status_code == 200, r.json
    assert r.json["kind"] == "human_reply" and r.json["dry_run"] is True
    assert [(d["enrollment_id"], d["reason"]) for d in r.json["decisions"]] == [(e["id"], "replied")]
    assert enrollments.get_enrollment(services, w.admin, e["id"])["status"] == "active"
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(t.ProcessedMessage)) == 0


def test_simulate_refuses_another_accounts_mailbox(client: Any, services: ServiceContext) -> None:
    a = make_world(services, name="A", domain="a.test")
    b = make_world(services, name="B", domain="b.test")
    r = client.post("/api/v1/inbound/simulate", headers=b.headers,
                    json={"mailbox": a.rep["mailbox_address"], "raw": "Subject: hi\r\n\r\nhello"})
    assert r.status_code == 404


def test_simulate_never_fails_on_junk(client: Any, services: ServiceContext) -> None:
    w = make_world(services)
    r = client.post("/api/v1/inbound/simulate", headers=w.headers,
                    json={"mailbox": w.rep["mailbox_address"], "raw": "\x00\x01 not a message at all"})
    assert r.status_code == 200 and r.json["kind"] in {"auto_other", "human_reply"}


def test_the_dry_run_accepts_a_message_as_large_as_the_api_document_allows(client: Any,
                                                                           services: ServiceContext) -> None:
    from addin_server.services.inbound import MAX_SIMULATED_BYTES

    w, _, mid = enrolled(services)
    history = "> " + "x" * 76 + "\r\n"
    raw = render("exchange_automatic_reply.eml", w, mid) + history * (3_000_000 // len(history))
    assert len(raw) > client.application.config["MAX_CONTENT_LENGTH"]
    r = client.post("/api/v1/inbound/simulate", headers=w.headers, json={"mailbox": w.rep["mailbox_address"], "raw": raw})
    assert r.status_code == 200, r.json
    assert r.json["kind"] == "out_of_office"
    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]["SimulateIn"]["properties"]["raw"]
    assert schema["maxLength"] == MAX_SIMULATED_BYTES


def test_the_dry_run_refuses_a_message_over_the_documented_limit_clearly(client: Any,
                                                                         services: ServiceContext) -> None:
    from addin_server.services.inbound import MAX_SIMULATED_BYTES

    w = make_world(services)
    raw = "Subject: hi\r\n\r\n" + "é" * (MAX_SIMULATED_BYTES // 2 + 10)  # few characters, too many bytes
    r = client.post("/api/v1/inbound/simulate", headers=w.headers, json={"mailbox": w.rep["mailbox_address"], "raw": raw})
    assert r.status_code in (413, 422) and r.json["error"]["code"]


def test_undo_an_automatic_unenrollment_continues_where_it_stopped(client: Any, services: ServiceContext) -> None:
    w, e, mid = enrolled(services)
    raw = render("human_reply.eml", w, mid).encode()
    apply_inbound_message(services, provider="gmail", mailbox_address=w.rep["mailbox_address"],
                          provider_message_id="m1", message=InboundMessage.from_bytes(raw))
    r = client.post(f"/api/v1/enrollments/{e['id']}/undo", headers=w.headers,
                    json={"why": "the reply was a colleague's forward, not Jane"})
    assert r.status_code == 201, r.json
    new = r.json
    assert new["status"] == "active" and new["current_step"] == 1 and new["id"] != e["id"]
    assert new["events"][0]["undo_of"] == e["id"] and new["events"][0]["undone_reason"] == "replied"
    old = client.get(f"/api/v1/enrollments/{e['id']}", headers=w.headers).json
    assert old["status"] == "unenrolled" and old["events"][-1]["continued_as"] == new["id"]
    again = client.post(f"/api/v1/enrollments/{e['id']}/undo", headers=w.headers, json={"why": "again"})
    assert again.status_code == 409


def test_an_automatic_unenrollment_of_a_once_paused_enrollment_can_be_undone(client: Any,
                                                                            services: ServiceContext) -> None:
    w, e, mid = enrolled(services)
    enrollments.pause(services, w.admin, e["id"], until=None)
    enrollments.resume(services, w.admin, e["id"])
    apply_inbound_message(services, provider="gmail", mailbox_address=w.rep["mailbox_address"], provider_message_id="m1",
                          message=InboundMessage.from_bytes(render("human_reply.eml", w, mid).encode()))
    r = client.post(f"/api/v1/enrollments/{e['id']}/undo", headers=w.headers, json={"why": "a forward"})
    assert r.status_code == 201, r.json
    again = client.post(f"/api/v1/enrollments/{e['id']}/undo", headers=w.headers, json={"why": "again"})
    assert again.status_code == 409 and again.json["error"]["code"] == "already_undone"


def test_a_manual_unenrollment_cannot_be_undone(client: Any, services: ServiceContext) -> None:
    w, e, _ = enrolled(services)
    enrollments.unenroll(services, w.admin, e["id"])
    r = client.post(f"/api/v1/enrollments/{e['id']}/undo", headers=w.headers, json={"why": "oops"})
    assert r.status_code == 409 and r.json["error"]["code"] == "not_automatic"


def test_undoing_a_bounce_judged_wrong_clears_the_address_and_continues(client: Any, services: ServiceContext) -> None:
    w, e, mid = enrolled(services)
    raw = render("hard_bounce.eml", w, mid).encode()
    apply_inbound_message(services, provider="gmail", mailbox_address=w.rep["mailbox_address"],
                          provider_message_id="m1", message=InboundMessage.from_bytes(raw))
    assert client.get(f"/api/v1/enrollments/{e['id']}", headers=w.headers).json["end_reason"] == "bounced"
    r = client.post(f"/api/v1/enrollments/{e['id']}/undo", headers=w.headers,
                    json={"why": "Jane's mailbox works: the report was about an old server"})
    assert r.status_code == 201, r.json
    assert r.json["status"] == "active"
    with services.session() as s:
        contact = s.get_one(t.Contact, int(w.contact["id"]))
        assert contact.bounced is False
        assert not any(a.bounced or a.soft_bounces for a in s.scalars(
            select(t.ContactAddress).where(t.ContactAddress.contact_id == contact.id)))
    old = client.get(f"/api/v1/enrollments/{e['id']}", headers=w.headers).json
    assert old["events"][-1]["cleared_bounced_addresses"] == [w.contact["email"]]
    # The same report fetched again later ends nothing: it was counted once already.
    again = apply_inbound_message(services, provider="gmail", mailbox_address=w.rep["mailbox_address"],
                                  provider_message_id="m1-again", message=InboundMessage.from_bytes(raw))
    assert not [d for d in again["decisions"] if d["action"] == "unenroll"]
    assert enrollments.get_enrollment(services, w.admin, r.json["id"])["status"] == "active"


def test_undo_after_an_unsubscribe_says_so(client: Any, services: ServiceContext) -> None:
    w, e, mid = enrolled(services)
    raw = render("human_reply.eml", w, mid).encode()
    apply_inbound_message(services, provider="gmail", mailbox_address=w.rep["mailbox_address"],
                          provider_message_id="m1", message=InboundMessage.from_bytes(raw))
    with services.session() as s:
        s.get_one(t.Contact, int(w.contact["id"])).unsubscribed = True
        s.commit()
    r = client.post(f"/api/v1/enrollments/{e['id']}/undo", headers=w.headers, json={"why": "wrong reply"})
    assert r.status_code == 409 and r.json["error"]["code"] == "contact_unsubscribed"
    assert "unsubscribed" in r.json["error"]["message"] and "bounced" not in r.json["error"]["message"]


def test_performance_counts_bounced_contacts_not_reports(client: Any, services: ServiceContext) -> None:
    w, _, mid = enrolled(services)
    raw = render("hard_bounce.eml", w, mid).encode()
    for n in range(3):  # one report, fetched three times
        apply_inbound_message(services, provider="gmail", mailbox_address=w.rep["mailbox_address"],
                              provider_message_id=f"m{n}", message=InboundMessage.from_bytes(raw))
    figures = client.get(f"/api/v1/sequences/{w.sequence['id']}/performance", headers=w.headers).json
    assert (figures["bounces"], figures["soft_bounces"]) == (1, 0)


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The command as `addin-server` runs it, in this process: a fresh interpreter per call cost seconds
    (importing the product) and proved nothing more; tests/e2e/serve runs the real console entry."""
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "x", "PATH": "/usr/bin:/bin", "MAIL_TRANSPORT": "local"}
    out, err = io.StringIO(), io.StringIO()
    with mock.patch.dict(os.environ, env, clear=True), redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse refusing the arguments
            code = exit_.code if isinstance(exit_.code, int) else 2
    return subprocess.CompletedProcess(["addin-server", *args], code, out.getvalue(), err.getvalue())


def test_the_simulate_command_prints_the_decisions(services: ServiceContext, database_url: str,
                                                   tmp_path: Path) -> None:
    w, _, mid = enrolled(services)
    eml = tmp_path / "reply.eml"
    eml.write_text(render("human_reply.eml", w, mid))
    done = _cli(database_url, "simulate", str(eml), "--mailbox", w.rep["mailbox_address"])
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["decisions"][0]["reason"] == "replied"


def test_the_inbox_command_lists_and_requeues_dead_notifications(services: ServiceContext,
                                                                 database_url: str) -> None:
    from addin_server.services.inbox import record_notification

    record_notification(services, provider="gmail", dedupe_key="k1", mailbox_address="x@y.test", account_id=None,
                        payload={})
    with services.session() as s:
        n = s.scalars(select(t.InboundNotification)).one()
        n.status, n.attempts, n.last_error = "dead", 8, "GmailError: 500"
    listed = _cli(database_url, "inbox")
    assert listed.returncode == 0 and json.loads(listed.stdout.splitlines()[0])["status"] == "dead"
    requeued = _cli(database_url, "inbox", "--requeue-dead")
    assert json.loads(requeued.stdout) == {"requeued": 1}


def test_accounts_create_prints_an_account_and_a_key(database_url: str) -> None:
    done = _cli(database_url, "accounts", "create", "--name", "Initech", "--plan", "professional",
                "--admin-email", "boss@initech.test")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["account_id"] and out["api_key"].startswith("ssk_")


def test_accounts_create_makes_an_admin_key_and_api_key_makes_a_narrower_one(
        client: Any, services: ServiceContext, database_url: str) -> None:
    made = json.loads(_cli(database_url, "accounts", "create", "--name", "Initech", "--plan", "enterprise",
                           "--admin-email", "boss@initech.test").stdout)
    first = {"Authorization": f"Bearer {made['api_key']}"}
    r = client.post("/api/v1/users", headers=first, json={"email": "rep@initech.test", "mailbox_provider": "gmail"})
    assert r.status_code == 201  # the first key is the account's admin integration...
    r = client.patch("/api/v1/account/settings", headers=first, json={"custom_triggers_beta": True})
    assert r.status_code == 403  # ...and no super admin
    done = _cli(database_url, "accounts", "api-key", "--account-id", made["account_id"], "--role", "read_only",
                "--name", "reports")
    assert done.returncode == 0, done.stderr
    narrow = {"Authorization": f"Bearer {json.loads(done.stdout)['api_key']}"}
    assert client.get("/api/v1/sequences", headers=narrow).status_code == 200
    r = client.post("/api/v1/companies", headers=narrow, json={"name": "Globex", "domains": ["globex.test"]})
    assert r.status_code == 403
    missing = _cli(database_url, "accounts", "api-key", "--account-id", "999999", "--role", "admin")
    assert missing.returncode == 2 and "not_found" in missing.stderr


def test_the_operator_lists_an_accounts_keys_and_revokes_one_made_by_a_person(
        client: Any, services: ServiceContext, database_url: str) -> None:
    """A key is listed with who made it and never shown again; revoking it ends it at once."""
    made = json.loads(_cli(database_url, "accounts", "create", "--name", "Initech", "--plan", "enterprise",
                           "--admin-email", "boss@initech.test").stdout)
    boss = Principal(account_id=int(made["account_id"]), label="user:boss@initech.test",
                     user_id=int(made["admin_user_id"]), role="super_admin")
    ottos = accounts.issue_api_key(services, boss, name="crm", role="admin")
    headers = {"Authorization": f"Bearer {ottos['api_key']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    narrow = json.loads(_cli(database_url, "accounts", "api-key", "--account-id", made["account_id"],
                             "--role", "read_only").stdout)
    assert narrow["name"] == "read_only"  # named after its role, not "integration"
    listed = _cli(database_url, "accounts", "api-keys", "--account-id", made["account_id"])
    keys = json.loads(listed.stdout)["api_keys"]
    assert [(k["name"], k["role"], k["made_by"], k["revoked"]) for k in keys] == [
        ("default", "admin", "operator", False), ("crm", "admin", "boss@initech.test", False),
        ("read_only", "read_only", "operator", False)]
    assert ottos["api_key"] not in listed.stdout and made["api_key"] not in listed.stdout
    done = _cli(database_url, "accounts", "revoke-api-key", "--account-id", made["account_id"],
                "--prefix", ottos["prefix"])
    assert done.returncode == 0, done.stderr
    # Another process revoked it: this one refuses it at once (keys are read on every request).
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {made['api_key']}"}).status_code == 200
    missing = _cli(database_url, "accounts", "revoke-api-key", "--account-id", made["account_id"], "--prefix", "ssk_nope")
    assert missing.returncode == 2 and "not_found" in missing.stderr


def test_undo_of_an_enrollment_that_has_not_ended_says_so(client: Any, services: ServiceContext) -> None:
    w, e, _ = enrolled(services)
    r = client.post(f"/api/v1/enrollments/{e['id']}/undo", headers=w.headers, json={"why": "oops"})
    assert r.status_code == 409 and r.json["error"]["code"] == "not_ended"
    assert "has not ended" in r.json["error"]["message"] and "automatic" not in r.json["error"]["message"]
    enrollments.pause(services, w.admin, e["id"], until=None)
    r = client.post(f"/api/v1/enrollments/{e['id']}/undo", headers=w.headers, json={"why": "oops"})
    assert r.status_code == 409 and r.json["error"]["code"] == "not_ended" and "paused" in r.json["error"]["message"]


def test_undo_of_an_unsubscribe_says_it_is_the_contacts_own_choice(client: Any, services: ServiceContext) -> None:
    w, e, _ = enrolled(services)
    with services.session() as s:
        token = s.scalars(select(t.SequenceEmail.unsubscribe_token).where(
            t.SequenceEmail.enrollment_id == int(e["id"]))).one()
    unsubscribe.unsubscribe(services, token or "", how="one_click")
    r = client.post(f"/api/v1/enrollments/{e['id']}/undo", headers=w.headers, json={"why": "misclick"})
    assert r.status_code == 409 and r.json["error"]["code"] == "contact_unsubscribed"
    assert "own choice" in r.json["error"]["message"] and "since" not in r.json["error"]["message"]
    assert enrollments.get_enrollment(services, w.admin, e["id"])["status"] == "unenrolled"


def test_a_reply_on_the_thread_of_an_undone_enrollment_ends_its_continuation_as_replied(
        client: Any, services: ServiceContext) -> None:
    """The thread of the original enrollment belongs to the enrollment that continues it, through
    every undo of the chain: Jane answering the first email again is a reply, not an email
    outside the sequence."""
    w, e, mid = enrolled(services)
    current = e["id"]
    for n in (1, 2, 3):
        raw = render("human_reply.eml", w, mid)  # each delivery has its own provider id
        result = apply_inbound_message(services, provider="gmail", mailbox_address=w.rep["mailbox_address"],
                                       provider_message_id=f"m{n}", message=InboundMessage.from_bytes(raw.encode()))
        assert [(d["enrollment_id"], d["reason"]) for d in result["decisions"]] == [(current, "replied")], result
        got = enrollments.get_enrollment(services, w.admin, current)
        assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")
        assert got["evidence"]["sequence_email_message_id"] == mid
        if n > 1:
            assert got["evidence"]["continued_by_undo"] is True
        undone = client.post(f"/api/v1/enrollments/{current}/undo", headers=w.headers, json={"why": "a forward"})
        assert undone.status_code == 201, undone.json
        current = undone.json["id"]


def test_the_dry_run_of_a_report_copy_after_an_undone_bounce_agrees_with_delivering_it(
        client: Any, services: ServiceContext) -> None:
    """After Rita undoes a hard bounce, a copy of that report changes nothing: simulate says so (and
    that the message was applied before), and delivering the copy does exactly that."""
    w, e, mid = enrolled(services)
    raw = render("hard_bounce.eml", w, mid)
    apply_inbound_message(services, provider="gmail", mailbox_address=w.rep["mailbox_address"],
                          provider_message_id="m1", message=InboundMessage.from_bytes(raw.encode()))
    undone = client.post(f"/api/v1/enrollments/{e['id']}/undo", headers=w.headers, json={"why": "the mailbox works"})
    assert undone.status_code == 201
    dry = client.post("/api/v1/inbound/simulate", headers=w.headers,
                      json={"mailbox": w.rep["mailbox_address"], "raw": raw})
    assert dry.status_code == 200, dry.json
    assert dry.json["already_processed"] is True and dry.json["earlier"]["provider_message_id"] == "m1"
    with services.session() as s:
        events_before = s.scalar(select(func.count()).select_from(t.EnrollmentEvent))
    real = apply_inbound_message(services, provider="gmail", mailbox_address=w.rep["mailbox_address"],
                                 provider_message_id="m1-copy", message=InboundMessage.from_bytes(raw.encode()))
    said = [(d["enrollment_id"], d["action"], d["event"]) for d in dry.json["decisions"]]
    did = [(d["enrollment_id"], d["action"], d["event"]) for d in real["decisions"]]
    assert said == did == [(undone.json["id"], "nothing", None)]
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(t.EnrollmentEvent)) == events_before
    assert enrollments.get_enrollment(services, w.admin, undone.json["id"])["status"] == "active"


def test_the_dry_run_of_a_message_already_applied_answers_what_was_decided_then(
        client: Any, services: ServiceContext) -> None:
    w, _, mid = enrolled(services)
    raw = render("human_reply.eml", w, mid)
    applied = apply_inbound_message(services, provider="gmail", mailbox_address=w.rep["mailbox_address"],
                                    provider_message_id="m1", message=InboundMessage.from_bytes(raw.encode()))
    dry = client.post("/api/v1/inbound/simulate", headers=w.headers,
                      json={"mailbox": w.rep["mailbox_address"], "raw": raw})
    assert dry.json["already_processed"] is True
    assert dry.json["earlier"]["decisions"] == applied["decisions"]
    assert dry.json["decisions"] == [], "the enrollment it ended then is over: a copy ends nothing more"


def test_performance_counts_contacts_as_they_are_now_after_an_undone_bounce(
        client: Any, services: ServiceContext) -> None:
    """An undone bounce is no bounce any more, a soft bounce after it counts, and the undo's new
    enrollment is no new enrollment; the event log itself keeps every fact."""
    w, e, mid = enrolled(services)
    figures = f"/api/v1/sequences/{w.sequence['id']}/performance"
    apply_inbound_message(services, provider="gmail", mailbox_address=w.rep["mailbox_address"], provider_message_id="m1",
                          message=InboundMessage.from_bytes(render("hard_bounce.eml", w, mid).encode()))
    assert (client.get(figures, headers=w.headers).json["bounces"]) == 1
    undone = client.post(f"/api/v1/enrollments/{e['id']}/undo", headers=w.headers, json={"why": "the mailbox works"})
    assert undone.status_code == 201
    after_undo = client.get(figures, headers=w.headers).json
    assert (after_undo["bounces"], after_undo["enrolled"], after_undo["undone"], after_undo["active"]) == (0, 1, 1, 1)
    # A full mailbox, reported about an email Rita wrote by hand: one soft bounce, below the threshold.
    soft = render("soft_bounce_unquoted.eml", w, mid).replace(
        "Subject: Undelivered", "In-Reply-To: <by-hand-1@acme.test>\nSubject: Undelivered", 1)
    result = apply_inbound_message(services, provider="gmail", mailbox_address=w.rep["mailbox_address"],
                                   provider_message_id="m2", message=InboundMessage.from_bytes(soft.encode()))
    assert [(d["enrollment_id"], d["action"]) for d in result["decisions"]] == [(undone.json["id"], "record")]
    now = client.get(figures, headers=w.headers).json
    assert (now["bounces"], now["soft_bounces"], now["enrolled"]) == (0, 1, 1)
    with services.session() as s:  # the log keeps both enrollments' facts
        assert s.scalar(select(func.count()).select_from(t.EnrollmentEvent).where(
            t.EnrollmentEvent.type == "bounced")) == 2


def test_soft_bounces_after_an_enrollment_ended_count_on_the_address_for_the_next_one(
        client: Any, services: ServiceContext) -> None:
    w, e, mid = enrolled(services)
    # Ended by hand: a reply from the contact's address would prove the address receives mail.
    enrollments.unenroll(services, w.admin, e["id"])
    soft = render("soft_bounce_unquoted.eml", w, mid).replace(
        "Subject: Undelivered", f"In-Reply-To: {mid}\nSubject: Undelivered", 1)
    apply_inbound_message(services, provider="gmail", mailbox_address=w.rep["mailbox_address"], provider_message_id="s",
                          message=InboundMessage.from_bytes(soft.encode()))
    with services.session() as s:
        row = s.scalars(select(t.ContactAddress).where(t.ContactAddress.address == w.contact["email"])).one()
        assert (row.soft_bounces, row.bounced) == (1, False)


def test_a_hard_bounce_after_the_enrollment_ended_can_be_cleared_by_an_admin(
        client: Any, services: ServiceContext) -> None:
    """No undo reaches a bounce that ended nothing: an admin clears the address, a rep may not."""
    w, e, mid = enrolled(services)
    # Ended by hand: a reply from the contact's address would prove the address receives mail.
    enrollments.unenroll(services, w.admin, e["id"])
    raw = render("hard_bounce.eml", w, mid).encode()
    apply_inbound_message(services, provider="gmail", mailbox_address=w.rep["mailbox_address"], provider_message_id="h",
                          message=InboundMessage.from_bytes(raw))
    assert directory.get_contact(services, w.admin, w.contact["id"])["bounced"] is True
    path = f"/api/v1/contacts/{w.contact['id']}/addresses/{w.contact['email']}/clear-bounce"
    rep = Principal(account_id=w.admin.account_id, label="user:rita", user_id=int(w.rep["id"]), role="user")
    with pytest.raises(Forbidden):
        directory.clear_bounce(services, rep, w.contact["id"], w.contact["email"])
    other = make_world(services, name="Other", domain="other.test")
    assert client.post(path, headers=other.headers).status_code == 404, "another account's contact is none"
    assert client.post(f"/api/v1/contacts/{w.contact['id']}/addresses/nobody@x.test/clear-bounce",
                       headers=w.headers).status_code == 404
    assert client.post(f"/api/v1/contacts/{w.contact['id']}/addresses/not-an-address/clear-bounce",
                       headers=w.headers).status_code == 422
    cleared = client.post(path, headers=w.headers)
    assert cleared.status_code == 200, cleared.json
    assert cleared.json["bounced"] is False
    again = enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=w.contact["id"],
                               sender_user_id=w.rep["id"])
    assert again["status"] == "active"
    # A copy of the same report changes nothing: it was counted once already.
    apply_inbound_message(services, provider="gmail", mailbox_address=w.rep["mailbox_address"],
                          provider_message_id="h-copy", message=InboundMessage.from_bytes(raw))
    assert enrollments.get_enrollment(services, w.admin, again["id"])["status"] == "active"


# Outside attack r14, finding 10: Exchange's out-of-office class, which Graph gives and raw MIME lacks.
OOF_CLASS = "IPM.Note.Rules.OofTemplate.Microsoft"


def _plain_reply(w: World, mid: str, mailbox: str) -> str:
    return (f"From: {w.contact['email']}\r\nTo: {mailbox}\r\nSubject: Re: Intro\r\nMessage-ID: <oof-1@buyer.test>\r\n"
            f"In-Reply-To: {mid}\r\nReferences: {mid}\r\nDate: Tue, 03 Mar 2026 10:00:00 +0000\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nThank you for your email.\r\n")


def test_the_dry_run_reads_an_outlook_message_class_as_delivery_into_outlook_does(
        client: Any, services: ServiceContext) -> None:
    from dataclasses import replace

    w = make_world(services)
    e = enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=w.contact["id"],
                           sender_user_id=w.other_rep["id"])
    with services.session() as s:
        mid = s.scalars(select(t.SequenceEmail.rfc_message_id)).one()
    mailbox = w.other_rep["mailbox_address"]
    raw = _plain_reply(w, mid, mailbox)
    plain = client.post("/api/v1/inbound/simulate", headers=w.headers, json={"mailbox": mailbox, "raw": raw})
    assert plain.status_code == 200 and plain.json["kind"] == "human_reply"
    dry = client.post("/api/v1/inbound/simulate", headers=w.headers,
                      json={"mailbox": mailbox, "raw": raw, "message_class": OOF_CLASS})
    assert dry.status_code == 200, dry.json
    assert dry.json["kind"] == "out_of_office" and dry.json["message"]["message_class"] == OOF_CLASS
    # Delivered into Outlook, the message carries Graph's class (services/graph/mailbox.graph_inbound).
    real = apply_inbound_message(services, provider="outlook", mailbox_address=mailbox, provider_message_id="g-1",
                                 message=replace(InboundMessage.from_bytes(raw.encode()), message_class=OOF_CLASS))
    assert real["kind"] == dry.json["kind"]
    assert [(d["enrollment_id"], d["action"]) for d in real["decisions"]] == \
        [(d["enrollment_id"], d["action"]) for d in dry.json["decisions"]] == [(e["id"], "record")]


def test_a_message_class_for_a_gmail_mailbox_is_refused_clearly(client: Any, services: ServiceContext) -> None:
    w, _, mid = enrolled(services)
    mailbox = w.rep["mailbox_address"]
    r = client.post("/api/v1/inbound/simulate", headers=w.headers,
                    json={"mailbox": mailbox, "raw": _plain_reply(w, mid, mailbox), "message_class": OOF_CLASS})
    assert r.status_code == 422 and r.json["error"]["code"] == "message_class_not_outlook"
    bad = client.post("/api/v1/inbound/simulate", headers=w.headers,
                      json={"mailbox": mailbox, "raw": "x", "message_class": "IPM <script>"})
    assert 400 <= bad.status_code < 500
