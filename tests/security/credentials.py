"""Credentials for every surface, genuine and defective, for the security and fuzz tests.

Google (add-on system and user ID tokens, Pub/Sub OIDC) and Microsoft (Outlook SSO) signing keys
are made per test session and their public halves served from 127.0.0.1 by the web app tests'
key server; an intruder key is never published. Nothing here reaches the internet.
"""

from __future__ import annotations

import time
from typing import Any

from tests.keyserver import KeyServer
from tests.web.app.conftest import Signer
from tests.web.outlook.sso_tokens import CLIENT_ID as MS_CLIENT_ID
from tests.web.outlook.sso_tokens import TENANT, sso_claims

PUBLIC_URL = "https://sidebar.test"
GOOGLE_ISSUER = "https://accounts.google.com"
ADDON_SERVICE_ACCOUNT = "service-884921307712@gcp-sa-gsuiteaddons.iam.gserviceaccount.com"
OAUTH_CLIENT_ID = "884921307712-sidebar.apps.googleusercontent.com"
PUBSUB_AUDIENCE = f"{PUBLIC_URL}/webhooks/gmail"
PUBSUB_SERVICE_ACCOUNT = "gmail-push@sidebar-test.iam.gserviceaccount.com"
OTHER_TENANT = "0b6e5c4d-3a29-4f18-8e07-d6c5b4a39281"

__all__ = ["MS_CLIENT_ID", "TENANT", "Credentials", "KeyServer", "Signer"]


def _window(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"iat": now - 10, "exp": now + 3600, **overrides}


EXPIRED: dict[str, Any] = {"iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}


class Credentials:
    """Mints the tokens Google and Microsoft would send, with any claim overridden."""

    def __init__(self, google: Signer, microsoft: Signer, intruder: Signer) -> None:
        self.google, self.microsoft, self.intruder = google, microsoft, intruder

    def _sign(self, claims: dict[str, Any], signer: Signer, *, forged: bool) -> str:
        # A forgery claims the genuine key id but is signed with the intruder's key.
        if forged:
            return Signer(signer.kid, self.intruder.key).sign(claims)
        return signer.sign(claims)

    def addon_system(self, path: str, *, forged: bool = False, **overrides: Any) -> str:
        """The system ID token Google puts in the Authorization header of an add-on request."""
        claims = _window(iss=GOOGLE_ISSUER, aud=PUBLIC_URL + path, azp="107346216373981230457",
                         email=ADDON_SERVICE_ACCOUNT, email_verified=True, sub="107346216373981230457")
        return self._sign({**claims, **overrides}, self.google, forged=forged)

    def addon_user(self, email: str, *, forged: bool = False, **overrides: Any) -> str:
        """The userIdToken inside the add-on event: the rep using Gmail."""
        claims = _window(iss=GOOGLE_ISSUER, aud=OAUTH_CLIENT_ID, azp=OAUTH_CLIENT_ID, sub="112233445566778899001",
                         email=email, email_verified=True)
        return self._sign({**claims, **overrides}, self.google, forged=forged)

    def pubsub(self, *, forged: bool = False, **overrides: Any) -> str:
        """The OIDC token of a Pub/Sub push to /webhooks/gmail."""
        claims = _window(iss=GOOGLE_ISSUER, aud=PUBSUB_AUDIENCE, azp="118034957301958273650",
                         email=PUBSUB_SERVICE_ACCOUNT, email_verified=True, sub="118034957301958273650")
        return self._sign({**claims, **overrides}, self.google, forged=forged)

    def outlook_sso(self, *, forged: bool = False, **overrides: Any) -> str:
        """The Outlook add-in's SSO access token (v2, aud = our client id); Otto of Acme by default."""
        return self._sign(sso_claims(**overrides), self.microsoft, forged=forged)

    @staticmethod
    def addon_event(user_id_token: str, **gmail: Any) -> dict[str, Any]:
        """An add-on event object as Google posts it (recipients under `gmail`)."""
        return {"commonEventObject": {"hostApp": "GMAIL", "platform": "WEB", "userLocale": "en",
                                      "timeZone": {"id": "Europe/Paris", "offset": 3600000}},
                "gmail": gmail,
                "authorizationEventObject": {"userOAuthToken": "ya29.placeholder-user-oauth-token",
                                             "userIdToken": user_id_token, "systemIdToken": "<in the header>"}}
