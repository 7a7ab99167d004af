"""The gateway under a steady rate for minutes: memory, open files, latency, errors.

    .venv/bin/python -m benchmarks.gateway_soak [--minutes 1] [--rate 50] [--every 10]

Same set-up as `benchmarks.gateway_bench` (a private Triton on free ports, a published
forecaster, the gateway under uvicorn with the benchmark's 640-row request). Requests are
sent open-loop at `--rate` per second (a late answer does not slow the sender), and every
`--every` seconds one row is printed: the window's p50/p95/p99, errors, the gateway's
resident memory, its open file descriptors and CPU per request. The issue's soak is
`--minutes 10`; the default is one minute so that it fits anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import numpy as np

from benchmarks.gateway_bench import (
    PREDICT,
    gateway_processes,
    resident_mib,
    start_gateway,
    wait_ready,
)
from benchmarks.gateway_bench_setup import BenchTriton, HttpClient, bench_triton, free_port


class Window:
    """What one sampling period saw."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors = 0


def open_files(pid: int) -> int:
    return sum(p.num_fds() for p in gateway_processes(pid))


def cpu_seconds(pid: int) -> float:
    total = 0.0
    for proc in gateway_processes(pid):
        times = proc.cpu_times()
        total += times.user + times.system
    return total


async def soak(minutes: float, rate: float, every: float) -> int:
    with bench_triton("gw_soak") as bench:
        return await soak_against(bench, minutes, rate, every)


async def soak_against(bench: BenchTriton, minutes: float, rate: float, every: float) -> int:
    token, body = bench.token, bench.body
    env = {
        "LOADSTAR_CONTROL_PLANE_URL": f"http://127.0.0.1:{free_port()}",
        "LOADSTAR_GATEWAY_STATE": str(bench.state),
        "TRITON_GRPC_URL": bench.triton.grpc_url,
        "TRITON_HTTP_URL": f"127.0.0.1:{bench.triton.ports['--http-port']}",
        "LOADSTAR_ENV": "development",
    }
    proc, address, _ = start_gateway(env)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    pool = [HttpClient(address) for _ in range(64)]
    idle = list(pool)
    window = Window()
    total_errors = 0
    rows: list[tuple[float, ...]] = []
    try:
        await wait_ready(HttpClient(address), proc)

        async def one() -> None:
            client = idle.pop() if idle else HttpClient(address)
            started = time.perf_counter()
            try:
                status, _ = await client.request("POST", PREDICT, body, headers)
                ok = status == 200
            except OSError:
                ok = False
                client.reset()
            window.latencies.append(time.perf_counter() - started)
            window.errors += not ok
            idle.append(client)

        print(f"soak: {rate:g} requests/s for {minutes:g} min, a row every {every:g} s")
        head = (
            "t s",
            "requests",
            "errors",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "RSS MiB",
            "fds",
            "CPU us/req",
        )
        print("  ".join(f"{h:>10}" for h in head))
        start = time.perf_counter()
        end = start + minutes * 60
        next_row = start + every
        cpu_before = cpu_seconds(proc.pid)
        tasks: set[asyncio.Task[None]] = set()
        sent = 0
        while (now := time.perf_counter()) < end:
            due = int((now - start) * rate) - sent
            for _ in range(max(due, 0)):
                task = asyncio.create_task(one())
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                sent += 1
            if now >= next_row:
                cpu_now = cpu_seconds(proc.pid)
                lat = np.array(window.latencies or [0.0]) * 1e3
                row = (
                    now - start,
                    len(window.latencies),
                    window.errors,
                    *np.percentile(lat, [50, 95, 99]),
                    resident_mib(proc.pid),
                    open_files(proc.pid),
                    (cpu_now - cpu_before) / max(len(window.latencies), 1) * 1e6,
                )
                rows.append(row)
                print("  ".join(f"{v:>10.1f}" if isinstance(v, float) else f"{v:>10}" for v in row))
                total_errors += window.errors
                window = Window()
                cpu_before = cpu_now
                next_row += every
            await asyncio.sleep(0.002)
        await asyncio.gather(*tasks)
        total_errors += window.errors
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    if rows:
        first, last = rows[0], rows[-1]
        p99s = [r[5] for r in rows]
        print(
            f"memory {first[6]:.1f} -> {last[6]:.1f} MiB, open files {first[7]} -> {last[7]}, "
            f"p99 {min(p99s):.1f}-{max(p99s):.1f} ms, errors {total_errors}"
        )
    return 1 if total_errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second")
    parser.add_argument("--every", type=float, default=10.0, help="seconds per row")
    args = parser.parse_args(argv)
    return asyncio.run(soak(args.minutes, args.rate, args.every))


if __name__ == "__main__":
    raise SystemExit(main())
