"""The platform's default forecaster against what a user would pick instead.

    .venv/bin/python -m benchmarks.forecast_bench            # every series (~15 min, 2 cores)
    .venv/bin/python -m benchmarks.forecast_bench --series factory-a
    .venv/bin/python -m benchmarks.forecast_bench --platform-only   # the default, naives only

For each series: the plan `features/auto` suggests, the default algorithm and its default
hyperparameters, the default 70/10/20 split; the exported `model.onnx` is scored with
onnxruntime on the test period at origins one horizon apart, beside seasonal naive (a day
and a week), statsforecast MSTL and AutoETS, and LightGBM on lags, all on the same
origins. MASE here is MAE over the MAE of the better seasonal naive on those windows.
Results go to benchmarks/results/forecast_bench.json too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import polars as pl

from benchmarks.forecast_peers import PEERS, Forecast, Problem
from infra.demo.factory import factory_frame, one_line
from loadstar_core.features.align import align_frame
from loadstar_core.features.auto import suggest_plan
from loadstar_core.features.layout import calendar_phases
from schemas.feature_plan import FeaturePlan
from training.data import chronological_split, read_frame
from training.models import DEFAULT_ALGORITHM
from training.pipeline import train_forecaster

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "infra" / "demo" / "data"
SPLIT = (0.7, 0.1, 0.2)
GOALS = {"skill": 0.35, "coverage": (0.87, 0.93)}


def _ett(
    name: str, target: str, univariate: bool
) -> Callable[[], tuple[pl.DataFrame, dict[str, Any]]]:
    def load() -> tuple[pl.DataFrame, dict[str, Any]]:
        frame = read_frame(DATA / name).rename({"date": "timestamp"})
        if univariate:
            frame = frame.select("timestamp", target)
        return frame, {"target": target}

    return load


def _factory(line: str) -> Callable[[], tuple[pl.DataFrame, dict[str, Any]]]:
    def load() -> tuple[pl.DataFrame, dict[str, Any]]:
        frame = one_line(factory_frame(), line)
        options = {
            "target": "load_kw",
            "known": ["production_plan", "ambient_temp_c"],
            "holidays": "DE-BW",
        }
        return frame, options

    return load


SERIES: dict[str, Callable[[], tuple[pl.DataFrame, dict[str, Any]]]] = {
    "ETTh1-HUFL": _ett("ETTh1.csv", "HUFL", univariate=False),
    "ETTh1-OT": _ett("ETTh1.csv", "OT", univariate=True),
    "ETTm1-HUFL": _ett("ETTm1.csv", "HUFL", univariate=False),
    "ETTm1-OT": _ett("ETTm1.csv", "OT", univariate=True),
    "factory-a": _factory("line-a"),
    "factory-c": _factory("line-c"),
}


def problem_for(frame: pl.DataFrame, plan: FeaturePlan) -> Problem:
    aligned = align_frame(frame, plan)
    split = chronological_split(aligned.height, SPLIT)
    values = aligned.select(plan.input_names).to_numpy()
    bad = np.concatenate([[0], np.cumsum(np.isnan(values).any(axis=1))])
    first = max(split.test[0], plan.lookback)
    candidates = np.arange(first, aligned.height - plan.horizon + 1, plan.horizon)
    clean = bad[candidates + plan.horizon] - bad[candidates - plan.lookback] == 0
    return Problem(plan, aligned, candidates[clean], split.val[1])


def platform_forecast(problem: Problem, model_path: Path) -> Forecast:
    plan = problem.plan
    values = problem.frame.select(plan.input_names).to_numpy().astype(np.float32)
    epoch = problem.frame.get_column(plan.timestampColumn).dt.epoch("s").to_numpy()
    phases = calendar_phases(epoch.astype(np.float64), plan.holidays)
    known = [plan.input_names.index(n) for n in plan.known_inputs]
    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    wanted = {i.name for i in session.get_inputs()}
    L, H = plan.lookback, plan.horizon
    feeds = {
        "window": np.stack([values[o - L : o] for o in problem.origins]),
        "calendar": np.stack([phases[o - L : o + H] for o in problem.origins]),
        "future": np.stack([values[o : o + H][:, known] for o in problem.origins]),
    }
    out = session.run(["quantiles"], {k: v for k, v in feeds.items() if k in wanted})[0]
    return out[..., 0], out[..., len(plan.quantiles) // 2], out[..., -1]


def score(forecast: Forecast, actual: np.ndarray, naive_mae: float) -> dict[str, float]:
    low, mid, high = forecast
    mae = float(np.mean(np.abs(mid - actual)))
    return {
        "mae": mae,
        "mase": mae / naive_mae,
        "coverage": float(np.mean((actual >= low) & (actual <= high))),
    }


NAIVES = ("naive-day", "naive-week")  # what MASE needs; the rest with --platform-only skipped


def run_series(name: str, reuse_peers: bool = False, platform_only: bool = False) -> dict[str, Any]:
    frame, options = SERIES[name]()
    plan, _ = suggest_plan(
        frame,
        options["target"],
        known=options.get("known", ()),
        holidays=options.get("holidays"),
    )
    problem = problem_for(frame, plan)
    actual = problem.actuals()
    forecasts: dict[str, tuple[Forecast, float]] = {}
    # one cache per grid: a 10-minute run must not reuse the 15-minute forecasts
    cache = ROOT / "benchmarks" / "results" / f"peers-{name}-{plan.frequency}-h{plan.horizon}.npz"
    if platform_only:  # the seasonal naives alone (for MASE), nothing cached
        for peer in NAIVES:
            started = time.process_time()
            forecasts[peer] = (PEERS[peer](problem), time.process_time() - started)
    elif reuse_peers and cache.exists():  # while iterating on the platform's model only
        saved = np.load(cache)
        for peer in PEERS:
            forecasts[peer] = (
                tuple(saved[f"{peer}/{i}"] for i in range(3)),
                float(saved[f"{peer}/s"]),
            )  # type: ignore[assignment]
    else:
        for peer, method in PEERS.items():
            started = time.process_time()
            forecasts[peer] = (method(problem), time.process_time() - started)
        cache.parent.mkdir(parents=True, exist_ok=True)
        arrays = {f"{p}/{i}": f[i] for p, (f, _) in forecasts.items() for i in range(3)}
        np.savez(cache, **arrays, **{f"{p}/s": np.array(s) for p, (_, s) in forecasts.items()})
    with tempfile.TemporaryDirectory() as workdir:
        started = time.process_time()
        result = train_forecaster(
            frame, plan, DEFAULT_ALGORITHM, {}, workdir=Path(workdir), emit=lambda *_: None
        )
        seconds = time.process_time() - started
        forecasts["platform"] = (platform_forecast(problem, result.model_path), seconds)
    naive = min(
        float(np.mean(np.abs(forecasts[n][0][1] - actual))) for n in ("naive-day", "naive-week")
    )
    rows = {k: {**score(f, actual, naive), "cpuSeconds": s} for k, (f, s) in forecasts.items()}
    return {
        "series": name,
        "origins": len(problem.origins),
        "lookback": plan.lookback,
        "horizon": plan.horizon,
        "bestEpoch": result.best_epoch,
        "served": result.metrics.get("candidates", {}).get("chosen", DEFAULT_ALGORITHM),
        "trees": result.metrics.get("candidates", {}).get("trees"),
        "models": rows,
    }


def print_table(results: list[dict[str, Any]]) -> None:
    print(f"{'series':<12} {'model':<11} {'MAE':>10} {'MASE':>6} {'cov':>6} {'cpu s':>7}")
    for result in results:
        for model in ["platform", *(p for p in PEERS if p in result["models"])]:
            r = result["models"][model]
            print(
                f"{result['series']:<12} {model:<11} {r['mae']:>10.4f} {r['mase']:>6.3f}"
                f" {r['coverage']:>6.3f} {r['cpuSeconds']:>7.1f}"
            )
        print(f"{result['series']:<12} the platform serves {result.get('served', '?')}")
        if trees := result.get("trees"):  # the boosted trees' validation check
            print(
                f"{result['series']:<12} trees: validation MAE {trees['validationMaeTrees']:.4f}"
                f" against the ridge's {trees['validationMaeRidge']:.4f}, {trees['rounds']}"
                f" rounds, direct {trees.get('directRounds', 0)} at share"
                f" {trees.get('directShare', 0):g} ({trees['reason']})"
            )
        print()
    skills = [1 - r["models"]["platform"]["mase"] for r in results]
    wins = [
        all(
            r["models"]["platform"]["mae"] < r["models"][p]["mae"]
            for p in PEERS
            if p in r["models"]
        )
        for r in results
    ]
    if any(len(r["models"]) <= len(NAIVES) + 1 for r in results):
        print("(--platform-only: the peers here are the seasonal naives alone)")
    covers = [r["models"]["platform"]["coverage"] for r in results]
    low, high = GOALS["coverage"]
    print(f"platform beats every peer's MAE on {sum(wins)}/{len(wins)} series")
    print(
        f"median MAE skill over the best seasonal naive: {statistics.median(skills):.1%} (goal 35%)"
    )
    print(f"coverage of [p05, p95]: {min(covers):.3f}-{max(covers):.3f} (goal {low}-{high})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", nargs="*", default=list(SERIES), choices=list(SERIES))
    parser.add_argument(
        "--reuse-peers", action="store_true", help="reuse the peers' forecasts of an earlier run"
    )
    parser.add_argument(
        "--platform-only",
        action="store_true",
        help="train and score the platform's default; of the peers only the seasonal naives",
    )
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    results = [run_series(name, args.reuse_peers, args.platform_only) for name in args.series]
    print_table(results)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "forecast_bench.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
