"""Declaring API operations once: the same pydantic models validate requests and produce OpenAPI 3.1.

pydantic (v2) emits JSON Schema 2020-12, which is what OpenAPI 3.1 uses, so the document is the
models' own schema with references moved under components.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from addin_server.services.errors import Invalid, ServiceError


class ApiError(ServiceError):
    """A request the API refuses before any service runs."""


@dataclass
class Operation:
    method: str
    path: str  # OpenAPI form: /enrollments/{enrollment_id}
    summary: str
    tag: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    errors: tuple[int, ...]
    public: bool = False
    description: str = ""


@dataclass
class ApiSpec:
    title: str
    version: str
    prefix: str
    operations: list[Operation] = field(default_factory=list)

    def document(self, server_url: str) -> dict[str, Any]:
        components: dict[str, Any] = {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"}, "details": {}}}},
            }
        }
        paths: dict[str, Any] = {}

        def schema_of(model: type[BaseModel], mode: str) -> dict[str, Any]:
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)  # type: ignore[arg-type]
            components.update(schema.pop("$defs", {}))
            components[model.__name__] = schema
            return {"$ref": f"#/components/schemas/{model.__name__}"}

        for op in self.operations:
            slug = op.path.strip("/").replace("/", "_").replace("{", "").replace("}", "")
            entry: dict[str, Any] = {
                "operationId": f"{op.method.lower()}_{slug}",
                "summary": op.summary, "tags": [op.tag], "responses": {},
            }
            if op.description:
                entry["description"] = op.description
            params = [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in _path_params(op.path)
            ]
            if op.query is not None:
                qschema = op.query.model_json_schema()
                for name, prop in qschema.get("properties", {}).items():
                    params.append({"name": name, "in": "query", "required": name in qschema.get("required", []),
                                   "schema": prop, **({"explode": True} if prop.get("type") == "array" else {})})
            if params:
                entry["parameters"] = params
            if op.body is not None:
                required = any(f.is_required() for f in op.body.model_fields.values())
                entry["requestBody"] = {"required": required,
                                        "content": {"application/json": {"schema": schema_of(op.body, "validation")}}}
            ok: dict[str, Any] = {"description": "OK"}
            if op.response is not None:
                ok["content"] = {"application/json": {"schema": schema_of(op.response, "serialization")}}
            entry["responses"][str(op.status)] = ok
            for code in sorted({*op.errors, *((401,) if not op.public else ())}):
                entry["responses"][str(code)] = {
                    "description": _ERROR_TEXT.get(code, "error"),
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            if not op.public:
                entry["security"] = [{"apiKey": []}]
            paths.setdefault(op.path, {})[op.method.lower()] = entry
        return {
            "openapi": "3.1.0",
            "info": {"title": self.title, "version": self.version,
                     "description": "Sequence Sidebar's API: contacts, sequences, enrollments and the recipient "
                                    "lookup behind the Gmail add-on and the Outlook add-in."},
            "servers": [{"url": server_url.rstrip("/") + self.prefix}],
            "paths": paths,
            "components": {
                "schemas": components,
                "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer",
                                               "description": "An API key made by `addin-server accounts create`"}},
            },
        }


_ERROR_TEXT = {
    400: "Malformed request", 401: "Missing or invalid credentials", 403: "Not allowed",
    404: "Not found (or another account's)", 409: "Conflicts with the current state",
    413: "Body too large", 415: "Body must be JSON", 422: "Failed validation",
}


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


def _flask_rule(path: str) -> str:
    return path.replace("{", "<").replace("}", ">")


def describe_validation_error(exc: ValidationError) -> tuple[str, list[dict[str, Any]]]:
    details = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        details.append({"field": loc, "problem": err["msg"]})
    first = details[0] if details else {"field": "body", "problem": "invalid"}
    more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
    return f"{first['field']}: {first['problem']}{more}", details


def _read_json(optional: bool = False) -> Any:
    if request.content_length == 0 or not request.get_data(cache=True):
        if optional:
            return {}
        raise ApiError("a JSON body is required", code="missing_body")
    if not request.is_json:
        raise UnsupportedMediaType("send the body as application/json")
    try:
        return request.get_json(force=True)
    except BadRequest:
        raise ApiError("the body is not valid JSON", code="malformed_json") from None


def _validate(model: type[BaseModel], data: Any) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        message, details = describe_validation_error(exc)
        raise Invalid(message, code="validation_failed", details=details) from None


def _query_data(model: type[BaseModel]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        values = request.args.getlist(name)
        if not values:
            continue
        is_list = getattr(info.annotation, "__origin__", None) is list
        data[name] = values if is_list else values[-1]
    return data


def operation(
    spec: ApiSpec,
    bp: Blueprint,
    method: str,
    path: str,
    *,
    summary: str,
    tag: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (400, 404, 422),
    public: bool = False,
    description: str = "",
    body_bytes: int | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view: its body and query are validated, its answer is JSON with `status`.

    `body_bytes` lets this operation's request body exceed MAX_REQUEST_BYTES up to that size."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        spec.operations.append(
            Operation(method, path, summary, tag, body, query, response, status, errors, public, description)
        )

        @functools.wraps(fn)
        def view(**path_args: Any) -> tuple[Response, int]:
            kwargs: dict[str, Any] = dict(path_args)
            if body_bytes is not None:
                request.max_content_length = max(body_bytes, current_app.config.get("MAX_CONTENT_LENGTH") or 0)
            if body is not None:
                optional = not any(f.is_required() for f in body.model_fields.values())
                kwargs["body"] = _validate(body, _read_json(optional))
            if query is not None:
                kwargs["query"] = _validate(query, _query_data(query))
            result = fn(**kwargs)
            return jsonify(result), status

        bp.add_url_rule(_flask_rule(path), endpoint=fn.__name__ + "_" + method.lower(), view_func=view,
                        methods=[method])
        return view

    return decorate
