"""The batch endpoint: multipart/mixed of application/http parts, as BatchHttpRequest sends them.

Each part is replayed through the app itself, so faults, bearer tokens and the request log apply to
every inner request, as Google applies quota per part.
"""

from __future__ import annotations

from http import HTTPStatus

from flask import Blueprint, Response, current_app, request

from addin_emulator.google import multipart
from addin_emulator.google.api import state
from addin_emulator.google.errors import invalid_argument

MAX_PARTS = 100
_SKIPPED_HEADERS = {"host", "content-length", "content-transfer-encoding"}


def add_routes(bp: Blueprint) -> None:
    @bp.post("/batch/gmail/v1")
    @bp.post("/batch/calendar/v3")
    @bp.post("/batch")
    def batch() -> Response:
        content_type = request.headers.get("Content-Type", "")
        if not content_type.startswith("multipart/mixed"):
            raise invalid_argument("Batch requests must be multipart/mixed.")
        parts = multipart.split_parts(request.get_data(), content_type)
        if len(parts) > MAX_PARTS:
            raise invalid_argument(f"Too many requests in batch (limit {MAX_PARTS}).")
        boundary = f"batch_emulator_{state().next_number():06d}"
        client = current_app.test_client()
        chunks = []
        for part_headers, embedded in parts:
            request_line, _, rest = embedded.partition(b"\n")
            method, target, *_ = request_line.decode().strip().split(" ")
            inner_headers, inner_body = multipart.split_head(rest)
            forwarded = {k: v for k, v in inner_headers.items() if k not in _SKIPPED_HEADERS}
            answer = client.open(target, method=method, headers=forwarded, data=inner_body or None)
            reason = HTTPStatus(answer.status_code).phrase
            content_id = part_headers.get("content-id", "").strip("<>")
            lines = [
                f"--{boundary}",
                "Content-Type: application/http",
                f"Content-ID: <response-{content_id}>",
                "",
                f"HTTP/1.1 {answer.status_code} {reason}",
            ]
            lines += [f"{k}: {v}" for k, v in answer.headers.items() if k.lower() != "content-length"]
            lines += ["", answer.get_data(as_text=True)]
            chunks.append("\r\n".join(lines))
        body = "\r\n".join([*chunks, f"--{boundary}--", ""])
        return Response(body, status=200, content_type=f"multipart/mixed; boundary={boundary}")
