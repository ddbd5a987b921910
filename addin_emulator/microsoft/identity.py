"""A stand-in for the Microsoft identity platform: discovery, token endpoint, authorize, JWKS.

Tokens are real RS256 JWTs signed with a key made at start and published at the JWKS URL, so
PyJWT's PyJWKClient and msal see what they see against login.microsoftonline.com.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Blueprint, Response, current_app, jsonify, redirect, request

from addin_emulator.microsoft.store import (
    GRAPH_AUDIENCE,
    OUTLOOK_CLIENT_APP_ID,
    AuthorizationCode,
    Mailbox,
    MicrosoftWorld,
    RefreshGrant,
    RegisteredApp,
    counter_guid,
)

ACCESS_TOKEN_SECONDS = 3599
SSO_VARIANTS = ("valid", "expired", "wrong_audience", "wrong_issuer", "unknown_tenant", "other_key")
# Permissions an app-only token carries once admin consent is granted.
APP_ROLES = ["Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite", "User.Read.All"]
DELEGATED_DEFAULT_SCOPES = ["Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite", "User.Read"]
OIDC_SCOPES = {"openid", "profile", "offline_access", "email"}
GRANT_OBO = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = key.public_key().public_numbers()
        kid = base64.urlsafe_b64encode(hashlib.sha1(_b64url_uint(numbers.n).encode()).digest())  # noqa: S324
        return cls(kid=kid.rstrip(b"=").decode(), private_key=key)

    def jwk(self) -> dict[str, Any]:
        numbers = self.private_key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
            "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",
        }

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        return jwt.encode(
            claims, self.private_key, algorithm="RS256", headers={"kid": kid or self.kid, "typ": "JWT"}
        )


class IdentityError(Exception):
    """A token endpoint error in Microsoft's JSON shape."""

    def __init__(self, status: int, error: str, code: int, description: str, suberror: str | None = None):
        super().__init__(description)
        self.status = status
        self.error = error
        self.code = code
        self.description = description
        self.suberror = suberror

    def response(self, world: MicrosoftWorld) -> Response:
        trace = counter_guid(0x7EACE, world.next("trace"))
        body: dict[str, Any] = {
            "error": self.error,
            "error_description": f"AADSTS{self.code}: {self.description} Trace ID: {trace}",
            "error_codes": [self.code],
            "timestamp": world.clock.now().strftime("%Y-%m-%d %H:%M:%SZ"),
            "trace_id": trace,
            "correlation_id": trace,
            "error_uri": f"https://login.microsoftonline.com/error?code={self.code}",
        }
        if self.suberror:
            body["suberror"] = self.suberror
        resp = jsonify(body)
        resp.status_code = self.status
        return resp


class Identity:
    """Issues and checks the emulator's tokens."""

    def __init__(self, world: MicrosoftWorld) -> None:
        self.world = world
        self.key = SigningKey.generate()
        # Never published: tokens signed with it must fail signature checks.
        self.other_key = SigningKey.generate()

    # --- keys and issuers -------------------------------------------------------------------
    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.jwk()]}

    @staticmethod
    def v2_issuer(tenant_id: str) -> str:
        return f"https://login.microsoftonline.com/{tenant_id}/v2.0"

    @staticmethod
    def graph_issuer(tenant_id: str) -> str:
        return f"https://sts.windows.net/{tenant_id}/"

    # --- minting ------------------------------------------------------------------------------
    def _times(self, lifetime: int = ACCESS_TOKEN_SECONDS) -> dict[str, int]:
        now = int(self.world.clock.timestamp())
        return {"iat": now, "nbf": now, "exp": now + lifetime}

    def mint_sso_token(
        self,
        client_id: str,
        mailbox: Mailbox,
        *,
        variant: str = "valid",
        scopes: str = "access_as_user",
    ) -> str:
        """An Outlook add-in SSO access token (v2) for `mailbox`, or one broken in a named way."""
        if variant not in SSO_VARIANTS:
            raise ValueError(f"unknown SSO token variant {variant!r}; one of {SSO_VARIANTS}")
        tenant_id = mailbox.tenant_id
        if variant == "unknown_tenant":
            tenant_id = counter_guid(0xBAD7E, 1)
        claims: dict[str, Any] = {
            "aud": client_id,
            "iss": self.v2_issuer(tenant_id),
            **self._times(),
            "azp": OUTLOOK_CLIENT_APP_ID,
            "azpacr": "0",
            "name": mailbox.display_name,
            "oid": mailbox.user_id,
            "preferred_username": mailbox.address,
            "scp": scopes,
            "sub": hashlib.sha256(f"{mailbox.user_id}:{client_id}".encode()).hexdigest()[:43],
            "tid": tenant_id,
            "uti": f"sso{self.world.next('uti')}",
            "ver": "2.0",
            **_roles_claim(mailbox),
        }
        if variant == "expired":
            now = int(self.world.clock.timestamp())
            claims.update(iat=now - 7200, nbf=now - 7200, exp=now - 3600)
        elif variant == "wrong_audience":
            claims["aud"] = counter_guid(0xA0D, 1)
        elif variant == "wrong_issuer":
            claims["iss"] = f"https://sts.windows.net/{tenant_id}/"
        if variant == "other_key":
            return self.other_key.sign(claims, kid=self.key.kid)
        return self.key.sign(claims)

    def graph_access_token(
        self, app: RegisteredApp, tenant_id: str, mailbox: Mailbox | None, scopes: list[str]
    ) -> str:
        claims: dict[str, Any] = {
            "aud": GRAPH_AUDIENCE,
            "iss": self.graph_issuer(tenant_id),
            **self._times(),
            "appid": app.client_id,
            "app_displayname": app.display_name,
            "tid": tenant_id,
            "uti": f"at{self.world.next('uti')}",
            "ver": "1.0",
        }
        if mailbox is None:
            claims.update(idtyp="app", oid=counter_guid(0x5E7, 1), roles=APP_ROLES, sub=app.client_id)
        else:
            claims.update(
                idtyp="user",
                oid=mailbox.user_id,
                sub=mailbox.user_id,
                upn=mailbox.address,
                unique_name=mailbox.address,
                name=mailbox.display_name,
                scp=" ".join(scopes),
            )
        return self.key.sign(claims)

    def id_token(self, client_id: str, mailbox: Mailbox, nonce: str | None) -> str:
        claims: dict[str, Any] = {
            "aud": client_id,
            "iss": self.v2_issuer(mailbox.tenant_id),
            **self._times(),
            "name": mailbox.display_name,
            "oid": mailbox.user_id,
            "preferred_username": mailbox.address,
            "sub": mailbox.user_id,
            "tid": mailbox.tenant_id,
            "ver": "2.0",
            **_roles_claim(mailbox),
        }
        if nonce:
            claims["nonce"] = nonce
        return self.key.sign(claims)

    # --- checking -----------------------------------------------------------------------------
    def read_graph_token(self, token: str) -> dict[str, Any]:
        """Claims of a Graph access token this emulator issued; raises jwt.InvalidTokenError."""
        claims: dict[str, Any] = jwt.decode(
            token,
            self.key.private_key.public_key(),
            algorithms=["RS256"],
            audience=GRAPH_AUDIENCE,
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
        if claims["exp"] <= self.world.clock.timestamp():
            raise jwt.ExpiredSignatureError("Lifetime validation failed, the token is expired.")
        return claims

    def read_assertion(self, assertion: str, client_id: str) -> dict[str, Any]:
        """Check an on-behalf-of assertion the way Entra ID does, with its error codes."""
        try:
            claims: dict[str, Any] = jwt.decode(
                assertion,
                self.key.private_key.public_key(),
                algorithms=["RS256"],
                options={"verify_aud": False, "verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.InvalidTokenError as exc:
            raise IdentityError(400, "invalid_grant", 50013, "Assertion failed signature validation.") from exc
        if claims.get("aud") not in (client_id, f"api://{client_id}"):
            raise IdentityError(
                400, "invalid_grant", 500131, "Assertion audience does not match the Client app."
            )
        tenant_id = str(claims.get("tid", ""))
        if tenant_id not in self.world.tenants() or claims.get("iss") != self.v2_issuer(tenant_id):
            raise IdentityError(400, "invalid_grant", 50013, "Assertion contains an invalid issuer.")
        if claims.get("exp", 0) <= self.world.clock.timestamp():
            raise IdentityError(400, "invalid_grant", 500133, "Assertion is not within its valid time range.")
        return claims


def _roles_claim(mailbox: Mailbox) -> dict[str, Any]:
    """Entra ID's `wids` (the user's directory roles as role template ids), present only for a user
    with roles, as an app registration with groupMembershipClaims "DirectoryRole" or "All" gets it."""
    return {"wids": list(mailbox.directory_roles)} if mailbox.directory_roles else {}


def get_identity() -> Identity:
    identity: Identity = current_app.extensions["emulator_microsoft_identity"]
    return identity


def _world() -> MicrosoftWorld:
    world: MicrosoftWorld = current_app.extensions["emulator_microsoft"]
    return world


def _scopes(raw: str | None) -> list[str]:
    return [s for s in (raw or "").split() if s]


def _graph_scopes(scopes: list[str]) -> list[str]:
    """Resource scopes without the Graph prefix, as Entra ID echoes them back."""
    out: list[str] = []
    for scope in scopes:
        if scope in OIDC_SCOPES:
            continue
        short = scope.split("/")[-1] if scope.startswith(GRAPH_AUDIENCE) else scope
        if short == ".default":
            out.extend(DELEGATED_DEFAULT_SCOPES)
        else:
            out.append(short)
    return sorted(set(out)) or list(DELEGATED_DEFAULT_SCOPES)


def _client_info(mailbox: Mailbox) -> str:
    raw = json.dumps({"uid": mailbox.user_id, "utid": mailbox.tenant_id}).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


blueprint = Blueprint("emulator_microsoft_identity", __name__)


@blueprint.get("/ms/discovery/v2.0/keys")
@blueprint.get("/ms/<tenant>/discovery/v2.0/keys")
def keys(tenant: str | None = None) -> Response:
    return jsonify(get_identity().jwks())


def _known_tenant_or_error(tenant: str) -> IdentityError | None:
    if tenant in ("common", "organizations") or tenant in _world().tenants():
        return None
    return IdentityError(
        400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID."
    )


@blueprint.get("/ms/<tenant>/v2.0/.well-known/openid-configuration")
def openid_configuration(tenant: str) -> Response:
    problem = _known_tenant_or_error(tenant)
    if problem is not None:
        return problem.response(_world())
    root = f"{request.host_url}ms/{tenant}"
    issuer_tenant = "{tenantid}" if tenant in ("common", "organizations") else tenant
    return jsonify(
        {
            "token_endpoint": f"{root}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{root}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": Identity.v2_issuer(issuer_tenant),
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": f"{request.host_url}ms/oidc/userinfo",
            "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{root}/oauth2/v2.0/logout",
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "oid", "tid", "preferred_username",
                                 "wids"],
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
        }
    )


@blueprint.get("/ms/<tenant>/oauth2/v2.0/authorize")
def authorize(tenant: str) -> Response:
    """Sign in the user named by login_hint at once and redirect with a code (no pages here)."""
    world = _world()
    args = request.args
    redirect_uri = args.get("redirect_uri", "")
    app = world.apps.get(args.get("client_id", ""))
    mailbox = world.mailbox_for(args.get("login_hint", ""))
    if app is None or not redirect_uri or args.get("response_type") != "code":
        return IdentityError(400, "invalid_request", 900144, "The request is missing client_id, "
                             "redirect_uri or response_type=code.").response(world)
    state = args.get("state")
    if mailbox is None:
        query = {"error": "login_required", "error_description": "AADSTS50058: pass login_hint=<address>."}
        if state:
            query["state"] = state
        return redirect(f"{redirect_uri}?{urlencode(query)}")  # type: ignore[return-value]
    number = world.next("code")
    code = AuthorizationCode(
        code=f"0.emulator-code-{number}",
        client_id=app.client_id,
        tenant_id=mailbox.tenant_id,
        user_id=mailbox.user_id,
        redirect_uri=redirect_uri,
        scopes=_scopes(args.get("scope")),
        nonce=args.get("nonce"),
        code_challenge=args.get("code_challenge"),
        code_challenge_method=args.get("code_challenge_method"),
        expires_at=world.clock.now() + timedelta(minutes=10),
    )
    with world.lock:
        world.codes[code.code] = code
    query = {"code": code.code, "session_state": counter_guid(0x5E55, number)}
    if state:
        query["state"] = state
    if args.get("response_mode") == "form_post":
        return _form_post(redirect_uri, query)
    return redirect(f"{redirect_uri}?{urlencode(query)}")  # type: ignore[return-value]


def _form_post(redirect_uri: str, fields: dict[str, str]) -> Response:
    """response_mode=form_post: a page that POSTs the answer to redirect_uri, as Entra ID's does."""
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}" />' for k, v in fields.items()
    )
    page = (
        "<html><head><title>Working...</title></head><body onload=\"document.forms[0].submit()\">"
        f'<form method="POST" name="hiddenform" action="{html.escape(redirect_uri)}">{inputs}'
        "<noscript><input type=\"submit\" value=\"Continue\" /></noscript></form></body></html>"
    )
    return Response(page, content_type="text/html; charset=utf-8")


def _authenticate_client(world: MicrosoftWorld, form: dict[str, str]) -> RegisteredApp:
    client_id = form.get("client_id", "")
    secret = form.get("client_secret", "")
    if request.authorization and request.authorization.type == "basic":
        client_id = request.authorization.username or client_id
        secret = request.authorization.password or secret
    app = world.apps.get(client_id)
    if app is None:
        raise IdentityError(
            400, "unauthorized_client", 700016,
            f"Application with identifier '{client_id}' was not found in the directory.",
        )
    if secret != app.client_secret:
        raise IdentityError(
            401, "invalid_client", 7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client "
            "secret value, not the client secret ID.",
        )
    return app


def _require_consent(app: RegisteredApp, tenant_id: str) -> None:
    if not app.consented(tenant_id):
        raise IdentityError(
            400, "invalid_grant", 65001,
            f"The user or administrator has not consented to use the application with ID '{app.client_id}'.",
            suberror="consent_required",
        )


def _user_tokens(
    identity: Identity, app: RegisteredApp, mailbox: Mailbox, scopes: list[str], nonce: str | None = None
) -> dict[str, Any]:
    world = identity.world
    granted = _graph_scopes(scopes)
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "scope": " ".join(granted),
        "expires_in": ACCESS_TOKEN_SECONDS,
        "ext_expires_in": ACCESS_TOKEN_SECONDS,
        "access_token": identity.graph_access_token(app, mailbox.tenant_id, mailbox, granted),
    }
    if "offline_access" in scopes or not (set(scopes) & OIDC_SCOPES):
        grant = RefreshGrant(
            token=f"0.emulator-refresh-{world.next('refresh')}",
            client_id=app.client_id,
            tenant_id=mailbox.tenant_id,
            user_id=mailbox.user_id,
            scopes=scopes,
        )
        with world.lock:
            world.refresh_grants[grant.token] = grant
        body["refresh_token"] = grant.token
    if "openid" in scopes or "profile" in scopes:
        body["id_token"] = identity.id_token(app.client_id, mailbox, nonce)
        body["client_info"] = _client_info(mailbox)
    return body


def _token(tenant: str) -> dict[str, Any]:
    world = _world()
    identity = get_identity()
    problem = _known_tenant_or_error(tenant)
    if problem is not None:
        raise problem
    form = request.form.to_dict()
    app = _authenticate_client(world, form)
    grant_type = form.get("grant_type", "")
    scopes = _scopes(form.get("scope"))
    if grant_type == "client_credentials":
        if tenant in ("common", "organizations"):
            raise IdentityError(400, "invalid_request", 700016, "Use a tenant-specific endpoint for app-only tokens.")
        if len(scopes) != 1 or not scopes[0].endswith("/.default"):
            raise IdentityError(
                400, "invalid_scope", 1002012,
                f"The provided value for scope {' '.join(scopes)} is not valid. Client credential flows "
                "must have a scope value with /.default suffixed to the resource identifier.",
            )
        _require_consent(app, tenant)
        return {
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_SECONDS,
            "ext_expires_in": ACCESS_TOKEN_SECONDS,
            "access_token": identity.graph_access_token(app, tenant, None, APP_ROLES),
        }
    if grant_type == "authorization_code":
        with world.lock:
            code = world.codes.get(form.get("code", ""))
            if code is None or code.client_id != app.client_id:
                raise IdentityError(400, "invalid_grant", 70000, "Provided grant is invalid or malformed.")
            if code.redeemed:
                raise IdentityError(400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed.")
            if code.expires_at <= world.clock.now():
                raise IdentityError(400, "invalid_grant", 70008, "The provided authorization code has expired.")
            if form.get("redirect_uri", "") != code.redirect_uri:
                raise IdentityError(400, "invalid_grant", 50011, "The redirect URI does not match.")
            if code.code_challenge:
                verifier = form.get("code_verifier", "")
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                expected = digest if code.code_challenge_method == "S256" else verifier
                if expected != code.code_challenge:
                    raise IdentityError(400, "invalid_grant", 501481, "The Code_Verifier does not match.")
            code.redeemed = True
        mailbox = world.mailbox_by_user_id(code.user_id)
        assert mailbox is not None
        _require_consent(app, mailbox.tenant_id)
        return _user_tokens(identity, app, mailbox, scopes or code.scopes, nonce=code.nonce)
    if grant_type == "refresh_token":
        with world.lock:
            grant = world.refresh_grants.get(form.get("refresh_token", ""))
        if grant is None or grant.client_id != app.client_id:
            raise IdentityError(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
        if grant.revoked:
            raise IdentityError(
                400, "invalid_grant", 50173,
                "The provided grant has expired due to it being revoked, a fresh auth token is needed.",
                suberror="bad_token",
            )
        mailbox = world.mailbox_by_user_id(grant.user_id)
        assert mailbox is not None
        _require_consent(app, mailbox.tenant_id)
        return _user_tokens(identity, app, mailbox, scopes or grant.scopes)
    if grant_type == GRANT_OBO:
        if form.get("requested_token_use") != "on_behalf_of":
            raise IdentityError(400, "invalid_request", 900144, "requested_token_use must be on_behalf_of.")
        claims = identity.read_assertion(form.get("assertion", ""), app.client_id)
        mailbox = world.mailbox_by_user_id(str(claims.get("oid", "")))
        if mailbox is None:
            raise IdentityError(400, "invalid_grant", 50034, "The user account does not exist in the directory.")
        _require_consent(app, mailbox.tenant_id)
        return _user_tokens(identity, app, mailbox, scopes)
    raise IdentityError(
        400, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant_type}'."
    )


@blueprint.post("/ms/<tenant>/oauth2/v2.0/token")
def token(tenant: str) -> Response:
    try:
        body = _token(tenant)
    except IdentityError as error:
        return error.response(_world())
    resp = jsonify(body)
    resp.headers["Cache-Control"] = "no-store, no-cache"
    return resp
