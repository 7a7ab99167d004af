"""Both OpenAPI documents fuzzed by schemathesis against the running services: no server
error, every status code and body as documented, 405 with `Allow` for undeclared methods.

Bounded here (a fixed seed, a few examples per operation); `make fuzz` runs many more.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.runner import fuzz
from tests.integration import test_gateway_support as support
from tests.integration.isolated_stack import Isolated, isolated
from tests.integration.test_gateway_process import gateway_process, process_env
from tests.integration.test_gateway_support import Tenant

pytestmark = [pytest.mark.anyio, pytest.mark.integration, pytest.mark.slow]

models = support.models
tenants = support.tenants
state_file = support.state_file
__all__ = ["isolated"]

# the console's static files and the WebSocket upgrades are not JSON operations
_NOT_FUZZED = ("^/ws/",)


def _verdict(proc_output: str, rc: int) -> None:
    assert rc == 0, proc_output[-12000:]


async def test_control_plane_document_holds_under_fuzzing(
    isolated: Isolated, tmp_path: Path
) -> None:
    token = isolated.admin["Authorization"].split()[1]
    proc = fuzz(
        f"{isolated.url}/schema/openapi.json",
        token=token,
        report=tmp_path / "control-plane.txt",
        exclude=_NOT_FUZZED,
    )
    _verdict(proc.stdout + proc.stderr, proc.returncode)


def test_gateway_document_holds_under_fuzzing(
    state_file: Path, tenants: dict[str, Tenant], tmp_path: Path
) -> None:
    with gateway_process(process_env(state_file), tmp_path / "gateway.log") as gateway:
        proc = fuzz(
            f"{gateway.url}/schema/openapi.json",
            token=tenants["a"].token,
            report=tmp_path / "gateway.txt",
            exclude=_NOT_FUZZED,
        )
    _verdict(proc.stdout + proc.stderr, proc.returncode)
