"""Schemathesis over /api/v1/openapi.json: no operation answers a server error, whatever it is sent.

The document is loaded from the running app (in-process WSGI) and every operation is fuzzed with
a real API key: valid requests with random ids, valid requests about the world's real objects,
and requests that break the schema on purpose.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import given
from schemathesis import GenerationMode
from schemathesis.generation.meta import negated_parameters

from addin_server.services import enrollments
from addin_server.services.context import ServiceContext
from addin_server.web.api import spec
from tests.builders import World
from tests.fuzz.limits import fuzzing

# Labels as schemathesis names operations: paths relative to the document's server, /api/v1.
OPERATIONS = sorted(f"{op.method.upper()} {op.path}" for op in spec.operations)
MODES = {
    "requests that fit the schema, about random ids": (GenerationMode.POSITIVE, False),
    "requests that fit the schema, about the account's real objects": (GenerationMode.POSITIVE, True),
    "requests that break the schema": (GenerationMode.NEGATIVE, False),
}


def _real_ids(services: ServiceContext, world: World) -> dict[str, str]:
    made = enrollments.enroll(services, world.admin, sequence_id=world.sequence["id"], contact_id=world.contact["id"],
                              sender_user_id=world.rep["id"], enrolled_by_user_id=world.rep["id"])
    return {"enrollment_id": str(made["id"]), "sequence_id": str(world.sequence["id"]),
            "contact_id": str(world.contact["id"]), "company_id": str(world.company["id"]),
            "user_id": str(world.rep["id"])}


@pytest.mark.parametrize("mode", list(MODES), ids=list(MODES))
@pytest.mark.parametrize("label", OPERATIONS, ids=OPERATIONS)
def test_no_api_operation_answers_a_server_error(app: Any, services: ServiceContext, world: World,
                                                 label: str, mode: str) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is not in the OpenAPI document"
    generation, pinned = MODES[mode]
    path_parameters = None
    if pinned:
        ids = _real_ids(services, world)
        path_parameters = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids} or None
    server_errors: list[str] = []
    # Statuses of the cases that kept the credentials: schemathesis's negative mode also removes or
    # mangles the Authorization header, and for an operation with nothing else to break that is
    # every case, so those cases cannot show that the fuzzing got past authentication.
    statuses: set[int] = set()

    @given(case=operation.as_strategy(generation, path_parameters=path_parameters))
    @fuzzing()
    def send(case: Any) -> None:
        response = case.call(headers=world.headers)
        if not any(name.lower() == "authorization" for name, _ in negated_parameters(case.meta)):
            statuses.add(response.status_code)
        if response.status_code >= 500:
            server_errors.append(f"{case.method} {case.formatted_path} {case.query} {case.body!r}: "
                                 f"{response.status_code} {response.text[:200]}")
        assert response.status_code < 500, server_errors[-1]

    send()
    assert server_errors == []
    assert not statuses or statuses - {401}, "every request was refused as unauthenticated: the fuzzing never reached the operation"
