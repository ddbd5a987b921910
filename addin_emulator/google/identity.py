"""Google's OAuth endpoints (token, consent, revoke) and the ID-token certificates."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from addin_emulator.google.api import state
from addin_emulator.google.errors import GoogleApiError
from addin_emulator.google.state import ACCESS_TOKEN_LIFETIME, Grant

# Consumer Google accounts carry no `hd`; any other domain is played as a Google Workspace domain.
CONSUMER_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    resp = jsonify({"error": error, "error_description": description})
    resp.status_code = status
    return resp


def _token_answer(grant: Grant, with_refresh_token: bool) -> Response:
    access = state().issue_access_token(grant)
    body: dict[str, object] = {
        "access_token": access.token,
        "expires_in": ACCESS_TOKEN_LIFETIME,
        "token_type": "Bearer",
    }
    scope = request.form.get("scope") or " ".join(grant.scopes)
    if scope:
        body["scope"] = scope
    if with_refresh_token:
        body["refresh_token"] = grant.refresh_token
        if "openid" in grant.scopes:
            # The code exchange of an OpenID Connect consent also answers with the ID token.
            domain = grant.address.rpartition("@")[2]
            body["id_token"] = state().issuer.user_id_token(
                grant.address, client_id=grant.client_id, hd=None if domain in CONSUMER_DOMAINS else domain)
    resp = jsonify(body)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def add_routes(bp: Blueprint) -> None:
    @bp.post("/token")
    def token() -> Response:
        form = request.form
        grant_type = form.get("grant_type")
        with state().lock:
            if grant_type == "refresh_token":
                grant = state().grants.get(form.get("refresh_token", ""))
                with_refresh = False
            elif grant_type == "authorization_code":
                grant = state().codes.pop(form.get("code", ""), None)
                with_refresh = True
            else:
                return _oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant_type}")
            if grant is None or grant.revoked:
                return _oauth_error("invalid_grant", "Token has been expired or revoked.")
            if not grant.client_secret:
                # A grant made on the consent screen learns its client's secret at the code exchange.
                grant.client_secret = form.get("client_secret", "")
            if form.get("client_id") != grant.client_id or form.get("client_secret", "") != grant.client_secret:
                return _oauth_error("invalid_client", "The OAuth client was not found.", 401)
            return _token_answer(grant, with_refresh)

    @bp.get("/o/oauth2/v2/auth")
    @bp.get("/o/oauth2/auth")
    def consent() -> BaseResponse:
        """Google's consent screen, answered at once: the mailbox named by login_hint approves."""
        args = request.args
        redirect_uri = args.get("redirect_uri", "")
        if not redirect_uri.startswith(("http://", "https://")) or not args.get("client_id"):
            return _oauth_error("invalid_request", "Missing client_id or redirect_uri.")
        try:
            mailbox = state().mailbox(args.get("login_hint", ""))
        except GoogleApiError:
            return redirect(f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': args.get('state', '')})}")
        grant = state().issue_grant(
            mailbox.address,
            client_id=args["client_id"],
            client_secret="",
            scopes=args.get("scope", "").split(),
        )
        code = state().issue_code(grant)
        query = {"code": code, "scope": args.get("scope", ""), "state": args.get("state", "")}
        separator = "&" if "?" in redirect_uri else "?"
        return redirect(f"{redirect_uri}{separator}{urlencode(query)}")

    @bp.post("/revoke")
    @bp.post("/o/oauth2/revoke")
    def revoke() -> Response:
        token = request.values.get("token", "")
        if state().revoke(refresh_token=token) == 0:
            return _oauth_error("invalid_token", "Token expired or revoked")
        return jsonify({})

    @bp.get("/oauth2/v1/certs")
    def certificates() -> Response:
        resp = jsonify(state().issuer.certificates())
        resp.headers["Cache-Control"] = "public, max-age=3600"
        return resp

    @bp.get("/oauth2/v3/certs")
    def jwks() -> Response:
        return jsonify(state().issuer.jwks())
