"""The architecture, checked on the source: the three processes never import each other,
the shared floor imports nothing with I/O and no process, and no module loop exists
(function-local imports included). See CONTRIBUTING.md for what may import what."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .imports import ROOT, cycles, import_graph

PROCESSES = {"control_plane", "edge_gateway", "training"}
FLOOR = {"schemas", "loadstar_core"}
# what the floor may not use: anything that talks to a network, a database, S3, a GPU
# library, or runs an event loop
WITH_IO = {
    "asyncio", "anyio", "httpx", "requests", "urllib", "http", "socket", "ssl", "subprocess",
    "redis", "arq", "piccolo", "asyncpg", "minio", "litestar", "uvicorn", "websockets",
    "grpc", "tritonclient", "torch", "onnx", "onnxruntime", "pynvml", "psutil", "threading",
    "multiprocessing", "prometheus_client",
}  # fmt: skip
# who may import whom among the project's packages
ALLOWED = {
    "control_plane": {"control_plane", "triton_repo"} | FLOOR,
    "edge_gateway": {"edge_gateway", "triton_repo"} | FLOOR,
    "training": {"training"} | FLOOR,
    "triton_repo": {"triton_repo"} | FLOOR,
    "loadstar_core": FLOOR,
    "schemas": {"schemas"},
}

GRAPH = import_graph()


def violations(graph: dict[str, dict[str, int]]) -> list[str]:
    found = []
    for module, edges in sorted(graph.items()):
        package = module.split(".")[0]
        for name, line in edges.items():
            top = name.split(".")[0]
            where = f"{module}:{line} imports {name}"
            if top in ALLOWED and top not in ALLOWED[package]:
                found.append(where)
            elif package in FLOOR and top in WITH_IO:
                found.append(f"{where} (I/O in the shared floor)")
    return found


def test_processes_and_floor_import_only_what_they_may() -> None:
    assert violations(GRAPH) == []


def test_no_import_cycles_function_local_ones_included() -> None:
    assert cycles(GRAPH) == []


@pytest.mark.parametrize(
    ("module", "imported", "why"),
    [
        ("control_plane.features.analysis", "training.data", "process"),
        ("edge_gateway.app", "control_plane.settings", "process"),
        ("training.runner", "edge_gateway.errors", "process"),
        ("loadstar_core.features.align", "redis", "I/O"),
        ("schemas.contracts", "loadstar_core.postprocess", "floor"),
    ],
)
def test_a_forbidden_import_is_caught(module: str, imported: str, why: str) -> None:
    graph = {m: dict(edges) for m, edges in GRAPH.items()}
    graph[module][imported] = 1
    assert [v for v in violations(graph) if v.startswith(f"{module}:1 ")], why


def test_a_function_local_loop_is_caught() -> None:
    graph = {m: dict(edges) for m, edges in GRAPH.items()}
    graph["edge_gateway.detection"]["edge_gateway.dataplane"] = 99
    assert ["edge_gateway.dataplane", "edge_gateway.detection"] in cycles(graph)


@pytest.mark.parametrize("app", ["control_plane.app", "edge_gateway.app"])
def test_serving_processes_never_load_torch(app: str) -> None:
    code = f"import sys, {app}; assert 'torch' not in sys.modules, 'torch was imported'"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
