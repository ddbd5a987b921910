"""Settings for running the app under plain gunicorn (App Engine's entrypoint, "any WSGI host"):

    gunicorn -c python:addin_server.gunicorn_conf --bind :8000 addin_server.wsgi:app

gunicorn's default control socket is one path per user, so a second server on the machine would
take over the first one's: each server gets its own, named after its master process. The access
log leaves capability tokens out, as `addin-server serve`'s does, and gunicorn's own lines follow
LOG_LEVEL.
"""

from __future__ import annotations

import os

from addin_server.cli import control_socket_path, gunicorn_log_level

control_socket = control_socket_path("gunicorn", 0, os.getpid())
logger_class = "addin_server.cli.RedactingAccessLog"
accesslog = "-"
# gunicorn's own lines at LOG_LEVEL, like the app's (wsgi.py); a --log-level given to gunicorn still wins.
loglevel = gunicorn_log_level(os.environ.get("LOG_LEVEL", "INFO"))
