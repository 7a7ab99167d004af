"""`/api/system/logs?type=&limit=`: every service's lines as `[{time, level, msg}]`."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "control_plane.log").write_text(
        "2026-12-01T10:00:01Z INFO control plane started\n"
        "2026-12-01T10:00:03Z ERROR dataset ds-1 failed to parse\n"
        "  a traceback line without a time\n"
        "2026-12-01T10:00:05Z INFO GET /api/datasets 200\n"
    )
    (logs / "worker.log").write_text(
        "2026-12-01 10:00:02,100 INFO job job-1 started\n"
        "2026-12-01 10:00:04,200 WARNING job job-1 slow epoch\n"
    )
    (logs / "edge_gateway.log").write_text("2026-12-01T10:00:06Z INFO predict 200\n")
    monkeypatch.setenv("LOADSTAR_RUN_DIR", str(tmp_path))
    return tmp_path


async def get(client, headers, **params):  # type: ignore[no-untyped-def]
    resp = await client.get("/api/system/logs", params=params, headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_every_service_merged_by_time(cp_client, admin_headers, run_dir) -> None:
    lines = await get(cp_client, admin_headers)
    assert len(lines) == 7
    assert [line["service"] for line in lines] == [
        "control_plane",
        "worker",
        "control_plane",
        "control_plane",
        "worker",
        "control_plane",
        "edge_gateway",
    ]
    assert set(lines[0]) == {"time", "level", "msg", "service"}
    assert lines[3] == {
        "time": None,
        "level": None,
        "msg": "  a traceback line without a time",
        "service": "control_plane",
    }


async def test_type_and_limit_filter(cp_client, admin_headers, run_dir) -> None:
    backend = await get(cp_client, admin_headers, type="backend", limit=2)
    assert [line["msg"] for line in backend] == [
        "  a traceback line without a time",
        "2026-12-01T10:00:05Z INFO GET /api/datasets 200",
    ]
    worker = await get(cp_client, admin_headers, type="worker", limit=100)
    assert [line["level"] for line in worker] == ["INFO", "WARNING"]
    assert {line["service"] for line in worker} == {"worker"}
    one = await get(cp_client, admin_headers, type="edge_gateway", limit=1)
    assert [line["msg"] for line in one] == ["2026-12-01T10:00:06Z INFO predict 200"]
    found = await get(cp_client, admin_headers, q="JOB-1")
    assert [line["service"] for line in found] == ["worker", "worker"]
    warned = await get(cp_client, admin_headers, level="warning")
    assert [line["level"] for line in warned] == ["ERROR", "WARNING"]


@pytest.mark.parametrize(
    "params", [{"type": "nothing"}, {"type": "../etc"}, {"limit": 0}, {"level": "LOUD"}]
)
async def test_bad_filters_are_refused(cp_client, admin_headers, run_dir, params) -> None:
    resp = await cp_client.get("/api/system/logs", params=params, headers=admin_headers)
    assert resp.status_code == 400 and resp.json()["code"] == "INVALID_INPUT", resp.text
