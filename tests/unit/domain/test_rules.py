"""The unenrollment rules, one named case per product sentence, on both providers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from addin_server.domain import rules
from addin_server.domain.model import AutomationScope, EventType, InboundKind, UnenrollReason
from addin_server.domain.rules import (
    AccountRules,
    Action,
    Facts,
    InboundFacts,
    MatchKind,
    OpenEnrollment,
    SenderContact,
    SentEmailMatch,
    decide,
)

RITA, OTTO = 1, 2  # reps: Rita enrolled everyone below; Otto is a colleague
GLOBEX = 10
JANE = OpenEnrollment(100, contact_id=1, company_id=GLOBEX, sequence_id=7, sequence_name="Intro",
                      enrolled_by_user_id=RITA, sender_user_id=RITA, contact_address="jane@globex.com")
RAJ = OpenEnrollment(101, contact_id=2, company_id=GLOBEX, sequence_id=7, sequence_name="Intro",
                     enrolled_by_user_id=RITA, sender_user_id=RITA, contact_address="raj@globex.com")
LENA = OpenEnrollment(102, contact_id=3, company_id=GLOBEX, sequence_id=8, sequence_name="Follow-up",
                      enrolled_by_user_id=OTTO, sender_user_id=OTTO, contact_address="lena@globex.com")
CHLOE = OpenEnrollment(103, contact_id=4, company_id=None, sequence_id=7, sequence_name="Intro",
                       enrolled_by_user_id=RITA, sender_user_id=RITA, contact_address="chloe.martin@gmail.com")
ALL = {e.id: e for e in (JANE, RAJ, LENA, CHLOE)}
COMPANY = {GLOBEX: [JANE.id, RAJ.id, LENA.id]}


def on_thread(e: OpenEnrollment, by: MatchKind = MatchKind.IN_REPLY_TO) -> SentEmailMatch:
    return SentEmailMatch(500 + e.id, e.id, e.contact_address, 1, "Intro", f"<seq.{e.id}.1@acme.com>", by)


def sender(e: OpenEnrollment, match: MatchKind = MatchKind.EXACT, address: str | None = None) -> SenderContact:
    return SenderContact(e.contact_id, e.company_id, address or e.contact_address, match)


def facts(provider: str, *, kind: InboundKind = InboundKind.HUMAN_REPLY, frm: str = "jane@globex.com",
          mailbox_user: int = RITA, matches: tuple[SentEmailMatch, ...] = (),
          senders: tuple[SenderContact, ...] = (), company: int | None = None, company_by: str = "",
          account: AccountRules = AccountRules(), enrollments: dict[int, OpenEnrollment] | None = None,
          **message: object) -> Facts:
    m = InboundFacts(provider=provider, mailbox_user_id=mailbox_user, mailbox_address="rita@acme.com",
                     message_id="m1", rfc_message_id="<reply@globex.com>", from_address=frm, kind=kind,
                     classification_evidence=("test",), **message)  # type: ignore[arg-type]
    return Facts(message=m, account=account, sent_matches=matches, sender_contacts=senders,
                 sender_company_id=company, sender_company_by=company_by,
                 enrollments=ALL if enrollments is None else enrollments, company_enrollments=COMPANY,
                 own_addresses=frozenset({"rita@acme.com", "otto@acme.com"}))


def ended(outcome) -> dict[int, UnenrollReason | None]:  # type: ignore[no-untyped-def]
    return {d.enrollment_id: d.reason for d in outcome.decisions if d.action is Action.UNENROLL}


# Every sequence with its "unenroll contacts from the same company" checkbox on.
SAME_COMPANY = {i: replace(e, unenroll_same_company=True) for i, e in ALL.items()}
BETA = AccountRules(custom_triggers_beta=True)

CASES = [
    pytest.param(dict(matches=(on_thread(JANE),), senders=(sender(JANE),)),
                 {JANE.id: UnenrollReason.REPLIED}, id="a reply to a sequence email unenrolls with reason replied"),
    pytest.param(dict(matches=(on_thread(JANE, MatchKind.REFERENCES),), senders=(sender(JANE),)),
                 {JANE.id: UnenrollReason.REPLIED}, id="a reply found through References counts as a reply"),
    pytest.param(dict(matches=(on_thread(JANE, MatchKind.THREAD_ID),), senders=(sender(JANE),)),
                 {JANE.id: UnenrollReason.REPLIED}, id="a reply found through the provider thread counts as a reply"),
    pytest.param(dict(senders=(sender(JANE),)),
                 {JANE.id: UnenrollReason.EMAILED_OUTSIDE_SEQUENCE},
                 id="an email from the enrolled address outside the sequence unenrolls with emailed_outside_sequence"),
    pytest.param(dict(senders=(sender(JANE),), mailbox_user=OTTO), {},
                 id="an email to another rep's mailbox does not end the enrolling rep's sequence"),
    pytest.param(dict(frm="jane.private@example.org", matches=(on_thread(JANE),)),
                 {JANE.id: UnenrollReason.REPLIED_FROM_OTHER_ADDRESS},
                 id="a reply to a sequence email from a different address unenrolls the contact on that thread"),
    pytest.param(dict(frm="jane.doe@gmail.com", senders=(sender(JANE, MatchKind.SECONDARY, "jane.doe@gmail.com"),)),
                 {JANE.id: UnenrollReason.EMAILED_FROM_ALIAS},
                 id="an email from a secondary address unenrolls with emailed_from_alias"),
    pytest.param(dict(frm="chloemartin+news@googlemail.com", enrollments={CHLOE.id: CHLOE},
                      senders=(sender(CHLOE, MatchKind.GMAIL_ALIAS, "chloemartin+news@googlemail.com"),)),
                 {CHLOE.id: UnenrollReason.EMAILED_FROM_ALIAS},
                 id="an email from a gmail dot, plus-tag or googlemail spelling unenrolls with emailed_from_alias"),
    pytest.param(dict(frm="raj@globex.com", matches=(on_thread(JANE),), senders=(sender(RAJ),), company=GLOBEX,
                      company_by="contact", enrollments=SAME_COMPANY),
                 {JANE.id: UnenrollReason.REPLIED_FROM_OTHER_ADDRESS, RAJ.id: UnenrollReason.EMAILED_OUTSIDE_SEQUENCE,
                  LENA.id: UnenrollReason.COMPANY_CONTACT_REPLIED},
                 id="a colleague replying with the company setting on ends every enrollment at the company"),
    pytest.param(dict(frm="boss@globex.com", matches=(on_thread(JANE),), company=GLOBEX, company_by="domain",
                      enrollments=SAME_COMPANY),
                 {JANE.id: UnenrollReason.REPLIED_FROM_OTHER_ADDRESS, RAJ.id: UnenrollReason.COMPANY_CONTACT_REPLIED,
                  LENA.id: UnenrollReason.COMPANY_CONTACT_REPLIED},
                 id="someone at a company domain who is not a contact still counts as the company"),
    pytest.param(dict(frm="raj@globex.com", matches=(on_thread(JANE),), senders=(sender(RAJ),), company=GLOBEX,
                      company_by="contact"),
                 {JANE.id: UnenrollReason.REPLIED_FROM_OTHER_ADDRESS, RAJ.id: UnenrollReason.EMAILED_OUTSIDE_SEQUENCE},
                 id="with the company setting off only the people who wrote are unenrolled"),
    pytest.param(dict(frm="chloe.martin@gmail.com", enrollments={CHLOE.id: SAME_COMPANY[CHLOE.id]},
                      senders=(sender(CHLOE),)),
                 {CHLOE.id: UnenrollReason.EMAILED_OUTSIDE_SEQUENCE},
                 id="a shared free-mail domain is never a company"),
    pytest.param(dict(frm="rita@acme.com", matches=(on_thread(JANE),)), {},
                 id="the rep's own message on the thread is not a reply"),
    pytest.param(dict(frm="otto@acme.com", matches=(on_thread(JANE),)), {},
                 id="a colleague at our own account writing on the thread is not a reply"),
    pytest.param(dict(frm="stranger@elsewhere.org"), {}, id="a stranger's email ends nothing"),
    pytest.param(dict(kind=InboundKind.AUTO_OTHER, matches=(on_thread(JANE),), senders=(sender(JANE),)), {},
                 id="other automatic mail ends nothing"),
    pytest.param(dict(kind=InboundKind.AUTO_OTHER, kind_without_list_headers=InboundKind.HUMAN_REPLY,
                      matches=(on_thread(JANE),), senders=(sender(JANE),)),
                 {JANE.id: UnenrollReason.REPLIED},
                 id="a message whose In-Reply-To names a sequence email is a reply whatever list headers it carries"),
    pytest.param(dict(kind=InboundKind.AUTO_OTHER, kind_without_list_headers=InboundKind.HUMAN_REPLY,
                      matches=(on_thread(JANE, MatchKind.REFERENCES),), senders=(sender(JANE),)),
                 {JANE.id: UnenrollReason.REPLIED},
                 id="a message whose References names a sequence email is a reply whatever list headers it carries"),
    pytest.param(dict(kind=InboundKind.AUTO_OTHER, kind_without_list_headers=InboundKind.HUMAN_REPLY,
                      matches=(on_thread(JANE, MatchKind.THREAD_ID),), senders=(sender(JANE),)), {},
                 id="bulk mail that only shares the provider thread stays automatic"),
    pytest.param(dict(kind=InboundKind.AUTO_OTHER, kind_without_list_headers=InboundKind.AUTO_OTHER,
                      matches=(on_thread(JANE),), senders=(sender(JANE),)), {},
                 id="an answer that is automatic without its list headers too ends nothing"),
    pytest.param(dict(kind=InboundKind.AUTO_OTHER, kind_without_list_headers=InboundKind.HUMAN_REPLY,
                      senders=(sender(JANE),)), {},
                 id="list mail from an enrolled contact that answers no sequence email stays automatic"),
]


@pytest.mark.parametrize("provider", ["gmail", "outlook"])
@pytest.mark.parametrize(("given", "expected"), CASES)
def test_replies_and_emails(provider: str, given: dict, expected: dict) -> None:
    outcome = decide(facts(provider, **given))
    assert ended(outcome) == expected
    for d in outcome.decisions:
        assert d.evidence["rule"] and d.evidence["message_id"] == "m1" and d.evidence["provider"] == provider


OOO_MATCH = dict(kind=InboundKind.OUT_OF_OFFICE, matches=(on_thread(JANE),), senders=(sender(JANE),))


@pytest.mark.parametrize("provider", ["gmail", "outlook"])
@pytest.mark.parametrize("received_by", ["gmail inbox", "outlook inbox"])
def test_out_of_office_replies_never_unenroll(provider: str, received_by: str) -> None:
    outcome = decide(facts(provider, **OOO_MATCH, return_date=date(2026, 3, 9)))  # type: ignore[arg-type]
    assert ended(outcome) == {}
    assert [(d.enrollment_id, d.action, d.event) for d in outcome.decisions] == [
        (JANE.id, Action.RECORD, EventType.OUT_OF_OFFICE)]


def test_out_of_office_with_the_pause_option_pauses_until_the_return_date() -> None:
    paused = replace(JANE, pause_on_out_of_office=True)
    outcome = decide(facts("gmail", **OOO_MATCH, enrollments={JANE.id: paused},  # type: ignore[arg-type]
                           return_date=date(2026, 3, 9)))
    (d,) = outcome.decisions
    assert (d.action, d.pause_until, d.reason) == (Action.PAUSE, date(2026, 3, 9), None)


def test_out_of_office_with_the_pause_option_but_no_date_only_records() -> None:
    paused = replace(JANE, pause_on_out_of_office=True)
    (d,) = decide(facts("outlook", **OOO_MATCH, enrollments={JANE.id: paused})).decisions  # type: ignore[arg-type]
    assert d.action is Action.RECORD


def bounce(kind: InboundKind, **more: object) -> Facts:
    return facts("gmail", kind=kind, frm="mailer-daemon@googlemail.com",
                 matches=(on_thread(JANE, MatchKind.BOUNCE_REPORT),), bounced_recipients=("jane@globex.com",), **more)  # type: ignore[arg-type]


def test_a_hard_bounce_unenrolls_and_marks_the_address_bounced() -> None:
    outcome = decide(bounce(InboundKind.BOUNCE_HARD))
    assert ended(outcome) == {JANE.id: UnenrollReason.BOUNCED}
    assert [(u.address, u.mark_bounced) for u in outcome.address_updates] == [("jane@globex.com", True)]


def test_a_hard_bounce_found_by_recipient_alone_still_unenrolls() -> None:
    f = facts("outlook", kind=InboundKind.BOUNCE_HARD, frm="postmaster@outlook.com", bounced_recipients=("raj@globex.com",))
    assert ended(decide(f)) == {RAJ.id: UnenrollReason.BOUNCED}


@pytest.mark.parametrize(("already", "ends"), [
    pytest.param(0, False, id="a first soft bounce is recorded and the sequence goes on"),
    pytest.param(1, False, id="a second soft bounce is recorded and the sequence goes on"),
    pytest.param(2, True, id="the third soft bounce for the same address unenrolls as bounced"),
])
def test_soft_bounces_unenroll_at_the_threshold(already: int, ends: bool) -> None:
    f = replace(bounce(InboundKind.BOUNCE_SOFT), soft_bounces={"jane@globex.com": already})
    outcome = decide(f)
    assert ended(outcome) == ({JANE.id: UnenrollReason.BOUNCED} if ends else {})
    assert any(u.soft_bounce for u in outcome.address_updates)
    assert any(u.mark_bounced for u in outcome.address_updates) is ends


def test_the_soft_bounce_threshold_is_an_account_setting() -> None:
    f = replace(bounce(InboundKind.BOUNCE_SOFT), account=AccountRules(soft_bounce_threshold=1))
    assert ended(decide(f)) == {JANE.id: UnenrollReason.BOUNCED}


def test_a_no_longer_with_the_company_reply_is_treated_like_a_hard_bounce() -> None:
    f = facts("outlook", kind=InboundKind.OUT_OF_OFFICE, left_company=True, matches=(on_thread(JANE),),
              senders=(sender(JANE),))
    outcome = decide(f)
    assert ended(outcome) == {JANE.id: UnenrollReason.BOUNCED}
    assert "no longer with the company" in str(outcome.decisions[0].evidence["rule"])


TWO_BOUNCED = ("jane@globex.com", "raj@globex.com")  # Jane's address is unknown, Raj's mailbox is full
JANE_HARD = ("jane@globex.com",)

# given (message facts, soft bounces already counted) -> (enrollments ended, addresses marked bounced,
# addresses whose soft bounce is counted)
PER_RECIPIENT_CASES = [
    pytest.param(dict(kind=InboundKind.BOUNCE_HARD, bounced_recipients=TWO_BOUNCED, hard_recipients=JANE_HARD), {},
                 ({JANE.id}, {"jane@globex.com"}, {"raj@globex.com"}),
                 id="a report naming one unknown user and one full mailbox ends only the unknown user's enrollment"),
    pytest.param(dict(kind=InboundKind.BOUNCE_SOFT, bounced_recipients=TWO_BOUNCED, hard_recipients=JANE_HARD), {},
                 ({JANE.id}, {"jane@globex.com"}, {"raj@globex.com"}),
                 id="a report read as soft overall still ends the enrollment of the recipient it calls hard"),
    pytest.param(dict(kind=InboundKind.BOUNCE_HARD, bounced_recipients=TWO_BOUNCED, hard_recipients=JANE_HARD),
                 {"raj@globex.com": 2},
                 ({JANE.id, RAJ.id}, {"jane@globex.com", "raj@globex.com"}, {"raj@globex.com"}),
                 id="the full mailbox's enrollment still ends at the soft-bounce threshold"),
    pytest.param(dict(kind=InboundKind.BOUNCE_HARD, bounced_recipients=TWO_BOUNCED,
                      matches=(on_thread(RAJ, MatchKind.BOUNCE_REPORT),), hard_recipients=JANE_HARD), {},
                 ({JANE.id}, {"jane@globex.com"}, {"raj@globex.com"}),
                 id="the bounced sequence email of a soft recipient is counted, not ended"),
    pytest.param(dict(kind=InboundKind.BOUNCE_HARD, bounced_recipients=TWO_BOUNCED,
                      matches=(on_thread(CHLOE, MatchKind.BOUNCE_REPORT),), hard_recipients=JANE_HARD), {},
                 ({JANE.id}, {"jane@globex.com"}, {"raj@globex.com"}),
                 id="an enrollment whose address a report naming its failed recipients does not name is not ended"),
    pytest.param(dict(kind=InboundKind.BOUNCE_HARD, bounced_recipients=("jane.doe.home@gmail.com", "raj@globex.com"),
                      matches=(replace(on_thread(JANE, MatchKind.BOUNCE_REPORT), recipient="jane.doe.home@gmail.com"),),
                      hard_recipients=("raj@globex.com",)), {},
                 ({RAJ.id}, {"raj@globex.com"}, {"jane.doe.home@gmail.com", "jane@globex.com"}),
                 id="a sequence email sent to an address the report calls soft marks no address of that contact bounced"),
    pytest.param(dict(kind=InboundKind.BOUNCE_HARD, bounced_recipients=TWO_BOUNCED), {},
                 ({JANE.id, RAJ.id}, {"jane@globex.com", "raj@globex.com"}, set()),
                 id="without per-recipient detail a hard report ends every bounced recipient's enrollment"),
    pytest.param(dict(kind=InboundKind.BOUNCE_SOFT, bounced_recipients=TWO_BOUNCED), {},
                 (set(), set(), {"jane@globex.com", "raj@globex.com"}),
                 id="without per-recipient detail a soft report counts a soft bounce for every recipient"),
    pytest.param(dict(kind=InboundKind.OUT_OF_OFFICE, left_company=True, frm="raj@globex.com",
                      matches=(on_thread(RAJ),), hard_recipients=JANE_HARD), {},
                 ({RAJ.id}, {"raj@globex.com"}, set()),
                 id="a 'no longer with the company' reply stays hard whatever the recipients say"),
]


@pytest.mark.parametrize("provider", ["gmail", "outlook"])
@pytest.mark.parametrize(("given", "counted", "expected"), PER_RECIPIENT_CASES)
def test_hard_and_soft_per_bounced_recipient(provider: str, given: dict, counted: dict, expected: tuple) -> None:
    given = {"frm": "mailer-daemon@googlemail.com", **given}
    f = replace(facts(provider, **given), soft_bounces=counted)
    outcome = decide(f)
    ends, marked, soft = expected
    assert ended(outcome) == {eid: UnenrollReason.BOUNCED for eid in ends}
    assert {u.address for u in outcome.address_updates if u.mark_bounced} == marked
    assert {u.address for u in outcome.address_updates if u.soft_bounce} == soft
    assert all(d.event is EventType.BOUNCED for d in outcome.decisions)


OTHER_RECIPIENT_CASES = [
    pytest.param(InboundKind.BOUNCE_HARD, ("someone.else@elsewhere.example",), ("someone.else@elsewhere.example",),
                 id="a hard report for another recipient quoting our email neither ends nor marks the contact"),
    pytest.param(InboundKind.BOUNCE_HARD, ("someone.else@elsewhere.example",), (),
                 id="a hard report without per-recipient detail for another recipient neither ends nor marks"),
    pytest.param(InboundKind.BOUNCE_SOFT, ("someone.else@elsewhere.example",), (),
                 id="a soft report for another recipient counts no soft bounce on the contact"),
]


@pytest.mark.parametrize("provider", ["gmail", "outlook"])
@pytest.mark.parametrize(("kind", "recipients", "hard"), OTHER_RECIPIENT_CASES)
def test_a_delivery_report_for_another_recipient_never_bounces_the_contact(
    provider: str, kind: InboundKind, recipients: tuple[str, ...], hard: tuple[str, ...]
) -> None:
    f = facts(provider, kind=kind, frm="mailer-daemon@googlemail.com", matches=(on_thread(CHLOE, MatchKind.BOUNCE_REPORT),),
              bounced_recipients=recipients, hard_recipients=hard)
    outcome = decide(f)
    assert ended(outcome) == {}
    assert not {u.address for u in outcome.address_updates} & {CHLOE.contact_address}
    (d,) = [d for d in outcome.decisions if d.enrollment_id == CHLOE.id]
    assert d.action is Action.RECORD and d.event is EventType.BOUNCED
    assert "not named as failed" in str(d.evidence["rule"])


def test_a_per_recipient_bounce_says_which_recipients_were_hard_and_which_soft() -> None:
    f = facts("gmail", kind=InboundKind.BOUNCE_HARD, frm="mailer-daemon@googlemail.com",
              bounced_recipients=TWO_BOUNCED, hard_recipients=JANE_HARD)
    by_id = {d.enrollment_id: d for d in decide(f).decisions}
    jane, raj = by_id[JANE.id], by_id[RAJ.id]
    assert jane.action is Action.UNENROLL and "hard bounce" in str(jane.evidence["rule"])
    assert raj.action is Action.RECORD and raj.evidence["soft_bounces"] == 1 and raj.evidence["threshold"] == 3
    for d in (jane, raj):
        assert d.evidence["hard_recipients"] == ["jane@globex.com"]
        assert d.evidence["soft_recipients"] == ["raj@globex.com"]
    assert jane.evidence["sent_to"] == "jane@globex.com" and raj.evidence["sent_to"] == "raj@globex.com"


BETA_CASES = [
    pytest.param(AutomationScope.OFF, {}, id="beta: reply set to off records the reply and unenrolls nobody"),
    pytest.param(AutomationScope.CONTACT, {JANE.id: UnenrollReason.AUTOMATION_TRIGGER},
                 id="beta: reply set to contact unenrolls only the contact with automation_trigger"),
    pytest.param(AutomationScope.COMPANY, {JANE.id: UnenrollReason.AUTOMATION_TRIGGER,
                                           RAJ.id: UnenrollReason.AUTOMATION_TRIGGER},
                 id="beta: reply set to company unenrolls the company's contacts in this sequence only"),
]


@pytest.mark.parametrize(("scope", "expected"), BETA_CASES)
def test_custom_triggers_decide_under_the_beta(scope: AutomationScope, expected: dict) -> None:
    seqs = {i: replace(e, on_reply=scope) if e.sequence_id == 7 else e for i, e in ALL.items()}
    outcome = decide(facts("gmail", matches=(on_thread(JANE),), senders=(sender(JANE),), account=BETA,
                           enrollments=seqs))
    assert ended(outcome) == expected
    if scope is AutomationScope.OFF:
        assert [(d.enrollment_id, d.action, d.event) for d in outcome.decisions] == [
            (JANE.id, Action.RECORD, EventType.REPLIED)]
    for d in outcome.decisions:
        assert d.evidence["setting"] == f"when a contact replies: {scope.value}"


def test_every_decision_carries_its_evidence() -> None:
    outcome = decide(facts("outlook", frm="raj@globex.com", matches=(on_thread(JANE),), senders=(sender(RAJ),),
                           company=GLOBEX, company_by="contact", enrollments=SAME_COMPANY))
    jane = next(d for d in outcome.decisions if d.enrollment_id == JANE.id)
    assert jane.evidence["matched_by"] == "in_reply_to"
    assert jane.evidence["sequence_email_message_id"] == "<seq.100.1@acme.com>"
    assert jane.evidence["from"] == "raj@globex.com"
    lena = next(d for d in outcome.decisions if d.enrollment_id == LENA.id)
    assert lena.evidence["setting"] == "unenroll contacts from the same company"
    assert lena.evidence["company_matched_by"] == "contact"


def test_company_wide_endings_record_no_reply_of_their_own() -> None:
    """Performance counts one reply: the colleagues' enrollments end without a reply event."""
    outcome = decide(facts("gmail", frm="raj@globex.com", matches=(on_thread(JANE),), senders=(sender(RAJ),),
                           company=GLOBEX, company_by="contact", enrollments=SAME_COMPANY))
    events = {d.enrollment_id: d.event for d in outcome.decisions}
    assert events == {JANE.id: EventType.REPLIED, RAJ.id: EventType.REPLIED, LENA.id: None}


# A bounce report counts once per (recipient, original message), however often it arrives.
SEQ_JANE = "sent:<seq.100.1@acme.com>"
REPEATED_REPORT_CASES = [
    pytest.param(InboundKind.BOUNCE_SOFT, dict(), {("jane@globex.com", SEQ_JANE)}, 0, set(),
                 id="the same soft bounce report delivered again counts once"),
    pytest.param(InboundKind.BOUNCE_SOFT, dict(rfc_message_id="<another-copy@mx.globex.com>"),
                 {("jane@globex.com", SEQ_JANE)}, 0, set(),
                 id="a second report about the same sequence email counts once"),
    pytest.param(InboundKind.BOUNCE_HARD, dict(), {("jane@globex.com", SEQ_JANE)}, 0, set(),
                 id="a hard bounce report arriving again ends nothing, not even an enrollment made since"),
    pytest.param(InboundKind.BOUNCE_SOFT, dict(), {("jane@globex.com", "sent:<seq.100.2@acme.com>")}, 1, set(),
                 id="a report about another sequence email counts again"),
    pytest.param(InboundKind.BOUNCE_SOFT, dict(), {("raj@globex.com", SEQ_JANE)}, 1, set(),
                 id="a report counted for another recipient still counts for this one"),
    pytest.param(InboundKind.BOUNCE_HARD, dict(), set(), 1, {JANE.id},
                 id="a hard bounce report seen for the first time ends the enrollment"),
]


@pytest.mark.parametrize(("kind", "message", "counted", "events", "ends"), REPEATED_REPORT_CASES)
def test_a_bounce_report_counts_once_per_recipient_and_original_message(
        kind: InboundKind, message: dict, counted: set, events: int, ends: set) -> None:
    f = replace(bounce(kind), counted_reports=frozenset(counted))
    f = replace(f, message=replace(f.message, **message))
    outcome = decide(f)
    assert sum(1 for d in outcome.decisions if d.event is EventType.BOUNCED) == events
    assert set(ended(outcome)) == ends
    assert bool(outcome.address_updates) == bool(events)
    assert all(u.report_key == SEQ_JANE for u in outcome.address_updates)


def test_a_repeated_report_says_why_it_changed_nothing() -> None:
    f = replace(bounce(InboundKind.BOUNCE_SOFT), counted_reports=frozenset({("jane@globex.com", SEQ_JANE)}))
    (d,) = decide(f).decisions
    # It says "nothing", as delivering it does: no event is written on the enrollment.
    assert (d.action, d.event) == (Action.NOTHING, None)
    assert "counted already" in str(d.evidence["rule"])


def test_a_report_without_a_sequence_email_is_keyed_by_its_own_message_id() -> None:
    f = facts("gmail", kind=InboundKind.BOUNCE_SOFT, frm="postmaster@globex.com", bounced_recipients=("raj@globex.com",))
    assert {u.report_key for u in decide(f).address_updates} == {"report:<reply@globex.com>"}
    again = replace(f, counted_reports=frozenset({("raj@globex.com", "report:<reply@globex.com>")}))
    assert not decide(again).address_updates


# A report that quotes no email (no In-Reply-To, References or returned headers) is about the
# latest sequence email sent to its recipient: copies re-sent under new Message-IDs share its key.
RAJ_LATEST = "<seq.101.2@acme.com>"
UNQUOTED_REPORT_CASES = [
    pytest.param(frozenset(), {"raj@globex.com": "sent:" + RAJ_LATEST}, 1,
                 id="a report that quotes no email is about the latest sequence email sent to the recipient"),
    pytest.param(frozenset({("raj@globex.com", "sent:" + RAJ_LATEST)}), {}, 0,
                 id="a copy of that report re-sent with a new Message-ID counts once"),
    pytest.param(frozenset({("raj@globex.com", "sent:<seq.101.1@acme.com>")}), {"raj@globex.com": "sent:" + RAJ_LATEST},
                 1, id="a report after a later sequence email counts again"),
]


@pytest.mark.parametrize(("counted", "keys", "events"), UNQUOTED_REPORT_CASES)
def test_a_report_that_quotes_no_email(counted: frozenset, keys: dict, events: int) -> None:
    f = facts("gmail", kind=InboundKind.BOUNCE_SOFT, frm="postmaster@globex.com",
              bounced_recipients=("raj@globex.com",))
    f = replace(f, latest_sent_to={"raj@globex.com": RAJ_LATEST}, counted_reports=counted)
    f = replace(f, message=replace(f.message, rfc_message_id="<copy-7@mx.globex.com>"))
    outcome = decide(f)
    assert {u.address: u.report_key for u in outcome.address_updates} == keys
    assert sum(1 for d in outcome.decisions if d.event is EventType.BOUNCED) == events


def test_a_report_quoting_the_email_and_a_copy_quoting_nothing_share_one_key() -> None:
    quoting = bounce(InboundKind.BOUNCE_SOFT)
    key = decide(quoting).address_updates[0].report_key
    copy = facts("gmail", kind=InboundKind.BOUNCE_SOFT, frm="postmaster@globex.com",
                 bounced_recipients=("jane@globex.com",))
    copy = replace(copy, latest_sent_to={"jane@globex.com": "<seq.100.1@acme.com>"},
                   counted_reports=frozenset({("jane@globex.com", key)}))
    assert not decide(copy).address_updates


def test_a_report_about_an_email_that_is_no_sequence_email_is_keyed_by_that_email() -> None:
    """The rep's own email to Raj bounced: its copies share a key, and it is not the sequence's email."""
    f = facts("gmail", kind=InboundKind.BOUNCE_SOFT, frm="postmaster@globex.com",
              bounced_recipients=("raj@globex.com",), quoted_message_id="<by-hand@acme.com>")
    f = replace(f, latest_sent_to={"raj@globex.com": RAJ_LATEST})
    assert {u.report_key for u in decide(f).address_updates} == {"original:<by-hand@acme.com>"}


@pytest.mark.parametrize("provider", ["gmail", "outlook"])
def test_a_bounce_of_an_address_the_contact_answered_from_since_neither_ends_nor_marks(provider: str) -> None:
    f = replace(facts(provider, kind=InboundKind.BOUNCE_HARD, frm="mailer-daemon@googlemail.com",
                      matches=(on_thread(JANE, MatchKind.BOUNCE_REPORT),), bounced_recipients=("jane@globex.com",)),
                replied_addresses=frozenset({"jane@globex.com"}))
    outcome = decide(f)
    assert ended(outcome) == {}
    assert not any(u.mark_bounced or u.soft_bounce for u in outcome.address_updates)
    (d,) = outcome.decisions
    assert d.action is Action.RECORD and "answered from this address" in str(d.evidence["rule"])


@pytest.mark.parametrize("provider", ["gmail", "outlook"])
def test_a_reply_on_the_thread_of_an_enrollment_a_bounce_ended_is_recorded_and_proves_the_address_alive(provider: str) -> None:
    ended_jane = on_thread(replace(JANE, id=999))  # its enrollment ended already (not open)
    outcome = decide(replace(facts(provider, matches=(ended_jane,), senders=(sender(JANE),)),
                             bounced_endings=frozenset({999})))
    recorded = [d for d in outcome.decisions if d.enrollment_id == 999]
    assert [(d.action, d.event, d.evidence.get("after_ending")) for d in recorded] == [
        (Action.RECORD, EventType.REPLIED, True)]
    assert [(u.address, u.alive) for u in outcome.address_updates] == [("jane@globex.com", True)]


@pytest.mark.parametrize(("return_date", "action"), [
    pytest.param(date(2026, 3, 9), Action.PAUSE, id="a return date ahead pauses"),
    pytest.param(date(2026, 3, 1), Action.RECORD, id="a return date already past only records the notice"),
    pytest.param(date(2026, 3, 5), Action.RECORD, id="a return date of today only records the notice"),
])
def test_a_return_date_already_past_does_not_pause(return_date: date, action: Action) -> None:
    paused = replace(JANE, pause_on_out_of_office=True)
    made = facts("gmail", **OOO_MATCH, enrollments={JANE.id: paused},  # type: ignore[arg-type]
                 return_date=return_date)
    (d,) = decide(replace(made, today=date(2026, 3, 5))).decisions
    assert (d.action, d.event) == (action, EventType.OUT_OF_OFFICE)
    assert d.evidence["return_date"] == return_date.isoformat()


# --- mail the mailbox received before the enrollment was made ---------------------------------

ENROLLED = datetime(2026, 12, 6, 19, 9, 34, tzinfo=UTC)
AT_ENROLL = {i: replace(e, enrolled_at=ENROLLED) for i, e in ALL.items()}
SAME_COMPANY_AT_ENROLL = {i: replace(e, unenroll_same_company=True) for i, e in AT_ENROLL.items()}

PREDATES_CASES = [
    pytest.param(dict(senders=(sender(JANE),), received_at=ENROLLED - timedelta(seconds=4)), {},
                 id="an email the contact sent before the enrollment existed never ends it"),
    pytest.param(dict(senders=(sender(JANE),), received_at=ENROLLED - timedelta(days=3)), {},
                 id="an email received days before the enrollment never ends it however late it is read"),
    pytest.param(dict(senders=(sender(JANE, MatchKind.SECONDARY, "jane.p@globex.com"),), frm="jane.p@globex.com",
                      received_at=ENROLLED - timedelta(minutes=1)), {},
                 id="an email from a secondary address before the enrollment never ends it"),
    pytest.param(dict(senders=(sender(JANE),), received_at=ENROLLED - rules.CLOCK_SKEW / 2),
                 {JANE.id: UnenrollReason.EMAILED_OUTSIDE_SEQUENCE},
                 id="an email received within the clock skew allowance of enrolling still ends it"),
    pytest.param(dict(senders=(sender(JANE),), received_at=ENROLLED + timedelta(seconds=5)),
                 {JANE.id: UnenrollReason.EMAILED_OUTSIDE_SEQUENCE},
                 id="an email received after the enrollment ends it with emailed_outside_sequence"),
    pytest.param(dict(senders=(sender(JANE),), received_at=None),
                 {JANE.id: UnenrollReason.EMAILED_OUTSIDE_SEQUENCE},
                 id="an email whose received time the provider did not give is judged as just arrived"),
    pytest.param(dict(senders=(sender(JANE),), received_at=datetime(2026, 12, 6, 19, 9, 30)), {},
                 id="a naive received time is read as UTC"),
]


@pytest.mark.parametrize("provider", ["gmail", "outlook"])
@pytest.mark.parametrize(("given", "expected"), PREDATES_CASES)
def test_mail_received_before_the_enrollment_never_ends_it(provider: str, given: dict, expected: dict) -> None:
    outcome = decide(facts(provider, enrollments=AT_ENROLL, **given))
    assert ended(outcome) == expected
    if not expected:
        kept = [d for d in outcome.decisions if d.enrollment_id == JANE.id]
        assert [d.action for d in kept] == [Action.NOTHING]
        assert kept[0].evidence["rule"] == rules.PREDATES_RULE
        assert kept[0].evidence["received_at"] < kept[0].evidence["enrolled_at"]


def test_a_company_colleagues_email_before_the_enrollment_ends_no_company_enrollment() -> None:
    before = decide(facts("gmail", frm="boss@globex.com", company=GLOBEX, company_by="domain",
                          enrollments=SAME_COMPANY_AT_ENROLL, received_at=ENROLLED - timedelta(minutes=5)))
    assert ended(before) == {}
    after = decide(facts("gmail", frm="boss@globex.com", company=GLOBEX, company_by="domain",
                         enrollments=SAME_COMPANY_AT_ENROLL, received_at=ENROLLED + timedelta(minutes=5)))
    assert set(ended(after)) == {JANE.id, RAJ.id, LENA.id}


def test_a_reply_on_the_thread_ends_whatever_its_received_time() -> None:
    # A reply names our email: it cannot predate the enrollment that sent it (an undo restarts enrolled_at).
    outcome = decide(facts("outlook", matches=(on_thread(JANE),), senders=(sender(JANE),), enrollments=AT_ENROLL,
                           received_at=ENROLLED - timedelta(hours=1)))
    assert ended(outcome) == {JANE.id: UnenrollReason.REPLIED}
