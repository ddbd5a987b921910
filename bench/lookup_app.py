"""The app the lookup benchmark serves: the real app plus a bare route to compare with."""

from __future__ import annotations

from flask import jsonify

from addin_server import create_app

app = create_app()


@app.get("/bench/bare")
def bare():  # type: ignore[no-untyped-def]
    return jsonify({"ok": True})
