"""Blueprints: the JSON API, the add-in surfaces, the web app and public pages."""

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
