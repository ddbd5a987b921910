"""The build: pyproject.toml holds the metadata; this puts the run-time folders into the wheel.

static/, cards/ and manifests/ sit at the top of the checkout and the app reads them at run time, so
the wheel carries a copy of each inside the package (addin_server/_assets/, found by
addin_server/assets.py). An editable install reads the checkout's own folders instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# Keep in step with addin_server/assets.py FOLDERS.
ASSET_FOLDERS = ("static", "cards", "manifests")


class BuildWithAssets(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        bundled = Path(self.build_lib, "addin_server", "_assets")
        shutil.rmtree(bundled, ignore_errors=True)  # nothing left over from an earlier build
        for name in ASSET_FOLDERS:
            if not (ROOT / name).is_dir():
                # A wheel without them installs, then fails at boot: refuse to build it.
                raise SystemExit(f"setup.py: {ROOT / name} is missing; the wheel would not serve")
            shutil.copytree(ROOT / name, bundled / name, ignore=shutil.ignore_patterns("__pycache__", ".*"))


setup(cmdclass={"build_py": BuildWithAssets})
