"""Google's event object as the Gmail add-on reads it, and the draft's recipients its compose buttons carry.

Gmail may leave a draft's recipients out of a button's event, so the compose view's buttons carry
them (compressed) in a parameter, and the next event reads them back, bounded and checked.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import dataclass, field, replace
from typing import Any

from addin_server.services import lookup

# The compose view's buttons carry the draft's recipients, in case Gmail leaves them out of button events.
RECIPIENTS_PARAMETER = "recipients"
_MAX_CARRIED_CHARS = 40_000
# Carried recipients are zlib-compressed after this marker ("." is outside base64url's alphabet).
_COMPRESSED = "z."
# MAX_RECIPIENTS addresses of the longest kind an address may have, as JSON.
_MAX_ADDRESS_CHARS = 320
_MAX_CARRIED_JSON_BYTES = lookup.MAX_RECIPIENTS * (_MAX_ADDRESS_CHARS * 6 + 8) + 64


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _object(value: Any, key: str) -> dict[str, Any]:
    inner = value.get(key) if isinstance(value, dict) else None
    return inner if isinstance(inner, dict) else {}


@dataclass(frozen=True)
class AddonEvent:
    """The parts of Google's event object the add-on reads (missing parts are empty, never an error)."""

    time_zone_id: str = ""
    parameters: dict[str, str] = field(default_factory=dict)
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    message_id: str = ""
    access_token: str = ""
    user_oauth_token: str = ""
    user_id_token: str = ""
    # Whether Gmail named the draft's recipients at all (an emptied draft sends empty lists).
    recipients_given: bool = False

    @classmethod
    def from_json(cls, body: Any) -> AddonEvent:
        common, gmail = _object(body, "commonEventObject"), _object(body, "gmail")
        auth = _object(body, "authorizationEventObject")
        zone, params = _object(common, "timeZone"), _object(common, "parameters")
        return cls(
            time_zone_id=_text(zone.get("id")),
            parameters={k: v for k, v in params.items() if isinstance(k, str) and isinstance(v, str)},
            to=_strings(gmail.get("toRecipients")),
            cc=_strings(gmail.get("ccRecipients")),
            bcc=_strings(gmail.get("bccRecipients")),
            message_id=_text(gmail.get("messageId")),
            access_token=_text(gmail.get("accessToken")),
            user_oauth_token=_text(auth.get("userOAuthToken")),
            user_id_token=_text(auth.get("userIdToken")),
            recipients_given=any(key in gmail for key in ("toRecipients", "ccRecipients", "bccRecipients")),
        )

    def param(self, name: str, default: str = "") -> str:
        return self.parameters.get(name, default)

    def page(self) -> int:
        raw = self.param("page", "0")
        # str.isdigit also accepts "²" and other digits int() refuses: ASCII digits only.
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else 0

    def has_recipients(self) -> bool:
        return bool(self.to or self.cc or self.bcc)

    def carried_recipients(self) -> tuple[list[str], list[str], list[str]] | None:
        """The draft's recipients a compose button carried (None when it carried none, or nonsense)."""
        raw = self.param(RECIPIENTS_PARAMETER)
        if not raw or len(raw) > _MAX_CARRIED_CHARS:
            return None
        try:
            if raw.startswith(_COMPRESSED):
                inflate = zlib.decompressobj()
                # Bounded: a small parameter must not inflate into a huge document.
                packed = inflate.decompress(base64.urlsafe_b64decode(raw[len(_COMPRESSED):].encode("ascii")),
                                            _MAX_CARRIED_JSON_BYTES)
                if inflate.unconsumed_tail or not inflate.eof:
                    return None
            else:  # cards rendered before compression, still open in Gmail
                packed = base64.urlsafe_b64decode(raw.encode("ascii"))
            value = json.loads(packed)
        except (ValueError, binascii.Error, zlib.error, RecursionError):
            return None
        if not isinstance(value, dict):
            return None
        # Carried text skips the app's NUL check at the door (it arrives base64-encoded), and Gmail
        # never sends an address with a control character: such an address was not carried by us.
        fields = [[a for a in _strings(value.get(key)) if len(a) <= _MAX_ADDRESS_CHARS and a.isprintable()]
                  for key in ("to", "cc", "bcc")]
        return fields[0], fields[1], fields[2]

    def draft(self) -> AddonEvent:
        """This event with the draft's recipients: its own when Gmail sent them (even none), else those
        its button carried."""
        carried = None if self.recipients_given else self.carried_recipients()
        if carried is None:
            return self
        to, cc, bcc = carried
        return replace(self, to=to, cc=cc, bcc=bcc, recipients_given=True)


def _draft_fields(to: list[str], cc: list[str], bcc: list[str]) -> tuple[list[str], list[str], list[str]]:
    """The draft's fields as the card uses them: each address once (first field wins), at most
    MAX_RECIPIENTS in all, in To, Cc, Bcc order."""
    seen: set[str] = set()
    kept: tuple[list[str], list[str], list[str]] = ([], [], [])
    room = lookup.MAX_RECIPIENTS
    for source, target in zip((to, cc, bcc), kept, strict=True):
        for address in source:
            key = address.strip().casefold()
            if room and key and key not in seen:
                seen.add(key)
                target.append(address)
                room -= 1
    return kept


def _pack(to: list[str], cc: list[str], bcc: list[str]) -> str:
    packed = json.dumps({"to": to, "cc": cc, "bcc": bcc}, separators=(",", ":")).encode("utf-8")
    return _COMPRESSED + base64.urlsafe_b64encode(zlib.compress(packed, 9)).decode("ascii")


def carried_draft(event: AddonEvent) -> dict[str, str]:
    """The draft's recipients as a button parameter (what a later button event may lack).

    Only what the card shows (each address once, at most MAX_RECIPIENTS), compressed: every button
    repeats it. Should it still not fit the size this server accepts back, the last addresses are
    left out, so Refresh shows the first ones rather than none.
    """
    fields = list(_draft_fields(event.to, event.cc, event.bcc))
    value = _pack(*fields)
    while len(value) > _MAX_CARRIED_CHARS:
        # Drop the last tenth of the addresses (from Bcc backwards) until it fits.
        total = sum(len(f) for f in fields)
        drop = max(total // 10, 1)
        for f in reversed(fields):
            cut = min(drop, len(f))
            del f[len(f) - cut:]
            drop -= cut
        value = _pack(*fields)
    return {RECIPIENTS_PARAMETER: value}
