"""ONNX export with a parity check against torch and a saved parity sample.

The graph takes `window` [batch, L, n_inputs] (and `calendar` [batch, L + H, 2 or 3] when
the plan has a seasonality op, `future` [batch, H, n_known] when it has inputs known in
advance) and returns `quantiles` [batch, H, n_quantiles].
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import onnx
import onnxruntime as ort
import torch

from training.data import Batch
from training.file_digest import sha256_of as sha256_of  # also the pipeline's
from training.graph import ForecastGraph

if TYPE_CHECKING:
    from training.global_series import GlobalGraph

OPSET = 17
MAX_RELATIVE_DIFF = 1e-4
# A graph with trees may take the other branch of a split where a computed feature (the
# ridge's p50, a daily mean) lies within float rounding of a threshold: onnxruntime and
# torch sum in different orders. Such a (window, step) moves by a leaf's difference, not by
# rounding; up to this share of them is accepted, every other one must match.
MAX_FLIPPED_SHARE = 0.01


class ExportMismatch(RuntimeError):
    """The ONNX graph does not reproduce the torch model."""

    def __init__(self, relative: float) -> None:
        super().__init__(f"ONNX output differs from torch by {relative:.2e} (relative)")
        self.relative = relative


class Parity(NamedTuple):
    max_abs_diff: float  # over the (window, step) pairs that match
    max_rel_diff: float  # the same, relative to the largest output
    flipped: np.ndarray  # [windows, steps] bool: pairs where a split went the other way


def compare_outputs(onnx_out: np.ndarray, torch_out: np.ndarray, trees: bool) -> Parity:
    """ONNX against torch, [windows, steps, quantiles]; ExportMismatch when they differ by
    more than rounding, except (with trees) on a few (window, step) pairs."""
    scale = max(float(np.abs(torch_out).max(initial=0.0)), 1e-12)
    diff = np.abs(onnx_out.astype(np.float64) - torch_out.astype(np.float64))
    if not np.isfinite(diff).all():  # a NaN or an infinity is a broken graph, never a split
        raise ExportMismatch(float("inf"))
    over: np.ndarray = np.asarray((diff >= MAX_RELATIVE_DIFF * scale).any(axis=-1))
    allowed = MAX_FLIPPED_SHARE * over.size if trees else 0
    if over.sum() > allowed:
        raise ExportMismatch(float(diff.max()) / scale)
    matched = diff[~over]
    abs_diff = float(matched.max(initial=0.0))
    return Parity(abs_diff, abs_diff / scale, over)


@dataclass(frozen=True)
class ExportReport:
    path: Path
    parity_path: Path
    sha256: str
    bytes: int
    opset: int
    max_abs_diff: float
    max_rel_diff: float
    checked_windows: int
    input_names: list[str]
    split_flips: int = 0  # (window, step) pairs where a tree split went the other way


def _feeds(batch: Batch, names: list[str]) -> dict[str, np.ndarray]:
    tensors = {"window": batch.window, "calendar": batch.calendar, "future": batch.future}
    if batch.series is not None:  # a global model: which series each window is
        tensors["series"] = batch.series
    return {n: tensors[n].detach().cpu().numpy().astype(np.float32) for n in names}


class _Positional(torch.nn.Module):
    """The graph with exactly the inputs it uses, in order, for the exporter."""

    def __init__(self, graph: ForecastGraph | GlobalGraph) -> None:
        super().__init__()
        self.graph = graph
        self.names = graph.input_names()

    def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
        given = dict(zip(self.names, tensors, strict=True))
        extra = {"series": given["series"]} if "series" in given else {}
        result: torch.Tensor = self.graph(
            given["window"], given.get("calendar"), given.get("future"), **extra
        )
        return result


def export_onnx(graph: ForecastGraph | GlobalGraph, held_out: Batch, workdir: Path) -> ExportReport:
    """Write model.onnx and parity.npz; raise ExportMismatch when ONNX drifts from torch."""
    model = _Positional(copy.deepcopy(graph).cpu().eval()).eval()
    names = model.names
    feeds = _feeds(held_out, names)
    args = tuple(torch.from_numpy(feeds[name]) for name in names)
    path = workdir / "model.onnx"
    with warnings.catch_warnings():
        # The TorchScript-based exporter announces its deprecation; it is fast and exact.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            args,
            str(path),
            input_names=names,
            output_names=["quantiles"],
            dynamic_axes={name: {0: "batch"} for name in [*names, "quantiles"]},
            opset_version=OPSET,
            dynamo=False,
        )
    onnx.checker.check_model(str(path), full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    onnx_out = np.asarray(session.run(["quantiles"], feeds)[0])
    with torch.no_grad():
        torch_out = model(*args).numpy()
    trees = isinstance(graph, ForecastGraph) and graph.booster is not None
    parity = compare_outputs(onnx_out, torch_out, trees)
    # the sample Triton's warm-up repeats: a window far from every threshold (none flipped)
    first = int(np.argmin(parity.flipped.any(axis=1)))
    parity_path = workdir / "parity.npz"
    sample = {name: value[first : first + 1] for name, value in feeds.items()}
    np.savez(parity_path, **sample, quantiles=onnx_out[first : first + 1])  # type: ignore[arg-type]
    return ExportReport(
        path=path,
        parity_path=parity_path,
        sha256=sha256_of(path),
        bytes=path.stat().st_size,
        opset=OPSET,
        max_abs_diff=parity.max_abs_diff,
        max_rel_diff=parity.max_rel_diff,
        checked_windows=int(onnx_out.shape[0]),
        input_names=names,
        split_flips=int(parity.flipped.sum()),
    )
