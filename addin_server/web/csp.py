"""Content-Security-Policy for the pages we render ourselves (the web app and the links' pages).

Scripts and styles come from our own /static only (no inline code on these pages), plus exactly
what the sign-in page loads: Google Identity Services and MSAL.js from their CDNs, which talk to
Google's and the configured Microsoft authority. Nothing may frame these pages.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from addin_server.config import Settings

GOOGLE_GSI = "https://accounts.google.com/gsi/"
MSAL_CDN = "https://alcdn.msauth.net"
MICROSOFT_LOGIN = "https://login.microsoftonline.com"

# The pages behind the links in sequence emails: a form to our own origin and our stylesheet.
LINK_PAGES = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
              "frame-ancestors 'none'; base-uri 'none'")

# The Outlook task pane, its function file and sign-in pages: Office.js's needs are undocumented
# (scripts from several Microsoft CDNs, inline styles, frames by many Outlook hosts), so only the
# directives that cannot break it.
OUTLOOK_PAGES = "object-src 'none'; base-uri 'none'"


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def app_pages_policy(settings: Settings) -> str:
    """The web app's policy; the Microsoft authority is the configured one (the emulator in tests)."""
    microsoft = sorted({o for o in (MICROSOFT_LOGIN, _origin(settings.ms_authority)) if o})
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", GOOGLE_GSI + "client", MSAL_CDN],
        "style-src": ["'self'", GOOGLE_GSI + "style"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'", GOOGLE_GSI, *microsoft],
        "frame-src": [GOOGLE_GSI],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())
