"""Blueprints: the JSON API, the add-in surfaces, the web app and public pages; the demo's pages in demo mode."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Every surface the web app serves. One line per blueprint module."""
    from addin_server.web import api, app_pages, gmail_addon, links, outlook, public

    app.register_blueprint(api.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(app_pages.bp)
    app.register_blueprint(outlook.bp)
    app.register_blueprint(gmail_addon.bp)
    app.register_blueprint(links.bp)
    if app.extensions["settings"].demo_mode:
        # Decided once, here: outside demo mode the demo's addresses are the app's ordinary 404s.
        from addin_server.web import demo

        demo.register_demo(app)
