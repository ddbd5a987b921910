"""Gmail, Google Calendar, Pub/Sub push and Google's token issuer, emulated in memory.

Point the real client libraries at the emulator's base URL (``BASE``) and they speak the same wire
protocol as Google: google-api-python-client with ``static_discovery=True`` and
``client_options={"api_endpoint": BASE + "/"}`` for Gmail (its discovery paths begin with
``gmail/v1/``) or ``BASE + "/calendar/v3/"`` for Calendar, and google-auth credentials whose
``token_uri`` is ``BASE + "/token"``. ``build()`` keeps Google's own batch URI, so batches need
``BatchHttpRequest(batch_uri=BASE + "/batch/gmail/v1")``.

Google API routes (``Authorization: Bearer <access token>`` issued by ``/token``, else 401)
- Gmail v1, under ``/gmail/v1/users/{userId}`` (``me``, the address or an alias):
  ``GET profile``; ``POST messages/send`` (``raw`` base64url, optional ``threadId``; Message-ID,
  Date and From are added when missing; label SENT; a copy arrives in any emulated mailbox named in
  To, Cc or Bcc) and ``POST /upload/gmail/v1/users/{userId}/messages/send`` (uploadType media or
  multipart; the client keeps https for upload URLs, so use the emulator's TLS port for them);
  ``GET messages/{id}`` (format minimal, metadata with metadataHeaders, full, raw);
  ``GET messages/{id}/attachments/{attachmentId}``;
  ``GET messages`` (labelIds, q with after:, before:, newer_than:, older_than:, in:, label:, is:,
  from:, to:, subject:, rfc822msgid:, plain words; maxResults, pageToken); ``GET threads/{id}``;
  ``GET history`` (startHistoryId, historyTypes messageAdded, labelId, maxResults, pageToken; 404
  notFound below the retained history); ``POST watch`` (topicName, labelIds, labelFilterBehavior;
  expiration 7 days on the emulator clock); ``POST stop``; ``GET labels``.
- Batch: ``POST /batch/gmail/v1`` (also ``/batch`` and ``/batch/calendar/v3``), multipart/mixed of
  application/http parts, at most 100; each part is answered as if sent alone.
- Calendar v3, under ``/calendar/v3``: ``POST calendars/{id}/events`` (insert), ``GET``, ``PATCH``
  and ``DELETE calendars/{id}/events/{eventId}``, ``GET calendars/{id}/events`` (syncToken ->
  nextSyncToken, 410 fullSyncRequired once invalidated; timeMin, timeMax, q, showDeleted,
  maxResults, pageToken), ``POST calendars/{id}/events/watch`` (a "sync" notification, then
  "exists" on every change), ``POST channels/stop``, ``POST freeBusy``. ``{id}`` is ``primary`` or
  the mailbox's address.
- OAuth and ID tokens: ``POST /token`` (grant_type refresh_token or authorization_code; access
  tokens live one hour of emulator time, then 401 and the client refreshes; a revoked or unknown
  grant answers 400 ``{"error": "invalid_grant"}``), ``GET /o/oauth2/v2/auth`` (consent granted at
  once for the mailbox named by ``login_hint``; redirects with ``code`` and ``state``, or
  ``error=access_denied``; the client's secret is learned at the code exchange), ``POST /revoke``,
  ``GET /oauth2/v1/certs`` ({kid: PEM certificate}) and ``GET /oauth2/v3/certs`` (JWKS). ID tokens
  carry wall-clock iat/exp, because verifiers check them against the wall clock.
Errors use Google's shape: ``{"error": {"code", "message", "errors": [{"message", "domain",
"reason"}], "status"}}``.

Control API, JSON in and out, under ``/_control/google`` (``client.GoogleEmulatorControl`` wraps it)
- ``POST /reset``; ``POST /mailboxes`` {address, aliases, client_id?, client_secret?} -> the
  mailbox and a refresh token; ``GET /mailboxes``; ``GET /mailboxes/{address}/messages`` (what was
  sent and received, with raw text; ``?label=SENT``).
- ``POST /mailboxes/{address}/deliver``: an inbound message, as a message/rfc822 body or JSON
  {raw: base64} or {text}; stored with INBOX and UNREAD (or ``?label=`` repeated), threaded by
  In-Reply-To / References, recorded as messageAdded history; pushed when a watch covers it.
- ``POST /mailboxes/{address}/history/expire`` {before?}: older startHistoryIds then answer 404.
- ``GET /mailboxes/{address}/watch``; ``PUT /push`` and ``PUT /mailboxes/{address}/push``
  {endpoint, audience?, service_account?, subscription?, numeric_history_id?}: where Pub/Sub pushes
  go. Without one, a watch still records history but nothing is pushed. A push is POSTed with
  ``Authorization: Bearer <OIDC JWT>`` (aud = audience, default the endpoint; email = service
  account) and the body {"message": {"data", "messageId", "message_id", "publishTime",
  "publish_time", "attributes"}, "subscription"}; data is base64 JSON {emailAddress, historyId},
  historyId a string as in Google's guide, or a number with numeric_history_id.
- ``POST /grants`` {address, client_id?, client_secret?, authorization_code?} and
  ``POST /grants/revoke`` {refresh_token | address}.
- ``POST /faults`` {route (fnmatch on the path), method?, status, count, retry_after?, reason?,
  delay_seconds?} (e.g. 429, 403 with reason rateLimitExceeded or userRateLimitExceeded, 500, 503;
  status null with delay_seconds only slows the request);
  ``GET``/``DELETE /faults``.
- Notifications (Pub/Sub pushes and Calendar channel notifications) wait in a queue:
  ``POST /flush`` delivers those due now and answers what each POST returned; ``PUT /delivery``
  {mode: manual | auto} lets a background thread deliver instead (the demo). A receiver answering
  non-2xx gets it again after 10 s, 20 s, ... of emulator time, 5 attempts at most.
  ``POST /notifications/faults`` {action: drop | delay | duplicate, count, seconds?, kind?};
  ``GET /notifications`` (``DELETE`` forgets the queue).
- ``POST /clock/advance`` {seconds}; ``POST /calendars/{address}/events`` (an event made from
  outside); ``POST /calendars/{address}/sync-tokens/invalidate``.
- ``POST /id-tokens`` {kind: addon_system | user | pubsub, audience, email?, sub?, flaw?: expired |
  wrong_audience | wrong_issuer | unknown_key} -> {token}.
- ``GET``/``DELETE /requests``: every Google API request answered (method, path, query, status,
  whether a fault answered it, JSON body), for retry assertions and the discovery conformance test.

In-process: ``state.google_state(app)`` gives the state (``.issuer`` mints tokens directly).
"""

from __future__ import annotations

from flask import Flask

from addin_emulator.clock import Clock

_routes_attached = False


def register(app: Flask, clock: Clock) -> None:
    """Mount Google's routes on the emulator app."""
    global _routes_attached
    from addin_emulator.google import batch, calendar_api, control, directory_api, gmail_api, identity
    from addin_emulator.google.api import bp
    from addin_emulator.google.state import EXTENSION_KEY, GoogleState

    state = GoogleState(clock, app.config.get("EMULATOR_BASE_URL", ""))
    app.extensions[EXTENSION_KEY] = state
    app.extensions.setdefault("emulator_closers", []).append(state.close)
    # One blueprint object serves every emulator app; its routes are attached the first time only.
    if not _routes_attached:
        for module in (gmail_api, calendar_api, identity, batch, directory_api):
            module.add_routes(bp)
        _routes_attached = True
    app.register_blueprint(bp)
    app.register_blueprint(control.bp)
