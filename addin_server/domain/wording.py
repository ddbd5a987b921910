"""Why an enrollment ended, in the plain words a rep reads on a page (never the stored codes).

`ending_in_words(reason, evidence, ...)` is pure: it reads only the stored reason, the evidence
the rules recorded and, for endings by a person, who and from where. Evidence written by older or
newer versions of the rules may lack a field; each sentence then drops that part instead of
failing or showing an empty quote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

# Where a person asked to unenroll, as the end of "Unenrolled by Ava Reed ...".
SURFACE_WORDS: dict[str, str] = {
    "contact_record": "from the contact record",
    "sequence_summary": "from the sequence summary",
    "scheduled_tab": "from the Scheduled tab",
    "bulk": "in a bulk unenroll",
    "gmail_addon": "from the Gmail add-on",
    "outlook_addin": "from the Outlook add-in",
    "api": "through the API",
    "people_page": "from the People page",
}

STATUS_WORDS: dict[str, str] = {
    "active": "Active",
    "paused": "Paused",
    "finished": "Finished",
    "unenrolled": "Unenrolled",
}

# How a message was tied to an enrollment (rules.MatchKind, stored as the code in evidence
# `matched_by`), as people read it. The words are the ones evidence carried before the codes, so an
# integration that read them sees the same text.
MATCH_WORDS: dict[str, str] = {
    "in_reply_to": "In-Reply-To",
    "references": "References",
    "thread_id": "thread id",
    "bounce_report": "bounce report",
    "bounced_recipient": "bounced recipient",
    "enrolled_address": "enrolled address",
    "secondary_address": "secondary address",
    "gmail_alias": "gmail alias",
}


def evidence_in_words(evidence: Mapping[str, Any] | None, *, with_codes: bool = True) -> dict[str, Any] | None:
    """Stored evidence as the API, outgoing webhooks and pages show it: `matched_by` in words,
    with the stored code beside it in `matched_by_code` (left out for pages: `with_codes=False`).
    An unenrolled event carries its ending's evidence under "evidence": that is shown the same way.
    A value that is not a known code (evidence written before the codes) is shown as stored."""
    if evidence is None:
        return None
    shown = dict(evidence)
    code = shown.get("matched_by")
    if isinstance(code, str) and code in MATCH_WORDS:
        shown["matched_by"] = MATCH_WORDS[code]
        if with_codes:
            shown["matched_by_code"] = code
    inner = shown.get("evidence")
    if isinstance(inner, Mapping):
        shown["evidence"] = evidence_in_words(inner, with_codes=with_codes)
    return shown


_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|antw|fwd?)\s*:\s*)+", re.IGNORECASE)


def _text(evidence: Mapping[str, object], *keys: str) -> str:
    """The first non-empty text value among `keys`."""
    for key in keys:
        value = evidence.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return ""


def _subject_and_step(evidence: Mapping[str, object]) -> str:
    """" to 'Intro' (step 2)": which sequence email the contact answered, when known."""
    subject = _text(evidence, "sequence_email_subject") or _REPLY_PREFIX.sub("", _text(evidence, "subject"))
    step = _text(evidence, "step")
    out = f" to '{subject}'" if subject else ""
    if step:
        out += f" (step {step})"
    return out


def _from(evidence: Mapping[str, object], *keys: str) -> str:
    address = _text(evidence, *keys)
    return f" from {address}" if address else ""


def _replied(evidence: Mapping[str, object]) -> str:
    return "Replied" + _from(evidence, "from") + _subject_and_step(evidence)


def _replied_from_other_address(evidence: Mapping[str, object]) -> str:
    address = _text(evidence, "from")
    where = f" from another address, {address}," if address else " from another address"
    return "Replied" + where + _subject_and_step(evidence)


def _emailed_outside_sequence(evidence: Mapping[str, object]) -> str:
    return "Emailed the rep" + _from(evidence, "matched_address", "from") + " outside the sequence"


def _emailed_from_alias(evidence: Mapping[str, object]) -> str:
    alias = _text(evidence, "matched_address", "from")
    enrolled = _text(evidence, "enrolled_address")
    if alias and enrolled:
        return f"Emailed the rep from {alias}, an alias of {enrolled}"
    return "Emailed the rep" + (f" from the alias {alias}" if alias else " from an alias")


def _company_contact_replied(evidence: Mapping[str, object]) -> str:
    company = _text(evidence, "company_name")
    who = f"Someone at {company}" if company else "Someone at the same company"
    return who + " replied" + _from(evidence, "from") + _subject_and_step(evidence)


def _meeting(evidence: Mapping[str, object]) -> str:
    when = _when(_text(evidence, "meeting_at", "start"))
    return "Booked a meeting" + (f" for {when}" if when else "")


def _when(text: str) -> str:
    """An ISO time as people read it ("26 Nov 2026, 10:30 UTC"); other text is kept as written."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is None:
        return text
    return moment.astimezone(UTC).strftime("%-d %b %Y, %H:%M UTC")


def _company_meeting(evidence: Mapping[str, object]) -> str:
    company = _text(evidence, "company_name")
    who = _text(evidence, "booked_by_contact", "contact_email", "from")
    whom = f"{who} at {company}" if who and company else who or (f"Someone at {company}" if company else "")
    return (whom or "Someone at the same company") + " booked a meeting"


def _unsubscribed(evidence: Mapping[str, object]) -> str:
    address = _text(evidence, "address", "email", "from")
    return "Unsubscribed from sequence emails" + (f" ({address})" if address else "")


def _bounced(evidence: Mapping[str, object]) -> str:
    recipients = evidence.get("bounced_recipients")
    address = _text(evidence, "sent_to")
    if not address and isinstance(recipients, list | tuple) and recipients:
        address = ", ".join(str(r) for r in recipients)
    target = f"Email to {address} bounced" if address else "Email bounced"
    soft, threshold = _text(evidence, "soft_bounces"), _text(evidence, "threshold")
    if soft and threshold:
        return f"{target} ({soft} soft bounces of {threshold} allowed)"
    rule = _text(evidence, "rule")
    if "no longer with the company" in rule:
        return f"{target}: no longer with the company"
    return target


def _workflow(evidence: Mapping[str, object]) -> str:
    name = _text(evidence, "workflow")
    return f"Workflow '{name}'" if name else "Unenrolled by a workflow"


def _user_removed(evidence: Mapping[str, object]) -> str:
    who = _text(evidence, "removed_user")
    return f"The sending rep{f' ({who})' if who else ''} was removed from the account"


def _automation_trigger(evidence: Mapping[str, object]) -> str:
    trigger = _text(evidence, "trigger")
    sentence = {
        "replied": _replied,
        "replied_from_other_address": _replied_from_other_address,
        "emailed_outside_sequence": _emailed_outside_sequence,
        "emailed_from_alias": _emailed_from_alias,
        "meeting_booked": _meeting,
    }.get(trigger)
    base = sentence(evidence) if sentence else "A sequence automation trigger fired"
    company = " (sequence setting: all contacts at the company)" if "company" in _text(evidence, "rule") else ""
    return base + company


_SENTENCES = {
    "replied": _replied,
    "replied_from_other_address": _replied_from_other_address,
    "emailed_outside_sequence": _emailed_outside_sequence,
    "emailed_from_alias": _emailed_from_alias,
    "company_contact_replied": _company_contact_replied,
    "meeting_booked": _meeting,
    "company_contact_booked_meeting": _company_meeting,
    "unsubscribed": _unsubscribed,
    "bounced": _bounced,
    "workflow": _workflow,
    "automation_trigger": _automation_trigger,
    "user_removed": _user_removed,
}


def actor_in_words(actor: str | None, names: Mapping[str, str] | None = None) -> str:
    """"user:ava@x" -> the rep's name (from `names`, keyed by address) or the address itself."""
    if not actor or actor == "system":
        return "Sequence Sidebar"
    kind, _, who = actor.partition(":")
    if kind == "user" and who:
        return (names or {}).get(who, who)
    if kind == "api_key":
        return "an integration (API key)"
    return actor


def ending_in_words(
    reason: str | None,
    evidence: Mapping[str, object] | None,
    *,
    surface: str | None = None,
    actor_name: str | None = None,
) -> str:
    """One sentence saying why an enrollment ended, e.g. "Replied from j.doe@acme.com to 'Intro' (step 2)"."""
    evidence = evidence or {}
    if reason == "completed":
        return "Completed the sequence"
    if reason == "manual":
        who = f"Unenrolled by {actor_name}" if actor_name else "Unenrolled by hand"
        where = SURFACE_WORDS.get(surface or "", "")
        return f"{who} {where}" if where else who
    sentence = _SENTENCES.get(reason or "")
    if sentence is not None:
        return sentence(evidence)
    return f"Ended ({reason})" if reason else "Ended"


def already_left_in_words(name: str, sequence: str, ended_because: str | None) -> str:
    """What a pane says when the contact it was about to unenroll had already left: who or what ended
    it (a reply, a colleague, the rep elsewhere), e.g. "Raj had already left Intro: replied from ..."."""
    if not ended_because:
        return f"{name} had already left {sequence}"
    return f"{name} had already left {sequence}: {ended_because[:1].lower()}{ended_because[1:]}"


def ended_because(reason: str | None, evidence: Mapping[str, object] | None, surface: str | None,
                  actor: str | None) -> str | None:
    """Why an ended enrollment ended, in one sentence naming the person by address; None while it runs."""
    if not reason:
        return None
    return ending_in_words(reason, evidence, surface=surface, actor_name=actor_in_words(actor))


# Short labels for counts by reason ("Replied: 3"), e.g. on the Performance tab.
REASON_LABELS: dict[str, str] = {
    "replied": "Replied",
    "emailed_outside_sequence": "Emailed the rep outside the sequence",
    "replied_from_other_address": "Replied from another address",
    "emailed_from_alias": "Emailed from an alias",
    "company_contact_replied": "Someone at the same company replied",
    "meeting_booked": "Booked a meeting",
    "company_contact_booked_meeting": "Someone at the same company booked a meeting",
    "unsubscribed": "Unsubscribed",
    "bounced": "Bounced",
    "workflow": "Unenrolled by a workflow",
    "automation_trigger": "Sequence automation trigger",
    "completed": "Completed the sequence",
    "manual": "Unenrolled by a person",
    "user_removed": "The sending rep was removed",
}
