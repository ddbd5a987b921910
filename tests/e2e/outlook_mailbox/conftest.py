"""The Outlook end-to-end fixtures (emulator, tenant, a connected rep with an enrollment) for every module here."""

from tests.e2e.outlook_mailbox.test_outlook_end_to_end import emulator, outlook, setup  # noqa: F401
