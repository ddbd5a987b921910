"""A reply is read wherever the mailbox files it (issue 17): a Gmail filter that labels it and skips the
inbox, the spam filter, the trash. The watch covers the whole mailbox but our own sent mail and drafts
(labelFilterBehavior exclude), so such a reply is pushed; with pushes held back the pre-send guard
finds it before the next step. Real google-api-python-client against the emulator; no mocks.
"""

from __future__ import annotations

import pytest

from addin_emulator.google.client import GoogleEmulatorControl
from addin_server.providers.gmail import UNWATCHED_LABELS
from addin_server.services import enrollments
from addin_server.services.context import ServiceContext
from addin_server.worker.loop import run_due_steps
from tests.builders import World
from tests.e2e.gmail.test_gmail_end_to_end import reply, sent_id
from tests.e2e.gmail.test_gmail_presend_guard import at, quick_sequence, sent_count

FILED = ["Label_7", "UNREAD"]  # a filter's "skip the inbox, apply the label Clients/Acme"


def enroll_two(ctx: ServiceContext, w: World) -> tuple[dict[str, object], dict[str, object]]:
    seq = quick_sequence(ctx, w)
    replier = enrollments.enroll(ctx, w.admin, sequence_id=str(seq["id"]), contact_id=w.contact["id"],
                                 sender_user_id=w.rep["id"])
    quiet = enrollments.enroll(ctx, w.admin, sequence_id=str(seq["id"]), contact_id=w.colleague["id"],
                               sender_user_id=w.rep["id"])
    return replier, quiet


def status(ctx: ServiceContext, w: World, enrollment: dict[str, object]) -> tuple[str, str | None]:
    got = enrollments.get_enrollment(ctx, w.admin, str(enrollment["id"]))
    return got["status"], got["end_reason"]


def test_the_watch_covers_the_whole_mailbox_but_our_sent_mail_drafts_and_trash(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World) -> None:
    watch = control.watch_of(world.rep["mailbox_address"])
    assert watch is not None
    assert (watch["labelIds"], watch["labelFilterBehavior"]) == (list(UNWATCHED_LABELS), "exclude")
    enroll_two(gmail_services, world)
    assert sent_count(control, world) == 2
    assert control.notifications(kind="pubsub") == []  # our own step emails push nothing


def test_a_reply_a_filter_labels_and_skips_the_inbox_for_is_pushed_and_ends_the_enrollment_as_replied(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World) -> None:
    replier, quiet = enroll_two(gmail_services, world)
    control.deliver(world.rep["mailbox_address"], reply("human_reply.eml", world, sent_id(gmail_services,
                                                                                          str(replier["id"]))),
                    labels=FILED)
    assert len(control.notifications(kind="pubsub")) == 1  # an INBOX-only watch pushed nothing here
    control.flush()

    assert run_due_steps(gmail_services).notifications == 1
    assert status(gmail_services, world, replier) == ("unenrolled", "replied")
    assert status(gmail_services, world, quiet) == ("active", None)


def test_with_pushes_held_back_the_guard_finds_a_reply_a_filter_filed_before_step_two(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World) -> None:
    replier, quiet = enroll_two(gmail_services, world)
    control.deliver(world.rep["mailbox_address"], reply("human_reply.eml", world, sent_id(gmail_services,
                                                                                          str(replier["id"]))),
                    labels=FILED)
    at(gmail_services, 44)

    stats = run_due_steps(gmail_services)

    assert stats.notifications == 0  # the push is held: the guard read the history itself
    assert status(gmail_services, world, replier) == ("unenrolled", "replied")
    assert status(gmail_services, world, quiet) == ("finished", "completed")
    assert sent_count(control, world) == 3  # step 2 to the colleague only


@pytest.mark.parametrize(("labels", "ends"), [
    pytest.param(["SPAM"], ("unenrolled", "replied"), id="a reply the spam filter caught is still a reply"),
    pytest.param(["TRASH"], ("unenrolled", "replied"),
                 id="a reply thrown in the trash is still a reply: the contact did answer"),
])
def test_where_a_reply_lands_decides_whether_it_is_read(
        gmail_services: ServiceContext, control: GoogleEmulatorControl, world: World, labels: list[str],
        ends: tuple[str, str | None]) -> None:
    replier, _ = enroll_two(gmail_services, world)
    control.deliver(world.rep["mailbox_address"], reply("human_reply.eml", world, sent_id(gmail_services,
                                                                                          str(replier["id"]))),
                    labels=labels)
    control.flush()
    run_due_steps(gmail_services)
    assert status(gmail_services, world, replier) == ends
