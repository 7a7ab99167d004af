"""System stats (HTTP and the 1 Hz WebSocket) and log tails, on the real app."""

from __future__ import annotations

import time
from pathlib import Path

import psutil
import pytest
from litestar.exceptions import WebSocketDisconnect

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


def check_stats(stats: dict) -> None:  # type: ignore[type-arg]
    assert stats["cpu"]["logicalCores"] == psutil.cpu_count()
    assert (
        0 <= stats["cpu"]["percent"] <= 100 and len(stats["cpu"]["perCore"]) == psutil.cpu_count()
    )
    assert stats["memory"]["totalBytes"] == psutil.virtual_memory().total
    assert 0 < stats["disk"]["percent"] < 100
    if stats["gpuAvailable"]:
        gpu = stats["gpus"][0]
        assert gpu["memoryTotalBytes"] > 0 and 0 <= gpu["utilization"] <= 100 and gpu["name"]
        assert stats["summary"]["vramTotalGb"] > 0 and "gpuMessage" not in stats
    else:
        assert stats["gpus"] == [] and stats["gpuMessage"].startswith(
            "no NVIDIA GPU on this host ("
        )
        assert "gpuUtil" not in stats["summary"]


async def test_stats_report_this_host(cp_client, viewer_headers) -> None:
    resp = await cp_client.get("/api/system/stats", headers=viewer_headers)
    assert resp.status_code == 200, resp.text
    check_stats(resp.json())


async def test_stats_need_a_token(cp_client) -> None:
    resp = await cp_client.get("/api/system/stats")
    assert resp.status_code == 401 and resp.json()["code"] == "UNAUTHORIZED"


async def test_socket_streams_stats_once_a_second(cp_client, admin_headers) -> None:
    token = admin_headers["Authorization"].split()[1]
    ws = await cp_client.websocket_connect(f"/ws/system?token={token}")
    with ws:
        ws.receive_json(timeout=10)  # the first snapshot also warms the probe up: slower
        first = ws.receive_json(timeout=10)
        started = time.monotonic()
        second = ws.receive_json(timeout=10)
        elapsed = time.monotonic() - started
    assert first["type"] == second["type"] == "system_stats"
    check_stats(second["data"])
    assert second["data"]["timestamp"] > first["data"]["timestamp"]
    # About a second apart in steady state: never flooding; the upper bound is loose, since
    # on two busy cores the host probe itself can take seconds (timing belongs in benchmarks)
    assert 0.5 < elapsed < 8.0


@pytest.mark.parametrize("query", ["", "?token=not-a-jwt"])
async def test_socket_refuses_a_missing_or_bad_token(cp_client, query: str) -> None:
    ws = await cp_client.websocket_connect(f"/ws/system{query}")
    with ws:
        error = ws.receive_json(timeout=10, mode="binary")
        assert error["code"] == "UNAUTHORIZED" and {"code", "message"} <= set(error)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive(timeout=10)
    assert closed.value.code == 4401


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    logs = tmp_path / "logs"
    logs.mkdir()
    lines = [f'INFO:     127.0.0.1:5000 - "GET /x/{i} HTTP/1.1" 200 OK' for i in range(5000)]
    lines += [
        "2026-11-23 19:21:58,684 WARNING loadstar.worker - slow epoch",
        "ERROR - 2026-11-23T19:22:00Z - loadstar - boom",
        "plain line without level",
    ]
    (logs / "worker.log").write_text("\n".join(lines) + "\n")
    (logs / "triton.log").write_text("")
    monkeypatch.setenv("LOADSTAR_RUN_DIR", str(tmp_path))
    return tmp_path


async def test_logs_tail_the_service_log(cp_client, admin_headers, run_dir: Path) -> None:
    resp = await cp_client.get(
        "/api/system/logs", params={"service": "worker", "lines": 4}, headers=admin_headers
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["service"] == "worker" and body["available"] == ["triton", "worker"]
    assert body["lines"][0]["msg"].endswith('"GET /x/4999 HTTP/1.1" 200 OK')
    assert [line.get("level") for line in body["lines"]] == ["INFO", "WARNING", "ERROR", None]
    assert body["lines"][1]["time"] == "2026-11-23 19:21:58.684"
    assert body["lines"][2]["time"] == "2026-11-23T19:22:00Z"
    many = (
        await cp_client.get(
            "/api/system/logs", params={"service": "worker", "lines": 3000}, headers=admin_headers
        )
    ).json()
    assert len(many["lines"]) == 3000 and many["lines"][0]["msg"].endswith(
        '/x/2003 HTTP/1.1" 200 OK'
    )
    empty = (
        await cp_client.get("/api/system/logs", params={"service": "triton"}, headers=admin_headers)
    ).json()
    assert empty["lines"] == []


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"service": "nope"}, 404, "NOT_FOUND"),
        ({"service": "../../etc/passwd"}, 400, "INVALID_INPUT"),
        ({"service": "worker", "lines": 0}, 400, "INVALID_INPUT"),
    ],
)
async def test_logs_refuse_unknown_or_unsafe_names(
    cp_client, admin_headers, run_dir, params, status, code
) -> None:
    resp = await cp_client.get("/api/system/logs", params=params, headers=admin_headers)
    assert resp.status_code == status and resp.json()["code"] == code
    if status == 404:
        assert resp.json()["details"]["available"] == ["triton", "worker"]
