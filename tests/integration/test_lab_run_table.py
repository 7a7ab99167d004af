"""The run table paged, sorted and filtered by PostgreSQL on the real database: by a
metric's min, by a parameter, with metric and parameter filters, past the last page."""

from __future__ import annotations

import json
import os
import random
import secrets
from datetime import UTC, datetime

import asyncpg
import pytest

from benchmarks.runs_bench import _events, _job

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def _populate(conn: asyncpg.Connection, n: int, prefix: str, experiment_id: str) -> None:
    """The benchmark's runs, written with a connection of this test's loop (the app's
    engine lives on the app's)."""
    rng, now = random.Random(7), datetime.now(UTC)
    await conn.execute(
        "INSERT INTO lab_experiment (id, name, description, created_by, created_at, updated_at)"
        " VALUES ($1, 'run table test', '', '', $2, $2)",
        experiment_id,
        now,
    )
    for i in range(n):
        job = _job(i, prefix, rng, 6)
        await conn.execute(
            "INSERT INTO training_job (id, dataset_id, feature_plan_id, algorithm, hyperparams,"
            " status, evaluation, created_at)"
            " VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7::jsonb, $8)",
            job["id"],
            job["dataset_id"],
            job["feature_plan_id"],
            job["algorithm"],
            json.dumps(job["hyperparams"]),
            job["status"],
            json.dumps(job["evaluation"]),
            job["created_at"],
        )
        await conn.executemany(
            "INSERT INTO training_event (job_id, seq, type, level, payload, ts)"
            " VALUES ($1, $2, $3, $4, $5::jsonb, $6)",
            [
                (e["job_id"], e["seq"], e["type"], e["level"], json.dumps(e["payload"]), e["ts"])
                for e in _events(job["id"], 5, rng)
            ],
        )
        await conn.execute(
            "INSERT INTO lab_run (job_id, kind, experiment_id, name, created_at)"
            " VALUES ($1, 'training', $2, $3, $4)",
            job["id"],
            experiment_id,
            f"run {job['id']}",
            job["created_at"],
        )


async def _cleanup(conn: asyncpg.Connection, prefix: str, experiment_id: str) -> None:
    for table, column in (
        ("training_event", "job_id"),
        ("lab_run_summary", "job_id"),
        ("lab_run", "job_id"),
        ("training_job", "id"),
    ):
        await conn.execute(f"DELETE FROM {table} WHERE {column} LIKE $1", f"{prefix}%")
    await conn.execute("DELETE FROM lab_experiment WHERE id = $1", experiment_id)


async def test_sort_filter_and_page_in_sql(cp_client, admin_headers) -> None:
    prefix, experiment_id = f"rt-{secrets.token_hex(3)}-", f"exp-{secrets.token_hex(4)}"
    conn = await asyncpg.connect(os.environ["DATABASE_URL"])
    await _populate(conn, 40, prefix, experiment_id)
    try:

        async def table(**params) -> dict:
            resp = await cp_client.get(
                "/api/runs",
                params={"experimentId": experiment_id, "pageSize": 10, **params},
                headers=admin_headers,
            )
            assert resp.status_code == 200, resp.text
            return resp.json()

        full = await table(pageSize=100, sort="metric:valLoss:min", order="asc")
        assert full["total"] == 40 and len(full["items"]) == 40
        losses = [r["metrics"]["valLoss"]["min"] for r in full["items"]]
        assert losses == sorted(losses)
        assert {"valLoss", "trainLoss", "test.mae"} <= set(full["metricColumns"])
        assert {"lr", "batch_size", "epochs"} <= set(full["paramColumns"])

        page2 = await table(sort="metric:valLoss:min", order="asc", page=2)
        assert [r["id"] for r in page2["items"]] == [r["id"] for r in full["items"][10:20]]
        assert page2["total"] == 40 and all(r["kind"] == "training" for r in page2["items"])

        by_param = await table(pageSize=100, sort="param:batch_size", order="desc")
        sizes = [r["params"]["batch_size"] for r in by_param["items"]]
        assert sizes == sorted(sizes, reverse=True)

        small = await table(pageSize=100, where=["param:batch_size=64"])
        assert small["total"] == sum(1 for s in sizes if s == 64)
        assert all(r["params"]["batch_size"] == 64 for r in small["items"])
        threshold = losses[len(losses) // 2]
        good = await table(pageSize=100, where=[f"metric:valLoss:min<{threshold}", "param:lr>0"])
        assert good["total"] == sum(1 for v in losses if v < threshold)
        by_name = await table(pageSize=100, where=["param:optimizer=adam"])
        assert by_name["total"] == 0

        past = await table(page=9)
        assert past["items"] == [] and past["total"] == 40

        bad = await cp_client.get(
            "/api/runs", params={"where": "metric:valLoss~1"}, headers=admin_headers
        )
        assert bad.status_code == 400 and bad.json()["code"] == "INVALID_INPUT"
        bad_sort = await cp_client.get("/api/runs", params={"sort": "nope"}, headers=admin_headers)
        assert bad_sort.status_code == 400
    finally:
        await _cleanup(conn, prefix, experiment_id)
        await conn.close()
