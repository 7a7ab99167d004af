"""A few windows before and after an augmentation pipeline, for the console's preview."""

from __future__ import annotations

import io

import numpy as np
import polars as pl

from control_plane.adapters.object_store import ObjectStore
from control_plane.lab.schemas import PreviewOut, PreviewRequest, PreviewWindow
from loadstar_core.augmentation import augment
from schemas.errors import InvalidInput


def sample_series(length: int, seed: int) -> np.ndarray:
    """A daily cycle with noise (24 points a day) when no dataset is named."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    return 100 + 20 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 2, length)


async def _dataset_series(store: ObjectStore, dataset_id: str, column: str | None) -> np.ndarray:
    key = f"datasets/{dataset_id}/canonical.parquet"
    if not await store.exists(key):
        raise InvalidInput(f"dataset {dataset_id!r} has no canonical data", {"field": "datasetId"})
    frame = pl.read_parquet(io.BytesIO(await store.get_bytes(key)))
    numeric = [c for c, t in frame.schema.items() if t.is_numeric()]
    name = column or (numeric[0] if numeric else None)
    if name not in numeric:
        raise InvalidInput(
            f"column {name!r} is not a numeric column of the dataset",
            {"field": "column", "allowed": numeric},
        )
    values: np.ndarray = frame.get_column(name).drop_nulls().to_numpy().astype(np.float64)
    return values


async def preview(store: ObjectStore, req: PreviewRequest) -> PreviewOut:
    span = req.lookback + req.horizon
    if req.datasetId:
        series = await _dataset_series(store, req.datasetId, req.column)
        source = f"{req.datasetId}:{req.column or 'first numeric column'}"
    else:
        series, source = sample_series(span * (req.count + 1), req.seed), "sample daily cycle"
    if len(series) < span:
        raise InvalidInput(
            "the series is shorter than one window",
            {"field": "lookback", "points": len(series), "window": span},
        )
    starts = np.linspace(0, len(series) - span, req.count).astype(int)
    windows = np.stack([series[s : s + span] for s in starts])[..., None]
    changed = augment(windows, req.pipeline, req.lookback, np.random.default_rng(req.seed))
    return PreviewOut(
        lookback=req.lookback,
        horizon=req.horizon,
        source=source,
        windows=[
            PreviewWindow(original=w[:, 0].tolist(), augmented=a[:, 0].tolist())
            for w, a in zip(windows, changed, strict=True)
        ],
    )
