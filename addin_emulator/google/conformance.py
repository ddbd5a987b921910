"""Check response bodies against the schemas of a discovery document bundled with the client library.

Walks $ref, type, properties, items, additionalProperties, enum and the string formats Google
uses (int64/uint64 as decimal strings, byte as base64). Unknown properties are errors: a body the
real API could not have produced should fail here, not in a provider months later.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "uint32": (0, 2**32 - 1)}
_STRING_INTEGER_FORMATS = {"int64": True, "uint64": False}  # format -> negative numbers allowed
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class DiscoveryMethod:
    id: str
    http_method: str
    pattern: re.Pattern[str]
    response: str | None


def load_bundled(name: str, version: str) -> dict[str, Any]:
    """A discovery document from googleapiclient/discovery_cache/documents."""
    path = resources.files("googleapiclient") / "discovery_cache" / "documents" / f"{name}.{version}.json"
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


class DiscoverySchemas:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.schemas: dict[str, Any] = document["schemas"]
        self._service_path = "/" + document.get("servicePath", "").strip("/")
        self.methods = list(self._walk_methods(document))

    @classmethod
    def bundled(cls, name: str, version: str) -> DiscoverySchemas:
        return cls(load_bundled(name, version))

    def _walk_methods(self, resource: dict[str, Any]) -> Any:
        for method in resource.get("methods", {}).values():
            # Method paths are relative to servicePath (calendar/v3/ for Calendar, empty for Gmail).
            template = re.escape(f"{self._service_path.rstrip('/')}/{method['path'].lstrip('/')}")
            pattern = re.sub(r"\\\{\\?\+?[^/]*?\\\}", "[^/]+", template)
            response = method.get("response", {}).get("$ref")
            yield DiscoveryMethod(method["id"], method["httpMethod"], re.compile(f"^{pattern}$"), response)
            upload = method.get("mediaUpload", {}).get("protocols", {}).get("simple", {}).get("path")
            if upload:
                upload_pattern = re.sub(r"\\\{\\?\+?[^/]*?\\\}", "[^/]+", re.escape(upload))
                yield DiscoveryMethod(method["id"], method["httpMethod"], re.compile(f"^{upload_pattern}$"), response)
        for child in resource.get("resources", {}).values():
            yield from self._walk_methods(child)

    def method_for(self, http_method: str, path: str) -> DiscoveryMethod | None:
        """The discovery method a request path belongs to (most specific literal match first)."""
        found = [m for m in self.methods if m.http_method == http_method and m.pattern.match(path)]
        found.sort(key=lambda m: -len(m.pattern.pattern.replace("[^/]+", "")))
        return found[0] if found else None

    def validate(self, instance: Any, schema_name: str) -> list[str]:
        """Every way `instance` departs from the named schema; empty when it conforms."""
        errors: list[str] = []
        self._check(instance, {"$ref": schema_name}, schema_name, errors)
        return errors

    def _check(self, value: Any, schema: dict[str, Any], where: str, errors: list[str]) -> None:
        if "$ref" in schema:
            schema = self.schemas[schema["$ref"]]
        kind = schema.get("type")
        if kind == "object":
            self._check_object(value, schema, where, errors)
        elif kind == "array":
            if not isinstance(value, list):
                errors.append(f"{where}: expected an array, got {type(value).__name__}")
                return
            for i, item in enumerate(value):
                self._check(item, schema.get("items", {}), f"{where}[{i}]", errors)
        elif kind == "string":
            self._check_string(value, schema, where, errors)
        elif kind == "integer":
            self._check_integer(value, schema, where, errors)
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                errors.append(f"{where}: expected a number, got {value!r}")
        elif kind == "boolean":
            if not isinstance(value, bool):
                errors.append(f"{where}: expected a boolean, got {value!r}")
        elif kind == "any" or kind is None:
            return
        else:
            errors.append(f"{where}: schema type {kind!r} is not understood")

    def _check_object(self, value: Any, schema: dict[str, Any], where: str, errors: list[str]) -> None:
        if not isinstance(value, dict):
            errors.append(f"{where}: expected an object, got {type(value).__name__}")
            return
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                self._check(item, properties[key], f"{where}.{key}", errors)
            elif isinstance(extra, dict):
                self._check(item, extra, f"{where}[{key!r}]", errors)
            else:
                errors.append(f"{where}: unknown property {key!r}")

    def _check_string(self, value: Any, schema: dict[str, Any], where: str, errors: list[str]) -> None:
        if not isinstance(value, str):
            errors.append(f"{where}: expected a string, got {value!r}")
            return
        fmt = schema.get("format")
        if fmt in _STRING_INTEGER_FORMATS:
            allowed = r"-?\d+" if _STRING_INTEGER_FORMATS[fmt] else r"\d+"
            if not re.fullmatch(allowed, value):
                errors.append(f"{where}: {fmt} must be a decimal string, got {value!r}")
        elif fmt == "byte":
            try:
                normal = value.replace("+", "-").replace("/", "_").rstrip("=")
                base64.b64decode(normal + "=" * (-len(normal) % 4), altchars=b"-_", validate=True)
            except (binascii.Error, ValueError):
                errors.append(f"{where}: byte must be base64, got {value[:40]!r}")
        elif fmt == "date-time" and not _DATE_TIME.match(value):
            errors.append(f"{where}: date-time must be RFC 3339, got {value!r}")
        if "enum" in schema and value not in schema["enum"]:
            errors.append(f"{where}: {value!r} is not one of {schema['enum']}")

    def _check_integer(self, value: Any, schema: dict[str, Any], where: str, errors: list[str]) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(f"{where}: expected an integer, got {value!r}")
            return
        low, high = _INT_RANGES.get(schema.get("format", ""), (None, None))
        if low is not None and high is not None and not low <= value <= high:
            errors.append(f"{where}: {value} is outside {schema['format']}")


def check_recorded(
    entries: list[dict[str, Any]], schemas: DiscoverySchemas, prefixes: tuple[str, ...]
) -> tuple[set[str], list[str]]:
    """Validate the successful answers in the emulator's request log whose path starts with `prefixes`.

    Returns the discovery method ids seen and every problem found (an empty list when all conform).
    """
    covered: set[str] = set()
    problems: list[str] = []
    for entry in entries:
        if not entry["path"].startswith(prefixes) or entry["status"] >= 300:
            continue
        method = schemas.method_for(entry["method"], entry["path"])
        if method is None:
            problems.append(f"{entry['method']} {entry['path']}: not a discovery method")
            continue
        covered.add(method.id)
        if method.response is None:
            if not entry["empty"]:
                problems.append(f"{method.id}: a body where the API answers none")
            continue
        problems += [f"{method.id}: {p}" for p in schemas.validate(entry["body"], method.response)]
    return covered, problems
