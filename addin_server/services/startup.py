"""Opening the services: the context every entry point (the app factory, the commands, the tests'
fixtures, the benchmarks) runs the use cases with, sending the way MAIL_TRANSPORT says.

It sits above the context and the senders so that the context knows only the mail port."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from addin_server.config import Settings
from addin_server.services.context import ServiceContext
from addin_server.services.mail_port import LocalOutboxSender, MailSender
from addin_server.services.sending import ProviderMailSender


def mail_sender_for(settings: Settings) -> MailSender:
    """`local` keeps every email in the local outbox; `providers` sends through the reps' mailboxes;
    `providers_or_local` (the demo) falls back to the outbox for mailboxes nobody connected."""
    if settings.mail_transport == "local":
        return LocalOutboxSender()
    fallback = LocalOutboxSender() if settings.mail_transport == "providers_or_local" else None
    return ProviderMailSender(settings, fallback=fallback)


def open_services(
    settings: Settings,
    *,
    mail_sender: MailSender | None = None,
    clock: Callable[[], datetime] | None = None,
    engine: Engine | None = None,
) -> ServiceContext:
    """The service context for these settings; `mail_sender`, `clock` and `engine` replace the defaults."""
    return ServiceContext.create(settings, mail_sender=mail_sender or mail_sender_for(settings), clock=clock,
                                 engine=engine)
