"""The app the benchmarks serve: the production entry point plus a bare route to compare with."""

from __future__ import annotations

from flask import jsonify

from addin_server.wsgi import app


@app.get("/bench/bare")
def bare():  # type: ignore[no-untyped-def]
    return jsonify({"ok": True})
