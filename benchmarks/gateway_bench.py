"""What the edge gateway costs on top of Triton, on loopback, in one run.

    .venv/bin/python -m benchmarks.gateway_bench [--requests 2000] [--rounds 3] [--priority -10]
                                                 [--workers 1] [--protocol grpc|http|both]

It starts a Triton of its own (the local stack's binary, on free ports, with a private
model repository) so that nobody else's requests land on it, publishes a small forecaster
into it, and starts the gateway under uvicorn pointed at it.

(a) direct tritonclient gRPC aio calls with an already-legalized [1, 168, 3] window;
(b) the gateway's `POST /api/inference/predict` (uvicorn subprocess, raw keep-alive HTTP
    client) with raw 15-minute readings in W at +02:00, 5% of them missing, that the
    gateway converts to kW, aligns onto the 1h grid and fills;
(c) both again with 16 concurrent clients.
For attribution it also times direct calls made 1 ms apart (Triton answers slower after an
idle gap than back to back, and a gateway always leaves one) and `GET /healthz` (the HTTP
round trip alone), and reports CPU per request of the client, the gateway and Triton.
Each scenario runs `--rounds` times, alternating direct and gateway so that load from
elsewhere hits both alike; the median round is reported. Also: cold start (process start
to /readyz 200 and to the first predict 200), resident memory, and the gateway's own
per-stage means from its /metrics.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psutil

from benchmarks.gateway_bench_setup import (
    BenchTriton,
    HttpClient,
    bench_triton,
    free_port,
    legalized_window,
    niced,
)

ROOT = Path(__file__).resolve().parents[1]
PREDICT = "/api/inference/predict"
CPU_GOAL_US = 500  # the gateway's CPU per predict request at 1 client (issue 22)
ADDED_P50_GOAL_MS = 0.7  # the gateway's p50 minus a direct call's, at 1 client (issue 22)


@dataclass
class Result:
    latencies: list[float]  # seconds
    wall: float
    cpu: dict[str, float]  # CPU seconds used during the run, per process group

    def cpu_us(self, group: str) -> float:
        return self.cpu.get(group, 0.0) / len(self.latencies) * 1e6

    @property
    def p50_ms(self) -> float:
        return float(np.percentile(self.latencies, 50) * 1e3)

    @property
    def p99_ms(self) -> float:
        return float(np.percentile(self.latencies, 99) * 1e3)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.wall


class CpuMeter:
    """CPU seconds (user + system) used so far by the client, the gateway and Triton.

    Triton's group includes its Python-backend stubs (its child processes)."""

    def __init__(self, gateway_pid: int, grpc_url: str) -> None:
        port = grpc_url.rsplit(":", 1)[1]
        triton = next(
            (
                p
                for p in psutil.process_iter(["name", "cmdline"])
                if p.info["name"] == "tritonserver"
                and f"--grpc-port={port}" in " ".join(p.info["cmdline"] or [])
            ),
            None,
        )
        self.groups: dict[str, list[psutil.Process]] = {
            "client": [psutil.Process()],
            "gateway": gateway_processes(gateway_pid),
            "triton": [] if triton is None else [triton, *triton.children(recursive=True)],
        }

    def read(self) -> dict[str, float]:
        used: dict[str, float] = {}
        for group, procs in self.groups.items():
            total = 0.0
            for proc in procs:
                try:
                    times = proc.cpu_times()
                    total += times.user + times.system
                except psutil.Error:
                    continue
            used[group] = total
        return used


async def drive(
    call: object, requests: int, concurrency: int, meter: CpuMeter, pause: float = 0.0
) -> Result:
    """`concurrency` workers each calling `call(worker)` until `requests` are done, idle
    for `pause` seconds (untimed) before each call."""
    latencies: list[float] = []
    remaining = requests

    async def worker(index: int) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            if pause:
                await asyncio.sleep(pause)
            started = time.perf_counter()
            await call(index)  # type: ignore[operator]
            latencies.append(time.perf_counter() - started)

    before = meter.read()
    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    wall = time.perf_counter() - started
    after = meter.read()
    return Result(latencies, wall, {k: after[k] - before[k] for k in after})


@dataclass
class Goals:
    """Where one gateway stands against issue 22's goals at 1 client."""

    cpu_us: float  # the gateway's CPU per request, median over the rounds
    cpu_ratio: float  # that against a direct call's CPU (its client + Triton)
    added_p50_ms: float  # the median round's gateway p50 minus direct p50

    def __str__(self) -> str:
        cpu = "met" if self.cpu_us < CPU_GOAL_US else "missed"
        p50 = "met" if self.added_p50_ms < ADDED_P50_GOAL_MS else "missed"
        return (
            f"CPU {self.cpu_us:.0f} us/request ({cpu}; {self.cpu_ratio:.2f}x a direct call's), "
            f"added p50 {self.added_p50_ms:+.3f} ms ({p50})"
        )


def median_round(results: list[Result]) -> Result:
    """The round with the median p50 (its own p99 and throughput come with it)."""
    return sorted(results, key=lambda r: r.p50_ms)[len(results) // 2]


def start_gateway(
    env: dict[str, str], priority: int = 0, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str, float]:
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "edge_gateway.app:app", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    if workers > 1:
        argv += ["--workers", str(workers)]
    started = time.perf_counter()
    proc = subprocess.Popen(niced(argv, priority), cwd=ROOT, env={**os.environ, **env})
    return proc, f"127.0.0.1:{port}", started


async def wait_ready(client: HttpClient, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the gateway exited during start-up")
        try:
            status, _ = await client.request("GET", "/readyz")
            if status == 200:
                return
        except OSError:
            await asyncio.sleep(0.005)
            client.reset()
    raise RuntimeError("the gateway did not become ready")


def stage_means(metrics: str) -> dict[str, float]:
    """Mean seconds per stage of the predict route, from the Prometheus text."""
    sums: dict[str, float] = {}
    counts: dict[str, float] = {}
    for line in metrics.splitlines():
        if not line.startswith("loadstar_gateway_stage_seconds_") or PREDICT not in line:
            continue
        head, _, value = line.rpartition(" ")
        stage = head.split('stage="')[1].split('"')[0]
        if head.startswith("loadstar_gateway_stage_seconds_sum"):
            sums[stage] = float(value)
        elif head.startswith("loadstar_gateway_stage_seconds_count"):
            counts[stage] = float(value)
    return {s: sums[s] / counts[s] for s in sums if counts.get(s)}


def gateway_processes(pid: int) -> list[psutil.Process]:
    """The gateway's uvicorn process and, with --workers, its worker processes."""
    parent = psutil.Process(pid)
    return [parent, *parent.children(recursive=True)]


def resident_mib(pid: int) -> float:
    return sum(p.memory_info().rss for p in gateway_processes(pid)) / 2**20


async def run(
    requests: int,
    rounds: int,
    priority: int,
    workers: int = 1,
    protocol: str = "http",
    record: bool = True,
) -> None:
    if priority:
        os.nice(priority)  # this process: the client side of both paths
    protocols = ("http", "grpc") if protocol == "both" else (protocol,)
    goals: dict[str, Goals] = {}
    with bench_triton("gw_bench", priority) as bench:
        for name in protocols:  # one gateway after the other against the same Triton
            goals[name] = await measure(bench, requests, rounds, priority, workers, name, record)
    print(f"\nissue 22 at 1 client: gateway CPU < {CPU_GOAL_US} us/request, added p50 < "
          f"{ADDED_P50_GOAL_MS} ms (gateway minus direct, same run)")  # fmt: skip
    for name, goal in goals.items():
        print(f"  gateway to Triton over {name:<5}{goal}")


async def measure(
    bench: BenchTriton,
    requests: int,
    rounds: int,
    priority: int,
    workers: int,
    protocol: str,
    record: bool,
) -> Goals:
    """Both paths against the bench's Triton: direct gRPC, and through a gateway started here."""
    import tritonclient.grpc.aio as grpcclient

    model, token, body, rows = bench.model, bench.token, bench.body, bench.rows
    grpc_url = bench.triton.grpc_url
    window = legalized_window(rows)
    env = {
        "LOADSTAR_CONTROL_PLANE_URL": f"http://127.0.0.1:{free_port()}",
        "LOADSTAR_GATEWAY_STATE": str(bench.state),
        "TRITON_GRPC_URL": grpc_url,
        "TRITON_HTTP_URL": f"127.0.0.1:{bench.triton.ports['--http-port']}",
        "LOADSTAR_GATEWAY_TRITON_PROTOCOL": protocol,
        "LOADSTAR_ENV": "development",  # the benchmark's gateway uses the default sync token
        # recording on: the control plane is absent, so batches go to the spool and stay
        "LOADSTAR_GATEWAY_RECORD": "true" if record else "false",
    }
    proc, address, spawned = start_gateway(env, priority, workers)
    direct = grpcclient.InferenceServerClient(grpc_url)
    try:
        probe = HttpClient(address)
        await wait_ready(probe, proc)
        ready_s = time.perf_counter() - spawned
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        status, answer = await probe.request("POST", PREDICT, body, headers)
        first_s = time.perf_counter() - spawned
        assert status == 200, answer[:500]
        rss_start = resident_mib(proc.pid)
        outputs = [grpcclient.InferRequestedOutput("quantiles")]

        async def call_direct(_: int) -> None:
            tensor = grpcclient.InferInput("window", list(window.shape), "FP32")
            tensor.set_data_from_numpy(window)
            result = await direct.infer(model, [tensor], model_version="1", outputs=outputs)
            result.as_numpy("quantiles")

        clients = [HttpClient(address) for _ in range(16)]

        async def call_gateway(worker: int) -> None:
            status, data = await clients[worker].request("POST", PREDICT, body, headers)
            if status != 200:
                raise RuntimeError(data[:300])

        meter = CpuMeter(proc.pid, grpc_url)
        await drive(call_direct, 300, 1, meter)  # warm-up
        await drive(call_gateway, 300, 1, meter)
        table: dict[tuple[str, int], list[Result]] = {}
        for _ in range(rounds):
            for concurrency in (1, 16):
                for name, call in (("direct", call_direct), ("gateway", call_gateway)):
                    result = await drive(call, requests, concurrency, meter)
                    table.setdefault((name, concurrency), []).append(result)
            # Triton answers slower after an idle gap than back to back, and a gateway
            # always leaves one (HTTP, legalization) between its calls: measure that too
            paced = await drive(call_direct, requests // 2, 1, meter, pause=0.001)
            table.setdefault(("direct 1ms apart", 1), []).append(paced)

            async def call_health(_: int) -> None:
                await probe.request("GET", "/healthz")

            health = await drive(call_health, requests // 2, 1, meter)
            table.setdefault(("GET /healthz", 1), []).append(health)
        _, metrics = await probe.request("GET", "/metrics")
        rss_end = resident_mib(proc.pid)
        return report(
            table,
            ready_s,
            first_s,
            rss_start,
            rss_end,
            stage_means(metrics.decode()),
            len(rows),
            f"{protocol}, {workers} worker(s)",
        )
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        await direct.close()


PINT_IMPORT = "import pint; pint.UnitRegistry(autoconvert_offset_to_baseunit=False)"


def import_seconds(code: str = "import edge_gateway.app") -> float:
    """Best of three fresh interpreters, minus an empty interpreter's start."""

    def best(snippet: str) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", snippet], cwd=ROOT, check=True)
            times.append(time.perf_counter() - started)
        return min(times)

    return best(code) - best("pass")


def report(
    table: dict[tuple[str, int], list[Result]],
    ready_s: float,
    first_s: float,
    rss_start: float,
    rss_end: float,
    stages: dict[str, float],
    n_rows: int,
    gateway: str = "grpc, 1 worker(s)",
) -> Goals:
    best = {key: median_round(results) for key, results in table.items()}
    print(f"\ngateway vs direct Triton, loopback, {os.cpu_count()} cores shared by all")
    print(f"gateway body: {n_rows} raw 15-min rows in W (+02:00, 5% missing) -> 168x3 kW window")
    print(f"gateway to Triton: {gateway}")
    print(
        f"{'scenario':<22}{'p50 ms':>8}{'p99 ms':>8}{'req/s':>8}"
        "   CPU us/request: client gateway triton"
    )
    for (name, concurrency), r in sorted(best.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        label = f"{name} c={concurrency}"
        cpu = "".join(f"{r.cpu_us(g):>8.0f}" for g in ("client", "gateway", "triton"))
        print(f"{label:<22}{r.p50_ms:>8.3f}{r.p99_ms:>8.3f}{r.rps:>8.0f}          {cpu}")
    for concurrency in (1, 16):
        d, g = best[("direct", concurrency)], best[("gateway", concurrency)]
        print(
            f"c={concurrency:<3} gateway adds p50 {g.p50_ms - d.p50_ms:+.3f} ms, "
            f"p99 {g.p99_ms - d.p99_ms:+.3f} ms; p50 ratio {g.p50_ms / d.p50_ms:.2f}, "
            f"throughput ratio {g.rps / d.rps:.2f}"
        )
    for concurrency in (1, 16):
        rounds = table[("gateway", concurrency)]
        gateway_cpu = [r.cpu_us("gateway") for r in rounds]
        direct_cpu = [
            r.cpu_us("client") + r.cpu_us("triton") for r in table[("direct", concurrency)]
        ]
        median = float(np.median(gateway_cpu))
        print(
            f"c={concurrency:<3} gateway CPU us/request: median {median:.0f} over rounds "
            f"{[round(v) for v in gateway_cpu]} (goal < {CPU_GOAL_US}); "
            f"{median / float(np.median(direct_cpu)):.2f}x the CPU of a direct call "
            "(its client + Triton)"
        )
    print("gateway stage means (ms): " + ", ".join(f"{s} {v * 1e3:.3f}" for s, v in stages.items()))
    print(f"cold start: /readyz 200 after {ready_s:.2f} s, first predict 200 after {first_s:.2f} s")
    print(
        f"of which importing edge_gateway.app: {import_seconds():.2f} s, and pint with the "
        f"units registry the shared package builds: {import_seconds(PINT_IMPORT):.2f} s "
        "(best of 3, each in a fresh interpreter)"
    )
    print(f"RSS: {rss_start:.0f} MiB after start, {rss_end:.0f} MiB after the load")
    print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}")
    spread = {k: [round(r.p50_ms, 3) for r in v] for k, v in table.items()}
    print(f"p50 per round (ms): {spread}")
    direct_cpu = [r.cpu_us("client") + r.cpu_us("triton") for r in table[("direct", 1)]]
    cpu = float(np.median([r.cpu_us("gateway") for r in table[("gateway", 1)]]))
    return Goals(
        cpu,
        cpu / float(np.median(direct_cpu)),
        best[("gateway", 1)].p50_ms - best[("direct", 1)].p50_ms,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--requests", type=int, default=2000, help="requests per scenario and round"
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (median kept)")
    parser.add_argument(
        "--protocol",
        choices=("grpc", "http", "both"),
        default="http",
        help="how the gateway sends inference to Triton (LOADSTAR_GATEWAY_TRITON_PROTOCOL); "
        "both: an HTTP gateway, then a gRPC one, against the same Triton",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="gateway processes (uvicorn --workers); stage means are then one worker's",
    )
    parser.add_argument(
        "--priority",
        type=int,
        default=0,
        help="nice value for client, gateway and Triton (e.g. -10 on a busy shared machine)",
    )
    parser.add_argument(
        "--no-record",
        action="store_true",
        help="turn the gateway's recording of readings and forecasts off (the 'before')",
    )
    args = parser.parse_args()
    asyncio.run(
        run(
            args.requests,
            args.rounds,
            args.priority,
            args.workers,
            args.protocol,
            not args.no_record,
        )
    )


if __name__ == "__main__":
    main()
