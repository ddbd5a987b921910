"""Provider callbacks: verify, persist, acknowledge fast. The worker does the work."""

from __future__ import annotations

from flask import Flask


def register_webhooks(app: Flask) -> None:
    from addin_server.webhooks import gmail_push, google_calendar, graph

    app.register_blueprint(gmail_push.bp)
    app.register_blueprint(graph.bp)
    app.register_blueprint(google_calendar.bp)
