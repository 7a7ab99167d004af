"""The run table and the comparison with 1,000 runs: list and compare latency.

    .venv/bin/python -m benchmarks.runs_bench              # 1,000 runs, 30 epochs each
    .venv/bin/python -m benchmarks.runs_bench --runs 200

Against the Postgres of the environment (DATABASE_URL, migrated first), it writes N
finished training jobs with their metric events (one per epoch: trainLoss, valLoss, lr,
seconds...) and test evaluation, groups them in one experiment, then times through the
lab's services (what the routes call, without HTTP):

- list: the run table of all N runs, sorted by a metric's minimum, one page of 50, paged,
  sorted and filtered in PostgreSQL (a run's metric summary is folded from its events at
  the first listing and kept; that first listing is printed apart);
- list, filtered: the same with a status and a name filter, then with a metric and a
  parameter filter; sorted by a parameter (page 5);
- compare: 20 runs side by side (parameter diff, loss curves, per-step metrics);
- reference: the run table built the naive way, one metrics query per run.

Medians of 10 calls each. Goal: list and compare under 300 ms. Everything it wrote is
deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from control_plane.lab import runs
from control_plane.lab.tables import Experiment, Run, RunSummary
from control_plane.migrations import run_migrations
from control_plane.training import service as training
from control_plane.training.tables import TrainingEventRow, TrainingJob

REPEATS = 10
GOAL_MS = 300.0


def _job(i: int, prefix: str, rng: random.Random, horizon: int) -> dict[str, Any]:
    algorithm = rng.choice(["linear", "mlp", "tide", "patchtst"])
    mae = rng.uniform(2, 6)
    return {
        "id": f"{prefix}{i:05d}",
        "dataset_id": "ds-bench",
        "feature_plan_id": "fp-bench",
        "algorithm": algorithm,
        "hyperparams": {
            "lr": rng.choice([1e-3, 5e-4, 1e-4]),
            "epochs": 30,
            "batch_size": rng.choice([64, 128, 256]),
            "seed": i,
        },
        "plan": {},
        "status": rng.choice(["succeeded"] * 8 + ["failed", "cancelled"]),
        "evaluation": {
            "model": {"mae": mae, "rmse": mae * 1.3, "mase": mae / 4},
            "coverage": rng.uniform(0.8, 0.95),
            "perStep": {
                "mae": [mae * (1 + s / horizon) for s in range(horizon)],
                "coverage": [0.9] * horizon,
            },
        },
        "created_at": datetime.now(UTC) - timedelta(minutes=i),
    }


def _events(job_id: str, epochs: int, rng: random.Random) -> list[dict[str, Any]]:
    loss = rng.uniform(0.5, 1.0)
    out = []
    for epoch in range(1, epochs + 1):
        loss *= rng.uniform(0.9, 1.0)
        payload = {
            "epoch": epoch,
            "trainLoss": loss,
            "valLoss": loss * 1.1,
            "lr": 1e-3,
            "seconds": 0.5,
            "bestValLoss": loss,
            "progress": epoch / epochs,
        }
        out.append(
            {
                "job_id": job_id,
                "seq": epoch,
                "type": "metric",
                "level": "",
                "payload": payload,
                "ts": "2026-01-01T00:00:00Z",
            }
        )
    return out


async def populate(n: int, epochs: int, prefix: str, experiment_id: str) -> list[str]:
    rng = random.Random(7)
    now = datetime.now(UTC)
    await Experiment(id=experiment_id, name="runs benchmark", created_at=now, updated_at=now).save()
    jobs = [_job(i, prefix, rng, 24) for i in range(n)]
    for start in range(0, n, 50):  # under asyncpg's 32,767 query arguments
        part = jobs[start : start + 50]
        await TrainingJob.insert(*[TrainingJob(**j) for j in part])
        await TrainingEventRow.insert(
            *[TrainingEventRow(**e) for j in part for e in _events(j["id"], epochs, rng)]
        )
        await Run.insert(
            *[
                Run(
                    job_id=j["id"],
                    experiment_id=experiment_id,
                    name=f"run {j['id']}",
                    created_at=j["created_at"],
                )
                for j in part
            ]
        )
    return [j["id"] for j in jobs]


async def cleanup(prefix: str, experiment_id: str) -> None:
    await TrainingEventRow.delete().where(TrainingEventRow.job_id.like(f"{prefix}%"))
    await TrainingJob.delete().where(TrainingJob.id.like(f"{prefix}%"))
    await RunSummary.delete().where(RunSummary.job_id.like(f"{prefix}%"))
    await Run.delete().where(Run.experiment_id == experiment_id)
    await Experiment.delete().where(Experiment.id == experiment_id)


async def median_ms(call: Callable[[], Awaitable[Any]]) -> float:
    await call()  # warm
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def naive_table(ids: list[str]) -> list[Any]:
    return [await training.job_metrics(i) for i in ids]


async def main(n: int, epochs: int) -> None:
    await run_migrations()
    prefix, experiment_id = f"bench-{secrets.token_hex(3)}-", f"exp-{secrets.token_hex(4)}"
    try:
        ids = await populate(n, epochs, prefix, experiment_id)

        def table(**filters: Any) -> Callable[[], Awaitable[Any]]:
            args: dict[str, Any] = {
                "experiment_id": experiment_id,
                "status": None,
                "algorithm": None,
                "q": None,
                "sort": "metric:valLoss:min",
                "descending": False,
                "page": 1,
                "page_size": 50,
            }
            return lambda: runs.list_runs(**(args | filters))

        started = time.perf_counter()
        await table()()  # the first listing folds every run's events into its summary
        cold = (time.perf_counter() - started) * 1000
        rows = [
            ("list (sort by min valLoss)", await median_ms(table())),
            ("list, filtered (status, name)", await median_ms(table(status="succeeded", q="run"))),
            (
                "list, filtered (metric, param)",
                await median_ms(table(where=["metric:valLoss:min<0.5", "param:batch_size=128"])),
            ),
            ("list, sorted by a param", await median_ms(table(sort="param:lr", page=5))),
            ("compare 20 runs", await median_ms(lambda: runs.compare_runs(ids[:20]))),
        ]
        reference = await median_ms(lambda: naive_table(ids[:n]))
    finally:
        await cleanup(prefix, experiment_id)
    print(f"{n} runs x {epochs} epochs of metric events; median of {REPEATS} calls")
    print(f"{'operation':<34}{'ms':>10}{'goal':>10}{'vs naive':>10}")
    for name, ms in rows:
        mark = "met" if ms < GOAL_MS else "MISSED"
        print(f"{name:<34}{ms:>10.1f}{mark:>10}{reference / ms:>9.1f}x")
    print(f"{'first list (folds every summary)':<34}{cold:>10.1f}")
    print(f"{'reference: one query per run':<34}{reference:>10.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=30)
    options = parser.parse_args()
    asyncio.run(main(options.runs, options.epochs))
