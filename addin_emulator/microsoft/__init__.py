"""Microsoft Graph, its change notifications and Microsoft's token issuer.

Emulator, Microsoft side
========================

Everything is in memory, per emulator app, deterministic (ids come from counters; only RSA key
material is random). Settings that point the service here (base = the plain HTTP address, tls =
the HTTPS address that `start_emulator(tls_port=0)` opens, needed because msal refuses http):

    GRAPH_API_ENDPOINT = {base}/graph/v1.0
    MS_AUTHORITY       = {tls}/ms/{tenant_id}        (msal: instance_discovery=False,
                                                      validate_authority=False, verify=CA bundle)
    MS_JWKS_URL        = {base}/ms/discovery/v2.0/keys
    CA_BUNDLE          = running.ca_bundle

Identity platform (served on both listeners)
--------------------------------------------
- GET  /ms/{tenant}/v2.0/.well-known/openid-configuration  (400 invalid_tenant, AADSTS90002, for
  an unknown tenant; tenants are those of registered apps and mailboxes)
- GET  /ms/{tenant}/oauth2/v2.0/authorize  signs in the mailbox named by login_hint at once and
  redirects to redirect_uri with code and state, or with response_mode=form_post (which msal
  recommends, warning otherwise) answers a self-posting form; PKCE S256 is checked at redemption
- POST /ms/{tenant}/oauth2/v2.0/token  grant types client_credentials (scope must be
  https://graph.microsoft.com/.default), authorization_code, refresh_token, and on-behalf-of
  (urn:ietf:params:oauth:grant-type:jwt-bearer, requested_token_use=on_behalf_of, assertion = an
  SSO token minted here). Errors use Microsoft's JSON: error, error_description (AADSTS...),
  error_codes, timestamp, trace_id, correlation_id; invalid_client (7000215) is a 401.
- GET  /ms/discovery/v2.0/keys and /ms/{tenant}/discovery/v2.0/keys  (JWKS, RSA, with kid)

SSO tokens for the Outlook add-in are v2 access tokens: aud = the client id, iss =
https://login.microsoftonline.com/{tid}/v2.0, scp access_as_user, oid, tid, preferred_username,
name. Broken variants: expired, wrong_audience, wrong_issuer, unknown_tenant, other_key (signed
by an unpublished key under the published kid).

Graph v1.0 (under /graph/v1.0; a Bearer token from the token endpoint above is required)
-----------------------------------------------------------------------------------------
users/{id|upn|alias} and me; users/{id}/messages (GET list with $select, basic $filter
`prop eq|ne|ge|gt|le|lt value [and ...]`, $top, $skiptoken + @odata.nextLink; POST creates a
draft with id, internetMessageId, conversationId, isDraft true); messages/{mid} (GET with
$select, internetMessageHeaders only when selected and only for received mail; $expand=
singleValueExtendedProperties($filter=id eq 'String 0x001A') gives the message class, also
0x1042 In-Reply-To, 0x1039 References, 0x007D transport headers; PATCH; DELETE moves it to
Deleted Items and notifies "deleted"); $orderby on receivedDateTime asc|desc (default desc);
Prefer: outlook.body-content-type="text" turns HTML bodies into text;
messages/{mid}/$value (MIME, text/plain); messages/{mid}/send (202; moves to Sent Items with a
new id, isDraft false, same internetMessageId); sendMail; mailFolders('inbox')/messages and
mailFolders/{name}/messages; mailFolders/{name}/messages/delta (paged by Prefer:
odata.maxpagesize or $top, @odata.nextLink with $skiptoken, then @odata.deltaLink with
$deltatoken; $deltatoken=latest; removed messages come as @removed); events and calendar/events
(POST, GET); calendar/getSchedule; $batch (JSON batching, at most 20 requests, dependsOn).
Prefer: IdType="ImmutableId" returns ids that survive moves. Sending to an address that is also
an emulated mailbox delivers a copy there.

A fifth concurrent request on one mailbox answers 429 ApplicationThrottled (MailboxConcurrency).

Subscriptions: POST /subscriptions for users/{id}/mailFolders('inbox')/messages, users/{id}/
messages or users/{id}/events runs the validation handshake against notificationUrl and
lifecycleNotificationUrl first (POST ?validationToken=..., expects 200 text/plain echoing the
token within 10 s, else 400); expiry past 4,230 minutes -> 400; the same changeType + resource +
notificationUrl again for the same app -> 409. GET, PATCH (renew), DELETE, POST .../reauthorize.
Subscriptions expire with the emulator clock: then they stop notifying and GET answers 404.

Notifications are queued (see the control API) and POSTed as {"value": [...]} like Microsoft's
documented examples; failed POSTs are retried on later flushes after a backoff on the emulator
clock, at most 4 attempts, and every attempt is logged.

Control API (/_control/microsoft, JSON; `MicrosoftEmulatorControl(base_url)` wraps it)
--------------------------------------------------------------------------------------
- POST /apps {client_id, client_secret, tenant_id}; POST /apps/{client_id}/consent
  {tenant_id, granted} (withdrawn consent: token requests fail with AADSTS65001, Graph answers 403)
- POST /tenants {tenant_id} (a tenant with no mailbox yet)
- POST /mailboxes {address, tenant_id, user_id?, display_name?, aliases?}; GET /mailboxes
- GET  /mailboxes/{address}/messages?folder=inbox|drafts|sentitems
- POST /mailboxes/{address}/deliver  raw RFC 822 body (Content-Type message/rfc822) with
  ?kind=auto|note|oof|ndr, or JSON {raw, kind}. Message class 0x001A: IPM.Note, or
  IPM.Note.Rules.OofTemplate.Microsoft (kind=oof), or REPORT.IPM.Note.NDR (kind=ndr, or auto
  for a multipart/report delivery-status message). Queues change notifications.
- POST /sso-tokens {client_id, address, variant?, scopes?} -> {token}
- POST /refresh-tokens/revoke {refresh_token} or {address}
- POST /faults {route (fnmatch on the path, e.g. /graph/v1.0/users/*/messages*), status
  (429, 500, 503...), count, retry_after?, method?, delay_seconds?, code?}; GET, DELETE /faults
- POST /notifications/faults {action: drop|delay|duplicate, count, delay_seconds?}
- POST /notifications/flush -> {delivered: [{notification_id, kind, subscription_id, url, attempt,
  status, error, delivered, body}], pending}; POST /notifications/auto {enabled} (a background
  deliverer, for the demo); GET /notifications -> {pending, log}
- GET  /subscriptions; POST /subscriptions/{id}/lifecycle {event: reauthorizationRequired |
  subscriptionRemoved | missed}
- POST /clock/advance {seconds} (the clock is shared with the Google side); GET /state

Delivering a reply from the command line:

    curl -X POST -H 'Content-Type: message/rfc822' --data-binary @reply.eml \
      "$EMULATOR/_control/microsoft/mailboxes/rep@contoso.example/deliver?kind=auto"
"""

from __future__ import annotations

from flask import Flask

from addin_emulator.clock import Clock
from addin_emulator.microsoft.client import MicrosoftEmulatorControl
from addin_emulator.microsoft.store import MicrosoftWorld

__all__ = ["MicrosoftEmulatorControl", "register"]


def register(app: Flask, clock: Clock) -> None:
    """Mount Microsoft's routes on the emulator app."""
    from addin_emulator.microsoft import control, events, folders, graph, identity, notifications, subscriptions

    world = MicrosoftWorld(clock=clock)
    app.extensions["emulator_microsoft"] = world
    app.extensions["emulator_microsoft_identity"] = identity.Identity(world)
    deliverer = notifications.AutoDeliverer(world)
    app.extensions["emulator_microsoft_deliverer"] = deliverer
    app.extensions.setdefault("emulator_closers", []).append(deliverer.stop)
    # Importing these modules adds their routes to graph's table.
    assert events.AVAILABILITY and subscriptions.RESOURCE and folders.FOLDER_KEYS
    app.register_blueprint(identity.blueprint)
    app.register_blueprint(graph.blueprint)
    app.register_blueprint(control.blueprint)
    app.before_request(control.fault_on_identity_routes)
