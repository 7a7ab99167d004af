"""Plans computed from data: the auto-suggested plan and a saved plan's preview and cost.

The feature code is the one training runs (`loadstar_core.features`), so the preview
shows exactly the columns the model computes. Polars work runs in a worker thread.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio.to_thread
import msgspec
import polars as pl

from control_plane.adapters.object_store import ObjectStore
from control_plane.datasets.service import load_canonical
from control_plane.features.schemas import (
    AutoPlanOut,
    AutoPlanRequest,
    PlanCost,
    PlanPreview,
    PlanSuggestion,
)
from control_plane.features.service import checked_plan, get_plan, plan_dataset
from loadstar_core.features.align import align_frame
from loadstar_core.features.auto import Suggestion as Choice
from loadstar_core.features.auto import suggest_plan
from loadstar_core.features.layout import feature_columns
from loadstar_core.features.polars_ops import feature_frame
from loadstar_core.features.stats import compute_stats
from schemas.errors import InvalidInput
from schemas.feature_plan import FeaturePlan

EPOCHS = 20
VALUES_PER_SECOND = 5e7
OVERHEAD_SECONDS = 5.0


def estimate_cost(plan: FeaturePlan, rows: int) -> PlanCost:
    """See `PlanCost`: a linear model of the work per epoch, plus evaluation and export."""
    features = len(feature_columns(plan))
    windows = max(0, rows - plan.lookback - plan.horizon + 1)
    work = EPOCHS * windows * plan.lookback * features / VALUES_PER_SECOND
    return PlanCost(
        featureCount=features,
        rows=rows,
        windows=windows,
        estimatedTrainingSeconds=round(work + OVERHEAD_SECONDS, 1),
    )


def _json_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows for JSON: timestamps as ISO 8601 UTC, non-finite numbers as null."""
    cleaned = frame.with_columns(
        pl.col(pl.Datetime).dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        pl.col(pl.Float32, pl.Float64).fill_nan(None),
    )
    return cleaned.to_dicts()


def _preview(frame: pl.DataFrame, plan: FeaturePlan, rows: int) -> tuple[pl.DataFrame, int]:
    aligned = align_frame(frame, plan)
    stats = compute_stats(aligned, plan.input_names)
    # Every op is trailing, so the first rows need nothing after them.
    return feature_frame(aligned.head(rows), plan, stats), aligned.height


async def preview_plan(store: ObjectStore, plan_id: str, rows: int) -> PlanPreview:
    saved = await get_plan(plan_id)
    frame = await load_canonical(store, saved.datasetId)
    matrix, total = await anyio.to_thread.run_sync(partial(_preview, frame, saved.plan, rows))
    return PlanPreview(
        planId=plan_id,
        columns=matrix.columns,
        rows=_json_rows(matrix),
        cost=estimate_cost(saved.plan, total),
    )


async def auto_plan(store: ObjectStore, request: AutoPlanRequest) -> AutoPlanOut:
    dataset = await plan_dataset(request.datasetId)
    column = dataset.column(request.target)
    if column is None or column.role != "numeric":
        raise InvalidInput(
            f"target {request.target!r} is not a numeric column of the dataset",
            {"field": "target", "numericColumns": dataset.numeric_columns},
        )
    frame = await load_canonical(store, dataset.id)
    options: dict[str, Any] = {
        "frequency": request.frequency,
        "lookback": request.lookback,
        "horizon": request.horizon,
        "timestamp_column": "timestamp",
    }
    if request.quantiles is not None:
        options["quantiles"] = tuple(request.quantiles)
    plan, suggestions = await anyio.to_thread.run_sync(
        partial(suggest_plan, frame, request.target, **options)
    )
    plan = msgspec.structs.replace(plan, datasetId=dataset.id)
    return AutoPlanOut(
        plan=await checked_plan(plan),
        suggestions=[as_suggestion(choice) for choice in suggestions],
    )


def as_suggestion(choice: Choice) -> PlanSuggestion:
    """The suggester's choice as `{op, params, reason}`: an op's own fields as params, or
    the window/frequency/input choice named by `op` with its value."""
    params: dict[str, Any]
    if choice.op is not None:
        params = msgspec.to_builtins(choice.op)
        name = str(params.pop("op"))
    else:
        name = choice.kind
        params = {"name": choice.name} if choice.name is not None else {}
        if choice.value is not None:
            params["value"] = choice.value
    if choice.score is not None:
        params["score"] = choice.score
    return PlanSuggestion(op=name, params=params, reason=choice.reason)
