"""What every part of the JSON API shares: the blueprint, the OpenAPI spec, the field types, the caller."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from flask import Blueprint, current_app, g, jsonify, request
from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from addin_server.domain.model import MANUAL_SURFACES
from addin_server.services import accounts
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.errors import Unauthorized
from addin_server.web.apispec import ApiSpec

bp = Blueprint("api", __name__, url_prefix="/api/v1")


spec = ApiSpec(title="Sequence Sidebar API", version="1.0.0", prefix="/api/v1")


def id_text(value: Any) -> Any:
    # Ids are strings; integrators often send the number itself, which is unambiguous.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Id = Annotated[str, BeforeValidator(id_text), Field(min_length=1, max_length=20, pattern=r"^[0-9]+$")]


def _in_utc(value: datetime) -> datetime:
    # "9999-12-31T23:59:59-14:00" is a valid time that UTC cannot write (past year 9999).
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time is out of range: it must be writable in UTC before year 10000") from None


UtcTime = Annotated[AwareDatetime, AfterValidator(_in_utc)]


Email = Annotated[str, Field(min_length=3, max_length=320)]


Name = Annotated[str, Field(max_length=200)]


SurfaceName = Literal[tuple(s.value for s in MANUAL_SURFACES)]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Ref(Open):
    id: str
    name: str


Authenticator = Callable[[str], Principal | None]


def ctx() -> ServiceContext:
    services: ServiceContext = current_app.extensions["services"]
    return services


def principal() -> Principal:
    who: Principal = g.principal
    return who


@bp.before_request
def _authenticate() -> None:
    if request.endpoint == "api.openapi_document" or request.method == "OPTIONS":
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send 'Authorization: Bearer <API key or add-in token>'")
    token = token.strip()
    # Other surfaces (the Outlook add-in's SSO token) register their own authenticators.
    for authenticate in current_app.extensions.get("api_authenticators", []):
        found = authenticate(token)
        if found is not None:
            g.principal = found
            return
    g.principal = accounts.authenticate_api_key(ctx(), token)


@bp.get("/openapi.json")
def openapi_document() -> Any:
    settings = ctx().settings
    return jsonify(spec.document(settings.public_url))


class NoBody(Strict):
    pass
