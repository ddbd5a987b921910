"""The web app for signed-in reps (/app/...): contact record, sequences and their tabs, settings.

Server-rendered pages (Jinja2) with a little vanilla JS (static/app/app.js). Routes stay thin:
check the session and the CSRF token, parse the form, call one service function, redirect with a
message. Permissions are decided by the services, so a forged form gets 403 like the API would.

frame.py holds the blueprint and what every page shares; one module per part of the app adds its
pages to it. Importing the package registers them all.
"""

from __future__ import annotations

from addin_server.web.app_pages import (  # noqa: F401 - imported for their pages
    contacts,
    organisation,
    people,
    sequences,
    settings,
    sign_in,
    webhooks,
)
from addin_server.web.app_pages.frame import SIGN_IN_CHOICES, bp, csrf_error_page, http_error_page, page_headers
from addin_server.web.app_pages.sign_in import SignInRefused, sign_in_refused_page, signed_in

__all__ = ["SIGN_IN_CHOICES", "SignInRefused", "bp", "csrf_error_page", "http_error_page", "page_headers",
           "sign_in_refused_page", "signed_in"]
