"""Open a notebook's kernel to ready, median of 10: the kernel host (launcher, limits,
clean environment, own directory, other user when run as root) against a bare
jupyter_client kernel started the default way, in the same run.

    .venv/bin/python -m benchmarks.notebook_bench [--runs 10]

"Ready" is the kernel answering `kernel_info` (jupyter_client's `wait_for_ready`); the
second column adds the first cell (`1 + 1`) coming back. Goal: ready < 2 s (seed: < 5 s).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from control_plane.notebooks.kernel_settings import KernelSettings
from control_plane.notebooks.kernels import KernelHost

GOAL_S = 2.0


async def _first_cell(client: object) -> None:
    reply = await client.execute_interactive(  # type: ignore[attr-defined]
        "1 + 1", timeout=60, output_hook=lambda _msg: None
    )
    assert reply["content"]["status"] == "ok"


async def ours(host: KernelHost, i: int) -> tuple[float, float]:
    start = time.perf_counter()
    kernel = await host.open(f"nb-bench{i:03d}", "benchmark", {})
    ready = time.perf_counter() - start
    await _first_cell(kernel.client)
    first = time.perf_counter() - start
    await host.shutdown(kernel.notebook_id, "benchmark")
    return ready, first


async def bare() -> tuple[float, float]:
    start = time.perf_counter()
    manager = AsyncKernelManager(kernel_name="python3")
    await manager.start_kernel()
    client = manager.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    ready = time.perf_counter() - start
    await _first_cell(client)
    first = time.perf_counter() - start
    client.stop_channels()
    await manager.shutdown_kernel(now=True)
    return ready, first


async def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as root:
        host = KernelHost(KernelSettings(root_dir=Path(root) / "kernels", max_per_host=runs + 1))
        await host.start()
        mine: list[tuple[float, float]] = []
        theirs: list[tuple[float, float]] = []
        try:
            for i in range(runs):  # alternate, so load from elsewhere hits both alike
                mine.append(await ours(host, i))
                theirs.append(await bare())
        finally:
            await host.stop()
    rows = [("kernel host (limits, clean env)", mine), ("bare jupyter_client kernel", theirs)]
    print(f"{'':34} {'ready median':>13} {'ready p90':>10} {'first cell':>11}")
    for name, samples in rows:
        ready = sorted(r for r, _ in samples)
        first = statistics.median(f for _, f in samples)
        p90 = ready[min(len(ready) - 1, int(0.9 * len(ready)))]
        print(f"{name:34} {statistics.median(ready):12.3f}s {p90:9.3f}s {first:10.3f}s")
    ratio = statistics.median(r for r, _ in mine) / statistics.median(r for r, _ in theirs)
    verdict = "met" if statistics.median(r for r, _ in mine) < GOAL_S else "NOT met"
    print(f"ratio to bare: {ratio:.2f}x; goal ready < {GOAL_S} s: {verdict} ({runs} runs)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    asyncio.run(main(parser.parse_args().runs))
