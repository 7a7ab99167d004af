"""Where the gateway's CPU goes per predict request, stage by stage, in one process.

    .venv/bin/python -m benchmarks.gateway_stages [--requests 600] [--protocol http|grpc]
                                                  [--profile 25]

It starts a Triton of its own (as `gateway_bench` does), builds the gateway app in this
process and measures CPU time (`time.process_time`, nanosecond clock) of:
decode (auth + the body's rows read into columns by the compiled reader), legalize
(columns -> float32 window; of it the grid's bucket means), beside them the rows read
alone and, for comparison, the typed rows read through their msgpack form (the way a
body the compiled reader steps aside from goes), triton (one
inference call, client side), format (standard output + JSON bytes), recording (the
once-a-second batch, per forecast) and the whole ASGI app (Litestar's entry, the
request-id middleware, the route and the data plane), called with a body already read.
What is left between the whole app and the stages is the framework's share; uvicorn's
HTTP exchange and the socket writes come on top (`GET /healthz` in `gateway_bench`).
Then the same stages chained as in a request, each timed inside the chain, once with the
Triton call and once with Triton's answer replaced by a fixed array: the difference is
what the wait for Triton costs the code around it (the wake-ups, cold caches).
`--profile N` prints the N costliest functions of the whole-app run (cProfile).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
import numpy as np

from benchmarks.gateway_bench_setup import BenchTriton, bench_triton

PREDICT = "/api/inference/predict"


async def cpu_us(call: Callable[[], Awaitable[object]], n: int) -> float:
    """Mean CPU microseconds per awaited call (the best of three batches)."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for _ in range(n):
            await call()
        best = min(best, (time.process_time() - started) / n * 1e6)
    return best


async def run(requests: int, protocol: str, profile: int) -> None:
    with bench_triton("gw_stages") as bench:
        await measure(bench, requests, protocol, profile)


async def measure(bench: BenchTriton, requests: int, protocol: str, profile: int) -> None:
    from edge_gateway.app import create_app
    from edge_gateway.settings import GatewaySettings
    from loadstar_core.postprocess import format_output, legalize_window
    from loadstar_core.postprocess.jsonrows import read_body
    from loadstar_core.postprocess.rows import payload_rows
    from loadstar_core.postprocess.timegrid import bucket_means, order_rows
    from loadstar_core.postprocess.typed import decode_typed, packed_columns

    token, body, triton = bench.token, bench.body, bench.triton
    settings = GatewaySettings(
        control_plane_url="http://127.0.0.1:9",
        state_path=bench.state,
        spool_path=bench.workdir / "spool",
        triton_url=triton.grpc_url,
        triton_http_url=f"127.0.0.1:{triton.ports['--http-port']}",
        triton_protocol=protocol,  # type: ignore[arg-type]
        mode="development",
        record=True,
    )
    app: Any = create_app(settings)
    async with app.lifespan():
        plane = app.state.plane
        auth = f"Bearer {token}"
        served = plane.authenticate(auth)
        plan = served.resolved
        contract = plan.contract
        payload, columns = plane.decode(served, body)
        legal = legalize_window(contract, payload, plan, columns)
        window = legal.window[np.newaxis]
        raw = await plane.infer(served, window, None)
        out = format_output(contract, legal, raw[0], None, datetime.now(UTC), plan)
        encode = msgspec.json.Encoder().encode
        headers = [(b"authorization", auth.encode()), (b"content-type", b"application/json")]
        scope = {"type": "http", "method": "POST", "path": PREDICT, "headers": headers}
        message = {"type": "http.request", "body": body, "more_body": False}
        sent: list[Any] = []

        async def receive() -> dict[str, Any]:
            return message

        async def send(m: Any) -> None:
            sent.append(m)

        async def whole() -> None:
            await app(dict(scope), receive, send)
            sent.clear()

        async def stage_decode() -> None:
            plane.decode(plane.authenticate(auth), body)

        async def stage_legalize() -> None:
            legalize_window(contract, payload, plan, columns)

        async def stage_triton() -> None:
            await plane.infer(served, window, None)

        async def stage_format() -> None:
            encode(format_output(contract, legal, raw[0], None, datetime.now(UTC), plan))

        recorder = app.state.recorder

        async def stage_record() -> None:
            recorder.forecast(served, legal, out)
            if len(recorder._pending) >= 50:
                recorder.batch()

        async def pipeline() -> None:
            p, read = plane.decode(plane.authenticate(auth), body)
            legal = legalize_window(contract, p, plan, read)
            raw = await plane.infer(served, legal.window[np.newaxis], None)
            out = format_output(contract, legal, raw[0], None, datetime.now(UTC), plan)
            encode(out)
            recorder.forecast(served, legal, out)

        await whole()
        await asyncio.sleep(1.0)
        idle_started = time.process_time()
        await asyncio.sleep(3.0)
        idle_us_per_s = (time.process_time() - idle_started) / 3.0 * 1e6
        typed = decode_typed(body, plan)
        rows = payload_rows(typed)
        packed = packed_columns(typed, rows, plan)
        assert packed is not None
        ordered = order_rows(packed.times.epoch_us, packed.values[:, plan.input_source])

        async def part_rows() -> None:
            packed_columns(typed, rows, plan)

        async def part_compiled() -> None:
            read_body(body, plan)

        async def part_grid() -> None:
            bucket_means(ordered, plan.frequency_us, contract.lookback)

        stages = {
            "decode": await cpu_us(stage_decode, requests),
            "legalize": await cpu_us(stage_legalize, requests),
            "- rows read": await cpu_us(part_compiled, requests),
            "- typed rows": await cpu_us(part_rows, requests),
            "- grid": await cpu_us(part_grid, requests),
            "triton": await cpu_us(stage_triton, requests),
            "format": await cpu_us(stage_format, requests),
            "recording": await cpu_us(stage_record, requests),
        }
        gc_time = {0: 0.0, 1: 0.0, 2: 0.0}
        gc_count = {0: 0, 1: 0, 2: 0}
        gc_started = [0.0]

        def on_gc(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                gc_started[0] = time.process_time()
            else:
                gc_time[info["generation"]] += time.process_time() - gc_started[0]
                gc_count[info["generation"]] += 1

        gc.callbacks.append(on_gc)
        total = await cpu_us(whole, requests)
        gc.callbacks.remove(on_gc)
        per_call = {g: round(v / (3 * requests) * 1e6, 1) for g, v in gc_time.items()}
        gc_line = (
            f"  gc: {gc_count} collections per generation over 3 x {requests} calls, "
            f"{per_call} us per call; {len(gc.get_objects())} objects tracked"
        )
        chained = await cpu_us(pipeline, requests)
        in_chain = await stages_in_chain(plane, served, auth, body, recorder, requests, raw)
        print(f"gateway CPU per predict request, in process, Triton over {protocol}")
        print(f"({len(bench.rows)} raw rows -> 168x3 window; best of 3 x {requests} calls)")
        print(f"  idle: {idle_us_per_s:.0f} us of CPU per second with no request (background")
        print("  tasks: contract sync, recording, key use; charged to requests at low rates)")
        for name, value in stages.items():
            print(f"  {name:<10}{value:>8.0f} us")
        print(gc_line)
        print(f"  {'framework':<10}{total - chained:>8.0f} us  (the whole app, {total:.0f} us,")
        print(f"            minus the same stages chained without it, {chained:.0f} us)")
        for label, parts in in_chain.items():
            total_us = sum(parts.values())
            shares = ", ".join(f"{k} {v:.0f}" for k, v in parts.items())
            print(f"  chained, {label}: {total_us:.0f} us ({shares})")
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(requests):
                await whole()
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(profile)


async def stages_in_chain(
    plane: Any, served: Any, auth: str, body: bytes, recorder: Any, requests: int, fixed: Any
) -> dict[str, dict[str, float]]:
    """CPU us per request of each stage timed inside the chain (the median of three
    batches), with the Triton call and with its answer replaced by `fixed`."""
    from loadstar_core.postprocess import format_output, legalize_window

    plan = served.resolved
    contract = plan.contract
    encode = msgspec.json.Encoder().encode
    clock = time.process_time
    names = ("decode", "legalize", "triton", "format", "recording")
    found: dict[str, dict[str, float]] = {}
    for label, wait in (("Triton called", True), ("Triton's answer fixed", False)):
        batches: list[list[float]] = []
        for _ in range(3):
            spent = [0.0] * len(names)
            for _ in range(requests):
                a = clock()
                payload, columns = plane.decode(plane.authenticate(auth), body)
                b = clock()
                legal = legalize_window(contract, payload, plan, columns)
                c = clock()
                window = legal.window[np.newaxis]
                raw = await plane.infer(served, window, None) if wait else fixed
                d = clock()
                out = format_output(contract, legal, raw[0], None, datetime.now(UTC), plan)
                encode(out)
                e = clock()
                recorder.forecast(served, legal, out)
                f = clock()
                for i, (x, y) in enumerate(((a, b), (b, c), (c, d), (d, e), (e, f))):
                    spent[i] += y - x
            batches.append([v / requests * 1e6 for v in spent])
        found[label] = {
            name: float(np.median([batch[i] for batch in batches])) for i, name in enumerate(names)
        }
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=600, help="calls per stage and batch")
    parser.add_argument("--protocol", choices=("grpc", "http"), default="http")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    args = parser.parse_args()
    asyncio.run(run(args.requests, args.protocol, args.profile))


if __name__ == "__main__":
    main()
