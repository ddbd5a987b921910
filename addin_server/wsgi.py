"""The WSGI entry point for gunicorn and App Engine: `gunicorn addin_server.wsgi:app`."""

from __future__ import annotations

from addin_server import create_app

app = create_app()
