"""The use cases on enrollments, by the one name callers know them by.

Each lives in the module of its use case: enrolling (enrolling.py), running steps
(running_steps.py), ending by hand, in bulk or from a workflow (unenrolling.py), pausing and
resuming (pausing.py), undoing an automatic ending (undoing.py), reading (enrollment_reads.py);
the rows they share (events, views, the conditional ending) are in enrollment_records.py. Service
modules import those directly; the entry points (web, worker, cli) and the tests call them here.
"""

from __future__ import annotations

from addin_server.services.enrolling import (
    enroll,
    first_email_refused,
    mailbox_connect_hint,
    mailbox_not_connected,
    own_mailbox_notice,
    sender_not_ready,
)
from addin_server.services.enrollment_reads import (
    get_enrollment,
    held_from_events,
    list_enrollments,
    performance,
    recent_automatic_endings,
)
from addin_server.services.enrollment_records import (
    HELD_FOR_MERGE_FIELDS,
    HELD_PREFIX,
    OPEN,
    SYSTEM_ACTOR,
    add_event,
    can_unenroll,
    end_enrollment,
    end_open_row,
    ending_values,
    enrollment_view,
    enrollment_views,
    event_view,
    held_view,
    iso_z,
)
from addin_server.services.pausing import MAX_PAUSE, pause, resume, resume_due_pauses
from addin_server.services.running_steps import (
    SEND_LEASE,
    SENDING,
    attempts_of,
    claim_due_enrollments,
    record_step_failure,
    run_step,
)
from addin_server.services.undoing import undo_unenrollment
from addin_server.services.unenrolling import bulk_unenroll, unenroll, workflow_unenroll

__all__ = [
    "HELD_FOR_MERGE_FIELDS", "HELD_PREFIX", "MAX_PAUSE", "OPEN", "SENDING", "SEND_LEASE", "SYSTEM_ACTOR",
    "add_event", "attempts_of", "bulk_unenroll", "can_unenroll", "claim_due_enrollments", "end_enrollment",
    "end_open_row", "ending_values", "enroll", "enrollment_view", "enrollment_views", "event_view",
    "first_email_refused", "get_enrollment", "held_from_events", "held_view", "iso_z", "list_enrollments",
    "mailbox_connect_hint", "mailbox_not_connected", "own_mailbox_notice", "pause", "performance",
    "recent_automatic_endings", "record_step_failure", "resume", "resume_due_pauses", "run_step",
    "sender_not_ready", "undo_unenrollment", "unenroll", "workflow_unenroll",
]
