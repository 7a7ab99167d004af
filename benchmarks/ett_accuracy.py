"""Forecast accuracy on real data (ETTh1), through the same `train_forecaster` a job runs.

    .venv/bin/python -m benchmarks.ett_accuracy            # full run, ~5-10 min on 2 cores
    .venv/bin/python -m benchmarks.ett_accuracy --quick    # fewer epochs for the networks

1. Univariate OT, lookback 336, horizons 96 and 24, the standard 12/4/4-month split,
   z-score with training statistics, MSE/MAE on the normalised values, every algorithm
   next to seasonal-naive and the published DLinear/NLinear figures, plus the coverage of
   the [p05, p95] interval.
2. A load channel: HUFL with the other channels as inputs, the plan from `suggest_plan`,
   horizon 24, default hyperparameters: MAE against seasonal-naive, on the standard split
   and on the platform's default 70/10/20 split.

ETTh1.csv is read from $LOADSTAR_DATA_DIR, else infra/demo/data in the repository.
Results are also written to benchmarks/results/ett_accuracy.json.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl
import torch

from loadstar_core.features.auto import suggest_plan
from schemas.feature_plan import FeaturePlan, Normalize, PlanInput
from training.data import read_frame
from training.models import ALGORITHMS, DEFAULT_ALGORITHM
from training.pipeline import TrainingResult, train_forecaster

ROOT = Path(__file__).resolve().parents[1]
STANDARD_SPLIT = [[0, 8640], [8640, 11520], [11520, 14400]]
# DLinear paper, Table 1 (univariate ETTh1, L = 336): (MSE, MAE) per horizon.
PUBLISHED = {
    "DLinear": {96: (0.056, 0.180)},
    "NLinear": {96: (0.053, 0.177)},
}
GOALS: dict[str, Any] = {"mse96": 0.053, "hufl_gain_pct": 20.0, "coverage": (0.87, 0.93)}


def data_path() -> Path:
    folder = os.environ.get("LOADSTAR_DATA_DIR")
    # the unchanged copy kept in the repository (infra/demo/data, with its attribution)
    return Path(folder) / "ETTh1.csv" if folder else ROOT / "infra" / "demo" / "data" / "ETTh1.csv"


def run(
    frame: pl.DataFrame, plan: FeaturePlan, algorithm: str, params: dict[str, Any]
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as workdir:
        result: TrainingResult = train_forecaster(
            frame, plan, algorithm, params, workdir=Path(workdir), emit=lambda kind, payload: None
        )
        card = json.loads(result.card_json_path.read_text())
    training = card["training"]
    return {
        "algorithm": algorithm,
        "metrics": result.metrics,
        "epochs": result.epochs_run,
        "bestEpoch": result.best_epoch,
        "secondsPerEpoch": training["secondsPerEpoch"],
        "seconds": result.seconds,
    }


def univariate(
    frame: pl.DataFrame, algorithms: list[str], epochs: int | None
) -> list[dict[str, Any]]:
    rows = []
    for horizon in (96, 24):
        plan = FeaturePlan(
            target="OT",
            inputs=[PlanInput(name="OT", unit="degC")],
            frequency="1h",
            lookback=336,
            horizon=horizon,
            ops=[Normalize()],
            timestampColumn="date",
        )
        for algorithm in algorithms:
            params: dict[str, Any] = {"split_rows": STANDARD_SPLIT}
            if epochs is not None:
                params["epochs"] = epochs
            rows.append({"horizon": horizon, **run(frame, plan, algorithm, params)})
    return rows


def load_channel(
    frame: pl.DataFrame, algorithms: list[str], epochs: int | None
) -> list[dict[str, Any]]:
    plan, _ = suggest_plan(frame, "HUFL", horizon=24, timestamp_column="date")
    rows = []
    for split_name, split in (
        ("standard 12/4/4 months", {"split_rows": STANDARD_SPLIT}),
        ("default 70/10/20", {}),
    ):
        for algorithm in algorithms:
            params: dict[str, Any] = dict(split)
            if epochs is not None:
                params["epochs"] = epochs
            rows.append(
                {
                    "split": split_name,
                    "lookback": plan.lookback,
                    **run(frame, plan, algorithm, params),
                }
            )
    return rows


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def print_univariate(rows: list[dict[str, Any]]) -> None:
    print("\n## ETTh1 univariate OT, L=336, standard split (normalised MSE / MAE)\n")
    print(row("H", "model", "MSE", "MAE", "p05-p95 coverage", "epochs (best)", "s/epoch"))
    print(row(*["---"] * 7))
    for horizon in (96, 24):
        subset = [r for r in rows if r["horizon"] == horizon]
        base = subset[0]["metrics"]["baseline"]
        mse, mae = f"{base['mseNormalized']:.4f}", f"{base['maeNormalized']:.4f}"
        print(row(horizon, "seasonal-naive", mse, mae, "-", "-", "-"))
        for name, numbers in PUBLISHED.items():
            if horizon in numbers:
                mse, mae = (f"{v:.3f}" for v in numbers[horizon])
                print(row(horizon, f"{name} (published)", mse, mae, "-", "-", "-"))
        for r in subset:
            m = r["metrics"]
            print(
                row(
                    horizon,
                    r["algorithm"],
                    f"{m['model']['mseNormalized']:.4f}",
                    f"{m['model']['maeNormalized']:.4f}",
                    f"{m['coverage'] * 100:.1f}%",
                    f"{r['epochs']} ({r['bestEpoch']})",
                    f"{r['secondsPerEpoch']:.2f}",
                )
            )


def print_load_channel(rows: list[dict[str, Any]]) -> None:
    print(
        "\n## ETTh1 HUFL with the other 6 channels as inputs, auto plan, H=24 (MAE, load units)\n"
    )
    heads = ("split", "model", "MAE", "seasonal-naive MAE", "improvement", "coverage")
    print(row(*heads, "epochs (best)", "s/epoch"))
    print(row(*["---"] * 8))
    for r in rows:
        m = r["metrics"]
        print(
            row(
                r["split"],
                r["algorithm"],
                f"{m['model']['mae']:.3f}",
                f"{m['baseline']['mae']:.3f}",
                f"{m['maeImprovementPct']:.1f}%",
                f"{m['coverage'] * 100:.1f}%",
                f"{r['epochs']} ({r['bestEpoch']})",
                f"{r['secondsPerEpoch']:.2f}",
            )
        )


def print_goals(uni: list[dict[str, Any]], load: list[dict[str, Any]]) -> None:
    at96 = [r for r in uni if r["horizon"] == 96]
    best96 = min(at96, key=lambda r: float(r["metrics"]["model"]["mseNormalized"]))
    mse = best96["metrics"]["model"]["mseNormalized"]
    default_load = [r for r in load if r["algorithm"] == DEFAULT_ALGORITHM]
    gains = ", ".join(
        f"{r['split']}: {r['metrics']['maeImprovementPct']:.1f}%" for r in default_load
    )
    low, high = GOALS["coverage"]
    coverages = [
        r["metrics"]["coverage"] for r in uni + load if r["algorithm"] == DEFAULT_ALGORITHM
    ]
    inside = sum(low <= c <= high for c in coverages)
    verdict = "met" if mse <= GOALS["mse96"] else "MISSED"
    print("\n## Goals\n")
    print(f"- best H=96 MSE {mse:.4f} ({best96['algorithm']}), goal <= {GOALS['mse96']}: {verdict}")
    goal = GOALS["hufl_gain_pct"]
    print(f"- HUFL MAE below seasonal-naive, {DEFAULT_ALGORITHM} (goal >= {goal:.0f}%): {gains}")
    listed = ", ".join(f"{c * 100:.1f}%" for c in coverages)
    print(
        f"- {DEFAULT_ALGORITHM} coverage in 90% +- 3%: {inside} of {len(coverages)} runs ({listed})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="at most 8 epochs per network")
    parser.add_argument("--algorithms", default=",".join(ALGORITHMS))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    algorithms = [a for a in args.algorithms.split(",") if a]
    epochs = 8 if args.quick else None
    frame = read_frame(data_path())
    started = time.perf_counter()
    device = f"cpu, {args.threads} threads"
    if torch.cuda.is_available():
        device = f"cuda, {torch.cuda.get_device_name()}"
    mode = "quick" if args.quick else "full"
    print(f"# ETTh1 accuracy ({mode}; {device}; torch {torch.__version__})", flush=True)
    uni = univariate(frame, algorithms, epochs)
    print_univariate(uni)
    load = load_channel(frame, algorithms, epochs)
    print_load_channel(load)
    print_goals(uni, load)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ett_accuracy.json").write_text(
        json.dumps({"univariate": uni, "loadChannel": load}, indent=2)
    )


if __name__ == "__main__":
    main()
