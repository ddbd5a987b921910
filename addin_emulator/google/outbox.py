"""Outbound notifications (Pub/Sub pushes and Calendar channel notifications), queued and delivered.

Delivery is deterministic: nothing leaves until `flush` (the control API's /flush) is called, or the
background thread is switched on (mode "auto", used by the demo). A receiver answering non-2xx gets
the notification again after a backoff measured on the emulator clock, up to MAX_ATTEMPTS.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from addin_emulator.clock import Clock

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 10
BACKOFF_CAP_SECONDS = 600
DELIVERY_TIMEOUT = 10
NOTIFICATION_ACTIONS = ("drop", "delay", "duplicate")


@dataclass
class Notification:
    id: int
    kind: str
    url: str
    headers: dict[str, str]
    body: bytes
    due: float
    # Called at each attempt to add headers that must be fresh (the Pub/Sub OIDC token).
    sign: Callable[[], dict[str, str]] | None = None
    status: str = "queued"
    attempts: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "url": self.url,
            "status": self.status,
            "due": self.due,
            "attempts": list(self.attempts),
            "headers": dict(self.headers),
            "body": self.body.decode("utf-8", errors="replace"),
            "note": self.note,
        }


@dataclass
class NotificationFault:
    action: str
    remaining: int
    seconds: float = 0.0
    kind: str | None = None


class Outbox:
    def __init__(self, clock: Clock, lock: threading.RLock) -> None:
        self._clock = clock
        self._lock = lock
        self._next_id = 1
        self.items: list[Notification] = []
        # What may still go out (queued or waiting for a retry): a flush looks at these, not at history.
        self._waiting: list[Notification] = []
        self.faults: list[NotificationFault] = []
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.mode = "manual"

    def reset(self) -> None:
        with self._lock:
            self.items.clear()
            self._waiting.clear()
            self.faults.clear()

    def add_fault(self, action: str, count: int, seconds: float = 0.0, kind: str | None = None) -> None:
        if action not in NOTIFICATION_ACTIONS:
            raise ValueError(f"action must be one of {NOTIFICATION_ACTIONS}")
        with self._lock:
            self.faults.append(NotificationFault(action, count, seconds, kind))

    def enqueue(
        self,
        kind: str,
        url: str,
        headers: dict[str, str],
        body: bytes,
        sign: Callable[[], dict[str, str]] | None = None,
    ) -> list[Notification]:
        """Queue one notification, applying the next drop/delay/duplicate fault that matches it."""
        with self._lock:
            fault = self._take_fault(kind)
            copies = 2 if fault and fault.action == "duplicate" else 1
            queued = []
            for _ in range(copies):
                item = Notification(self._next_id, kind, url, headers, body, self._clock.timestamp(), sign)
                self._next_id += 1
                if fault and fault.action == "drop":
                    item.status, item.note = "dropped", "dropped by control API"
                elif fault and fault.action == "delay":
                    item.due += fault.seconds
                    item.note = f"delayed {fault.seconds:g}s by control API"
                elif fault and fault.action == "duplicate":
                    item.note = "duplicated by control API"
                self.items.append(item)
                if item.status == "queued":
                    self._waiting.append(item)
                queued.append(item)
            return queued

    def _take_fault(self, kind: str) -> NotificationFault | None:
        for fault in self.faults:
            if fault.remaining > 0 and fault.kind in (None, kind):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def flush(self) -> list[dict[str, Any]]:
        """Deliver every queued notification that is due now; report what each POST returned."""
        with self._lock:
            now = self._clock.timestamp()
            due = [n for n in self._waiting if n.status == "queued" and n.due <= now]
            self._waiting = [n for n in self._waiting if n.status == "queued" and n.due > now]
            for item in due:
                item.status = "delivering"
        return [self._deliver(item) for item in due]

    def _deliver(self, item: Notification) -> dict[str, Any]:
        headers = dict(item.headers)
        if item.sign is not None:
            headers.update(item.sign())
        attempt: dict[str, Any] = {"attempt": len(item.attempts) + 1, "at": self._clock.timestamp()}
        try:
            response = requests.post(item.url, data=item.body, headers=headers, timeout=DELIVERY_TIMEOUT)
            attempt["status"] = response.status_code
            ok = 200 <= response.status_code < 300
        except requests.RequestException as exc:
            attempt["status"] = None
            attempt["error"] = type(exc).__name__
            ok = False
        with self._lock:
            item.attempts.append(attempt)
            if ok:
                item.status = "delivered"
            elif len(item.attempts) >= MAX_ATTEMPTS:
                item.status = "failed"
            else:
                item.status = "queued"
                self._waiting.append(item)
                backoff = min(BACKOFF_CAP_SECONDS, BACKOFF_SECONDS * 2 ** (len(item.attempts) - 1))
                item.due = self._clock.timestamp() + backoff
            return {"id": item.id, "kind": item.kind, "url": item.url, "outcome": item.status, **attempt}

    def set_mode(self, mode: str, interval: float = 0.2) -> None:
        """"manual": only flush delivers; "auto": a background thread flushes every `interval` s."""
        if mode not in ("manual", "auto"):
            raise ValueError("mode must be 'manual' or 'auto'")
        with self._lock:
            self.mode = mode
            running = self._thread is not None and self._thread.is_alive()
        if mode == "auto" and not running:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, args=(interval,), name="emulator-google-outbox", daemon=True
            )
            self._thread.start()
        elif mode == "manual" and running:
            self._stop.set()
            assert self._thread is not None
            self._thread.join(timeout=DELIVERY_TIMEOUT + 1)

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.flush()
