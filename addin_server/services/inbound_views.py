"""How the inbound service shows its decisions: JSON-ready, evidence in words (the API and the dry run)."""

from __future__ import annotations

from typing import Any

from addin_server.domain.rules import Decision
from addin_server.domain.wording import evidence_in_words


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def decision_view(d: Decision) -> dict[str, Any]:
    return {"enrollment_id": str(d.enrollment_id), "action": d.action.value,
            "event": d.event.value if d.event else None, "reason": d.reason.value if d.reason else None,
            "pause_until": d.pause_until.isoformat() if d.pause_until else None,
            "evidence": jsonable(dict(d.evidence))}


def shown_decisions(decisions: list[Any]) -> list[Any]:
    """Decisions as the API shows them: stored with match codes, their evidence shown in words."""
    return [{**d, "evidence": evidence_in_words(d.get("evidence"))} if isinstance(d, dict) else d for d in decisions]
