"""`addin-server classify [--json] FILE...`: classify saved messages, one result per file.

Never raises. A file that was read but cannot be parsed (binary junk, an empty file) is reported as
auto_other with the evidence "unparseable". A path that names no readable file (missing, a directory,
no permission) is no message: the command names it on stderr and exits 1, so a typo in a path never
reads as a verdict; the other files are still classified.
A file holding a Graph message (JSON with internetMessageHeaders or singleValueExtendedProperties)
is read with `InboundMessage.from_graph`; anything else as raw RFC 822 bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from addin_server.domain.model import InboundKind
from addin_server.mail.classify import Classification, classify
from addin_server.mail.message import InboundMessage

MAX_FILE_BYTES = 25_000_000


def _unparseable(path: str, why: str) -> dict[str, Any]:
    return {
        "file": path,
        "kind": InboundKind.AUTO_OTHER.value,
        "evidence": ["unparseable", why],
        "return_date": None,
        "bounced_recipients": [],
        "left_company": False,
    }


def load_message(raw: bytes) -> InboundMessage:
    """Graph JSON or raw MIME, decided by the content."""
    head = raw.lstrip()[:1]
    if head in (b"{", b"["):
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: absurdly deep nesting
            data = None
        if isinstance(data, dict) and "value" in data and isinstance(data["value"], list) and data["value"]:
            data = data["value"][0]  # a saved Graph list response holding one message
        if isinstance(data, dict):
            return InboundMessage.from_graph(data)
    return InboundMessage.from_bytes(raw)


def classification_dict(path: str, result: Classification) -> dict[str, Any]:
    return {
        "file": path,
        "kind": result.kind.value,
        "evidence": list(result.evidence),
        "return_date": result.return_date.isoformat() if result.return_date else None,
        "bounced_recipients": list(result.bounced_recipients),
        "left_company": result.left_company,
    }


def classify_file(path: str) -> dict[str, Any]:
    """The DESIGN.md `classify --json` object for one file. Never raises."""
    try:
        file = Path(path)
        if not file.is_file():
            return _unparseable(path, "not a readable file")
        with file.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES)
    except (OSError, ValueError) as exc:
        return _unparseable(path, f"cannot read: {type(exc).__name__}")
    try:
        return classification_dict(path, classify(load_message(raw)))
    except Exception as exc:  # noqa: BLE001 - the command's contract: one answer per file, never a crash
        return _unparseable(path, f"classifier error: {type(exc).__name__}")


def _human_line(result: dict[str, Any]) -> str:
    extra = []
    if result["return_date"]:
        extra.append(f"back {result['return_date']}")
    if result["bounced_recipients"]:
        extra.append("recipients " + ", ".join(result["bounced_recipients"]))
    if result["left_company"]:
        extra.append("left the company")
    evidence = "; ".join(result["evidence"])
    details = f" ({'; '.join(extra)})" if extra else ""
    return f"{result['file']}: {result['kind']}{details}\n    because: {evidence}"


def unreadable(path: str) -> str | None:
    """Why a path names no file the command can read ("no such file", "is a directory"), or None."""
    file = Path(path)
    try:
        if file.is_dir():
            return "is a directory"
        if not file.exists():
            return "no such file"
        if not file.is_file():
            return "not a regular file"
        with file.open("rb"):
            return None
    except (OSError, ValueError) as exc:
        return f"cannot read ({getattr(exc, 'strerror', None) or type(exc).__name__})"


def run_classify(paths: list[str], as_json: bool, out: TextIO, err: TextIO | None = None) -> int:
    """Classify every path and write one line (JSON) or one block (text) per file. Always returns 0
    (the command's contract: it exits 0 whatever the input). A path that names no readable file is
    named on `err`, and its line says it was not read, so a typo never reads as a verdict."""
    for path in paths:
        problem = unreadable(str(path))
        if problem:
            if err is not None:
                try:
                    err.write(f"addin-server classify: {path}: {problem}\n")
                except (OSError, ValueError):
                    pass
            result = classify_file(str(path))
            result["evidence"] = [f"not read: {problem}"]
        else:
            result = classify_file(str(path))
        try:
            if as_json:
                out.write(json.dumps(result, ensure_ascii=False) + "\n")
            else:
                out.write(_human_line(result) + "\n")
        except (OSError, ValueError):  # a closed pipe must not turn into a traceback
            return 0
    return 0
