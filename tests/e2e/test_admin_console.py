"""The administrator's desk in headless Chromium against the running stack
(`node web/e2e/admin.e2e.mjs`): create a user, change a role, a quality report with a
failed rule and its time range, the seed-003 training call, a deployment's API key created
and revoked (the gateway then refuses it), a model described, tagged, a version and the
model deleted, sign out with the old token refused afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_console import BASE_URL, CHROMIUM, WEB, stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

__all__ = ["stack"]


def test_admin_console_end_to_end(stack: str) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)")
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.skip("node and npm are needed")
    if not (WEB / "node_modules" / "playwright-core").exists():
        subprocess.run([npm, "--prefix", str(WEB), "ci", "--no-audit", "--no-fund"], check=True)
    if not (WEB / "dist" / "index.html").exists():
        subprocess.run([npm, "--prefix", str(WEB), "run", "build"], check=True)
    result = subprocess.run(
        [node, str(WEB / "e2e" / "admin.e2e.mjs")],
        env={**os.environ, "LOADSTAR_BASE_URL": stack or BASE_URL},
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(result.stdout[-8000:])
    print(result.stderr[-4000:])
    assert result.returncode == 0, "admin e2e failed: see the steps and tests/e2e/screenshots/"
