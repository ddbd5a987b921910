"""Refusals say why and who can, in the table's words, never as internal ids alone."""

from __future__ import annotations

from typing import Any

from addin_server.services import accounts
from addin_server.services.context import ServiceContext
from tests.web.app.conftest import AppWorld, sign_in


def test_a_bulk_unenroll_of_another_reps_enrollments_says_whose_they_are_and_who_can(
        https_client: Any, app_world: AppWorld, services: ServiceContext) -> None:
    w = app_world.world
    otto = {"Authorization": f"Bearer {_otto_key(services, w)}"}
    r = https_client.post(f"/api/v1/sequences/{app_world.sequence_id}/unenroll", headers=otto,
                          json={"enrollment_ids": [app_world.jane_enrollment, app_world.raj_enrollment]})
    error = r.get_json()["error"]
    assert r.status_code == 403 and "are other reps'" in error["message"]
    assert "ask the rep who enrolled them, the sequence owner or an admin" in error["message"]
    assert app_world.jane_enrollment not in error["message"]
    assert sorted(error["details"]["refused_enrollment_ids"]) == sorted([app_world.jane_enrollment,
                                                                         app_world.raj_enrollment])


def test_a_key_refused_a_role_change_reads_that_it_may_not_change_roles(
        https_client: Any, app_world: AppWorld, services: ServiceContext) -> None:
    w = app_world.world
    key = accounts.create_api_key(services, w.account_id, "crm", "integration")
    r = https_client.patch(f"/api/v1/users/{w.other_rep['id']}", headers={"Authorization": f"Bearer {key}"},
                           json={"role": "admin"})
    assert r.status_code == 403 and "which may not create users and change roles" in r.get_json()["error"]["message"]


def test_the_contact_page_says_an_admin_can_unenroll_as_the_table_does(
        https_client: Any, app_world: AppWorld) -> None:
    w = app_world.world
    sign_in(https_client, w.other_rep["id"], w.account_id)
    page = https_client.get(f"/app/contacts/{w.contact['id']}").get_data(as_text=True)
    assert "the sequence's owner or an admin can unenroll this contact" in page
    assert "super admin can unenroll" not in page


def test_an_admin_echoing_the_beta_as_it_is_changes_the_settings_and_only_a_change_of_the_beta_is_refused(
        https_client: Any, app_world: AppWorld, services: ServiceContext) -> None:
    w = app_world.world  # the admin key: account settings yes, the beta no
    r = https_client.patch("/api/v1/account/settings", headers=w.headers,
                           json={"soft_bounce_threshold": 4, "custom_triggers_beta": False})
    assert (r.status_code, r.get_json()["soft_bounce_threshold"]) == (200, 4)
    r = https_client.patch("/api/v1/account/settings", headers=w.headers, json={"custom_triggers_beta": True})
    assert r.status_code == 403
    assert accounts.get_account(services, w.account_id).custom_triggers_beta is False


def _otto_key(services: ServiceContext, w: Any) -> str:
    """A pane token for Otto, a plain rep with no part in Rita's sequence."""
    from addin_server.web.outlook_auth import issue_pane_token

    return issue_pane_token(services, int(w.other_rep["id"]))
