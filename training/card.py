"""The model card, as JSON for machines and Markdown for people."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import torch

from loadstar_core.features.layout import feature_columns
from loadstar_core.signature import quantile_label
from schemas.feature_plan import FeaturePlan
from training.data import SeriesData
from training.export import ExportReport
from training.trainer import FitResult


@dataclass(frozen=True)
class CardFacts:
    """Everything a finished run knows that the card reports."""

    plan: FeaturePlan
    series: SeriesData
    algorithm: str
    hyperparams: dict[str, Any]
    parameters: int
    fit: FitResult
    metrics: dict[str, Any]
    interval_scale: list[float]
    export: ExportReport
    device: str
    device_name: str
    seconds: float
    dataset_id: str
    plan_id: str
    source_rows: int


def build_card(facts: CardFacts) -> dict[str, Any]:
    """The JSON card: data, plan, model, training, metrics, input contract, ONNX, limits."""
    plan, series, fit, export = facts.plan, facts.series, facts.fit, facts.export
    stamps = series.frame.get_column(plan.timestampColumn)
    time_range = {"start": str(stamps.min()), "end": str(stamps.max())}
    target_unit = next(i.unit for i in plan.inputs if i.name == plan.target)
    card: dict[str, Any] = {
        "schemaVersion": 1,
        "intendedUse": intended_use(plan),
        "limitations": limitations(plan, facts.metrics, time_range),
        "data": {
            "datasetId": facts.dataset_id,
            "sourceRows": facts.source_rows,
            "rows": series.frame.height,
            "timeRange": time_range,
            "split": series.split.as_dict(),
            "windows": {p: len(series.windows(p)) for p in ("train", "val", "test")},
        },
        "featurePlan": {"id": facts.plan_id, **msgspec.to_builtins(plan)},
        "featureColumns": feature_columns(plan),
        "model": {
            "algorithm": facts.algorithm,
            "hyperparams": facts.hyperparams,
            "parameters": facts.parameters,
        },
        "training": {
            "epochsRun": fit.epochs_run,
            "bestEpoch": fit.best_epoch,
            "bestValLoss": fit.best_val_loss,
            "stoppedEarly": fit.stopped_early,
            "trainSeconds": fit.seconds,
            "secondsPerEpoch": fit.seconds / max(fit.epochs_run, 1),
            "seconds": facts.seconds,
            "device": facts.device,
            "deviceName": facts.device_name,
            "torchVersion": torch.__version__,
            "cpuCount": os.cpu_count(),
            "history": fit.history,
        },
        "calibration": {
            quantile_label(q): s for q, s in zip(plan.quantiles, facts.interval_scale, strict=True)
        },
        "metrics": facts.metrics,
        "inputContract": {
            "fields": [{"name": i.name, "unit": i.unit} for i in plan.inputs],
            "target": plan.target,
            "targetUnit": target_unit,
            "frequency": plan.frequency,
            "lookback": plan.lookback,
            "horizon": plan.horizon,
            "quantiles": list(plan.quantiles),
            "calendar": plan.uses_calendar,
            "timestampColumn": plan.timestampColumn,
            # inputs on which the graph reads an exact 0 as a dropout (and NaN always)
            "dropoutZeros": [n for n, s in series.stats.inputs.items() if s.dropoutZeros],
        },
        "onnx": {
            "opset": export.opset,
            "sha256": export.sha256,
            "bytes": export.bytes,
            "inputs": export.input_names,
            "outputs": ["quantiles"],
            "maxAbsDiff": export.max_abs_diff,
            "maxRelDiff": export.max_rel_diff,
            "checkedWindows": export.checked_windows,
            "splitFlips": export.split_flips,
        },
    }
    card["headings"] = headings(card)  # message codes for the console's languages
    return card


def intended_use(plan: FeaturePlan) -> str:
    return (
        f"Forecast {plan.target} {plan.horizon} steps of {plan.frequency} ahead, with the "
        f"{', '.join(f'{q:g}' for q in plan.quantiles)} quantiles, from the last "
        f"{plan.lookback} aligned readings of {', '.join(plan.input_names)}."
    )


def limitations(
    plan: FeaturePlan, metrics: dict[str, Any], time_range: dict[str, str]
) -> list[str]:
    coverage = metrics["coverage"] * 100
    nominal = metrics["nominalCoverage"] * 100
    return [
        f"Learned from {time_range['start']} to {time_range['end']}; a change of process, "
        "metering or operating regime after that is not known to the model.",
        f"The [{plan.quantiles[0]:g}, {plan.quantiles[-1]:g}] interval covered {coverage:.1f}% of "
        f"test values (nominal {nominal:.0f}%); treat it as approximate under drift.",
        "Inputs must be in the units of the input contract and on its time grid; the gateway "
        "converts and aligns them, and refuses windows with too many missing points.",
        "Not a safety system: use it for planning and anomaly screening, not for protection.",
    ]


def _table(rows: list[tuple[str, str]]) -> list[str]:
    lines = ["| | |", "|---|---|"]
    return lines + [f"| {key} | {value} |" for key, value in rows]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


HEADINGS = (  # (message code, English text) of each section, in the page's order
    ("intendedUse", "Intended use"),
    ("data", "Data"),
    ("inputContract", "Input contract"),
    ("testMetrics", "Test metrics"),
    ("baselines", "Against every baseline (same test windows)"),
    ("modelTraining", "Model and training"),
    ("onnx", "ONNX"),
    ("limits", "Limits"),
)


def headings(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The page's headings in order, each as a message code with its parameters (the
    console renders them in the reader's language) and the English text."""
    target, algorithm = card["inputContract"]["target"], card["model"]["algorithm"]
    title = {
        "code": "title",
        "params": {"target": target, "algorithm": algorithm},
        "text": f"Model card: {target} forecaster ({algorithm})",
    }
    return [title, *({"code": code, "params": {}, "text": text} for code, text in HEADINGS)]


def render_markdown(card: dict[str, Any]) -> str:
    """A readable page of the card; every number comes from the JSON card, every heading
    from `headings` (in that order)."""
    data, model, metrics = card["data"], card["model"], card["metrics"]
    contract, training, onnx = card["inputContract"], card["training"], card["onnx"]
    title, *sections = (h["text"] for h in headings(card))
    heading = dict(zip((code for code, _ in HEADINGS), sections, strict=True))
    lines = [f"# {title}", ""]
    lines += [f"## {heading['intendedUse']}", "", card["intendedUse"], ""]
    lines += [f"## {heading['data']}", ""]
    lines += _table(
        [
            ("dataset", data["datasetId"] or "-"),
            ("aligned rows", str(data["rows"])),
            ("time range", f"{data['timeRange']['start']} .. {data['timeRange']['end']}"),
            *[
                (f"{part} rows", f"{a} .. {b} ({data['windows'][part]} windows)")
                for part, (a, b) in data["split"].items()
            ],
        ]
    )
    lines += ["", f"## {heading['inputContract']}", ""]
    lines += _table(
        [
            ("fields", ", ".join(f"{f['name']} [{f['unit']}]" for f in contract["fields"])),
            ("target", f"{contract['target']} [{contract['targetUnit']}]"),
            ("frequency", contract["frequency"]),
            ("lookback / horizon", f"{contract['lookback']} / {contract['horizon']}"),
            ("quantiles", ", ".join(f"{q:g}" for q in contract["quantiles"])),
            ("calendar input", str(contract["calendar"])),
            ("a 0 read as a dropout", ", ".join(contract.get("dropoutZeros", [])) or "-"),
        ]
    )
    base, mine = metrics["baseline"], metrics["model"]
    lines += ["", f"## {heading['testMetrics']}", ""]
    lines += [f"| metric | model | {base['name']} |", "|---|---|---|"]
    for key in ("mae", "rmse", "mape", "smape", "mase", "mseNormalized", "maeNormalized"):
        lines.append(f"| {key} | {_fmt(mine[key])} | {_fmt(base[key])} |")
    gain = metrics["maeImprovementPct"]
    side = "below" if gain >= 0 else "above"  # a model that lost says so, not "-x% below"
    lines += [
        "",
        f"MAE {abs(gain):.1f}% {side} {metrics['bestBaseline']}, the "
        "hardest baseline. Interval coverage "
        f"{metrics['coverage'] * 100:.1f}% (nominal {metrics['nominalCoverage'] * 100:.0f}%), "
        f"mean width {_fmt(metrics['intervalWidth'])}. Pinball: "
        + ", ".join(f"{k} {_fmt(v)}" for k, v in mine["pinball"].items())
        + ".",
        "",
        f"## {heading['baselines']}",
        "",
        "| baseline | its MAE | model MAE | windows | improvement |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {b['name']} | {_fmt(b['mae'])} | {_fmt(b['modelMae'])} | {b['windows']} "
        f"| {b['improvementPct']:.1f}% |"
        for b in metrics.get("baselines", [])
    ]
    candidates = metrics.get("candidates")
    if candidates:
        lines += [
            "",
            f"Backtest of the candidates (MSE), {candidates['chosen']} serves, refitted on"
            " training and validation (intervals calibrated on validation before the refit);"
            " `+weekdays`: a day type per weekday:",
        ]
        lines += [f"- {k}: {_fmt(v)}" for k, v in candidates["backtestMse"].items()]
        if candidates.get("weights"):
            weights = ", ".join(f"{k} {v:.2f}" for k, v in candidates["weights"].items())
            lines += ["", f"Ensemble weights (from the backtest): {weights}"]
        if trees := candidates.get("trees"):
            lines += ["", _trees_line(trees)]
    lines += [
        "",
        f"## {heading['modelTraining']}",
        "",
    ]
    lines += _table(
        [
            ("algorithm", model["algorithm"]),
            ("parameters", str(model["parameters"])),
            ("hyperparams", ", ".join(f"{k}={v}" for k, v in model["hyperparams"].items())),
            ("epochs run / best", f"{training['epochsRun']} / {training['bestEpoch']}"),
            ("device", f"{training['device']} ({training['deviceName']})"),
            ("torch", training["torchVersion"]),
            ("training time", f"{training['seconds']:.1f} s"),
            ("interval scale", ", ".join(f"{k} {v:.3f}" for k, v in card["calibration"].items())),
        ]
    )
    lines += ["", f"## {heading['onnx']}", ""]
    lines += _table(
        [
            ("opset", str(onnx["opset"])),
            ("sha256", onnx["sha256"]),
            ("inputs", ", ".join(onnx["inputs"])),
            (
                "max abs diff, ONNX vs torch",
                f"{onnx['maxAbsDiff']:.3g} ({onnx['maxRelDiff']:.3g} relative)",
            ),
        ]
    )
    lines += ["", f"## {heading['limits']}", ""]
    lines += [f"- {item}" for item in card["limitations"]]
    return "\n".join(lines) + "\n"


def write_card(card: dict[str, Any], workdir: Path) -> tuple[Path, Path]:
    json_path, md_path = workdir / "card.json", workdir / "card.md"
    json_path.write_text(json.dumps(card, indent=2, allow_nan=False, default=str) + "\n")
    md_path.write_text(render_markdown(card))
    return json_path, md_path


def _trees_line(trees: dict[str, Any]) -> str:
    """The boosted trees' check on validation (models/boost_fit.py), in one sentence."""
    ridge, boosted = trees.get("validationMaeRidge"), trees.get("validationMaeTrees")
    scores = (
        f"validation MAE {boosted:.4g} against the ridge's {ridge:.4g} (z-scored), "
        if isinstance(ridge, float) and isinstance(boosted, float)
        else ""
    )
    verdict = "they correct the p50" if trees.get("served") else "not served"
    share = trees.get("directShare") or 0.0
    direct = (
        f", averaged with direct trees on the target ({trees.get('directRounds', 0)} rounds,"
        f" share {share:g})"
        if share
        else ""
    )
    return (
        f"Boosted trees on the ridge's residuals: {scores}{trees.get('rounds', 0)} rounds"
        f"{direct}; {verdict} ({trees.get('reason', '')})."
    )
