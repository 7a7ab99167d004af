"""The Notebooks pages in headless Chromium against the running stack
(`node web/e2e/notebooks.e2e.mjs`): create a notebook, run a cell, see its output."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_console import stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
__all__ = ["stack"]

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def test_a_cell_runs_in_the_console(stack: str) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)")
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node is not installed")
    if not (WEB / "node_modules" / "playwright-core").exists():
        subprocess.run([npm, "--prefix", str(WEB), "ci", "--no-audit", "--no-fund"], check=True)
    if not (WEB / "dist" / "index.html").exists():
        subprocess.run([npm, "--prefix", str(WEB), "run", "build"], check=True)
    result = subprocess.run(
        [node, str(WEB / "e2e" / "notebooks.e2e.mjs")],
        env={**os.environ, "LOADSTAR_BASE_URL": stack},
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(result.stdout[-8000:])
    print(result.stderr[-4000:])
    assert result.returncode == 0, "notebooks e2e failed: see the steps and tests/e2e/screenshots/"
