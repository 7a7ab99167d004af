"""What `gateway_bench` drives: the forecaster it publishes, the deployment snapshot, the
raw readings, a minimal keep-alive HTTP client, and a private Triton serving the forecaster
(`bench_triton`, shared by the gateway benchmarks)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec
import numpy as np

from schemas.contracts import ContractInput, ContractTarget, DeploymentContract, InferenceInput
from schemas.gateway import GatewayDeployment, GatewaySnapshot

LOOKBACK, HORIZON = 168, 24


def bench_contract() -> DeploymentContract:
    return DeploymentContract(
        deploymentId="dep-bench",
        modelId="line-load",
        version=1,
        frequency="1h",
        lookback=LOOKBACK,
        horizon=HORIZON,
        quantiles=[0.05, 0.5, 0.95],
        inputs=[
            ContractInput(name="load", source="value", unit="kW"),
            ContractInput(name="temp", source="temp", unit="degC"),
            ContractInput(name="production", source="production", unit="1", required=False),
        ],
        target=ContractTarget(name="load", outputUnit="kW"),
    )


def bench_snapshot(model: str, token: str) -> GatewaySnapshot:
    deployment = GatewayDeployment(
        contract=bench_contract(),
        tokenSha256=hashlib.sha256(token.encode()).hexdigest(),
        tritonModel=model,
        tritonVersion=1,
        revision=1,
    )
    return GatewaySnapshot(revision=1, deployments=[deployment])


def bench_rows() -> list[dict[str, object]]:
    """168 h of 15-minute readings in W at +02:00, 5% of them dropped at random."""
    rng = np.random.default_rng(7)
    start = np.datetime64("2025-07-01T00:00")
    rows: list[dict[str, object]] = []
    for i in range(LOOKBACK * 4):
        if rng.random() < 0.05:
            continue
        local = start + np.timedelta64(15 * i + 120, "m")  # +02:00 wall time
        rows.append(
            {
                "timestamp": f"{local}:00+02:00",
                "value": round(120_000.0 + 10_000.0 * math.sin(i / 96 * 2 * math.pi), 1),
                "temp": round(21.0 + 3.0 * math.sin(i / 96 * 2 * math.pi), 2),
                "production": 500 + i % 7,
            }
        )
    return rows


def legalized_window(rows: list[dict[str, object]]) -> np.ndarray:
    """What the gateway sends Triton for these rows: the direct client sends the same."""
    from loadstar_core.postprocess import legalize_window, prepare_contract

    contract = bench_contract()
    payload = InferenceInput(series=rows, units={"value": "W"})
    return legalize_window(contract, payload, prepare_contract(contract)).window[np.newaxis]


def bench_model_onnx() -> bytes:
    """[b, 168, 3] -> [b, 24, 3]: the last load plus fixed quantile offsets (cheap on purpose,
    so the comparison shows the gateway's cost, not the model's)."""
    from onnx import TensorProto, helper, numpy_helper

    offsets = np.array([-5.0, 0.0, 5.0], dtype=np.float32) * np.ones((1, HORIZON, 1), np.float32)
    inits = [
        numpy_helper.from_array(offsets, "offsets"),
        numpy_helper.from_array(np.array([LOOKBACK - 1, 0], dtype=np.int64), "starts"),
        numpy_helper.from_array(np.array([LOOKBACK, 1], dtype=np.int64), "ends"),
        numpy_helper.from_array(np.array([1, 2], dtype=np.int64), "axes"),
    ]
    nodes = [
        helper.make_node("Slice", ["window", "starts", "ends", "axes"], ["last"]),
        helper.make_node("Add", ["last", "offsets"], ["quantiles"]),
    ]
    graph = helper.make_graph(
        nodes,
        "bench",
        [helper.make_tensor_value_info("window", TensorProto.FLOAT, ["b", LOOKBACK, 3])],
        [helper.make_tensor_value_info("quantiles", TensorProto.FLOAT, ["b", HORIZON, 3])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    data: bytes = model.SerializeToString()
    return data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HttpClient:
    """A minimal HTTP/1.1 keep-alive client: one connection, one request at a time.

    httpx costs the client side several hundred microseconds per request on these 2 shared
    cores, which would be charged to the gateway; this costs a few tens."""

    def __init__(self, address: str) -> None:
        host, port = address.rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def reset(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        message = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        for _ in range(2):  # the server may have closed an idle keep-alive connection
            if self.writer is None or self.reader is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.writer.write(message)
            first = await self.reader.readline()
            if first:
                return await self._response(self.reader, int(first.split()[1]))
            self.reset()
        raise ConnectionError("the server closed the connection")

    @staticmethod
    async def _response(reader: asyncio.StreamReader, status: int) -> tuple[int, bytes]:
        length, chunked = 0, False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value:
                chunked = True
        if not chunked:
            return status, await reader.readexactly(length)
        parts = []
        while size := int((await reader.readline()).strip(), 16):
            parts.append(await reader.readexactly(size))
            await reader.readline()
        await reader.readline()
        return status, b"".join(parts)


def niced(argv: list[str], priority: int) -> list[str]:
    """`argv` run at `priority` (negative: ahead of the rest of the machine); 0 leaves it."""
    return ["nice", "-n", str(priority), *argv] if priority else argv


class PrivateTriton:
    """A Triton of the benchmark's own, on free ports with its own model repository, so
    nobody else's requests land on it while it is measured."""

    def __init__(self, repo_dir: Path, priority: int) -> None:
        self.repo_dir = repo_dir
        self.priority = priority
        self.ports = {"--http-port": free_port(), "--grpc-port": free_port()}
        self.ports["--metrics-port"] = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def grpc_url(self) -> str:
        return f"127.0.0.1:{self.ports['--grpc-port']}"

    def start(self, log: Path) -> None:
        from infra.local.services import triton_argv, triton_env

        argv = []
        for arg in triton_argv():
            key = arg.split("=", 1)[0]
            if key in self.ports:
                arg = f"{key}={self.ports[key]}"
            elif key == "--model-repository":
                arg = f"{key}={self.repo_dir}"
            argv.append(arg)
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                niced(argv, self.priority),
                env={**os.environ, **triton_env()},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while not self._live():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Triton did not start; see {log}")
            time.sleep(0.1)

    def _live(self) -> bool:
        import tritonclient.grpc as grpcclient

        client = grpcclient.InferenceServerClient(self.grpc_url)
        try:
            return bool(client.is_server_live())
        except Exception:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@dataclass(frozen=True)
class BenchTriton:
    """A private Triton serving the bench forecaster, and what a gateway needs to use it."""

    workdir: Path
    model: str
    triton: PrivateTriton
    token: str  # the deployment's API token
    state: Path  # the gateway snapshot naming the deployment
    rows: list[dict[str, object]]
    body: bytes  # a predict request of `rows`


@contextlib.contextmanager
def bench_triton(name: str, priority: int = 0) -> Iterator[BenchTriton]:
    """Publish the bench forecaster into a temporary repository, start a Triton of its own
    on it with the model loaded, write the snapshot; stop and remove it all on exit."""
    import tritonclient.grpc as grpc_sync

    from triton_repo.publisher import TritonPublisher
    from triton_repo.signature import ModelSignature

    workdir = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    model = f"{name.replace('-', '_')}_{uuid.uuid4().hex[:6]}"
    onnx = bench_model_onnx()
    TritonPublisher(workdir / "models", "cpu").publish(
        model, 1, onnx, ModelSignature.from_onnx(onnx)
    )
    triton = PrivateTriton(workdir / "models", priority)
    triton.start(workdir / "triton.log")
    loader = grpc_sync.InferenceServerClient(triton.grpc_url)
    try:
        loader.load_model(model)
        token = uuid.uuid4().hex + uuid.uuid4().hex
        state = workdir / "snapshot.json"
        state.write_bytes(msgspec.json.encode(bench_snapshot(model, token)))
        rows = bench_rows()
        body = msgspec.json.encode({"series": rows, "units": {"value": "W"}})
        yield BenchTriton(workdir, model, triton, token, state, rows, body)
    finally:
        loader.close()
        triton.stop()
        shutil.rmtree(workdir, ignore_errors=True)
