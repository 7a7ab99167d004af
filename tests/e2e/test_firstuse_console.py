"""What a first-time user meets, in the console in headless Chromium (`npm --prefix web run
e2e:firstuse`): a ;-separated CSV with decimal commas through the import dialog, `bananas`
refused, a bad lag named, the unsaved-changes guard, one Production version, an older
version deployed, a Chinese suggestion reason, a Chinese model-card heading and log line,
autocorrelation labels measured apart on a desktop and a phone, and three phone pages
without sideways overflow. Screenshots go to tests/e2e/screenshots/firstuse-*.png.
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


def test_first_use_end_to_end(stack: str) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)")
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    if not (WEB / "node_modules" / "playwright-core").exists():
        subprocess.run([npm, "--prefix", str(WEB), "ci", "--no-audit", "--no-fund"], check=True)
    subprocess.run([npm, "--prefix", str(WEB), "run", "build"], check=True, capture_output=True)
    result = subprocess.run(
        [npm, "--prefix", str(WEB), "run", "e2e:firstuse"],
        env={**os.environ, "LOADSTAR_BASE_URL": stack},
        capture_output=True,
        text=True,
        timeout=1200,
    )
    print(result.stdout[-8000:])
    print(result.stderr[-4000:])
    assert result.returncode == 0, "first-use e2e failed: see the steps and the screenshots"
