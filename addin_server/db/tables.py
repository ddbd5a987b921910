"""The database schema (SQLAlchemy 2.0). Every row belongs to an account.

Ids are integers inside the database and strings in the API. Migrations (Alembic) create these
tables; nothing calls create_all outside a migration check.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# BIGINT on PostgreSQL, INTEGER on SQLite (where only INTEGER PRIMARY KEY autoincrements).
Id = BigInteger().with_variant(Integer(), "sqlite")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

OPEN_STATUSES = ("active", "paused")


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on both databases (SQLite keeps naive text; UTC is put back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # SQLAlchemy reads this class attribute.
    type_annotation_map = {dict[str, Any]: JSON, datetime: UtcDateTime()}  # noqa: RUF012


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    plan: Mapped[str] = mapped_column(String(20))
    custom_triggers_beta: Mapped[bool] = mapped_column(Boolean, default=False)
    # The default of new sequences' "unenroll contacts from the same company" checkbox.
    unenroll_same_company: Mapped[bool] = mapped_column(Boolean, default=False)
    soft_bounce_threshold: Mapped[int] = mapped_column(Integer, default=3)
    created_at: Mapped[datetime]


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # admin | integration | read_only (domain/permissions.ApiKeyRole); keys made before roles were admin.
    role: Mapped[str] = mapped_column(String(20), server_default="admin")
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # The person who made the key (POST /api-keys); None for the operator's keys. Such a key works
    # only while its maker is an admin or a super admin.
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Why it stopped (revoked_by_operator | maker_no_longer_admin): what its maker's demotion stopped stays stopped.
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    # Settings → API keys (services/people.py): the hash of the form's one-time nonce, so the same form
    # posted again makes no second key; and the key itself, encrypted, for one reveal to its maker's
    # session within minutes (then erased: only the hash stays).
    form_nonce_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    reveal_hash: Mapped[str | None] = mapped_column(String(64))
    reveal_encrypted: Mapped[str | None] = mapped_column(Text)
    reveal_until: Mapped[datetime | None]


class User(Base):
    __tablename__ = "users"
    # A removed person keeps the row (their history names them); inviting the address again brings
    # that same row back as an invitation (services/directory.create_user).
    __table_args__ = (UniqueConstraint("account_id", "email"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    mailbox_provider: Mapped[str] = mapped_column(String(20))
    mailbox_address: Mapped[str] = mapped_column(String(320), index=True)
    # True only after the rep's own consent (services/mailboxes); invited users start unconnected.
    mailbox_connected: Mapped[bool] = mapped_column(Boolean, default=False)
    # Encrypted at rest (auth.secrets_box); never logged.
    refresh_token_encrypted: Mapped[str | None] = mapped_column(Text)
    google_sub: Mapped[str | None] = mapped_column(String(64), index=True)
    ms_oid: Mapped[str | None] = mapped_column(String(64), index=True)
    ms_tid: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    # Set when an admin removed the person (services/people.py): nothing of them signs in or sends again.
    removed_at: Mapped[datetime | None]
    removed_by: Mapped[str | None] = mapped_column(String(320))  # the remover's actor label
    # Bumped by each removal and never reset: a pane token carries the generation it was issued in,
    # so nothing handed out before a removal works again after the address is invited back.
    access_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class UserAlias(Base):
    """Other addresses that deliver to a rep's mailbox."""

    __tablename__ = "user_aliases"
    __table_args__ = (UniqueConstraint("account_id", "address"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(320))


class AddressBinding(Base):
    """An address a person proved is theirs (signing in with Google or Microsoft, or granting their
    mailbox): bound to one rep of one account, so no other account can claim it. Users created
    through the API are invitations until then and bind nothing."""

    __tablename__ = "address_bindings"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    address: Mapped[str] = mapped_column(String(320), unique=True)
    # domain/addresses.claim_key: Gmail's spellings of one mailbox and look-alike letters share it, so
    # no second account binds "jane.smith@gmail.com" once "janesmith@gmail.com" is bound.
    claim_key: Mapped[str] = mapped_column(String(320), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    proof: Mapped[str] = mapped_column(String(40))  # google_sign_in | microsoft_sign_in | gmail_consent | ...
    bound_at: Mapped[datetime]


class AccountTenant(Base):
    """A Microsoft 365 organisation (tenant id) or a Google Workspace domain (the `hd` claim) that
    belongs to one account: Microsoft tokens of any other tenant never sign anyone into that account,
    and a Google sign-in of a linked domain signs in only to its account (services/identity.py)."""

    __tablename__ = "account_tenants"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    # A Microsoft tenant GUID, or a Google Workspace domain (lower case, IDNA): the two never coincide.
    tenant_id: Mapped[str] = mapped_column(String(64), unique=True)
    provider: Mapped[str] = mapped_column(String(20), server_default="microsoft")  # microsoft | google
    # How the tenant proved it is the account's (services/tenant_links.py): tenant_admin_sign_in |
    # super_admin_sign_in | demo_seed; rows linked before proofs were stored keep accounts_create etc.
    linked_by: Mapped[str] = mapped_column(String(40))
    linked_at: Mapped[datetime]
    # Who proved it: the provider's identity that signed in (Microsoft oid and username with the
    # directory role it holds; Google sub and address), and the super admin who asked for the link.
    proven_by: Mapped[str | None] = mapped_column(String(400))
    started_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class TenantLinkRequest(Base):
    """A super admin's (or the operator's, for one) request to link a tenant or Workspace domain to an
    account: the signed link names it by nonce, and its first answer uses it up (used_at)."""

    __tablename__ = "tenant_link_requests"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    started_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(20))  # microsoft | google
    tenant_id: Mapped[str | None] = mapped_column(String(64))  # the one meant, when the starter named it
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebSession(Base):
    """A signed-in web app session. The cookie carries a random token; only its hash is stored, and
    deleting the row (sign-out, role change, removal) ends the session wherever the cookie is."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class Company(Base):
    __tablename__ = "companies"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class CompanyDomain(Base):
    __tablename__ = "company_domains"
    __table_args__ = (UniqueConstraint("account_id", "domain"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(255))


class Contact(Base):
    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"), index=True)
    primary_email: Mapped[str] = mapped_column(String(320))
    first_name: Mapped[str] = mapped_column(String(200), default="")
    last_name: Mapped[str] = mapped_column(String(200), default="")
    unsubscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    bounced: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]


class ContactAddress(Base):
    """Every address of a contact (primary and secondary), exact and Gmail-folded."""

    __tablename__ = "contact_addresses"
    __table_args__ = (
        UniqueConstraint("account_id", "address"),
        Index("ix_contact_addresses_lookup", "account_id", "canonical"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(320))
    canonical: Mapped[str] = mapped_column(String(320))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    bounced: Mapped[bool] = mapped_column(Boolean, default=False)
    soft_bounces: Mapped[int] = mapped_column(Integer, default=0)


class CountedBounce(Base):
    """A bounce report counted for one address: the same report arriving again counts nothing.

    `report_key` names the report by the sequence email it is about (one that quotes none: the latest
    sequence email sent to the address; else its Message-ID); see domain.rules.report_key.
    """

    __tablename__ = "counted_bounces"
    __table_args__ = (UniqueConstraint("account_id", "address", "report_key"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(320))
    report_key: Mapped[str] = mapped_column(String(512))
    counted_at: Mapped[datetime]


class Sequence(Base):
    __tablename__ = "sequences"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    owner_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    steps_total: Mapped[int] = mapped_column(Integer)
    # Automation: off | contact | company (see domain.model.AutomationScope).
    on_reply: Mapped[str] = mapped_column(String(20), default="contact")
    on_meeting: Mapped[str] = mapped_column(String(20), default="contact")
    pause_on_out_of_office: Mapped[bool] = mapped_column(Boolean, default=False)
    # "Unenroll contacts from the same company": this sequence's enrollments end when a contact at
    # the same company replies or books a meeting (outside the custom-trigger beta).
    unenroll_same_company: Mapped[bool] = mapped_column(Boolean, default=False)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("sequences.id"))
    created_at: Mapped[datetime]


class Step(Base):
    __tablename__ = "steps"
    __table_args__ = (UniqueConstraint("sequence_id", "position"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    sequence_id: Mapped[int] = mapped_column(ForeignKey("sequences.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))
    delay_days: Mapped[float] = mapped_column(Float, default=0)
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    thread_with_previous: Mapped[bool] = mapped_column(Boolean, default=False)


class Enrollment(Base):
    __tablename__ = "enrollments"
    __table_args__ = (
        # At most one active or paused enrollment per contact, enforced by the database.
        Index(
            "uq_enrollments_one_open_per_contact",
            "contact_id",
            unique=True,
            sqlite_where=text("status IN ('active', 'paused')"),
            postgresql_where=text("status IN ('active', 'paused')"),
        ),
        Index("ix_enrollments_due", "status", "next_step_at"),
        Index("ix_enrollments_sequence", "sequence_id", "status"),
        Index("ix_enrollments_contact", "contact_id"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    sequence_id: Mapped[int] = mapped_column(ForeignKey("sequences.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    enrolled_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sender_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20))
    current_step: Mapped[int] = mapped_column(Integer, default=0)
    next_step_at: Mapped[datetime | None]
    paused_until: Mapped[datetime | None]
    enrolled_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(40))
    end_surface: Mapped[str | None] = mapped_column(String(40))
    end_actor: Mapped[str | None] = mapped_column(String(320))
    end_evidence: Mapped[dict[str, Any] | None]
    # Worker lease: a claimed enrollment is skipped by other workers until the lease runs out.
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class SequenceEmail(Base):
    """One email a sequence sent: what makes a reply recognisable."""

    __tablename__ = "sequence_emails"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "step_position"),
        Index("ix_sequence_emails_rfc_message_id", "account_id", "rfc_message_id"),
        Index("ix_sequence_emails_thread", "account_id", "thread_id"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), index=True)
    step_position: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(20))
    mailbox_address: Mapped[str] = mapped_column(String(320))
    provider_message_id: Mapped[str | None] = mapped_column(String(255))
    thread_id: Mapped[str | None] = mapped_column(String(255))
    rfc_message_id: Mapped[str] = mapped_column(String(998))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime]
    unsubscribe_token: Mapped[str | None] = mapped_column(String(255))
    meeting_token: Mapped[str | None] = mapped_column(String(255))


class EnrollmentEvent(Base):
    """Append-only history; the source of performance figures. Never deleted by unenrollment."""

    __tablename__ = "enrollment_events"
    __table_args__ = (
        Index("ix_enrollment_events_sequence_type", "sequence_id", "type"),
        # The outgoing webhooks' outbox: events still to be turned into deliveries, found cheaply.
        Index("ix_enrollment_events_webhook_pending", "id", sqlite_where=text("webhook_pending"),
              postgresql_where=text("webhook_pending")),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), index=True)
    sequence_id: Mapped[int] = mapped_column(ForeignKey("sequences.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    type: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]
    actor: Mapped[str | None] = mapped_column(String(320))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Written true in the same transaction as the change it records, for the kinds that outgoing
    # webhooks announce; the worker turns it into deliveries and clears it (the outbox pattern).
    webhook_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class LocalOutbox(Base):
    """Emails handed to the local outbox adapter (the embedded default when no provider is wired)."""

    __tablename__ = "local_outbox"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    mailbox_address: Mapped[str] = mapped_column(String(320))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    rfc_message_id: Mapped[str] = mapped_column(String(998))
    thread_id: Mapped[str] = mapped_column(String(255))
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]


class MailboxWatch(Base):
    """How we follow one rep's mailbox: Gmail's history cursor and watch, Graph's subscription."""

    __tablename__ = "mailbox_watches"
    __table_args__ = (UniqueConstraint("user_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(20))
    mailbox_address: Mapped[str] = mapped_column(String(320), index=True)
    # Gmail: the last history id fully processed (only ever moves forward) and the watch's expiry.
    history_id: Mapped[int | None] = mapped_column(BigInteger)
    watch_expires_at: Mapped[datetime | None]
    # Graph: the inbox subscription, its client state (hashed) and expiry, and the delta link.
    subscription_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    client_state_hash: Mapped[str | None] = mapped_column(String(128))
    subscription_expires_at: Mapped[datetime | None]
    delta_link: Mapped[str | None] = mapped_column(Text)
    last_synced_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="active")
    last_error: Mapped[str | None] = mapped_column(Text)


class InboundNotification(Base):
    """The durable inbox: every verified webhook delivery, kept until the worker has handled it."""

    __tablename__ = "inbound_notifications"
    __table_args__ = (
        UniqueConstraint("provider", "dedupe_key"),
        Index("ix_inbound_notifications_due", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    provider: Mapped[str] = mapped_column(String(30))  # gmail | graph | graph_lifecycle | google_calendar
    dedupe_key: Mapped[str] = mapped_column(String(400))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    mailbox_address: Mapped[str | None] = mapped_column(String(320))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | done | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]


class ProcessedMessage(Base):
    """One inbound message handled once: the idempotency key, with what was decided and why."""

    __tablename__ = "processed_messages"
    __table_args__ = (UniqueConstraint("provider", "mailbox_address", "message_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    mailbox_address: Mapped[str] = mapped_column(String(320))
    message_id: Mapped[str] = mapped_column(String(255))
    rfc_message_id: Mapped[str | None] = mapped_column(String(998))
    from_address: Mapped[str | None] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    decisions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    processed_at: Mapped[datetime]


class Meeting(Base):
    """A meeting with contacts: booked on a rep's page, logged by a rep, or seen in a calendar.

    `source` is one of: sequence_link | booking_page | logged | contact_record | calendar.
    """

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_user_start", "user_id", "start_time"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    # The rep the meeting is with: who booked or logged it, or whose booking page took it.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    start_time: Mapped[datetime]
    end_time: Mapped[datetime | None]
    title: Mapped[str] = mapped_column(String(300), default="")
    # Records the meeting was logged on besides its contacts.
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    deal_id: Mapped[str | None] = mapped_column(String(64))
    # The sequence email whose meeting link was used (source sequence_link).
    sequence_email_id: Mapped[int | None] = mapped_column(ForeignKey("sequence_emails.id"))
    # Who booked on a public page (as typed there, or the contact the link belongs to).
    booker_name: Mapped[str | None] = mapped_column(String(200))
    booker_email: Mapped[str | None] = mapped_column(String(320))
    # The provider's calendar event, once one is created (Google Calendar or Graph).
    calendar_event_id: Mapped[str | None] = mapped_column(String(255))
    logged_at: Mapped[datetime]


class MeetingContact(Base):
    """A contact associated with a meeting."""

    __tablename__ = "meeting_contacts"
    __table_args__ = (UniqueConstraint("meeting_id", "contact_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)


class CalendarWatch(Base):
    """How we follow one rep's calendar: Google's watch channel and sync token, or Graph's events
    subscription and the last change read. Kept apart from the mailbox watch: either may fail alone.
    """

    __tablename__ = "calendar_watches"
    __table_args__ = (UniqueConstraint("user_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(20))  # gmail (Google Calendar) | outlook (Graph)
    mailbox_address: Mapped[str] = mapped_column(String(320), index=True)
    # Google: the channel (its token kept hashed like a Graph clientState) and the sync token.
    channel_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    channel_token_hash: Mapped[str | None] = mapped_column(String(128))
    channel_resource_id: Mapped[str | None] = mapped_column(String(255))
    sync_token: Mapped[str | None] = mapped_column(Text)
    # Graph: the events subscription, its clientState (hashed), and the newest change already read.
    subscription_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    client_state_hash: Mapped[str | None] = mapped_column(String(128))
    # The subscription this one replaced: its late lifecycle events are recognised as calendar ones.
    replaced_subscription_id: Mapped[str | None] = mapped_column(String(255))
    changes_read_until: Mapped[datetime | None]
    # Events created before we started following are not new meetings.
    following_since: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    last_synced_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | failed | disconnected
    last_error: Mapped[str | None] = mapped_column(Text)
    # After a failed follow or renewal, the renewal pass waits until then before trying again.
    retry_at: Mapped[datetime | None]


class ProcessedCalendarEvent(Base):
    """One calendar event handled once (provider + calendar + event id), and the meeting it made."""

    __tablename__ = "processed_calendar_events"
    __table_args__ = (UniqueConstraint("provider", "calendar_id", "event_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    calendar_id: Mapped[str] = mapped_column(String(320))
    event_id: Mapped[str] = mapped_column(String(255))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    processed_at: Mapped[datetime]


class WebhookEndpoint(Base):
    """Where an account's integrators want enrollment events, signed per Standard Webhooks."""

    __tablename__ = "webhook_endpoints"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    # The receiver the URL leads to (domain.outgoing_webhooks.target_key): duplicates and the one
    # delivery in flight per receiver are judged on it, however the URL was spelt.
    target_key: Mapped[str | None] = mapped_column(Text, index=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list[str]] = mapped_column(JSON)
    # Encrypted at rest (auth.secrets_box); shown once when made. The previous one signs too until
    # previous_secret_until, so a receiver can switch secrets without losing a message.
    secret_encrypted: Mapped[str] = mapped_column(Text)
    previous_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    previous_secret_until: Mapped[datetime | None]
    # The web app shows a new secret once after a redirect: SHA-256 of a one-time token, and its expiry.
    secret_reveal_hash: Mapped[str | None] = mapped_column(String(64))
    secret_reveal_until: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | disabled
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    # The first failure since the last success; a day of nothing but failures disables the endpoint.
    failing_since: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(320))


class WebhookDelivery(Base):
    """One event for one endpoint: the durable queue entry and its delivery log line.

    message_id is the `webhook-id` header, the same on every attempt, so receivers can deduplicate.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("enrollment_events.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)  # the exact bytes sent (UTF-8), the same on every attempt
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | delivered | failed | skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    give_up_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
