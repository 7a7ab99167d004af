"""A real small ONNX forecaster on the real Triton, and deployment snapshots that serve it.

The model's answer is easy to predict: every quantile is the last value of the target
input plus a fixed offset per quantile (p05 -5, p50 0, p95 +5 kW), growing 10% per step.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from edge_gateway.settings import GatewaySettings
from schemas.contracts import ContractInput, ContractMeta, ContractTarget, DeploymentContract
from schemas.gateway import GatewayDeployment, GatewaySnapshot

ROOT = Path(__file__).resolve().parents[2]
REPO_DIR = Path(os.environ.get("TRITON_REPO_DIR", ROOT / "triton_repo" / "models"))
LOOKBACK, HORIZON = 24, 6
QUANTILES = [0.05, 0.5, 0.95]
Q_OFFSETS = np.array([-5.0, 0.0, 5.0], dtype=np.float32)


def offsets() -> np.ndarray:
    """[H, Q] what the model adds to the last target value."""
    growth = 1.0 + 0.1 * np.arange(HORIZON, dtype=np.float32)
    return (growth[:, None] * Q_OFFSETS[None, :]).astype(np.float32)


def forecaster_onnx(lookback: int = LOOKBACK, n_inputs: int = 3, calendar: bool = False) -> bytes:
    """quantiles[b, h, q] = window[b, -1, 0] + offsets[h, q]  (+ 0 x mean(calendar))."""
    window = helper.make_tensor_value_info(
        "window", TensorProto.FLOAT, ["batch", lookback, n_inputs]
    )
    out = helper.make_tensor_value_info("quantiles", TensorProto.FLOAT, ["batch", HORIZON, 3])
    inits = [
        numpy_helper.from_array(offsets()[None], "offsets"),
        numpy_helper.from_array(np.array([lookback - 1, 0], dtype=np.int64), "starts"),
        numpy_helper.from_array(np.array([lookback, 1], dtype=np.int64), "ends"),
        numpy_helper.from_array(np.array([1, 2], dtype=np.int64), "axes"),
    ]
    nodes = [
        helper.make_node("Slice", ["window", "starts", "ends", "axes"], ["last"]),
        helper.make_node("Add", ["last", "offsets"], ["base"]),
    ]
    inputs = [window]
    if calendar:
        inputs.append(
            helper.make_tensor_value_info(
                "calendar", TensorProto.FLOAT, ["batch", lookback + HORIZON, 2]
            )
        )
        inits.append(numpy_helper.from_array(np.zeros((), dtype=np.float32), "zero"))
        nodes += [
            helper.make_node("ReduceMean", ["calendar"], ["cal_mean"], keepdims=1),
            helper.make_node("Mul", ["cal_mean", "zero"], ["cal_zero"]),
            helper.make_node("Add", ["base", "cal_zero"], ["quantiles"]),
        ]
    else:
        nodes.append(helper.make_node("Identity", ["base"], ["quantiles"]))
    graph = helper.make_graph(nodes, "forecaster", inputs, [out], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    data: bytes = model.SerializeToString()
    return data


@dataclass
class Published:
    name: str
    version: int
    calendar: bool


def publish(repo_dir: Path, calendar: bool = False) -> Published:
    from triton_repo.publisher import TritonPublisher
    from triton_repo.signature import ModelSignature

    name = f"gw_test_{uuid.uuid4().hex[:8]}"
    data = forecaster_onnx(calendar=calendar)
    TritonPublisher(repo_dir, "cpu").publish(name, 1, data, ModelSignature.from_onnx(data))
    return Published(name, 1, calendar)


def contract(
    deployment_id: str, asset_id: str | None, calendar: bool = False
) -> DeploymentContract:
    return DeploymentContract(
        deploymentId=deployment_id,
        modelId="line-load",
        version=1,
        frequency="1h",
        lookback=LOOKBACK,
        horizon=HORIZON,
        quantiles=QUANTILES,
        inputs=[
            ContractInput(name="load", source="value", unit="kW"),
            ContractInput(name="temp", source="temp", unit="degC"),
            ContractInput(name="production", source="production", unit="1", required=False),
        ],
        target=ContractTarget(name="load", outputUnit="kW"),
        fill="linear",
        maxMissingRatio=0.25,
        confidence=0.9,
        calendar=calendar,
        meta=ContractMeta(datasetId="ds-1", featurePlanId="fp-1", assetId=asset_id),
    )


@dataclass
class Tenant:
    """One deployment and the token that calls it."""

    deployment_id: str
    asset_id: str | None
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def deployment(
    tenant: Tenant, model: Published, *, revoked: bool = False, version: int | None = None
) -> GatewayDeployment:
    return GatewayDeployment(
        contract=contract(tenant.deployment_id, tenant.asset_id, model.calendar),
        tokenSha256="" if revoked else hashlib.sha256(tenant.token.encode()).hexdigest(),
        tritonModel=model.name,
        tritonVersion=model.version if version is None else version,
        revision=1,
        assetId=tenant.asset_id,
    )


def new_tenant(deployment_id: str, asset_id: str | None) -> Tenant:
    return Tenant(deployment_id, asset_id, secrets.token_urlsafe(32))


def snapshot(revision: int, deployments: list[GatewayDeployment]) -> GatewaySnapshot:
    return GatewaySnapshot(revision=revision, deployments=deployments)


def snapshot_json(revision: int, deployments: list[GatewayDeployment]) -> bytes:
    return msgspec.json.encode(snapshot(revision, deployments))


START = datetime(2025, 7, 3, 0, 0, tzinfo=UTC)


def hourly_rows(n: int, start: datetime = START, base: float = 120.0) -> list[dict[str, Any]]:
    """`n` hourly readings in kW with a gentle daily wave; the last value is easy to read."""
    rows = []
    for i in range(n):
        t = start + timedelta(hours=i)
        rows.append(
            {
                "timestamp": t.isoformat().replace("+00:00", "Z"),
                "value": round(base + 10.0 * np.sin(i / 24 * 2 * np.pi), 3),
                "temp": 25.0 + 0.1 * i,
                "production": 500 + i,
            }
        )
    return rows


def quarter_hour_rows_in_watts(hours: int, start: datetime = START) -> list[dict[str, Any]]:
    """15-minute readings in W with a +02:00 offset, for a 1h kW model: needs conversion
    and alignment (each hour is the mean of its four readings)."""
    rows = []
    for i in range(hours * 4):
        local = start + timedelta(minutes=15 * i, hours=2)
        stamp = local.strftime("%Y-%m-%dT%H:%M:%S") + "+02:00"
        rows.append({"timestamp": stamp, "value": 100_000.0 + 1000.0 * (i // 4), "temp": 20.0})
    return rows


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def iter_metric(text: str, name: str, **labels: str) -> Iterator[float]:
    """Values of a Prometheus sample whose labels include `labels`."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        head, _, value = line.rpartition(" ")
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            yield float(value)


def triton_server_argv(repo_dir: Path, http: int, grpc: int, metrics: int) -> list[str]:
    """The local stack's Triton command line, on other ports and another model repository."""
    from infra.local.services import triton_argv

    ports = {"--http-port": http, "--grpc-port": grpc, "--metrics-port": metrics}
    argv = []
    for arg in triton_argv():
        key = arg.split("=", 1)[0]
        if key in ports:
            arg = f"{key}={ports[key]}"
        elif key == "--model-repository":
            arg = f"{key}={repo_dir}"
        argv.append(arg)
    return argv


class SecondTriton:
    """A Triton of the test's own (never the shared one), to stop and start at will."""

    def __init__(self, repo_dir: Path, log: Path) -> None:
        self.repo_dir = repo_dir
        self.log = log
        self.http, self.grpc, self.metrics = free_port(), free_port(), free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def grpc_url(self) -> str:
        return f"127.0.0.1:{self.grpc}"

    def start(self, models: list[str], timeout: float = 60.0) -> None:
        import tritonclient.grpc as grpcclient

        from infra.local.services import triton_env

        argv = triton_server_argv(self.repo_dir, self.http, self.grpc, self.metrics)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                argv,
                env={**os.environ, **triton_env()},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        client = grpcclient.InferenceServerClient(self.grpc_url)
        deadline = time.monotonic() + timeout
        try:
            while True:
                assert self.proc.poll() is None, self.log.read_text()[-2000:]
                try:
                    if client.is_server_live():
                        break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                time.sleep(0.1)
            for model in models:
                client.load_model(model)
        finally:
            client.close()

    def kill(self) -> None:
        """Gone at once, with its Python-backend stubs (the whole process group)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc = None


# -- fixtures shared by the gateway test modules (assign them in the module to use) --


@pytest.fixture(scope="module")
def models(services: None) -> Iterator[dict[str, Published]]:
    import tritonclient.grpc as grpcclient

    from triton_repo.publisher import TritonPublisher

    published = {"plain": publish(REPO_DIR), "calendar": publish(REPO_DIR, calendar=True)}
    client = grpcclient.InferenceServerClient("127.0.0.1:8001")
    try:
        for model in published.values():
            client.load_model(model.name)
        yield published
    finally:
        for model in published.values():
            client.unload_model(model.name)
            TritonPublisher(REPO_DIR, "cpu").remove_model(model.name)
        client.close()


@pytest.fixture(scope="module")
def tenants() -> dict[str, Tenant]:
    return {
        "a": new_tenant("dep-a", "line-a"),
        "b": new_tenant("dep-b", "line-b"),
        "cal": new_tenant("dep-cal", None),
        "revoked": new_tenant("dep-revoked", "line-r"),
        "gone": new_tenant("dep-gone", "line-g"),  # points at a version Triton never loaded
        "broken": new_tenant("dep-broken", "line-x"),  # its contract names an unknown unit
        "mismatch": new_tenant("dep-mismatch", "line-m"),  # expects 4 quantiles, gets 3
    }


def snapshot_bytes(
    models: dict[str, Published], tenants: dict[str, Tenant], revision: int = 7
) -> bytes:
    plain = models["plain"]
    deps = [
        deployment(tenants["a"], plain),
        deployment(tenants["b"], plain),
        deployment(tenants["cal"], models["calendar"]),
        deployment(tenants["revoked"], plain, revoked=True),
        deployment(tenants["gone"], plain, version=9),
    ]
    broken = deployment(tenants["broken"], plain)
    broken.contract.inputs[1].unit = "florps"
    mismatch = deployment(tenants["mismatch"], plain)
    mismatch.contract.quantiles = [0.05, 0.25, 0.5, 0.95]
    return msgspec.json.encode(snapshot(revision, [*deps, broken, mismatch]))


@pytest.fixture
def state_file(tmp_path: Path, models: dict[str, Published], tenants: dict[str, Tenant]) -> Path:
    path = tmp_path / "gateway" / "snapshot.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(snapshot_bytes(models, tenants))
    return path


def gateway_settings(state_file: Path, **overrides: Any) -> GatewaySettings:
    dead = free_port()  # nothing listens there: the control plane is "away"
    values: dict[str, Any] = {
        "control_plane_url": f"http://127.0.0.1:{dead}",
        "state_path": state_file,
        "sync_retry_s": 0.2,
        "triton_timeout_s": 2.0,
        "mode": "development",
    }
    values.update(overrides)
    return GatewaySettings(**values)
