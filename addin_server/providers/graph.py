"""Microsoft Graph: tokens with msal, one rep's Outlook mailbox over Graph v1.0.

Which library does what
- msal gets the tokens: client credentials (app-only, after tenant admin consent) and
  on-behalf-of (the Outlook add-in's SSO token). msal caches them.
- O365 runs the subscription calls (create, renew, delete) through a Connection whose every
  request goes through this module's transport, so throttling and the mailbox limit apply alike.
- Plain requests does the rest, where O365 lacks the feature or hides the JSON we need:
  reauthorize, delta, $batch, and messages. O365's Message cannot set internetMessageId or
  extended properties, and turns fetched JSON into objects that drop internetMessageHeaders and
  the message class, which the classifier reads.

Sending keeps our own Message-ID: the draft is created with `internetMessageId` (documented as
updatable while isDraft is true), In-Reply-To and References go in the MAPI properties 0x1042 and
0x1039 (Graph refuses any internetMessageHeaders name without an x- prefix), then the draft is
sent. Every request asks for immutable ids (Prefer: IdType="ImmutableId"), so the draft's id is
also the id of the copy in Sent Items, and ids seen in delta or fetch survive the rep's moves.
Record SentGraph.internet_message_id (what the mailbox holds), not the id asked for: the local
emulator ignores internetMessageId on drafts and assigns its own (a warning is logged).

Throttling: 429 and 503 are retried after Retry-After (or an exponential backoff when absent),
a bounded number of times; 500/502/504 are retried only for requests that are safe to repeat. A
$batch of GETs is safe to repeat, and each of its parts is retried on the same statuses as a GET.
At most MAILBOX_CONCURRENCY requests run at once per mailbox in this process (Graph answers a
fifth concurrent request on one mailbox with 429 MailboxConcurrency). The limit is keyed by the
Graph endpoint and the user reference as given: use one form (the Graph user id) for a mailbox.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import quote, urlencode, urlsplit

import msal
import requests
from O365.connection import Connection, MSGraphProtocol
from O365.subscriptions import Subscriptions
from O365.utils.token import MemoryTokenBackend

from addin_server.config import Settings

log = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
MAILBOX_CONCURRENCY = 4
# Microsoft documents 10,080 minutes in newer pages and 4,230 in older ones: keep to the lower.
MAX_SUBSCRIPTION_MINUTES = 4230
# A minute of margin so that our clock running ahead of Graph's never overshoots the maximum.
_SUBSCRIPTION_MARGIN_MINUTES = 1
MAX_BATCH = 20
MAX_ATTEMPTS = 5
MAX_RETRY_AFTER_SECONDS = 120.0
PREFER_IMMUTABLE_IDS = 'IdType="ImmutableId"'
PREFER_TEXT_BODY = 'outlook.body-content-type="text"'
MESSAGE_CLASS_EXPAND = "singleValueExtendedProperties($filter=id eq 'String 0x001A')"
FETCH_FIELDS = (
    "internetMessageHeaders", "from", "sender", "toRecipients", "ccRecipients", "replyTo", "subject", "body",
    "bodyPreview", "internetMessageId", "conversationId", "receivedDateTime", "sentDateTime", "parentFolderId",
)
IN_REPLY_TO_PROPERTY = "String 0x1042"  # PidTagInReplyToId
REFERENCES_PROPERTY = "String 0x1039"  # PidTagInternetReferences
LIST_UNSUBSCRIBE_PROPERTY = "String 0x1045"  # PidTagListUnsubscribe
_TENANT_ALIASES = frozenset({"common", "organizations", "consumers"})
_MICROSOFT_LOGIN_HOSTS = frozenset({"login.microsoftonline.com", "login.microsoftonline.us",
                                    "login.partner.microsoftonline.cn", "login.windows.net"})
# Token errors that mean the grant or the consent is gone (the rep or an admin must reconnect).
_REVOKED_CODES = frozenset({65001, 50173, 70000, 70008, 50076, 50079, 700082, 50034})
_ASSERTION_CODES = frozenset({50013, 500131, 500133, 50027})
# Statuses retried for any request (the request was not run), and for requests safe to repeat.
_THROTTLED = frozenset({429, 503})
_TRANSIENT = frozenset({500, 502, 504})


class GraphError(Exception):
    """Graph or the identity platform refused, or failed after the retries."""

    def __init__(self, message: str, *, status: int = 0, code: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.retry_after = retry_after


class GrantRevoked(GraphError):
    """The grant or the consent was withdrawn: the mailbox must be reconnected."""


class SsoTokenRefused(GraphError):
    """The add-in's SSO token could not be exchanged (expired, wrong audience, bad signature)."""


class DeltaExpired(GraphError):
    """Graph dropped the delta link's sync state (410): start again from no link (or from now)."""


class SubscriptionGone(GraphError):
    """Graph no longer knows the subscription (404): create a new one and catch up with delta."""


@dataclass(frozen=True)
class SentGraph:
    id: str  # immutable id: the same for the draft and the copy in Sent Items
    internet_message_id: str
    conversation_id: str


@dataclass(frozen=True)
class DeltaPage:
    message_ids: tuple[str, ...]  # added or changed in the inbox since the link, in Graph's order
    removed: tuple[str, ...]
    delta_link: str  # the next cursor; a nextLink when `complete` is False (resume from it)
    complete: bool = True
    # receivedDateTime of the messages whose delta item carried it (a selection that asks for it)
    received: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GraphSubscription:
    id: str
    expires_at: datetime


# --- tokens ----------------------------------------------------------------------------------------

def authority_for(settings: Settings, tenant_id: str) -> str:
    """The tenant's authority: MS_AUTHORITY with its tenant segment (common, a GUID...) replaced.

    In production MS_AUTHORITY is https://login.microsoftonline.com/common; against the emulator it
    is {tls}/ms/common. An authority without a tenant segment gets the tenant appended.
    """
    base = settings.ms_authority.rstrip("/")
    head, _, last = base.rpartition("/")
    looks_like_tenant = last.lower() in _TENANT_ALIASES or last == tenant_id or "." in last or (
        len(last) == 36 and last.count("-") == 4)
    if head and looks_like_tenant and "://" in head:
        return f"{head}/{tenant_id}"
    return f"{base}/{tenant_id}"


def _http_session(settings: Settings) -> requests.Session | None:
    """A session that really uses CA_BUNDLE, or None for requests' defaults.

    requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a session's `verify` when trust_env
    is on, which would silently replace the emulator's CA (and any bundle set for production).
    With trust_env off, proxy variables are not read either: set CA_BUNDLE only where no proxy is needed.
    """
    if not settings.ca_bundle:
        return None
    session = requests.Session()
    session.trust_env = False
    session.verify = settings.ca_bundle
    return session


def _token_error(result: Mapping[str, Any], *, on_behalf_of: bool) -> GraphError:
    error = str(result.get("error") or "unknown_error")
    description = str(result.get("error_description") or "").split("\r\n")[0].split(" Trace ID")[0]
    codes = {int(c) for c in result.get("error_codes") or () if isinstance(c, int | str) and str(c).isdigit()}
    suberror = str(result.get("suberror") or "")
    message = f"token request refused: {error}: {description}"
    if codes & _REVOKED_CODES or suberror in ("consent_required", "bad_token") or error == "interaction_required":
        return GrantRevoked(message, status=400, code=error)
    if (on_behalf_of and error == "invalid_grant") or codes & _ASSERTION_CODES:
        return SsoTokenRefused(message, status=400, code=error)
    if error == "invalid_grant":
        return GrantRevoked(message, status=400, code=error)
    return GraphError(message, status=400, code=error)


class GraphTokens:
    """Tokens for Graph in one tenant, for our app registration (MS_CLIENT_ID / MS_CLIENT_SECRET)."""

    def __init__(self, settings: Settings, tenant_id: str) -> None:
        self.settings = settings
        self.tenant_id = tenant_id
        self.authority = authority_for(settings, tenant_id)
        self._app: msal.ConfidentialClientApplication | None = None
        self._lock = threading.Lock()

    def _client(self) -> msal.ConfidentialClientApplication:
        # Built on first use: msal reads the authority's OpenID configuration when constructed.
        with self._lock:
            if self._app is None:
                host = (urlsplit(self.authority).hostname or "").lower()
                options: dict[str, Any] = {}
                session = _http_session(self.settings)
                if session is not None:
                    options["http_client"] = session
                try:
                    self._app = msal.ConfidentialClientApplication(
                        self.settings.ms_client_id,
                        client_credential=self.settings.ms_client_secret,
                        authority=self.authority,
                        instance_discovery=False,
                        validate_authority=host in _MICROSOFT_LOGIN_HOSTS,
                        verify=self.settings.ca_bundle or True,
                        **options,
                    )
                except (ValueError, requests.RequestException) as exc:
                    raise GraphError(f"the authority {self.authority} could not be read: {exc}") from exc
            return self._app

    def app_token(self) -> str:
        """An app-only token (client credentials); msal answers from its cache until it expires."""
        try:
            result = self._client().acquire_token_for_client(scopes=[GRAPH_SCOPE])
        except requests.RequestException as exc:
            raise GraphError(f"token endpoint unreachable: {exc}") from exc
        return self._access_token(result, on_behalf_of=False)

    def on_behalf_of(self, sso_token: str, scopes: Sequence[str] = (GRAPH_SCOPE,)) -> str:
        """A delegated Graph token for the signed-in rep, exchanged for the add-in's SSO token."""
        try:
            result = self._client().acquire_token_on_behalf_of(sso_token, scopes=list(scopes))
        except requests.RequestException as exc:
            raise GraphError(f"token endpoint unreachable: {exc}") from exc
        return self._access_token(result, on_behalf_of=True)

    @staticmethod
    def _access_token(result: Mapping[str, Any] | None, *, on_behalf_of: bool) -> str:
        if result and "access_token" in result:
            return str(result["access_token"])
        raise _token_error(result or {}, on_behalf_of=on_behalf_of)


# --- the per-mailbox limit -----------------------------------------------------------------------

_gates: dict[tuple[str, str], threading.BoundedSemaphore] = {}
_gates_lock = threading.Lock()


def mailbox_gate(graph_root: str, user_id: str) -> threading.BoundedSemaphore:
    """The semaphore shared by every GraphMailbox of one mailbox in this process."""
    key = (graph_root.rstrip("/").lower(), user_id.lower())
    with _gates_lock:
        gate = _gates.get(key)
        if gate is None:
            gate = _gates[key] = threading.BoundedSemaphore(MAILBOX_CONCURRENCY)
        return gate


# --- O365 seams ----------------------------------------------------------------------------------

class _EndpointProtocol(MSGraphProtocol):
    """MSGraphProtocol for GRAPH_API_ENDPOINT (its protocol_url argument raises TypeError)."""

    def __init__(self, graph_root: str) -> None:
        root, _, version = graph_root.rstrip("/").rpartition("/")
        self._protocol_url = root + "/"
        super().__init__(api_version=version or "v1.0")


class _MailboxConnection(Connection):
    """O365's Connection with every request sent by a GraphMailbox (tokens, retries, the limit)."""

    def __init__(self, mailbox: GraphMailbox) -> None:
        # The credentials are never used: our transport supplies the bearer token.
        super().__init__(("sequence-sidebar", "unused"), token_backend=MemoryTokenBackend(), requests_delay=0,
                         request_retries=0)
        self._mailbox = mailbox

    def oauth_request(self, url: str, method: str, **kwargs: Any) -> requests.Response:
        data = kwargs.get("data")
        return self._mailbox._call(method.upper(), url, params=kwargs.get("params"),
                                   json_body=data if data is not None else None)


# --- the mailbox ---------------------------------------------------------------------------------

class GraphMailbox:
    """One rep's Outlook mailbox through Graph, with a token from `token` (app-only or delegated)."""

    def __init__(self, settings: Settings, user_id: str, token: Callable[[], str], *,
                 retry_base_seconds: float = 1.0, max_retry_after: float = MAX_RETRY_AFTER_SECONDS,
                 timeout: float = 30.0, max_attempts: int = MAX_ATTEMPTS) -> None:
        self.settings = settings
        self.user_id = user_id
        self.root = settings.graph_api_endpoint.rstrip("/")
        self.user_url = f"{self.root}/users/{quote(user_id, safe='@')}"
        self._token = token
        self.retry_base_seconds = retry_base_seconds
        self.max_retry_after = max_retry_after
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self._gate = mailbox_gate(self.root, user_id)
        self._session = _http_session(settings) or requests.Session()
        self._o365: Subscriptions | None = None

    def close(self) -> None:
        self._session.close()

    # --- transport ------------------------------------------------------------------------------

    def _call(self, method: str, url: str, *, params: Mapping[str, str] | None = None, json_body: Any = None,
              headers: Mapping[str, str] | None = None, repeatable: bool | None = None) -> requests.Response:
        """One Graph request with the token, the mailbox limit and bounded retries; raises GraphError.

        `repeatable` says the request is safe to send again after a server error (by default: by method).
        """
        if repeatable is None:
            repeatable = method in ("GET", "PUT", "PATCH", "DELETE")
        retried = _THROTTLED | (_TRANSIENT if repeatable else frozenset())
        for attempt in range(1, self.max_attempts + 1):
            sent_headers = {"Authorization": f"Bearer {self._token()}", "Prefer": PREFER_IMMUTABLE_IDS}
            if headers:
                sent_headers.update(headers)
            try:
                with self._gate:
                    response = self._session.request(method, url, params=params, json=json_body,
                                                     headers=sent_headers, timeout=self.timeout)
            except requests.RequestException as exc:
                if repeatable and attempt < self.max_attempts:
                    time.sleep(self._backoff(attempt))
                    continue
                raise GraphError(f"Graph unreachable for {method} {url}: {exc}") from exc
            if response.status_code < 400:
                return response
            if response.status_code in retried and attempt < self.max_attempts:
                wait = _retry_after(response.headers.get("Retry-After"))
                if wait is None:
                    wait = self._backoff(attempt)
                if wait <= self.max_retry_after:
                    log.info("Graph answered %s for %s %s; retrying in %.1fs", response.status_code, method,
                             urlsplit(url).path, wait)
                    time.sleep(wait)
                    continue
            raise _graph_error(response.status_code, _json_or_none(response), response.headers.get("Retry-After"),
                               f"{method} {urlsplit(url).path}")
        raise AssertionError("unreachable")  # the loop returns or raises on its last attempt

    def _backoff(self, attempt: int) -> float:
        return float(self.retry_base_seconds * 2 ** (attempt - 1) * (1 + random.random() / 4))

    def _json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        response = self._call(method, url, **kwargs)
        body = _json_or_none(response)
        if not isinstance(body, dict):
            raise GraphError(f"Graph answered {method} {urlsplit(url).path} without a JSON object",
                             status=response.status_code)
        return body

    # --- sending --------------------------------------------------------------------------------

    def send(self, *, subject: str, body: str, to: str | Sequence[str], message_id: str,
             in_reply_to: str | None = None, references: Sequence[str] = (),
             extra_headers: Mapping[str, str] | None = None, thread_conversation_id: str | None = None,
             body_type: Literal["text", "html"] = "text") -> SentGraph:
        """Send a sequence email as the rep and return the ids a reply will be matched by.

        Graph cannot put a message into a conversation by id: threading follows In-Reply-To and
        References (and the subject), so `thread_conversation_id` is only compared with the
        conversation Exchange chose, and a mismatch is logged.
        """
        draft = self._json("POST", f"{self.user_url}/messages",
                           json_body=draft_json(subject=subject, body=body, to=to, message_id=message_id,
                                                in_reply_to=in_reply_to, references=references,
                                                extra_headers=extra_headers or {}, body_type=body_type))
        draft_id = str(draft["id"])
        try:
            self._call("POST", f"{self.user_url}/messages/{_segment(draft_id)}/send")
        except GraphError as exc:
            # A 4xx means Exchange did not send it: leave no stray draft in the rep's Drafts. After a
            # 5xx it may have gone out, so the draft stays as the trace of what was attempted.
            if 400 <= exc.status < 500:
                self._discard_draft(draft_id)
            raise
        internet_id = str(draft.get("internetMessageId") or "")
        if internet_id != _bracketed(message_id):
            log.warning("Graph gave the sent message %s instead of our Message-ID %s", internet_id, message_id)
        conversation = str(draft.get("conversationId") or "")
        if thread_conversation_id and conversation != thread_conversation_id:
            log.info("Exchange put step %s in conversation %s, not %s", internet_id, conversation,
                     thread_conversation_id)
        return SentGraph(id=draft_id, internet_message_id=internet_id, conversation_id=conversation)

    def _discard_draft(self, draft_id: str) -> None:
        try:
            self._call("DELETE", f"{self.user_url}/messages/{_segment(draft_id)}")
        except GraphError:
            log.warning("could not delete the unsent draft %s", draft_id)

    # --- reading --------------------------------------------------------------------------------

    def fetch(self, message_id: str) -> dict[str, Any]:
        """The message JSON the classifier reads: headers, people, body as text, message class."""
        return self._json("GET", f"{self.user_url}/messages/{_segment(message_id)}",
                          params=_fetch_params(), headers={"Prefer": f"{PREFER_IMMUTABLE_IDS}, {PREFER_TEXT_BODY}"})

    def proxy_addresses(self) -> list[str]:
        """The SMTP addresses Exchange delivers to this mailbox (primary and aliases), as Graph lists them."""
        values = self._json("GET", self.user_url, params={"$select": "proxyAddresses"}).get("proxyAddresses") or []
        return [str(v)[5:] for v in values if str(v).lower().startswith("smtp:")]

    def fetch_mime(self, message_id: str) -> bytes:
        """The message as RFC 822 bytes ($value)."""
        return self._call("GET", f"{self.user_url}/messages/{_segment(message_id)}/$value").content

    def fetch_many(self, message_ids: Sequence[str]) -> Iterator[dict[str, Any] | GraphError]:
        """Fetch with JSON batching (20 per request), yielding each message or its error in order.

        Parts that fail as a single GET would be retried (429, 503, 500, 502, 504) are sent again in
        a later batch, after their Retry-After (or a backoff), a bounded number of times; a part whose
        Retry-After is longer than this mailbox waits is handed back as its error.
        """
        query = urlencode(_fetch_params(), quote_via=quote, safe="$(),'=")
        prefer = f"{PREFER_IMMUTABLE_IDS}, {PREFER_TEXT_BODY}"
        path = urlsplit(self.user_url).path.removeprefix(urlsplit(self.root).path)
        for start in range(0, len(message_ids), MAX_BATCH):
            chunk = list(message_ids[start : start + MAX_BATCH])
            results: dict[str, dict[str, Any] | GraphError] = {}
            waiting = list(range(len(chunk)))
            for attempt in range(1, self.max_attempts + 1):
                parts = [{"id": str(i), "method": "GET", "headers": {"Prefer": prefer},
                          "url": f"{path}/messages/{_segment(chunk[i])}?{query}"} for i in waiting]
                # Only GETs inside: the batch is safe to send again after a server error.
                answer = self._json("POST", f"{self.root}/$batch", json_body={"requests": parts}, repeatable=True)
                throttled: list[int] = []
                waits: list[float] = []
                for part in answer.get("responses") or ():
                    index = int(part.get("id", -1))
                    if not 0 <= index < len(chunk):
                        continue
                    status = int(part.get("status", 0))
                    part_headers = {str(k).lower(): str(v) for k, v in (part.get("headers") or {}).items()}
                    if status < 400 and isinstance(part.get("body"), dict):
                        results[chunk[index]] = part["body"]
                    elif status in _THROTTLED | _TRANSIENT and attempt < self.max_attempts and (
                            (wait := _retry_after(part_headers.get("retry-after"))) is None
                            or wait <= self.max_retry_after):
                        throttled.append(index)
                        waits.append(self._backoff(attempt) if wait is None else wait)
                    else:
                        results[chunk[index]] = _graph_error(status, part.get("body"), part_headers.get("retry-after"),
                                                             f"batch GET message {chunk[index]}")
                waiting = throttled
                if not waiting:
                    break
                time.sleep(max(waits))
            for mid in chunk:
                yield results.get(mid, GraphError(f"no answer for message {mid} in the batch"))

    def inbox_delta(self, delta_link: str | None, *, from_now: bool = False, page_size: int = 50,
                    max_pages: int = 200) -> DeltaPage:
        """Changes to the inbox since `delta_link` (None: every message there, or none if from_now)."""
        if delta_link:
            url, params = delta_link, None
        else:
            url = f"{self.user_url}/mailFolders('inbox')/messages/delta"
            params = {"$deltatoken": "latest"} if from_now else {"$select": "id,receivedDateTime"}
        changed: dict[str, None] = {}
        removed: dict[str, None] = {}
        received: dict[str, str] = {}
        prefer = {"Prefer": f"{PREFER_IMMUTABLE_IDS}, odata.maxpagesize={page_size}"}
        for _ in range(max_pages):
            try:
                page = self._json("GET", url, params=params, headers=prefer)
            except GraphError as exc:
                if exc.status == 410:
                    raise DeltaExpired("the inbox delta link expired: sync again from the start",
                                       status=410, code=exc.code) from exc
                raise
            params = None  # the links carry their own query
            for item in page.get("value") or ():
                if not isinstance(item, dict) or not item.get("id"):
                    continue
                mid = str(item["id"])
                if "@removed" in item:
                    removed[mid] = None
                    changed.pop(mid, None)
                else:
                    changed[mid] = None
                    removed.pop(mid, None)
                    if item.get("receivedDateTime"):
                        received[mid] = str(item["receivedDateTime"])
            if page.get("@odata.deltaLink"):
                return DeltaPage(tuple(changed), tuple(removed), str(page["@odata.deltaLink"]), received=received)
            if not page.get("@odata.nextLink"):
                raise GraphError("Graph's delta page had neither a nextLink nor a deltaLink")
            url = str(page["@odata.nextLink"])
        return DeltaPage(tuple(changed), tuple(removed), url, complete=False, received=received)

    # --- subscriptions --------------------------------------------------------------------------

    def _subscriptions(self) -> Subscriptions:
        if self._o365 is None:
            self._o365 = Subscriptions(con=_MailboxConnection(self), protocol=_EndpointProtocol(self.root))
        return self._o365

    def subscription_resource(self, kind: Literal["inbox", "events"] = "inbox") -> str:
        if kind == "events":
            return f"users/{self.user_id}/events"
        # Every folder, not the inbox only: an inbox rule can file a reply anywhere. Our own sent
        # mail and drafts are notified too; the reader passes them over by folder (graph_folders).
        return f"users/{self.user_id}/messages"

    def subscribe(self, notification_url: str, lifecycle_url: str, client_state: str,
                  minutes: int = MAX_SUBSCRIPTION_MINUTES, *, kind: Literal["inbox", "events"] = "inbox",
                  change_type: str = "created") -> GraphSubscription:
        """Subscribe to new messages in any folder (or events); Graph runs its validation handshake first.

        A 409 (the same resource, change type and URL already subscribed for our app) is answered
        by deleting that subscription and creating ours: its clientState is not one we can verify
        any more, and the caller stores the new id. Notifications in between are caught up by the
        caller's delta query, which follows every (re)subscription.
        """
        resource = self.subscription_resource(kind)
        try:
            return self._create_subscription(notification_url, lifecycle_url, client_state, minutes, resource,
                                             change_type)
        except GraphError as exc:
            if exc.status != 409:
                raise
        for existing in self._list_subscriptions():
            if (str(existing.get("resource", "")).strip("/").lower() == resource.lower()
                    and existing.get("notificationUrl") == notification_url
                    and set(str(existing.get("changeType", "")).split(",")) == set(change_type.split(","))):
                log.info("replacing Graph subscription %s on %s", existing.get("id"), resource)
                self.delete(str(existing["id"]))
        return self._create_subscription(notification_url, lifecycle_url, client_state, minutes, resource,
                                         change_type)

    def _create_subscription(self, notification_url: str, lifecycle_url: str, client_state: str, minutes: int,
                             resource: str, change_type: str) -> GraphSubscription:
        created = self._subscriptions().create_subscription(
            notification_url, resource=resource, change_type=change_type,
            expiration_datetime=_expiry(minutes), client_state=client_state,
            lifecycle_notification_url=lifecycle_url, latest_supported_tls_version="v1_2")
        if not created:
            raise GraphError("Graph created no subscription")
        return GraphSubscription(str(created["id"]), _instant(str(created["expirationDateTime"])))

    def _list_subscriptions(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        url: str | None = f"{self.root}/subscriptions"
        while url:
            page = self._json("GET", url)
            found += [s for s in page.get("value") or () if isinstance(s, dict)]
            url = page.get("@odata.nextLink")
        return found

    def renew(self, subscription_id: str, minutes: int = MAX_SUBSCRIPTION_MINUTES) -> datetime:
        """Push the expiry out again; SubscriptionGone when Graph no longer knows it."""
        return self.renew_resource(subscription_id, minutes)[0]

    def renew_resource(self, subscription_id: str, minutes: int = MAX_SUBSCRIPTION_MINUTES) -> tuple[datetime, str]:
        """renew, also saying the resource the subscription follows (as Graph answers the PATCH)."""
        try:
            renewed = self._subscriptions().renew_subscription(subscription_id, expiration_datetime=_expiry(minutes))
        except GraphError as exc:
            raise _gone_or(exc, subscription_id) from exc
        if not renewed:
            raise GraphError(f"Graph did not renew subscription {subscription_id}")
        return _instant(str(renewed["expirationDateTime"])), str(renewed.get("resource") or "")

    def reauthorize(self, subscription_id: str) -> None:
        """Answer a reauthorizationRequired lifecycle notification (O365 has no call for it)."""
        try:
            self._call("POST", f"{self.root}/subscriptions/{_segment(subscription_id)}/reauthorize")
        except GraphError as exc:
            raise _gone_or(exc, subscription_id) from exc

    def delete(self, subscription_id: str) -> None:
        """Delete the subscription; one already gone counts as deleted."""
        try:
            self._subscriptions().delete_subscription(subscription_id)
        except GraphError as exc:
            if exc.status != 404:
                raise


# --- helpers -------------------------------------------------------------------------------------

def draft_json(*, subject: str, body: str, to: str | Sequence[str], message_id: str, in_reply_to: str | None,
               references: Sequence[str], extra_headers: Mapping[str, str],
               body_type: Literal["text", "html"] = "text") -> dict[str, Any]:
    """The Graph JSON of a draft that carries our Message-ID and threading headers.

    Only x- headers may go in internetMessageHeaders; List-Unsubscribe has its MAPI property; any
    other header cannot be carried by Graph's JSON and raises ValueError rather than vanish.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    data: dict[str, Any] = {
        "subject": subject,
        "body": {"contentType": body_type, "content": body or ""},
        "toRecipients": [{"emailAddress": {"address": address}} for address in recipients],
        "internetMessageId": _bracketed(message_id),
    }
    properties: list[dict[str, str]] = []
    if in_reply_to:
        properties.append({"id": IN_REPLY_TO_PROPERTY, "value": _bracketed(in_reply_to)})
        chain = [_bracketed(r) for r in references] or [_bracketed(in_reply_to)]
        properties.append({"id": REFERENCES_PROPERTY, "value": " ".join(chain)})
    custom: list[dict[str, str]] = []
    for name, value in extra_headers.items():
        if name.lower().startswith("x-"):
            custom.append({"name": name, "value": value})
        elif name.lower() == "list-unsubscribe":
            properties.append({"id": LIST_UNSUBSCRIBE_PROPERTY, "value": value})
        else:
            raise ValueError(f"Graph cannot carry the header {name!r} on a JSON message (only x- headers)")
    if properties:
        data["singleValueExtendedProperties"] = properties
    if custom:
        data["internetMessageHeaders"] = custom
    return data


def _fetch_params() -> dict[str, str]:
    return {"$select": ",".join(FETCH_FIELDS), "$expand": MESSAGE_CLASS_EXPAND}


def _segment(graph_id: str) -> str:
    """A Graph id as a path segment: its base64 padding stays readable, as in Graph's own links."""
    return quote(graph_id, safe="=")


def _bracketed(message_id: str) -> str:
    text = message_id.strip()
    return text if text.startswith("<") else f"<{text}>"


def _expiry(minutes: int) -> datetime:
    capped = max(1, min(minutes, MAX_SUBSCRIPTION_MINUTES - _SUBSCRIPTION_MARGIN_MINUTES))
    return datetime.now(UTC) + timedelta(minutes=capped)


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.replace(".", "", 1).isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        return None


def _graph_error(status: int, body: Any, retry_after: str | None, what: str) -> GraphError:
    error = body.get("error") if isinstance(body, dict) else None
    code = str(error.get("code", "")) if isinstance(error, dict) else ""
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    text = f"Graph answered {status} {code} for {what}: {message}".rstrip(": ")
    kind: type[GraphError] = GrantRevoked if status == 403 else GraphError
    return kind(text, status=status, code=code, retry_after=_retry_after(retry_after))


def _gone_or(exc: GraphError, subscription_id: str) -> GraphError:
    if exc.status == 404:
        return SubscriptionGone(f"Graph no longer knows subscription {subscription_id}", status=404, code=exc.code)
    return exc
