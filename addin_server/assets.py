"""Where the folders the app reads at run time are: static/, cards/ and manifests/.

In a checkout (and an editable install) they sit at the top of the tree, beside the package (the
layout of DESIGN.md). The product's wheel has nothing beside the package it may call its own, so the
build (setup.py) copies them into the package, under _assets/; that copy wins when it is there.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
BUNDLED = PACKAGE / "_assets"
FOLDERS = ("static", "cards", "manifests")


def folder(name: str) -> Path:
    """The folder `name` (one of FOLDERS) of this install: the wheel's copy, else the checkout's."""
    bundled = BUNDLED / name
    return bundled if bundled.is_dir() else PACKAGE.parent / name


STATIC = folder("static")
CARDS = folder("cards")
MANIFESTS = folder("manifests")
