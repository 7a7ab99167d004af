"""The model lab in headless Chromium against the running stack (`npm --prefix web run e2e:lab`).

Draws a small architecture (a refused mismatch, then a saved graph), builds and previews an
augmentation, trains the architecture with it beside a linear run in the stack's worker,
and compares the two; screenshots go to tests/e2e/screenshots/lab-*.png.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_console import CHROMIUM, WEB, stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

__all__ = ["stack"]


def test_lab_console_end_to_end(stack: str) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)")
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    if not (WEB / "node_modules" / "playwright-core").exists():
        subprocess.run([npm, "--prefix", str(WEB), "ci", "--no-audit", "--no-fund"], check=True)
    if not (WEB / "dist" / "index.html").exists():
        subprocess.run([npm, "--prefix", str(WEB), "run", "build"], check=True)
    result = subprocess.run(
        [npm, "--prefix", str(WEB), "run", "e2e:lab"],
        env={**os.environ, "LOADSTAR_BASE_URL": stack},
        capture_output=True,
        text=True,
        timeout=1500,
    )
    print(result.stdout[-8000:])
    print(result.stderr[-4000:])
    assert result.returncode == 0, "lab e2e failed: see the steps and tests/e2e/screenshots/"
