"""The product's wheel holds addin_server alone: the emulator stays in the checkout."""

from __future__ import annotations

import warnings
from pathlib import Path

from setuptools.config.pyprojecttoml import apply_configuration
from setuptools.dist import Distribution

REPO = Path(__file__).resolve().parents[2]


def _packages_in_the_wheel() -> list[str]:
    """The packages setuptools packs from pyproject.toml, found as a wheel build finds them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # older setuptools calls [tool.setuptools] "beta"
        dist = apply_configuration(Distribution(), REPO / "pyproject.toml")
    return sorted(dist.packages or [])


def test_the_wheel_holds_the_product() -> None:
    packages = _packages_in_the_wheel()
    assert {"addin_server", "addin_server.services", "addin_server.web", "addin_server.db"} <= set(packages)


def test_the_wheel_leaves_the_emulator_out() -> None:
    assert [name for name in _packages_in_the_wheel() if not name.startswith("addin_server")] == []
    assert not (REPO / "addin_server" / "emulator").exists()


def test_the_emulator_is_a_package_beside_the_product() -> None:
    import addin_emulator

    assert Path(addin_emulator.__file__).resolve().parent == REPO / "addin_emulator"
