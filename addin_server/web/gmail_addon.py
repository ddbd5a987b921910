"""The Gmail add-on over HTTP: Google posts event objects here and shows the card JSON we answer.

Every endpoint first checks the system ID token Google sends (audience = one of the URLs this
deployment declares, its triggers' and its buttons' endpoints; email = the add-on's service account);
anything else is a 401 and nothing runs. The user is the
event's userIdToken, verified against our OAuth client id and mapped to a rep. From then on every
outcome is a card: the recipients' statuses, a confirmation, or an error that says what to do.

The demo's stand-in Gmail (web/gmail_preview.py) drives the same card builders through `run`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, jsonify, request
from markupsafe import Markup, escape

from addin_server.auth.errors import AuthError
from addin_server.auth.google_tokens import GoogleUser, verify_addon_request, verify_user_id_token
from addin_server.domain.wording import already_left_in_words
from addin_server.services import app_pages as app_pages_service
from addin_server.services import directory, enrollments, gmail_addon, gmail_manifest, identity, lookup
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.errors import Forbidden, NotFound, ServiceError
from addin_server.web import cards
from addin_server.web.current import services as _ctx
from addin_server.web.current import settings as _settings
from addin_server.web.gmail_event import AddonEvent, carried_draft

log = logging.getLogger(__name__)

bp = Blueprint("gmail_addon", __name__)

RECIPIENTS_PER_PAGE = 20
RECENT_ENDINGS = 10
VIEWS = ("compose", "message", "homepage")
# Refusals of the user's own token that mean "open the add-on again", not "someone is forging".
_SESSION_CODES = frozenset({"missing_token", "token_expired", "token_not_yet_valid"})
_UNAVAILABLE_CODES = frozenset({"keys_unavailable", "not_configured"})


@dataclass(frozen=True)
class Caller:
    """A verified rep using the add-on: their principal and their Google identity."""

    principal: Principal
    user: GoogleUser


class CardFailure(Exception):
    """Something the rep must be told on a card (not a bug): title, message, advice, optional retry."""

    def __init__(self, title: str, message: str, advice: str, *, link: bool = True, retry: bool = False) -> None:
        super().__init__(message)
        self.title, self.message, self.advice, self.link, self.retry = title, message, advice, link, retry


def _action_url(name: str) -> str:
    return _settings().public_endpoint(f"/gmail/actions/{name}")


def _app_link() -> dict[str, str]:
    return {"text": "Open Sequence Sidebar", "url": _settings().public_endpoint("/app/")}


def _button(text: str, action: str, style: str = "", **parameters: str) -> dict[str, Any]:
    return {"text": text, "function": _action_url(action), "parameters": parameters, "style": style}


# --- cards -----------------------------------------------------------------------------------


def error_card(failure: CardFailure, view: str = "homepage", carry: dict[str, str] | None = None) -> dict[str, Any]:
    retry = _button("Try again", "refresh", view=view, **(carry or {})) if failure.retry else None
    return cards.render_card("error.json.j2", title=failure.title, message=failure.message, advice=failure.advice,
                             link=_app_link() if failure.link else None, retry=retry)


NOT_CONNECTED = CardFailure(
    "Not connected to Sequence Sidebar",
    "Your Google account is not linked to a Sequence Sidebar user.",
    "Ask your Sequence Sidebar admin to add you with this Google address, then open the add-on again. If "
    "they already have, this address or your Google Workspace domain is held by another Sequence Sidebar "
    "account: your admin asks the operator to settle it.",
)
SESSION_EXPIRED = CardFailure(
    "Your session has expired",
    "Google did not send a current sign-in for you with this request.",
    "Close the add-on and open it again. If this keeps happening, sign out of Gmail and back in.",
    link=False,
)
BACKEND_FAILURE = CardFailure(
    "Something went wrong",
    "Sequence Sidebar could not load this right now. Nothing was changed.",
    "Try again in a moment. If it keeps failing, tell your admin: the error has been logged.",
    link=False, retry=True,
)


def _mailbox_notice(ctx: ServiceContext, principal: Principal) -> dict[str, Any] | None:
    hint = enrollments.own_mailbox_notice(ctx, principal)
    if hint:  # sequence emails cannot leave: the same sentence as the API's 409 and the web app
        return {"text": hint, "link": _app_link()}
    profile = gmail_addon.rep_profile(ctx, principal)
    if profile is None or profile.get("mailbox_connected", True):
        return None
    if app_pages_service.own_mailbox_state(ctx, principal) == "not_connected":  # nobody connected it yet
        return {"text": "Your mailbox is not connected yet, so replies and meetings cannot unenroll your "
                        "contacts automatically. Connect it in Sequence Sidebar.", "link": _app_link()}
    return {"text": "Your mailbox is not connected, so replies and meetings cannot unenroll your contacts "
                    "automatically. Reconnect it in Sequence Sidebar.", "link": _app_link()}


def _recipient_view(entry: dict[str, Any], field_label: str, view: str, page: int, zone: Any,
                    carry: dict[str, str]) -> dict[str, Any]:
    """What one recipient's section says: who they are, their sequence status, and the unenroll button."""
    contact, enrollment = entry.get("contact"), entry.get("enrollment")
    email = str(entry.get("email", ""))
    out: dict[str, Any] = {"header": field_label, "email_label": None, "company": None, "detail": None,
                           "unenroll": None}
    if entry.get("error"):
        out.update(name_html=cards.bold(email), status_icon="DESCRIPTION",
                   status_html="Not an email address Sequence Sidebar can look up")
        return out
    if contact is None:
        out.update(name_html=cards.bold(email), status_icon="DESCRIPTION",
                   status_html="Not a contact in Sequence Sidebar")
        return out
    company = contact.get("company")
    out.update(name_html=cards.bold(contact.get("name") or email), email_label=email,
               company=company["name"] if company else None)
    flags = [label for key, label in (("unsubscribed", "unsubscribed"), ("bounced", "email bounced"))
             if contact.get(key)]
    if enrollment is None:
        out.update(status_icon="BOOKMARK", status_html="Not in a sequence",
                   detail=" · ".join(flag.capitalize() for flag in flags) or None)
        return out
    steps_total = enrollment.get("steps_total") or 0
    step = max(int(enrollment.get("current_step") or 0), 1)
    parts = [f"Step {min(step, steps_total) if steps_total else step} of {steps_total}"]
    if enrollment.get("status") == "paused":
        parts.append("paused until " + cards.when(enrollment.get("paused_until"), _ctx().now(), zone)
                     if enrollment.get("paused_until") else "paused")
    else:
        parts.append("next step " + cards.when(enrollment.get("next_step_at"), _ctx().now(), zone))
    by = (enrollment.get("enrolled_by") or {}).get("name") or (enrollment.get("enrolled_by") or {}).get("email")
    parts.append(f"enrolled by {by}")
    sequence_name = (enrollment.get("sequence") or {}).get("name", "")
    out.update(status_icon="CLOCK", status_html=Markup("Enrolled in {}").format(cards.bold(sequence_name)),
               detail=" · ".join(parts + flags))
    if entry.get("can_unenroll"):
        out["unenroll"] = _button("Unenroll from sequence", "confirm_unenroll", "FILLED_TONAL",
                                  enrollment_id=str(enrollment["id"]), view=view, page=str(page), **carry)
    else:
        out["detail"] += " · only the rep who enrolled them, the sequence owner or an admin can unenroll"
    return out


def recipients_card(caller: Caller, event: AddonEvent, view: str, addresses: list[tuple[str, str]],
                    page: int = 0, carry: dict[str, str] | None = None) -> dict[str, Any]:
    """The status card for (field, address) pairs: deduplicated, looked up at once, one page shown.

    `carry` goes into every button's parameters (the compose view's recipients).
    """
    carry = carry or {}
    seen: set[str] = set()
    unique: list[tuple[str, str]] = []
    for field_label, address in addresses:
        key = address.strip().casefold()
        if key and key not in seen:
            seen.add(key)
            unique.append((field_label, address.strip()))
    unique = unique[: lookup.MAX_RECIPIENTS]
    pages = max((len(unique) + RECIPIENTS_PER_PAGE - 1) // RECIPIENTS_PER_PAGE, 1)
    page = min(max(page, 0), pages - 1)
    shown = unique[page * RECIPIENTS_PER_PAGE:(page + 1) * RECIPIENTS_PER_PAGE]
    ctx = _ctx()
    entries = lookup.lookup_recipients(ctx, caller.principal, [address for _, address in shown]) if shown else []
    zone = cards.user_zone(event.time_zone_id)
    recipients = [_recipient_view(entry, field_label, view, page, zone, carry)
                  for (field_label, _), entry in zip(shown, entries, strict=True)]
    pager = None
    if pages > 1:
        first = page * RECIPIENTS_PER_PAGE + 1
        pager = {
            "text": f"Recipients {first}-{first + len(shown) - 1} of {len(unique)}",
            "previous": _button("Previous", "page", view=view, page=str(page - 1), **carry) if page > 0 else None,
            "next": (_button("More recipients", "page", view=view, page=str(page + 1), **carry)
                     if page < pages - 1 else None),
        }
    if view == "compose":
        title, subtitle = "Recipients in sequences", "This draft's To, Cc and Bcc"
        empty = "Add recipients to the draft, then press Refresh to see whether they are in a sequence."
    else:
        title, subtitle = "People on this message", "The sender and the other participants"
        empty = "Nobody else is on this message."
    return cards.render_card(
        "recipients.json.j2", title=title, subtitle=subtitle, notice=_mailbox_notice(ctx, caller.principal),
        recipients=recipients, empty_text=empty, pager=pager, refresh=_button("Refresh", "refresh", view=view, **carry),
    )


def compose_card(caller: Caller, event: AddonEvent, page: int = 0) -> dict[str, Any]:
    """The draft's recipients: the event's own, or, when Gmail left them out of a button event, those
    the button carried. "Add recipients" is said only when the draft itself had none."""
    draft = event.draft()
    addresses = ([("To", a) for a in draft.to] + [("Cc", a) for a in draft.cc] + [("Bcc", a) for a in draft.bcc])
    return recipients_card(caller, draft, "compose", addresses, page, carry=carried_draft(draft))


def _message_reader() -> gmail_addon.MessageMetadataReader:
    # The preview sets one per request (g); an app may install another (extensions); else Gmail itself.
    reader: gmail_addon.MessageMetadataReader | None = (
        g.get("gmail_message_reader") or current_app.extensions.get("gmail_message_reader"))
    return reader or gmail_addon.GmailApiMessageReader(_settings())


def message_card(caller: Caller, event: AddonEvent, page: int = 0) -> dict[str, Any]:
    """The opened message's sender and other participants (not the rep), read from Gmail."""
    try:
        participants = _message_reader().participants(
            event.message_id, event.access_token, event.user_oauth_token)
    except gmail_addon.MessageUnavailable as exc:
        if exc.expired:
            raise CardFailure(
                "This message cannot be read",
                "Gmail did not let Sequence Sidebar read who is on this message.",
                "Open the message again. If this keeps happening, remove the add-on and install it again so it "
                "can read message details (sender and recipients only).", link=False) from exc
        raise CardFailure("Gmail is not answering", "Sequence Sidebar could not ask Gmail who is on this message.",
                          "Try again in a moment.", link=False, retry=True) from exc
    own = _own_addresses(caller)
    addresses = [(p.field, p.address) for p in participants if p.address.casefold() not in own]
    return recipients_card(caller, event, "message", addresses, page)


def _own_addresses(caller: Caller) -> set[str]:
    own = {caller.user.email.casefold()}
    profile = gmail_addon.rep_profile(_ctx(), caller.principal)
    if profile:
        own |= {str(a).casefold() for a in [profile.get("email"), profile.get("mailbox_address"),
                                            *profile.get("mailbox_aliases", [])] if a}
    return own


def homepage_card(caller: Caller, event: AddonEvent) -> dict[str, Any]:
    ctx = _ctx()
    zone = cards.user_zone(event.time_zone_id)
    endings = []
    for ended in enrollments.recent_automatic_endings(ctx, caller.principal, limit=RECENT_ENDINGS):
        lines = cards.evidence_lines(ended.get("evidence"))
        endings.append({
            "reason": cards.REASON_LABELS.get(str(ended.get("end_reason")), str(ended.get("end_reason"))),
            "summary_html": Markup("{} left {}").format(cards.bold(ended["contact"]["name"]),
                                                       cards.bold(ended["sequence"]["name"])),
            "ended": cards.at_time(ended.get("ended_at"), zone),
            "evidence_html": Markup("<br>").join(escape(line) for line in lines) if lines else None,
        })
    return cards.render_card("homepage.json.j2", subtitle=caller.user.email,
                             notice=_mailbox_notice(ctx, caller.principal), endings=endings, app=_app_link(),
                             refresh=_button("Refresh", "refresh", view="homepage"))


def view_card(caller: Caller, event: AddonEvent, view: str, page: int = 0) -> dict[str, Any]:
    if view == "compose":
        return compose_card(caller, event, page)
    if view == "message":
        return message_card(caller, event, page)
    return homepage_card(caller, event)


# --- button actions --------------------------------------------------------------------------


def _view_of(event: AddonEvent) -> str:
    view = event.param("view", "homepage")
    return view if view in VIEWS else "homepage"


def _enrollment_for(caller: Caller, event: AddonEvent) -> tuple[dict[str, Any], str]:
    """The enrollment a button names and its contact's name (NotFound if it is not this account's)."""
    ctx = _ctx()
    enrollment = enrollments.get_enrollment(ctx, caller.principal, event.param("enrollment_id"))
    contact = directory.get_contact(ctx, caller.principal, enrollment["contact_id"])
    return enrollment, contact["name"]


def _carried(event: AddonEvent) -> dict[str, str]:
    """What the compose view's buttons pass on to the next card's buttons."""
    return carried_draft(event.draft()) if _view_of(event) == "compose" else {}


def _who(reps: list[str]) -> Markup:
    """The reps who may unenroll (their names isolated), then admins: "Rita Rep, Sam Owner or an admin"."""
    return Markup(", ").join(map(cards.isolate, reps)) + Markup(" or an admin") if reps else Markup("an admin")


def action_confirm_unenroll(caller: Caller, event: AddonEvent) -> dict[str, Any]:
    enrollment, name = _enrollment_for(caller, event)
    view, page, carry = _view_of(event), str(event.page()), _carried(event)
    choice = lookup.unenroll_choice(_ctx(), caller.principal, enrollment["id"])
    if choice["open"] and not choice["can_unenroll"]:
        # A button the table would refuse is never offered, even when an old card or a forged event asks.
        refused = CardFailure("You cannot unenroll this contact",
                              Markup("Only {} can unenroll {} from {}.").format(
                                  _who(choice["who_can"]), cards.bold(name),
                                  cards.bold(enrollment["sequence"]["name"])),
                              "Ask one of them to unenroll this contact; nothing was changed.", retry=True)
        return cards.render_actions([{"pushCard": error_card(refused, view, carry)}])
    card = cards.render_card(
        "confirm_unenroll.json.j2",
        question=Markup("Unenroll {} from {}?").format(cards.bold(name), cards.bold(enrollment["sequence"]["name"])),
        consequences="Their remaining steps will not run. Their history and the sequence's performance "
                     "figures are kept.",
        confirm=_button("Unenroll", "unenroll", "FILLED", enrollment_id=enrollment["id"], view=view, page=page,
                        **carry),
        cancel=_button("Cancel", "cancel", "OUTLINED", view=view, page=page, **carry),
    )
    return cards.render_actions([{"pushCard": card}])


def action_unenroll(caller: Caller, event: AddonEvent) -> dict[str, Any]:
    ctx = _ctx()
    before, name = _enrollment_for(caller, event)
    sequence = before["sequence"]["name"]
    if before["status"] not in ("active", "paused"):
        # Another tab, a colleague or a reply got there first: say so, and who or what, rather than
        # claim the unenrollment.
        note = already_left_in_words(name, sequence, before.get("ended_because"))
    else:
        try:
            ended = enrollments.unenroll(ctx, caller.principal, before["id"], surface="gmail_addon")
            ours = (ended.get("end_surface"), ended.get("end_actor")) == ("gmail_addon", caller.principal.actor)
            note = (f"Unenrolled {name} from {sequence}" if ours
                    else already_left_in_words(name, sequence, ended.get("ended_because")))
        except Forbidden:
            note = f"You cannot unenroll {name}: ask the rep who enrolled them or an admin."
    view = _view_of(event)
    try:
        card = view_card(caller, event, view, event.page())
    except Exception as exc:  # noqa: BLE001 - logged in _after_change; the unenroll must still be reported
        # The unenrollment stands: a card must say so, not "nothing was changed" (the generic failure).
        card = error_card(_after_change(note, exc), view, _carried(event))
    return cards.render_actions([{"popToRoot": True}, {"updateCard": card}], note)


def _after_change(note: str, exc: Exception) -> CardFailure:
    """The card for a view that could not be shown again after a change was made: the change, then why."""
    if isinstance(exc, CardFailure):
        return CardFailure(note, exc.message, exc.advice, link=exc.link, retry=True)
    log.exception("gmail add-on could not show the view again after a change on %s", request.path)
    return CardFailure(note, "Sequence Sidebar could not reload the recipients right now.",
                       "Press Try again to reload them.", link=False, retry=True)


def action_cancel(caller: Caller, event: AddonEvent) -> dict[str, Any]:
    return cards.render_actions([{"pop": True}])


def action_refresh(caller: Caller, event: AddonEvent) -> dict[str, Any]:
    return cards.update_card(view_card(caller, event, _view_of(event), event.page()))


ACTIONS: dict[str, Callable[[Caller, AddonEvent], dict[str, Any]]] = {
    "confirm_unenroll": action_confirm_unenroll,
    "unenroll": action_unenroll,
    "cancel": action_cancel,
    "refresh": action_refresh,
    "page": action_refresh,
}


# --- the HTTP surface ------------------------------------------------------------------------


def declared_paths() -> tuple[str, ...]:
    """Every endpoint this deployment names: the deployment's triggers and the cards' buttons."""
    return (*gmail_manifest.TRIGGER_PATHS, *(f"/gmail/actions/{name}" for name in ACTIONS))


def _verify_google(path: str) -> None:
    """Check the system ID token (AuthError if refused) and log, once per app, each audience seen."""
    caller = verify_addon_request(request.headers.get("Authorization"), declared_paths(), _settings())
    seen = (path, caller.audience)
    logged: set[tuple[str, str]] = current_app.extensions.setdefault("gmail_audiences_logged", set())
    if seen not in logged and len(logged) < 256:
        logged.add(seen)
        # Google documents the audience of trigger calls, not of button calls: this shows what it sends.
        log.info("gmail add-on call to %s carried the audience %s", path, caller.audience)


def _refusal(exc: AuthError) -> tuple[Response, int]:
    # Google retries nothing on 401; the body is for the logs of whoever sent it.
    status = 503 if exc.code in _UNAVAILABLE_CODES else 401
    log.warning("gmail add-on request refused on %s: %s", request.path, exc.code)
    return jsonify({"error": {"code": exc.code, "message": exc.message}}), status


def _caller(event: AddonEvent) -> Caller:
    """The verified user of the event, mapped to a rep; CardFailure when they cannot be served."""
    settings = _settings()
    try:
        user = verify_user_id_token(event.user_id_token, settings)
    except AuthError as exc:
        if exc.code in _SESSION_CODES:
            raise CardFailure(SESSION_EXPIRED.title, SESSION_EXPIRED.message, SESSION_EXPIRED.advice,
                              link=False) from exc
        if exc.code == "email_unverified":
            raise NOT_CONNECTED from exc
        raise
    principal = identity.principal_for_google_user(_ctx(), sub=user.sub, email=user.email, hd=user.hd)
    if principal is None:
        raise NOT_CONNECTED
    return Caller(principal, user)


def _answer(path: str, respond: Callable[[Caller, AddonEvent], dict[str, Any]], *, is_action: bool,
            view: str | None = None) -> Any:
    """Verify Google's token, then read the body (nothing unverified is parsed), then answer.

    `view` None means the event says which view it came from (buttons carry it).
    """
    try:
        _verify_google(path)
    except AuthError as exc:
        return _refusal(exc)
    # Invalid or absurdly nested JSON is None here (the app's JSON provider): a 400, never a 500.
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify({"error": {"code": "bad_request", "message": "the body must be a JSON event object"}}), 400
    event = AddonEvent.from_json(body)
    view = view or _view_of(event)
    try:
        caller = _caller(event)
    except AuthError as exc:
        return _refusal(exc)
    except CardFailure as failure:
        return jsonify(failure_response(failure, view, is_action, event))
    return jsonify(run(respond, caller, event, view=view, is_action=is_action))


def run(respond: Callable[[Caller, AddonEvent], dict[str, Any]], caller: Caller, event: AddonEvent, *,
        view: str, is_action: bool) -> dict[str, Any]:
    """A response for the rep whatever happens: the handler's, or a card that says what went wrong.

    Trigger handlers (is_action false) return a card, shown with pushCard; action handlers return
    their own renderActions.
    """
    try:
        result = respond(caller, event)
        return result if is_action else cards.push_card(result)
    except CardFailure as failure:
        return failure_response(failure, view, is_action, event)
    except NotFound:
        gone = CardFailure("Not found", "That enrollment no longer exists in your account.",
                           "Press Try again to reload the recipients.", link=False, retry=True)
        return failure_response(gone, view, is_action, event)
    except ServiceError as exc:
        refused = CardFailure("That did not work", exc.message, "Press Try again to reload.", link=False, retry=True)
        return failure_response(refused, view, is_action, event)
    except Exception:
        log.exception("gmail add-on failed on %s", request.path)
        return failure_response(BACKEND_FAILURE, view, is_action, event)


def failure_response(failure: CardFailure, view: str, is_action: bool,
                      event: AddonEvent | None = None) -> dict[str, Any]:
    carry = carried_draft(event.draft()) if event is not None and view == "compose" else None
    card = error_card(failure, view, carry)
    return cards.update_card(card) if is_action else cards.push_card(card)


@bp.post("/gmail/homepage")
def homepage() -> Any:
    return _answer("/gmail/homepage", homepage_card, is_action=False, view="homepage")


@bp.post("/gmail/compose")
def compose() -> Any:
    return _answer("/gmail/compose", lambda c, e: compose_card(c, e), is_action=False, view="compose")


@bp.post("/gmail/message")
def message() -> Any:
    return _answer("/gmail/message", lambda c, e: message_card(c, e), is_action=False, view="message")


@bp.post("/gmail/actions/<name>")
def action(name: str) -> Any:
    handler = ACTIONS.get(name)
    path = f"/gmail/actions/{name}"
    if handler is None:
        # Verify first: an unknown name must not tell an unauthenticated caller anything either.
        try:
            _verify_google(path)
        except AuthError as exc:
            return _refusal(exc)
        abort(404)
    return _answer(path, handler, is_action=True)
