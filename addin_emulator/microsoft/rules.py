"""Exchange's inbox rules at delivery: the first enabled rule whose conditions all hold files the message.

Only what Graph's messageRule carries and the tests need: senderContains, fromAddresses and
subjectContains conditions; moveToFolder, delete and stopProcessingRules actions. Rules run in
`sequence` order; a rule that moves a message ends the run unless another rule may still apply,
which Exchange resolves by the first move winning, as here.
"""

from __future__ import annotations

from typing import Any

from addin_emulator.microsoft.store import Mailbox, Message

CONDITIONS = ("senderContains", "fromAddresses", "subjectContains")
ACTIONS = ("moveToFolder", "delete", "stopProcessingRules")


def _sender(message: Message) -> tuple[str, str]:
    found = message.from_ or {}
    return str(found.get("address") or "").lower(), str(found.get("name") or "").lower()


def condition_holds(conditions: dict[str, Any], message: Message) -> bool:
    address, name = _sender(message)
    for word in conditions.get("senderContains") or ():
        if str(word).lower() not in address and str(word).lower() not in name:
            return False
    wanted = {str((entry.get("emailAddress") or {}).get("address") or "").lower()
              for entry in conditions.get("fromAddresses") or () if isinstance(entry, dict)}
    if wanted and address not in wanted:
        return False
    subject = message.subject.lower()
    words = [str(w).lower() for w in conditions.get("subjectContains") or ()]
    return not words or any(w in subject for w in words)


def delivery_folder(mailbox: Mailbox, message: Message, default: str) -> str:
    """Where the mailbox's rules file an arriving message (its folder key), else `default`."""
    for rule in sorted(mailbox.rules, key=lambda r: int(r.get("sequence") or 0)):
        if not rule.get("isEnabled", True) or not condition_holds(rule.get("conditions") or {}, message):
            continue
        actions = rule.get("actions") or {}
        if actions.get("delete"):
            return "deleteditems"
        target = mailbox.folder_of_id(str(actions.get("moveToFolder") or ""))
        if target is not None:
            return target
        if actions.get("stopProcessingRules"):
            break
    return default
