"""Dataset upload-to-canonical-Parquet and explore/preview: the services against pandas.

    .venv/bin/python -m benchmarks.datasets_bench                 # 10M rows (the goal's size)
    .venv/bin/python -m benchmarks.datasets_bench --rows 1000000  # quicker

Generates a 1-minute CSV (timestamp + 4 columns: `load[kW]`, `temp[degC]`, production,
`voltage[V]`) in a temp dir, then, against the real S3 store and Postgres of the
environment (Settings.from_env, as the app reads them; the dataset is deleted after):

- upload: the multipart body streamed through `upload_dataset` (spool to disk, ingest,
  original + canonical Parquet to S3, row last) vs pandas doing the same work on the same
  file (read_csv, to_datetime UTC, sort check, null counts, duplicates, median step,
  to_parquet zstd, both objects to S3 through the same ObjectStore);
- the compute part of it alone (`ingest_file` vs the pandas steps, no S3);
- preview: `explore.service.preview` with the cached profile removed (S3 scan + column
  stats + gaps + sample rows) vs pandas (read the Parquet from S3, mean/std/min/max, 7
  quantiles, 20-bucket histogram, missing counts per column, gaps, head rows); and the
  preview as users get it after an upload, which profiles the data while it is in
  memory and caches the result (ours includes that work in the upload time).

Repeated steps (compute-only ingest, preview) alternate the two sides so load from
elsewhere hits both alike; the table shows their medians.
Goals: preview < 3 s, and >= 5x faster than pandas.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import anyio
import anyio.to_thread
import numpy as np
import pandas as pd
import polars as pl

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.service import AuthUser
from control_plane.datasets import storage
from control_plane.datasets.ingest import IngestOptions, ingest_file
from control_plane.explore import service as explore
from control_plane.settings import Settings
from loadstar_core.profile import QUANTILES

QS = list(QUANTILES.values())
BOUNDARY = "loadstar-bench-boundary"
USER = AuthUser(id=0, username="benchmark", role="admin")


def generate(path: Path, rows: int) -> None:
    """A 1-minute load series with daily and weekly cycles, plus three other columns."""
    rng = np.random.default_rng(7)
    i = np.arange(rows)
    start = pl.datetime(2015, 1, 1)
    frame = pl.DataFrame(
        {
            "timestamp": pl.datetime_range(
                start, start + pl.duration(minutes=rows - 1), "1m", eager=True
            ),
            "load[kW]": (
                100
                + 20 * np.sin(2 * np.pi * i / 1440)
                + 5 * np.sin(2 * np.pi * i / 10080)
                + rng.normal(0, 2, rows)
            ).round(3),
            "temp[degC]": (20 + 5 * np.sin(2 * np.pi * i / 1440) + rng.normal(0, 0.5, rows)).round(
                2
            ),
            "production": rng.integers(400, 600, rows),
            "voltage[V]": (400 + rng.normal(0, 1, rows)).round(2),
        }
    ).with_columns(pl.col("timestamp").dt.strftime("%Y-%m-%d %H:%M:%S"))
    frame.write_csv(path)


async def multipart(path: Path, name: str) -> AsyncIterator[bytes]:
    """The body a browser would send: a `name` field, then the file in 1 MiB chunks."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\n\r\n{name}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    with path.open("rb") as handle:
        while chunk := await anyio.to_thread.run_sync(handle.read, 1 << 20):
            yield chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def pandas_ingest(path: Path, out: Path) -> dict[str, Any]:
    frame = pd.read_csv(path)
    stamps = pd.to_datetime(frame.pop("timestamp"), format="%Y-%m-%d %H:%M:%S", utc=True)
    frame.insert(0, "timestamp", stamps)
    frame.columns = [c.split("[")[0] for c in frame.columns]
    if not frame["timestamp"].is_monotonic_increasing:
        frame = frame.sort_values("timestamp", kind="stable")
    steps = frame["timestamp"].diff()
    facts = {
        "rows": len(frame),
        "nulls": frame.isna().sum().to_dict(),
        "duplicates": int((steps == pd.Timedelta(0)).sum()),
        "step": steps.median(),
        "start": frame["timestamp"].iloc[0],
        "end": frame["timestamp"].iloc[-1],
    }
    frame.to_parquet(out, compression="zstd", index=False)
    return facts


def pandas_preview(data: bytes, step_seconds: float) -> dict[str, Any]:
    frame = pd.read_parquet(io.BytesIO(data))
    stats: dict[str, Any] = {}
    for name in frame.columns[1:]:
        column = frame[name].astype("float64")
        present = column[np.isfinite(column)]
        counts, edges = np.histogram(present.to_numpy(), bins=20)
        stats[name] = {
            "missing": int(len(column) - len(present)),
            "mean": present.mean(),
            "std": present.std(),
            "min": present.min(),
            "max": present.max(),
            "quantiles": present.quantile(QS).tolist(),
            "buckets": list(zip(edges[:-1], edges[1:], counts, strict=True)),
        }
    steps = frame["timestamp"].diff().dt.total_seconds()
    holes = steps[steps > 1.5 * step_seconds]
    gaps = {
        "count": len(holes),
        "missing": int((holes / step_seconds).round().sum() - len(holes)),
        "regular": float(((steps - step_seconds).abs() <= 0.01 * step_seconds).mean()),
        "largest": holes.nlargest(10).index.tolist(),
    }
    return {"stats": stats, "gaps": gaps, "sample": frame.head(20).to_dict("records")}


class Timing(NamedTuple):
    """Wall seconds, and CPU seconds of this process (all its threads): the CPU figure
    barely moves when other work shares the machine, the wall figure does."""

    wall: float
    cpu: float


def median(timings: list[Timing]) -> Timing:
    return Timing(
        statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings)
    )


async def timed(fn: Callable[[], Awaitable[Any]]) -> tuple[Timing, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = await fn()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu), result


async def in_thread(fn: Callable[..., Any], *args: Any) -> tuple[Timing, Any]:
    return await timed(partial(anyio.to_thread.run_sync, fn, *args))


async def main(rows: int, rounds: int) -> None:
    from piccolo.engine import engine_finder

    from control_plane.datasets import intake
    from control_plane.datasets import service as datasets
    from control_plane.migrations import run_migrations

    settings = Settings.from_env()
    store = ObjectStore.from_settings(settings)
    engine = engine_finder()
    assert engine is not None
    await engine.start_connection_pool()
    await run_migrations()
    await store.ensure_bucket()
    with tempfile.TemporaryDirectory(prefix="loadstar-bench-") as tmp:
        folder = Path(tmp)
        csv = folder / "load.csv"
        started = time.perf_counter()
        await anyio.to_thread.run_sync(generate, csv, rows)
        size = csv.stat().st_size
        took = time.perf_counter() - started
        print(f"generated {rows:,} rows, {size / 2**20:.0f} MiB CSV in {took:.1f} s")

        t_upload, dataset = await timed(
            lambda: intake.upload_dataset(store, multipart(csv, "bench"), BOUNDARY, 1 << 40, USER)
        )
        pandas_prefix = f"bench-pandas/{dataset.id}/"

        async def pandas_upload() -> None:
            """The original goes to S3 while pandas parses (the same overlap ours gets)."""
            out = folder / "p.parquet"

            async def convert_then_store() -> None:
                await anyio.to_thread.run_sync(pandas_ingest, csv, out)
                await store.put_file(pandas_prefix + "canonical.parquet", out)

            async with anyio.create_task_group() as group:
                group.start_soon(store.put_file, pandas_prefix + "original.csv", csv)
                group.start_soon(convert_then_store)

        t_pd_upload, _ = await timed(pandas_upload)

        compute, pd_compute = [], []
        for _ in range(rounds):
            t, _ = await in_thread(ingest_file, csv, "csv", folder / "c.parquet", IngestOptions())
            compute.append(t)
            t, _ = await in_thread(pandas_ingest, csv, folder / "q.parquet")
            pd_compute.append(t)

        cold, warm, pd_preview = [], [], []
        cache = storage.explore_key(dataset.id, "profile-v1.json")
        for _ in range(rounds):
            await store.remove_prefix(cache)
            t, first = await timed(lambda: explore.preview(settings, store, dataset.id, 20))
            assert not first.cached
            cold.append(t)
            t, again = await timed(lambda: explore.preview(settings, store, dataset.id, 20))
            assert again.cached
            warm.append(t)

            async def with_pandas() -> Any:
                data = await store.get_bytes(dataset.canonicalKey)
                return await anyio.to_thread.run_sync(
                    pandas_preview, data, dataset.frequencySeconds or 60.0
                )

            t, _ = await timed(with_pandas)
            pd_preview.append(t)
        await store.remove_prefix(pandas_prefix)
        await datasets.remove_dataset(store, dataset.id)
    await engine.close_connection_pool()

    cold_t, warm_t, pd_t = median(cold), median(warm), median(pd_preview)
    mib = size / 2**20
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{rows:,} rows x 4 columns at 1 min ({mib:.0f} MiB CSV); medians of {rounds} rounds")
    print(f"load average at the end: {load} on {os.cpu_count()} CPUs")
    print(f"{'step':44} {'ours wall/cpu':>16} {'pandas wall/cpu':>17} {'ratio wall/cpu':>16}")
    table = [
        ("upload -> canonical Parquet in S3 (end to end)", t_upload, t_pd_upload),
        ("  of which parse/profile/write (no S3)", median(compute), median(pd_compute)),
        ("explore/preview, statistics recomputed", cold_t, pd_t),
        ("explore/preview, as after upload (cached)", warm_t, pd_t),
    ]
    for label, ours, theirs in table:
        mine = f"{ours.wall:>7.2f} /{ours.cpu:>6.2f} s"
        other = f"{theirs.wall:>8.2f} /{theirs.cpu:>6.2f} s"
        ratio = f"{theirs.wall / ours.wall:>7.1f}x /{theirs.cpu / ours.cpu:>5.1f}x"
        print(f"{label:44} {mine} {other} {ratio}")
    ok = {True: "met", False: "NOT met"}
    print(
        f"\ngoals: preview < 3 s: {ok[cold_t.wall < 3]} recomputed ({cold_t.wall:.2f} s),", end=" "
    )
    print(f"{ok[warm_t.wall < 3]} as after upload ({warm_t.wall:.2f} s)")
    print(f"       >= 5x pandas: {ok[pd_t.wall / cold_t.wall >= 5]} recomputed", end=" ")
    print(f"({pd_t.wall / cold_t.wall:.1f}x wall, {pd_t.cpu / cold_t.cpu:.1f}x cpu),", end=" ")
    print(f"{ok[pd_t.wall / warm_t.wall >= 5]} as after upload ({pd_t.wall / warm_t.wall:.0f}x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of the repeated steps (medians shown)"
    )
    args = parser.parse_args()
    asyncio.run(main(args.rows, args.rounds))
