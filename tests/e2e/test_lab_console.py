"""The model lab in headless Chromium against the running stack (`npm --prefix web run e2e:lab`).

Draws a small architecture (a refused mismatch, then a saved graph), builds and previews an
augmentation, trains the architecture with it beside a linear run in the stack's worker,
and compares the two; screenshots go to tests/e2e/screenshots/lab-*.png.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"
BASE_URL = os.environ.get("LOADSTAR_BASE_URL", "http://127.0.0.1:8080")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
STACK = ["postgres", "redis", "s3", "triton", "control_plane", "worker", "edge_gateway"]


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=3) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="module")
def stack(test_state: None) -> Iterator[str]:
    """The running stack; the local one is started (and stopped after) when it is down."""
    started: list[str] = []
    if not _ready(BASE_URL) and "LOADSTAR_BASE_URL" not in os.environ:
        from infra.local import stack as local

        started = local.ensure(STACK)
    assert _ready(BASE_URL), f"the control plane at {BASE_URL} is not ready"
    yield BASE_URL
    if started:
        from infra.local import stack as local

        local.down(started)


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
