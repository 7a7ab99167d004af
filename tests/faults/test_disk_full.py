"""A full disk under what the services write, made real without root: the kernel's
file-size limit (RLIMIT_FSIZE) on the running process makes every write past the limit
fail with EFBIG, exactly where a full disk fails with ENOSPC, and raising the limit again
is the disk getting space back. (A size-limited tmpfs or a quota needs root; this needs
only the process's own uid.)

- An upload to a control plane whose temporary folder cannot be written is answered 503
  SERVICE_UNAVAILABLE naming the disk, and leaves no dataset, no temporary file and no
  object; the same upload works once space is back.
- A gateway whose spool cannot be written keeps answering predictions, writes no partial
  batch file, keeps the records in memory, and spools every one of them once space is back.
"""

from __future__ import annotations

import asyncio
import io
import os
import resource
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from tests.conftest import login
from tests.integration import test_gateway_support as support
from tests.integration.flow_support import until
from tests.integration.isolated_stack import end
from tests.integration.test_gateway_process import gateway_process, process_env
from tests.integration.test_gateway_support import ROOT, Tenant, free_port, hourly_rows

pytestmark = [pytest.mark.anyio, pytest.mark.integration, pytest.mark.slow]

models = support.models
tenants = support.tenants
state_file = support.state_file
FULL = (1, resource.RLIM_INFINITY)  # a write past the first byte of any file fails
SPACE = (resource.RLIM_INFINITY, resource.RLIM_INFINITY)


def csv_bytes(rows: int) -> bytes:
    lines = ["timestamp,load"]
    lines += [
        f"2024-01-{1 + i // 24 % 28:02d}T{i % 24:02d}:00:00Z,{100 + i % 17}" for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
async def control_plane(
    services: None, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, subprocess.Popen[bytes], Path]]:
    """A control plane whose temporary folder is its own (to look into), output dropped:
    its own log file would hit the limit too."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "LOADSTAR_NAMESPACE": f"fault-{uuid.uuid4().hex[:8]}"}
    port = free_port()
    argv = [str(ROOT / ".venv" / "bin" / "uvicorn"), "control_plane.app:app", "--port", str(port)]
    proc = subprocess.Popen(  # noqa: ASYNC220 - started once, not awaited
        argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:

            async def up() -> bool:
                assert proc.poll() is None, "the control plane exited at start-up"
                try:
                    return (await client.get("/readyz")).status_code == 200
                except httpx.TransportError:
                    return False

            await until(up, seconds=90)
            yield client, proc, temp
    finally:
        end(proc, graceful=True)


async def test_an_upload_onto_a_full_disk_is_refused_cleanly_and_works_after(
    control_plane: tuple[httpx.AsyncClient, subprocess.Popen[bytes], Path],
) -> None:
    client, proc, temp = control_plane
    headers = await login(client)
    name = f"full-disk-{uuid.uuid4().hex[:6]}"

    async def upload() -> httpx.Response:
        files = {"file": ("load.csv", io.BytesIO(csv_bytes(3000)), "text/csv")}
        return await client.post("/api/datasets", files=files, data={"name": name}, headers=headers)

    resource.prlimit(proc.pid, resource.RLIMIT_FSIZE, FULL)
    refused = await upload()
    assert refused.status_code == 503, refused.text
    body = refused.json()
    assert body["code"] == "SERVICE_UNAVAILABLE" and body["details"]["service"] == "disk", body
    assert not list(temp.glob("loadstar-ingest-*")), list(temp.iterdir())  # none left behind
    listed = await client.get("/api/datasets", params={"pageSize": 100}, headers=headers)
    assert name not in {d["name"] for d in listed.json()["items"]}  # no dataset record

    resource.prlimit(proc.pid, resource.RLIMIT_FSIZE, SPACE)
    stored = await upload()
    assert stored.status_code == 201, stored.text
    assert stored.json()["name"] == name and stored.json()["rows"] == 3000


def _spooled(spool: Path) -> list[dict[str, Any]]:
    return [msgspec.json.decode(p.read_bytes()) for p in sorted(spool.glob("*.json"))]


async def test_a_gateway_spool_on_a_full_disk_loses_no_record(
    state_file: Path, tenants: dict[str, Tenant], tmp_path: Path
) -> None:
    spool = state_file.parent / "spool"
    env = {
        **process_env(state_file),
        "LOADSTAR_GATEWAY_RECORD": "true",
        "LOADSTAR_ENV": "development",
    }
    sent = 12
    with gateway_process(env, tmp_path / "gateway.log") as gateway:
        resource.prlimit(gateway.proc.pid, resource.RLIMIT_FSIZE, FULL)
        async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as client:
            for i in range(sent):
                resp = await client.post(
                    "/api/inference/predict",
                    json={"series": hourly_rows(30, base=100.0 + i)},
                    headers=tenants["a"].headers,
                )
                assert resp.status_code == 200, resp.text  # recording is off the answer's path
            await asyncio.sleep(3)  # three flushes meet the full disk
            leftovers = [p.name for p in spool.glob("*")] if spool.exists() else []
            assert not [n for n in leftovers if n.endswith(".json") or n.startswith(".batch-")]

            resource.prlimit(gateway.proc.pid, resource.RLIMIT_FSIZE, SPACE)

            async def all_spooled() -> list[dict[str, Any]] | None:
                batches = _spooled(spool) if spool.exists() else []
                count = sum(len(b.get("forecasts", [])) for b in batches)
                return batches if count >= sent else None

            batches = await until(all_spooled, seconds=30, every=0.5)
    forecasts = [f for b in batches for f in b.get("forecasts", [])]
    assert len(forecasts) == sent  # every answer recorded once, none twice
    assert not list(spool.glob(".batch-*"))
    shutil.rmtree(spool, ignore_errors=True)
