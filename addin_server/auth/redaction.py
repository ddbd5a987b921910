"""Capability tokens never reach a log.

Whoever holds an unsubscribe link can unsubscribe the contact, whoever holds a booking link books
in the rep's name, and an OAuth `code`/`state` finishes someone's consent: they are secrets that
travel in URLs, and URLs are what access logs print. Everything written to a log line passes here.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[redacted]"

def _spelled(word: str) -> str:
    """A pattern for `word` with any letter also percent-encoded, once or twice (`/%75/` routes to
    `/u/` as well, and a Referer carries a URL encoded inside another)."""
    return "".join(f"(?:{re.escape(c)}|%(?:25)?{ord(c):02x})" for c in word)


def _any_of(*words: str) -> str:
    return "(?:" + "|".join(_spelled(w) for w in words) + ")"


_SLASH = "(?:/|%(?:25)?2F)"
# /u/<token> (unsubscribe) and /meet/<key> (a rep's booking page): the path segment is the secret.
# Each also appears percent-encoded, inside another URL's parameter (a sign-in page's ?next=...).
_SECRET_PATHS = re.compile(rf"({_SLASH}{_any_of('u', 'meet')}{_SLASH})"
                           r"(?:(?!%(?:25)?(?:2F|3F|26|23))[^\s?#&\"'/])+", re.IGNORECASE)
# Query parameters that carry a token: the booking link's t, OAuth's code and state, sign-in tokens.
_SECRET_PARAMS = re.compile(
    r"((?:[?&;]|%(?:25)?3F|%(?:25)?26)"
    + _any_of("t", "token", "code", "state", "session_state", "id_token", "access_token", "refresh_token",
              "credential", "form_token")
    + r"(?:=|%(?:25)?3D))(?:(?!%(?:25)?26|%(?:25)?23)[^&;\s#\"'])*", re.IGNORECASE)


def redact_capabilities(text: str) -> str:
    """The text with every capability token in it replaced by [redacted]."""
    if "/" not in text and "=" not in text and "%" not in text:
        return text
    return _SECRET_PARAMS.sub(r"\1" + REDACTED, _SECRET_PATHS.sub(r"\1" + REDACTED, text))


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message formatted once and redacted (unchanged when nothing was secret)."""
    try:
        message = record.getMessage()
    except (TypeError, ValueError, KeyError):
        return record  # a broken format string is the logging module's own error to report
    redacted = redact_capabilities(message)
    if redacted != message:
        record.msg, record.args = redacted, None
    # A traceback quotes URLs too (an exception about a request, a failing link): it is formatted
    # here once, redacted, and kept where every Formatter looks for it first.
    if record.exc_info and not record.exc_text:
        record.exc_text = redact_capabilities(_TRACEBACKS.formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact_capabilities(record.exc_text)
    if record.stack_info:
        record.stack_info = redact_capabilities(record.stack_info)
    return record


_TRACEBACKS = logging.Formatter()


class RedactingFilter(logging.Filter):
    """For handlers set up outside this process's record factory (e.g. by a logging config file)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install_redaction() -> None:
    """Redact every log record of the process as it is made, whichever logger and handler it goes
    to (werkzeug's request lines, gunicorn's, ours, libraries'). Installing twice changes nothing."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts_capabilities", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(current(*args, **kwargs))

    factory.redacts_capabilities = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
