"""The WSGI entry point for gunicorn and App Engine: `gunicorn addin_server.wsgi:app`."""

from __future__ import annotations

import gc

from addin_server import configure_logging, create_app
from addin_server.config import Settings

settings = Settings.from_env()
# gunicorn configures only its own loggers: without this the app's INFO lines (the Gmail add-on's
# audiences, the worker's progress) would be dropped, as the root logger stays at WARNING.
configure_logging(settings.log_level)
app = create_app(settings)
# What is loaded by now (modules, routes, models, compiled statements) lives as long as the process.
# Frozen, it is left out of the collector's full passes, which would otherwise walk all of it in the
# middle of some request (tens of milliseconds on the request path, seen in the p99).
gc.collect()
gc.freeze()
