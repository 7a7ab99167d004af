"""`train_forecaster`: the one entry point a worker calls. No Redis, S3 or database here.

frame + plan + algorithm + hyperparams -> model.onnx, card.json/.md, parity.npz and the
metrics, with progress reported through `emit` and pause/stop obeyed through `control`.
"""

from __future__ import annotations

import math
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import msgspec
import polars as pl
import torch

from loadstar_core.features.align import align_frame
from loadstar_core.features.layout import validate_plan
from loadstar_core.hyperparams import AutoParams, CommonParams, hyperparams_dict
from loadstar_core.signature import signature_of
from schemas.errors import InvalidInput
from schemas.feature_plan import FeaturePlan
from training.calibration import calibrate_intervals
from training.candidates import TREES, boost_residuals, build_graph, choose_candidate
from training.card import CardFacts, build_card, write_card
from training.data import SeriesData, SplitBounds, prepare_series
from training.evaluate import evaluate
from training.export import export_onnx, sha256_of
from training.fine_tune import load_matching_weights
from training.global_series import GlobalGraph, Pooled, per_asset_metrics, pool_series, raw_batch
from training.models import DEFAULT_ALGORITHM, parse_hyperparams
from training.models.boost_fit import BoostResult
from training.models.common import LinearStart
from training.models.selection import Choice
from training.models.warm_start import fit_linear_starts
from training.trainer import (
    TRAIN_SHARE,
    Control,
    Emit,
    Trainer,
    TrainingPaused,
    TrainingStopped,
    pick_device,
)

PARITY_WINDOWS = 256

__all__ = [
    "DEFAULT_ALGORITHM",
    "TrainingPaused",
    "TrainingResult",
    "TrainingStopped",
    "train_forecaster",
]


@dataclass(frozen=True)
class TrainingResult:
    """What a finished job produced; `as_dict` gives JSON-ready values."""

    model_path: Path
    card_json_path: Path
    card_md_path: Path
    parity_path: Path
    checkpoint_path: Path
    sha256: str
    metrics: dict[str, Any]
    signature: dict[str, Any]
    hyperparams: dict[str, Any]
    algorithm: str
    epochs_run: int
    best_epoch: int
    device: str
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}


def json_safe(value: Any) -> Any:
    """NaN and infinities become None, so the card and events are strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def training_ranges(series: SeriesData) -> dict[str, list[float]]:
    """Per input, [min, max] over the training split (what serving calls plausible)."""
    start, stop = series.split.train
    part = series.values[start:stop]  # [T, n_inputs] in plan order, NaN where unfilled
    found: dict[str, list[float]] = {}
    for j in range(part.shape[1]):
        column = part[:, j][~torch.isnan(part[:, j])]
        if column.numel():
            found[str(j)] = [float(column.min()), float(column.max())]
    return found


def dropout_inputs(series: SeriesData) -> frozenset[str]:
    """The inputs on which the graph reads an exact 0 as a meter dropout."""
    return frozenset(n for n, s in series.stats.inputs.items() if s.dropoutZeros)


def global_signature(pooled: Pooled) -> dict[str, Any]:
    """A global model's signature: the plan's, the `series` input and the assets."""
    signature = signature_of(pooled.outer, pooled.ranges)
    signature["inputs"].append(
        {"name": "series", "dtype": "float32", "shape": [-1, 1], "assets": pooled.scaling.assets}
    )
    signature["seriesColumn"] = pooled.column
    signature["assets"] = pooled.scaling.assets
    return signature


def _split(params: CommonParams) -> SplitBounds | tuple[float, float, float]:
    if params.split_rows is not None:
        train, val, test = (tuple(r) for r in params.split_rows)
        return SplitBounds(train, val, test)  # type: ignore[arg-type]
    a, b, c = params.split
    return (a, b, c)


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"{platform.processor() or platform.machine()} ({torch.get_num_threads()} threads)"


def train_forecaster(
    frame: pl.DataFrame,
    plan: FeaturePlan,
    algorithm: str,
    hyperparams: dict[str, Any],
    *,
    workdir: Path,
    emit: Emit,
    control: Control | None = None,
    resume_from: Path | None = None,
    init_weights: Path | None = None,
    dataset_id: str = "",
    plan_id: str = "",
) -> TrainingResult:
    """Train, calibrate, evaluate, export and document one forecaster in `workdir`.

    Raises InvalidInput for a bad plan, hyperparams or too little data, TrainingPaused
    (checkpoint written) or TrainingStopped when `control` asks for it.
    """
    started = time.perf_counter()
    validate_plan(plan)
    params = parse_hyperparams(algorithm, hyperparams)
    used = hyperparams_dict(params)
    workdir.mkdir(parents=True, exist_ok=True)

    def log(message: str, progress: float, code: str = "", **params: Any) -> None:
        """An INFO line: the English `message` and, for the console's languages, its
        message `code` with `params` (the same values, as text)."""
        payload: dict[str, Any] = {"level": "INFO", "message": message}
        if code:
            payload |= {"code": code, "params": {k: str(v) for k, v in params.items()}}
        emit("log", {**payload, "progress": round(progress, 4)})

    pooled = None
    series: SeriesData
    if params.series_column is not None:  # many meters, one model (global_series.py)
        pooled = pool_series(frame, plan, params)
        plan, series = pooled.plan, pooled.series
        aligned = series.frame
    else:
        aligned = align_frame(frame, plan, max_gap=params.max_gap)
        series = prepare_series(aligned, plan, _split(params))
    counts = {part: len(series.windows(part)) for part in ("train", "val", "test")}
    log(
        f"aligned {frame.height} rows to {aligned.height} {plan.frequency} points; windows "
        f"train {counts['train']}, val {counts['val']}, test {counts['test']}",
        0.0,
        "aligned",
        rows=frame.height,
        points=aligned.height,
        frequency=plan.frequency,
        train=counts["train"],
        val=counts["val"],
        test=counts["test"],
    )
    if min(counts.values()) == 0:
        raise InvalidInput(
            "too few rows for this lookback and horizon in every split",
            {f"{part}Windows": n for part, n in counts.items()},
        )
    candidates: dict[str, float] = {}
    best = ""
    choice: Choice | None = None
    if algorithm == "auto":  # which normalisation suits this series: the ridge decides
        params, choice = choose_candidate(plan, series, params)
        candidates, best = choice.scores, choice.name
        log(
            f"backtest of the ridge candidates (MSE): {candidates}; serving {best}",
            0.01,
            "candidates",
            candidates=", ".join(f"{k} {v:.4g}" for k, v in candidates.items()),
            best=best,
        )
    graph = build_graph(plan, series, params)
    refit: LinearStart | None = None  # what `auto` serves: the ridge refitted with validation
    if params.warm_start:  # also on resume: it fixes which weights train
        start, refitted = fit_linear_starts(
            graph,
            series.windows("train"),
            series.windows("val"),
            plan.quantiles,
            exogenous=params.exogenous,
            blend=(
                build_graph(plan, series, msgspec.structs.replace(params, instance_norm="last"))
                if params.ensemble
                else None
            ),
            mixture=choice.mixture if choice is not None and choice.weights else None,
            refit=algorithm == "auto",
        )
        graph.forecaster.warm_start(start)
        refit = refitted
        log(
            "initialised from the ridge forecast on history, calendar and covariates",
            0.01,
            "warmStart",
        )
    if init_weights is not None:
        loaded = load_matching_weights(graph, init_weights)
        message = f"fine-tuning from a library weight ({loaded} tensors)"
        log(message, 0.01, "fineTune", tensors=loaded)
    device = pick_device(params.device)
    identity = {"plan": msgspec.to_builtins(plan), "algorithm": algorithm, "hyperparams": used}
    trainer = Trainer(
        graph,
        series,
        params,
        plan.quantiles,
        workdir=workdir,
        emit=emit,
        control=control,
        device=device,
        identity=identity,
    )
    device_name = _device_name(device)
    log(
        f"training {algorithm} on {device.type} ({device_name})",
        0.01,
        "training",
        algorithm=algorithm,
        device=device.type,
        deviceName=device_name,
    )
    fit = trainer.keep_start() if algorithm == "auto" else trainer.fit(resume_from)
    graph = trainer.graph.cpu()
    boost: BoostResult | None = None
    if isinstance(params, AutoParams) and params.trees:
        boost = boost_residuals(graph, plan, series, refit, params.seed)
        graph.booster = boost.held_out  # calibrated on validation, which it has not seen
        trees, ridge = (f"{boost.boosted_mae:.4g}", f"{boost.ridge_mae:.4g}")
        averaged = boost.direct_share > 0
        which = "averaged with direct trees" if averaged else "on the ridge's residuals"
        code = "treesLeft"
        if boost.served:
            code = "treesAveraged" if averaged else "treesServed"
        log(
            f"boosted trees {which}: validation MAE {trees} against the "
            f"ridge's {ridge} ({boost.reason})",
            TRAIN_SHARE,
            code,
            trees=trees,
            ridge=ridge,
        )
    scale, power = [1.0] * len(plan.quantiles), 1.0
    if params.calibrate:
        scale, power = calibrate_intervals(graph, series.windows("val"), plan.quantiles)
        log(
            f"interval widths follow the recent spread to the power {power:g}",
            TRAIN_SHARE,
            "spreadPower",
            power=f"{power:g}",
        )
    if refit is not None:  # calibrated on validation held out, then refitted with it
        graph.forecaster.warm_start(refit)
        graph.booster = boost.refit if boost is not None else None
        log("refitted the ridge on training and validation", TRAIN_SHARE, "refit")
    log(
        f"stopped after {fit.epochs_run} epochs (best {fit.best_epoch}); evaluating",
        TRAIN_SHARE,
        "stopped",
        epochs=fit.epochs_run,
        best=fit.best_epoch,
    )
    metrics = json_safe(evaluate(graph, series, plan))
    metrics["intervalSpreadPower"] = power  # how far widths follow the recent spread
    if candidates:  # each candidate's backtest error, and which one serves
        metrics["candidates"] = {"backtestMse": candidates, "chosen": best}
        if choice is not None and choice.weights:  # the ensemble's members and weights
            metrics["candidates"]["weights"] = choice.weights
        if boost is not None:
            metrics["candidates"]["trees"] = boost.card()
            if boost.served:
                metrics["candidates"]["chosen"] = f"{best}{TREES}"
    test = series.windows("test")
    sample = torch.arange(0, len(test), max(1, len(test) // PARITY_WINDOWS))[:PARITY_WINDOWS]
    if pooled is not None:
        metrics["perAsset"] = per_asset_metrics(graph, pooled)
        metrics["seriesColumn"] = pooled.column
        report = export_onnx(GlobalGraph(graph, pooled), raw_batch(pooled, test, sample), workdir)
    else:
        report = export_onnx(graph, test.batch(sample), workdir)
    diff = f"{report.max_rel_diff:.2e}"
    if report.split_flips:
        flips = report.split_flips
        text = f"exported ONNX (max relative diff {diff}; {flips} steps on a tree split's edge)"
        log(text, 0.97, "exportedFlips", diff=diff, flips=flips)
    else:
        log(f"exported ONNX (max relative diff {diff})", 0.97, "exported", diff=diff)
    seconds = time.perf_counter() - started
    facts = CardFacts(
        plan=plan if pooled is None else pooled.outer,  # the inputs a caller sends
        series=series,
        algorithm=algorithm,
        hyperparams=used,
        parameters=sum(p.numel() for p in graph.parameters()),
        fit=fit,
        metrics=metrics,
        interval_scale=scale,
        export=report,
        device=device.type,
        device_name=_device_name(device),
        seconds=seconds,
        dataset_id=dataset_id,
        plan_id=plan_id,
        source_rows=frame.height,
    )
    card_json, card_md = write_card(json_safe(build_card(facts)), workdir)
    for path in (report.path, card_json, card_md, report.parity_path):
        emit(
            "artifact",
            {
                "name": path.name,
                "path": str(path),
                "sha256": sha256_of(path),
                "bytes": path.stat().st_size,
            },
        )
    improvement, baseline = float(metrics["maeImprovementPct"]), metrics["bestBaseline"]
    gain = f"{abs(improvement):.1f}"
    if improvement >= 0:
        log(f"done: MAE {gain}% below {baseline}", 1.0, "done", gain=gain, baseline=baseline)
    else:  # the model lost to the baseline: say so, not "-x% below"
        log(f"done: MAE {gain}% above {baseline}", 1.0, "doneAbove", gain=gain, baseline=baseline)
    return TrainingResult(
        model_path=report.path,
        card_json_path=card_json,
        card_md_path=card_md,
        parity_path=report.parity_path,
        checkpoint_path=trainer.checkpoint_path,
        sha256=report.sha256,
        metrics=metrics,
        signature=global_signature(pooled)
        if pooled is not None
        else signature_of(plan, training_ranges(series), dropout_inputs(series)),
        hyperparams=used,
        algorithm=algorithm,
        epochs_run=fit.epochs_run,
        best_epoch=fit.best_epoch,
        device=device.type,
        seconds=seconds,
    )
