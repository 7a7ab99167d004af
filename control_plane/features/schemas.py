"""Wire shapes of `/api/features`: saved plans, auto-suggestion, preview and cost."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from msgspec import Meta

from schemas.base import Wire
from schemas.feature_plan import FeaturePlan, Frequency, Quantile


class FeaturePlanOut(Wire):
    """A saved plan: `plan` is the body training executes (its `datasetId` and `name`
    match the record's)."""

    id: str
    name: str
    datasetId: str
    plan: FeaturePlan
    createdBy: str
    createdAt: datetime
    updatedAt: datetime


class FeaturePlanPage(Wire):
    items: list[FeaturePlanOut]
    total: int
    page: int
    pageSize: int


class AutoPlanRequest(Wire):
    """Dataset and target; the rest is inferred from the data when left out."""

    datasetId: str
    target: str
    frequency: Frequency | None = None
    lookback: Annotated[int, Meta(ge=2, le=10_000)] | None = None
    horizon: Annotated[int, Meta(ge=1, le=2_000)] | None = None
    quantiles: Annotated[list[Quantile], Meta(min_length=1)] | None = None


class PlanSuggestion(Wire):
    """One choice of the suggested plan and its evidence: an op (`lag`, `rolling`, ...
    with the op's fields as `params`) or a window/input choice (`frequency`, `lookback`,
    `horizon`, `input` with `value`/`name`); `params.score` when there is one."""

    op: str
    params: dict[str, Any]
    reason: str


class AutoPlanOut(Wire):
    """A plan to review; nothing is saved until it is POSTed to `/api/features/plans`."""

    plan: FeaturePlan
    suggestions: list[PlanSuggestion]


class PlanCost(Wire):
    """How big training on this plan is.

    `rows`: points of the dataset on the plan's grid; `windows`: training samples
    (rows - lookback - horizon + 1); `estimatedTrainingSeconds`: a rough CPU estimate,
    `EPOCHS * windows * lookback * featureCount / VALUES_PER_SECOND + OVERHEAD_SECONDS`
    with 20 epochs, 5e7 feature values per second and 5 s for evaluation and export.
    """

    featureCount: int
    rows: int
    windows: int
    estimatedTrainingSeconds: float


class PlanPreview(Wire):
    """The first rows of the feature matrix (timestamp first) and the plan's cost."""

    planId: str
    columns: list[str]
    rows: list[dict[str, Any]]
    cost: PlanCost
