"""The Gmail end-to-end fixtures (emulator mailbox, push to a live app, a connected rep) for every module here."""

from tests.e2e.gmail.test_gmail_end_to_end import app_url, control, gmail_services, world  # noqa: F401
