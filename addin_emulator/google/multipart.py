"""Splitting multipart bodies by hand: the email package turns message/rfc822 parts into trees."""

from __future__ import annotations

import re

from addin_emulator.google.errors import invalid_argument

_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)


def boundary_of(content_type: str) -> str:
    match = _BOUNDARY.search(content_type or "")
    if not match:
        raise invalid_argument("Multipart body without a boundary.")
    return match.group(1)


def split_at_blank_line(block: bytes) -> tuple[bytes, bytes]:
    """Split at the first empty line, whichever line ending it uses."""
    found = [(i, sep) for sep in (b"\r\n\r\n", b"\n\n", b"\n\r\n") if (i := block.find(sep)) >= 0]
    if not found:
        return block, b""
    index, sep = min(found)
    return block[:index], block[index + len(sep) :]


def split_head(block: bytes) -> tuple[dict[str, str], bytes]:
    """Headers (lower-cased names, unfolded) and the body of one part or one embedded HTTP message."""
    head, body = split_at_blank_line(block)
    headers: dict[str, str] = {}
    last = ""
    for line in head.decode("utf-8", errors="replace").splitlines():
        if line[:1] in (" ", "\t") and last:
            headers[last] += " " + line.strip()
        elif ":" in line:
            name, _, value = line.partition(":")
            last = name.strip().lower()
            headers[last] = value.strip()
    return headers, body


def split_parts(body: bytes, content_type: str) -> list[tuple[dict[str, str], bytes]]:
    delimiter = b"--" + boundary_of(content_type).encode()
    chunks = body.split(delimiter)
    parts = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n").removeprefix(b"\n")
        chunk = chunk.removesuffix(b"\n").removesuffix(b"\r")
        parts.append(split_head(chunk))
    return parts
