"""The home dashboard, the lineage graph from a dataset, the log viewer and the manual, in
Chromium and (where Debian's firefox-esr is installed) Firefox: `node web/e2e/home.e2e.mjs`.
Screenshots of each page go to tests/e2e/screenshots/."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_console import BASE_URL, CHROMIUM, WEB, stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
__all__ = ["stack"]  # the fixture, shared with the console test


def test_home_lineage_logs_and_manual(stack: str) -> None:
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
        ["node", str(WEB / "e2e" / "home.e2e.mjs")],
        env={**os.environ, "LOADSTAR_BASE_URL": stack or BASE_URL},
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(result.stdout[-8000:])
    print(result.stderr[-4000:])
    assert result.returncode == 0, "home e2e failed: see the steps and tests/e2e/screenshots/"
    assert '"browser": "chromium"' in result.stdout and '"ok": true' in result.stdout
