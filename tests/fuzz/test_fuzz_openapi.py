"""Both OpenAPI documents fuzzed by schemathesis against the running services: no server
error, every status code and body as documented, 405 with `Allow` for undeclared methods.

Bounded here (a fixed seed, a few examples per operation); `make fuzz` runs many more.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from control_plane.settings import Settings
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

# The WebSocket upgrades are not JSON operations. The routes that end sessions or count
# failed sign-ins are left to their own tests (test_admin_auth.py): fuzzed, they would
# revoke the token the fuzzer uses (logout, a password or role change) or lock the test
# address out of signing in, and every later operation would only see 401.
_NOT_FUZZED = (
    "^/ws/",
    "^/api/auth/(login|logout|password)$",
    "^/api/auth/users/[^/]+(/password)?$",
)


def _verdict(proc_output: str, rc: int) -> None:
    assert rc == 0, proc_output[-12000:]


def _no_secret_in(log: Path, secrets: dict[str, str], min_chars: int = 1000) -> None:
    """A run's log names no secret: not the JWT secret, a token or a password."""
    text = log.read_text(errors="replace")
    assert len(text) >= min_chars, "the log should hold the run's requests"
    leaked = [name for name, value in secrets.items() if value and value in text]
    assert not leaked, f"{leaked} found in {log}"


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
    settings = Settings.from_env(isolated.env)
    _no_secret_in(
        isolated.logs / "cp.log",
        {
            "JWT secret": settings.jwt_secret,
            "admin password": settings.admin_password,
            "admin token": token,
            "gateway sync token": settings.gateway_sync_token,
            "S3 secret key": settings.s3_secret_key,
        },
    )


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
    # the gateway logs warnings only: what it wrote must still name no token
    _no_secret_in(tmp_path / "gateway.log", {"deployment token": tenants["a"].token}, 0)
