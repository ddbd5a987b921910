"""Settings for running the app under plain gunicorn (App Engine's entrypoint, "any WSGI host"):

    gunicorn -c python:addin_server.gunicorn_conf --bind :8000 addin_server.wsgi:app

gunicorn's default control socket is one path per user, so a second server on the machine would
take over the first one's: each server gets its own, named after its master process. The access
log leaves capability tokens out, as `addin-server serve`'s does.
"""

from __future__ import annotations

import os

from addin_server.cli import control_socket_path

control_socket = control_socket_path("gunicorn", 0, os.getpid())
logger_class = "addin_server.cli.RedactingAccessLog"
accesslog = "-"
