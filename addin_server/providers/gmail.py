"""Gmail through google-api-python-client: send as the rep, follow the mailbox, read messages.

The client is built from the bundled (static) discovery document and pointed at
GMAIL_API_ENDPOINT, so the same code talks to Google or to the local emulator. Retries on 429,
5xx and the 403 rate-limit reasons are the library's own (`execute(num_retries=...)`).
"""

from __future__ import annotations

import base64
import email.policy
import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import google.auth.exceptions
import httplib2
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest

from addin_server.config import Settings

SCOPES = ("https://www.googleapis.com/auth/gmail.modify",)
RETRIES = 5
# One message's read is not retried inside the worker: the library's backoff sleeps up to a minute
# across five tries, holding every other mailbox meanwhile. A message Gmail cannot serve is parked
# at once and tried again later by the inbox queue's own backoff.
MESSAGE_RETRIES = 0
# Not mail in: what the rep sent or drafted, chats. SPAM is read: a reply the spam filter misjudged
# is still the contact's answer (Outlook reads Junk Email alike). TRASH is read too: a reply the rep
# deleted before we got to it was still answered; our own trashed copies keep SENT or DRAFT.
SKIPPED_LABELS = frozenset({"SENT", "DRAFT", "CHAT"})
# The watch pushes for every change but these: the whole mailbox, since a filter may skip the inbox.
UNWATCHED_LABELS = ("SENT", "DRAFT")


class GmailError(Exception):
    """Gmail refused or failed after retries.

    `status` is Gmail's HTTP status (0 when there was no answer); `mailbox_wide` says the failure is
    about the mailbox or the service (throttled, unreachable), not about one message.
    """

    def __init__(self, message: str, *, status: int = 0, mailbox_wide: bool = True,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.mailbox_wide = mailbox_wide
        self.retry_after = retry_after  # Gmail's Retry-After in seconds, when it gave one


def _error_from(exc: HttpError, what: str) -> GmailError:
    status = int(exc.resp.status)
    content = exc.content.decode("utf-8", "replace") if isinstance(exc.content, bytes) else str(exc.content)
    # 429 and the 403 rate-limit reasons are quota for the whole mailbox; 5xx and other 4xx on one
    # message are that message's own trouble.
    throttled = status == 429 or (status == 403 and "ratelimitexceeded" in content.lower())
    return GmailError(f"{what} answered {status}{_reason(content)}", status=status, mailbox_wide=throttled,
                      retry_after=_retry_after(exc.resp.get("retry-after")))


def _retry_after(value: object) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date); None when absent or unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.now(when.tzinfo)).total_seconds())


def _reason(content: str) -> str:
    """Gmail's own reason for a refusal ("insufficientPermissions"), to say it to the rep; "" if none."""
    try:
        error = json.loads(content).get("error") or {}
        reason = ((error.get("errors") or [{}])[0].get("reason") or error.get("status") or "")
    except (ValueError, AttributeError, TypeError, IndexError):
        return ""
    return f" ({reason[:80]})" if isinstance(reason, str) and reason.isprintable() and reason else ""


class HistoryExpired(GmailError):
    """The stored history id is too old (Gmail answered 404): a resync is needed."""


class GrantRevoked(GmailError):
    """The rep's refresh token no longer works: the mailbox must be reconnected."""


@dataclass(frozen=True)
class SentGmail:
    id: str
    thread_id: str


@dataclass(frozen=True)
class FetchedMessage:
    id: str
    thread_id: str
    label_ids: tuple[str, ...]
    history_id: int
    raw: bytes
    # internalDate: when Gmail received the message (ms since the epoch); None if absent or garbled.
    received_at: datetime | None = None

    @property
    def is_inbound(self) -> bool:
        # Not only INBOX: a rep's filter may file a reply under a label and skip the inbox, and that
        # reply must stop the sequence all the same, and so must one the rep trashed before we read
        # it. What we sent and drafts are not mail in.
        return not SKIPPED_LABELS & set(self.label_ids)


@dataclass(frozen=True)
class HistoryPage:
    message_ids: tuple[str, ...]  # mail in (any label but SKIPPED_LABELS) since the cursor, oldest first
    history_id: int  # the mailbox's history id at the time of the read: the next cursor


# One Credentials per grant, so an access token is refreshed once an hour, not on every call
# (google-auth refreshes it by itself when it expires). API clients stay per call: httplib2 is
# not thread-safe.
_credentials: dict[str, Credentials] = {}
_credentials_lock = threading.Lock()


def credentials_for(settings: Settings, refresh_token: str) -> Credentials:
    key = hashlib.sha256("\n".join((settings.google_token_uri, settings.google_oauth_client_id,
                                     refresh_token)).encode()).hexdigest()
    with _credentials_lock:
        found = _credentials.get(key)
        if found is None:
            if len(_credentials) > 10_000:
                _credentials.clear()
            found = _credentials[key] = Credentials(
                token=None, refresh_token=refresh_token, token_uri=settings.google_token_uri,
                client_id=settings.google_oauth_client_id, client_secret=settings.google_oauth_client_secret,
                scopes=list(SCOPES))
        return found


class GmailMailbox:
    """One rep's Gmail mailbox."""

    def __init__(self, settings: Settings, refresh_token: str, address: str = "me", *,
                 retries: int = RETRIES, timeout: float | None = None) -> None:
        self.settings = settings
        self.retries = retries
        self.user = "me"
        self.address = address
        credentials = credentials_for(settings, refresh_token)
        # A timeout of our own (the pre-send guard's few seconds) needs an Http built here; otherwise
        # the library's default (60 s).
        auth: dict[str, Any] = {"credentials": credentials}
        if timeout is not None:
            http = httplib2.Http(timeout=timeout)
            http.redirect_codes = http.redirect_codes - {308}  # as the library's own build_http does
            auth = {"http": AuthorizedHttp(credentials, http=http)}
        self._service = build("gmail", "v1", static_discovery=True, cache_discovery=False,
                              client_options={"api_endpoint": settings.gmail_api_endpoint}, **auth)
        # googleapiclient builds every method of a resource each time the resource is asked for:
        # asked once here, not once per message.
        self._users = self._service.users()
        self._messages = self._users.messages()
        self._history = self._users.history()

    def _execute(self, request: Any, retries: int | None = None) -> Any:
        try:
            return request.execute(num_retries=self.retries if retries is None else retries)
        except google.auth.exceptions.RefreshError as exc:
            raise GrantRevoked(f"Gmail access for {self.address} was revoked or expired") from exc
        except HttpError as exc:
            raise _error_from(exc, f"Gmail ({self.address})") from exc

    # --- sending -------------------------------------------------------------------------------

    def send(self, mime: bytes, thread_id: str | None = None) -> SentGmail:
        body: dict[str, Any] = {"raw": base64.urlsafe_b64encode(mime).decode("ascii")}
        if thread_id:
            body["threadId"] = thread_id
        sent = self._execute(self._messages.send(userId=self.user, body=body))
        return SentGmail(id=sent["id"], thread_id=sent["threadId"])

    # --- following the mailbox -----------------------------------------------------------------

    def profile_address(self) -> str:
        """The address of the mailbox this grant reads (Gmail's own answer, whoever asked for it)."""
        return str(self._execute(self._users.getProfile(userId=self.user)).get("emailAddress", ""))

    def send_as_addresses(self) -> list[str]:
        """The addresses Gmail says this mailbox owns: its primary and the verified send-as aliases."""
        rows = self._execute(self._users.settings().sendAs().list(userId=self.user)).get("sendAs", [])
        return [str(r.get("sendAsEmail", "")) for r in rows
                if r.get("isPrimary") or r.get("verificationStatus") == "accepted"]

    def profile_history_id(self) -> int:
        return int(self._execute(self._users.getProfile(userId=self.user))["historyId"])

    def watch(self, topic: str) -> tuple[int, datetime]:
        """Start or renew the push watch on the whole mailbox but our own sent mail, drafts and trash
        (labelFilterBehavior exclude); returns (history id, expiry)."""
        from datetime import UTC

        answer = self._execute(self._users.watch(userId=self.user, body={
            "topicName": topic, "labelIds": list(UNWATCHED_LABELS), "labelFilterBehavior": "exclude"}))
        return int(answer["historyId"]), datetime.fromtimestamp(int(answer["expiration"]) / 1000, tz=UTC)

    def stop(self) -> None:
        self._execute(self._users.stop(userId=self.user))

    def history_since(self, start_history_id: int, max_pages: int = 50) -> HistoryPage:
        """Messages that came in after `start_history_id`, under any label (a filter may skip the
        inbox), without what the mailbox sent itself. Raises HistoryExpired on Gmail's 404."""
        ids: dict[str, None] = {}
        token: str | None = None
        latest = start_history_id
        for _ in range(max_pages):
            request = self._history.list(
                userId=self.user, startHistoryId=str(start_history_id), historyTypes=["messageAdded"],
                pageToken=token, maxResults=500)
            try:
                page = request.execute(num_retries=self.retries)
            except HttpError as exc:
                if exc.resp.status == 404:
                    raise HistoryExpired(f"history id {start_history_id} is no longer available") from exc
                raise _error_from(exc, "Gmail history") from exc
            except google.auth.exceptions.RefreshError as exc:
                raise GrantRevoked(f"Gmail access for {self.address} was revoked or expired") from exc
            for record in page.get("history", []):
                for added in record.get("messagesAdded", []):
                    # The record carries the labels: our own sent steps are skipped without a fetch.
                    if not SKIPPED_LABELS & set(added["message"].get("labelIds") or ()):
                        ids.setdefault(added["message"]["id"], None)
            latest = max(latest, int(page.get("historyId", latest)))
            token = page.get("nextPageToken")
            if not token:
                break
        return HistoryPage(tuple(ids), latest)

    def inbox_since(self, after: datetime, limit: int = 500) -> list[str]:
        """Resync: ids of messages received after `after` under any label but sent, drafts and chats
        (spam and trash included), bounded, oldest first."""
        ids: list[str] = []
        token: str | None = None
        while len(ids) < limit:
            page = self._execute(self._messages.list(
                userId=self.user, q=f"after:{int(after.timestamp())} -in:sent -in:drafts -in:chats",
                includeSpamTrash=True, pageToken=token, maxResults=min(500, limit - len(ids))))
            ids += [m["id"] for m in page.get("messages", [])]
            token = page.get("nextPageToken")
            if not token:
                break
        return list(reversed(ids))

    def fetch(self, message_id: str) -> FetchedMessage:
        got = self._execute(self._messages.get(userId=self.user, id=message_id, format="raw"),
                            retries=min(self.retries, MESSAGE_RETRIES))
        return FetchedMessage(got["id"], got["threadId"], tuple(got.get("labelIds", [])),
                              int(got.get("historyId", 0)), _decode_raw(got["raw"]), _internal_date(got))

    def fetch_many(self, message_ids: list[str]) -> Iterator[FetchedMessage | GmailError]:
        """Fetch in Gmail batch requests (50 per call), yielding each message or its error."""
        batch_uri = self.settings.gmail_api_endpoint.rstrip("/") + "/batch/gmail/v1"
        results: dict[str, FetchedMessage | GmailError] = {}

        def collect(request_id: str, response: Any, exception: Exception | None) -> None:
            if exception is not None:
                results[request_id] = (_error_from(exception, f"Gmail message {request_id}")
                                       if isinstance(exception, HttpError) else GmailError(str(exception)))
                return
            results[request_id] = FetchedMessage(response["id"], response["threadId"],
                                                 tuple(response.get("labelIds", [])),
                                                 int(response.get("historyId", 0)), _decode_raw(response["raw"]),
                                                 _internal_date(response))

        for start in range(0, len(message_ids), 50):
            chunk = message_ids[start : start + 50]
            # build() ignores api_endpoint for batches, so the batch URI is given explicitly.
            batch = BatchHttpRequest(callback=collect, batch_uri=batch_uri)
            for mid in chunk:
                batch.add(self._messages.get(userId=self.user, id=mid, format="raw"), request_id=mid)
            try:
                batch.execute()  # a batch has no num_retries: failed parts are fetched one by one below
            except google.auth.exceptions.RefreshError as exc:
                raise GrantRevoked(f"Gmail access for {self.address} was revoked or expired") from exc
            except HttpError as exc:
                raise GmailError(f"Gmail batch answered {exc.resp.status}", status=int(exc.resp.status)) from exc
            for mid in chunk:
                if isinstance(results.get(mid), GmailError) or mid not in results:
                    try:
                        results[mid] = self.fetch(mid)
                    except GmailError as exc:
                        results[mid] = exc
            for mid in chunk:
                yield results.get(mid, GmailError(f"no answer for {mid}"))


MIME_POLICY = email.policy.SMTP.clone(max_line_length=998)


def _internal_date(resource: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(resource["internalDate"]) / 1000, tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return None


def _decode_raw(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def build_mime(*, sender: str, sender_name: str, recipient: str, subject: str, body: str, message_id: str,
               in_reply_to: str | None, references: list[str], extra_headers: dict[str, str],
               sent_at: datetime) -> bytes:
    """An RFC 5322 message carrying our own Message-ID, so a reply can be matched to it later."""
    # Lines up to RFC 5322's 998 characters: the default 78 would fold a long List-Unsubscribe URL
    # into an encoded-word, which mail clients do not read as a link (RFC 2369 wants it verbatim).
    msg = EmailMessage(policy=MIME_POLICY)
    # A name is a display name, never a second address ("Smith, Jo") nor a second header line:
    # line breaks are folded here too, whatever the caller checked.
    sender_name = " ".join(sender_name.splitlines()).strip()
    msg["From"] = Address(display_name=sender_name, addr_spec=sender) if sender_name else sender
    msg["To"] = recipient
    msg["Subject"] = " ".join(subject.splitlines())
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = " ".join(references or [in_reply_to])
    for name, value in extra_headers.items():
        msg[name] = value
    msg.set_content(body or "")
    return bytes(msg)
