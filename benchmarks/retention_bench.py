"""What a year of one line at 15 minutes costs in PostgreSQL, and what retention takes.

    .venv/bin/python -m benchmarks.retention_bench [--horizon 96] [--every 1]

In a scratch schema with the watching tables (the migration's DDL): one year of readings
(35,040), the forecasts a gateway records when it is asked for a `--horizon`-step
forecast every `--every` grid steps, and 100 anomaly events; then the table + index sizes
(`pg_total_relation_size`, after VACUUM) and the time the retention pass takes to delete
the oldest month in batches. The schema is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from datetime import UTC, datetime

import asyncpg

from control_plane.watching.piccolo_migrations.watching_2026_12_06t09_10_00_000000 import SQL
from control_plane.watching.upkeep import BATCH

READINGS_PER_YEAR = 365 * 96
TABLES = ("watch_reading", "watch_forecast", "anomaly_event")


async def main(horizon: int, every: int) -> None:
    url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    schema = f"retention_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"CREATE SCHEMA {schema}; SET search_path TO {schema}")
        for statement in filter(str.strip, SQL.split(";")):
            await conn.execute(statement)
        start = datetime(2025, 1, 1, tzinfo=UTC)
        await conn.execute(
            "INSERT INTO watch_reading (deployment_id, t, value) "
            "SELECT 'dep-bench-000000', $1::timestamptz + i * interval '15 min', "
            "400 + 50 * sin(i / 96.0 * 2 * pi()) FROM generate_series(0, $2 - 1) AS i",
            start,
            READINGS_PER_YEAR,
        )
        await conn.execute(
            "INSERT INTO watch_forecast (deployment_id, origin, step, t, p05, p50, p95) "
            "SELECT 'dep-bench-000000', $1::timestamptz + o * interval '15 min', s, "
            "$1::timestamptz + (o + s) * interval '15 min', 380 + s, 400 + s, 420 + s "
            "FROM generate_series(0, $2 - 1, $3) AS o, generate_series(1, $4) AS s",
            start,
            READINGS_PER_YEAR,
            every,
            horizon,
        )
        await conn.execute(
            "INSERT INTO anomaly_event (deployment_id, asset_id, kind, start_at, end_at, "
            "readings, duration_minutes, peak, peak_at, expected, energy_kwh, score, unit, "
            "reason) SELECT 'dep-bench-000000', 'line-a', 'spike', "
            "$1::timestamptz + i * interval '3 days', $1::timestamptz + i * interval '3 days', "
            "2, 30, 900, $1::timestamptz + i * interval '3 days', 410, 245, 9.5, 'kW', "
            "'Spike: load 2.2x the expected 410 kW for 30 min' FROM generate_series(0, 99) i",
            start,
        )
        await conn.execute("VACUUM ANALYZE watch_reading, watch_forecast, anomaly_event")
        total = 0
        print(f"one line, one year at 15 min; forecasts: {horizon} steps every {every} step(s)")
        print("| table | rows | size (table + indexes) | bytes per row |")
        print("|---|---|---|---|")
        for table in TABLES:
            rows = await conn.fetchval(f"SELECT count(*) FROM {table}")
            size = await conn.fetchval(f"SELECT pg_total_relation_size('{schema}.{table}')")
            total += size
            print(f"| {table} | {rows:,} | {size / 2**20:.1f} MiB | {size / max(rows, 1):.0f} |")
        print(f"| total | | {total / 2**20:.1f} MiB | |")
        cutoff = datetime(2025, 2, 1, tzinfo=UTC)
        started = time.perf_counter()
        deleted = 0
        for table in ("watch_reading", "watch_forecast"):
            while True:
                n = len(
                    await conn.fetch(
                        f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} "
                        "WHERE deployment_id = 'dep-bench-000000' AND t < $1::timestamptz "
                        "LIMIT $2) RETURNING 1",
                        cutoff,
                        BATCH,
                    )
                )
                deleted += n
                if n < BATCH:
                    break
        seconds = time.perf_counter() - started
        print(f"retention: deleted the oldest month ({deleted:,} rows) in {seconds:.2f} s")
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--horizon", type=int, default=96)
    parser.add_argument("--every", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(main(args.horizon, args.every))
