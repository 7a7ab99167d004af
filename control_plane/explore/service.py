"""Exploration of a dataset: preview statistics, suggested charts and features, quality.

The numbers come from `stats`/`charts`/`suggest`/`quality` (pure; the suggested ops
from the one rule set of `loadstar_core.features`) run on polars scans of
the canonical Parquet in S3, in a worker thread. Results that depend only on the data
are cached as JSON beside the Parquet, so a repeated preview reads one small object; the
profile is usually written at ingest already (see `datasets.intake`), and computed here
only when it is missing.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import anyio.to_thread
import msgspec
import polars as pl

from control_plane.adapters.object_store import ObjectStore
from control_plane.datasets import storage
from control_plane.datasets.schemas import DatasetOut
from control_plane.datasets.service import dataset_exists, get_dataset
from control_plane.explore import charts
from control_plane.explore.quality import quality_report
from control_plane.explore.schemas import (
    Chart,
    ExplorePreview,
    ExploreSuggestion,
    QualityReport,
    SuggestRequest,
)
from control_plane.explore.single_flight import SingleFlight
from control_plane.explore.suggest import suggest_features
from control_plane.settings import Settings
from loadstar_core import profile as stats
from loadstar_core.json_rows import json_rows
from schemas.errors import InvalidInput, NotFound
from schemas.profile import Profile

_profile_decoder = msgspec.json.Decoder(Profile)
_suggestion_decoder = msgspec.json.Decoder(ExploreSuggestion)
_TARGET_NAMES = ("load", "target", "value", "power", "energy", "consumption", "demand", "y", "ot")
_POWER_UNITS = ("w", "kw", "mw", "gw", "wh", "kwh", "mwh")
_computing: SingleFlight[msgspec.Struct] = SingleFlight()  # one computation per object
_sampling: SingleFlight[list[dict[str, object]]] = SingleFlight()  # one read per sample
_profiles: SingleFlight[tuple[Profile, bool]] = SingleFlight()  # one lookup per dataset


async def _cached(store: ObjectStore, dataset_id: str, name: str) -> bytes | None:
    try:
        return await store.get_bytes(storage.explore_key(dataset_id, name))
    except NotFound:
        return None


async def _cache(store: ObjectStore, dataset_id: str, name: str, value: msgspec.Struct) -> None:
    await store.put_bytes(
        storage.explore_key(dataset_id, name), msgspec.json.encode(value), "application/json"
    )
    if not await dataset_exists(dataset_id):  # deleted meanwhile: leave nothing behind
        await store.remove_prefix(storage.prefix(dataset_id))


def _compute_profile(settings: Settings, dataset: DatasetOut) -> Profile:
    frame = storage.read_canonical(settings, dataset.id)
    return stats.profile(frame, dataset.frequencySeconds)


async def dataset_profile(
    settings: Settings, store: ObjectStore, dataset: DatasetOut
) -> tuple[Profile, bool]:
    """Column statistics and gaps; (profile, True) when it came from the cache.

    Callers asking at the same moment share one lookup (and, when it is not cached, one
    computation)."""

    async def lookup() -> tuple[Profile, bool]:
        raw = await _cached(store, dataset.id, stats.PROFILE_OBJECT)
        if raw is not None:
            return _profile_decoder.decode(raw), True
        profile = await anyio.to_thread.run_sync(_compute_profile, settings, dataset)
        await _cache(store, dataset.id, stats.PROFILE_OBJECT, profile)
        return profile, False

    found, _ = await _profiles.run(dataset.id, lookup)
    return found


async def preview(
    settings: Settings, store: ObjectStore, dataset_id: str, sample_size: int
) -> ExplorePreview:
    dataset = await get_dataset(dataset_id)
    profile, cached = await dataset_profile(settings, store, dataset)

    def head() -> list[dict[str, object]]:
        frame = storage.read_canonical(settings, dataset.id, lambda s: s.head(sample_size))
        return json_rows(frame)

    async def read_sample() -> list[dict[str, object]]:
        return await anyio.to_thread.run_sync(head)

    # users opening the same preview at once share one read of the Parquet: fifty reads
    # of one object at the same moment were more than the S3 store would answer
    sample, _ = await _sampling.run((dataset.id, sample_size), read_sample)
    return ExplorePreview(
        datasetId=dataset.id,
        rows=profile.rows,
        sampleRows=sample,
        stats=profile.stats,
        gaps=profile.gaps,
        cached=cached,
        computeSeconds=profile.computeSeconds,
        frequency=dataset.frequency,
        frequencySeconds=dataset.frequencySeconds,
        start=dataset.start,
        end=dataset.end,
    )


def choose_target(dataset: DatasetOut, requested: str | None) -> str:
    """The requested numeric column, else a load-like one by name or power/energy unit,
    else the last numeric column."""
    numeric = dataset.numeric_columns
    if requested is not None:
        if requested not in numeric:
            raise InvalidInput(
                f"target {requested!r} is not a numeric column",
                {"field": "target", "numeric": numeric},
            )
        return requested
    if not numeric:
        raise InvalidInput(
            "the dataset has no numeric column to explore", {"datasetId": dataset.id}
        )
    by_name = {c.lower(): c for c in numeric}
    for name in _TARGET_NAMES:
        if name in by_name:
            return by_name[name]
    for column in dataset.columns:
        if column.role == "numeric" and (column.unit or "").lower() in _POWER_UNITS:
            return column.name
    return numeric[-1]


def _compute_suggestion(
    settings: Settings, dataset: DatasetOut, target: str, max_points: int
) -> ExploreSuggestion:
    numeric = dataset.numeric_columns
    frame = storage.read_canonical(
        settings, dataset.id, lambda s: s.select(stats.TIMESTAMP, *numeric)
    )
    step = dataset.frequencySeconds
    found: list[Chart | None] = [
        charts.series_chart(frame, target, max_points),
        charts.box_chart(frame[target]),
        charts.density_chart(frame[target]),
    ]
    span = (dataset.end - dataset.start).total_seconds() if dataset.start and dataset.end else 0.0
    if step and step <= 3600 and span >= 2 * charts.DAY:
        found.append(charts.profile_chart(frame, target, "daily"))
    if step and step <= charts.DAY and span >= 2 * charts.WEEK:
        found.append(charts.profile_chart(frame, target, "weekly"))
    acf = charts.acf_chart(frame, target, step) if step else None
    found.append(acf)
    return ExploreSuggestion(
        datasetId=dataset.id,
        target=target,
        frequency=dataset.frequency,
        charts=[c for c in found if c is not None],
        features=suggest_features(frame, target) if step else [],
    )


async def suggest(
    settings: Settings, store: ObjectStore, request: SuggestRequest
) -> ExploreSuggestion:
    dataset = await get_dataset(request.datasetId)
    target = choose_target(dataset, request.target)
    digest = hashlib.sha256(f"{target}\0{request.maxPoints}".encode()).hexdigest()[:16]
    name = f"suggest-v2-{digest}.json"
    raw = await _cached(store, dataset.id, name)
    if raw is not None:
        return _suggestion_decoder.decode(raw)

    async def compute() -> msgspec.Struct:
        result = await anyio.to_thread.run_sync(
            _compute_suggestion, settings, dataset, target, request.maxPoints
        )
        await _cache(store, dataset.id, name, result)
        return result

    result, _ = await _computing.run((dataset.id, name), compute)
    assert isinstance(result, ExploreSuggestion)
    return result


async def quality(settings: Settings, store: ObjectStore, dataset_id: str) -> QualityReport:
    """The data-quality report with the dataset's configured ranges (robust defaults else)."""
    dataset = await get_dataset(dataset_id)
    profile, _ = await dataset_profile(settings, store, dataset)

    def numeric_frame() -> pl.DataFrame:
        columns = (stats.TIMESTAMP, *dataset.numeric_columns)
        return storage.read_canonical(settings, dataset.id, lambda s: s.select(*columns))

    frame = await anyio.to_thread.run_sync(numeric_frame)
    return quality_report(
        dataset.id,
        frame,
        profile,
        dataset.ingest,
        dataset.frequency,
        dataset.qualityRules,
        datetime.now(UTC),
    )
