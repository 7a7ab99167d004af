"""Many meters, one model: one global job against one job per asset, on the synthetic factory.

    .venv/bin/python -m benchmarks.global_bench                 # 3 lines, 120 days (~minutes)
    .venv/bin/python -m benchmarks.global_bench --quick         # a day of history, 2 h ahead

The plan is what `features/auto` suggests for line-a (production plan and temperature known
in advance, German holidays); `--quick` uses a small one instead (a day of history, two
hours ahead, calendar and the two known inputs). The global job names the `line` column;
each per-asset job trains on one line's rows. Both split every line 70/10/20 in time, so
each line's test windows are the same; the table gives each line's test MAE (p50) in kW,
the [p05, p95] coverage, the seasonal naive's MAE, and training seconds.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from infra.demo.factory import factory_frame, one_line
from loadstar_core.features.auto import suggest_plan
from schemas.feature_plan import FeaturePlan, PlanInput, Seasonality
from training.models import DEFAULT_ALGORITHM
from training.pipeline import train_forecaster

KNOWN = ("production_plan", "ambient_temp_c")


QUICK = FeaturePlan(
    target="load_kw",
    inputs=[
        PlanInput(name="load_kw", unit="kW"),
        PlanInput(name="production_plan", unit="1", known=True),
        PlanInput(name="ambient_temp_c", unit="degC", known=True),
    ],
    frequency="15min",
    lookback=96,
    horizon=8,
    ops=[Seasonality(holidays="DE-BW")],
)


def run(days: int, lines: int, algorithm: str, quick: bool = False) -> dict[str, Any]:
    frame = factory_frame(days=days, lines=lines)
    names = sorted(frame.get_column("line").unique().to_list())
    plan = QUICK
    if not quick:
        plan, _ = suggest_plan(
            one_line(frame, names[0]), "load_kw", known=list(KNOWN), holidays="DE-BW"
        )
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as workdir:
        started = time.perf_counter()
        pooled = train_forecaster(
            frame,
            plan,
            algorithm,
            {"series_column": "line"},
            workdir=Path(workdir) / "global",
            emit=lambda *_: None,
        )
        global_seconds = time.perf_counter() - started
        for name in names:
            started = time.perf_counter()
            own = train_forecaster(
                one_line(frame, name),
                plan,
                algorithm,
                {},
                workdir=Path(workdir) / name,
                emit=lambda *_: None,
            )
            seconds = time.perf_counter() - started
            shared = pooled.metrics["perAsset"][name]
            rows[name] = {
                "globalMae": shared["mae"],
                "ownMae": own.metrics["model"]["mae"],
                "globalCoverage": shared["coverage"],
                "ownCoverage": own.metrics["coverage"],
                "naiveMae": shared["seasonalNaiveMae"],
                "ownSeconds": seconds,
                "testWindows": shared["testWindows"],
                "ownTestWindows": own.metrics["testWindows"],
            }
    return {
        "algorithm": algorithm,
        "days": days,
        "plan": f"L={plan.lookback} H={plan.horizon}",
        "globalSeconds": global_seconds,
        "rows": rows,
    }


def print_table(result: dict[str, Any]) -> None:
    print(
        f"synthetic factory, {result['days']} days, {result['plan']}, {result['algorithm']}; "
        f"global job {result['globalSeconds']:.1f} s"
    )
    print(
        f"{'asset':<8} {'global MAE':>10} {'own MAE':>9} {'global/own':>10} "
        f"{'cov g':>6} {'cov own':>7} {'naive MAE':>9} {'own s':>6} {'windows':>8}"
    )
    for name, r in result["rows"].items():
        print(
            f"{name:<8} {r['globalMae']:>10.2f} {r['ownMae']:>9.2f} "
            f"{r['globalMae'] / r['ownMae']:>10.3f} {r['globalCoverage']:>6.3f} "
            f"{r['ownCoverage']:>7.3f} {r['naiveMae']:>9.2f} {r['ownSeconds']:>6.1f} "
            f"{r['testWindows']:>4}/{r['ownTestWindows']:<4}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--lines", type=int, default=3)
    parser.add_argument("--algorithm", default=DEFAULT_ALGORITHM)
    parser.add_argument("--quick", action="store_true", help="a small plan: L=96, H=8")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    print_table(run(args.days, args.lines, args.algorithm, args.quick))


if __name__ == "__main__":
    main()
