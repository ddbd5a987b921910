"""The WSGI entry point for gunicorn and App Engine: `gunicorn addin_server.wsgi:app`."""

from __future__ import annotations

import gc

from addin_server import create_app

app = create_app()
# What is loaded by now (modules, routes, models, compiled statements) lives as long as the process.
# Frozen, it is left out of the collector's full passes, which would otherwise walk all of it in the
# middle of some request (tens of milliseconds on the request path, seen in the p99).
gc.collect()
gc.freeze()
