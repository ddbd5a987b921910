"""Blueprints: the JSON API, the add-in surfaces, the web app and public pages."""
