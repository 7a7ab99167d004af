"""The feature plan: ordered ops over named inputs, executed inside the exported model.

Ops are a tagged union on `op`. Every op reads the raw, aligned, model-unit window; the
torch module (training/features) and the polars twin compute the same columns.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from schemas.base import Wire

Frequency = Literal["1min", "5min", "10min", "15min", "30min", "1h", "1d"]
FREQUENCY_SECONDS: dict[str, int] = {
    "1min": 60,
    "5min": 300,
    "10min": 600,
    "15min": 900,
    "30min": 1800,
    "1h": 3600,
    "1d": 86400,
}

PositiveInt = Annotated[int, Meta(ge=1)]
Quantile = Annotated[float, Meta(gt=0.0, lt=1.0)]


class Lag(Wire, tag="lag", tag_field="op"):
    """x[t - k] for each k in `lags` (k < lookback)."""

    input: str
    lags: Annotated[list[PositiveInt], Meta(min_length=1)]


class Rolling(Wire, tag="rolling", tag_field="op"):
    """Trailing window statistics over the last `window` points, current point included."""

    input: str
    window: Annotated[int, Meta(ge=2)]
    stats: Annotated[list[Literal["mean", "std", "min", "max"]], Meta(min_length=1)]


class Diff(Wire, tag="diff", tag_field="op"):
    """x[t] - x[t - periods]."""

    input: str
    periods: PositiveInt = 1


class Seasonality(Wire, tag="seasonality", tag_field="op"):
    """Calendar/Fourier terms from the grid timestamps (the model's `calendar` input)."""

    daily: bool = True
    weekly: bool = True
    fourierOrder: Annotated[int, Meta(ge=1, le=10)] = 3
    # Public holidays as a calendar channel: an ISO 3166 country, optionally "-" and a
    # subdivision ("DE", "DE-BW", "US-CA"), resolved with the `holidays` package.
    holidays: Annotated[str, Meta(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")] | None = None


class Normalize(Wire, tag="normalize", tag_field="op"):
    """Scale inputs with training-set statistics baked into the model as constants."""

    method: Literal["zscore", "minmax"] = "zscore"
    inputs: list[str] | None = None  # None: every input


FeatureOp = Lag | Rolling | Diff | Seasonality | Normalize


class PlanInput(Wire):
    """A model input: a dataset column in the model's unit."""

    name: str
    unit: str = "1"
    # Known in advance for the forecast period (a production plan, a shift schedule, a
    # weather forecast): the model then also takes its values over the horizon.
    known: bool = False


class FeaturePlan(Wire):
    """What a training job builds: inputs (target included), ops, window and quantiles."""

    target: str
    inputs: Annotated[list[PlanInput], Meta(min_length=1)]
    frequency: Frequency
    lookback: Annotated[int, Meta(ge=2, le=10_000)]
    horizon: Annotated[int, Meta(ge=1, le=2_000)]
    quantiles: Annotated[list[Quantile], Meta(min_length=1)] = msgspec.field(
        default_factory=lambda: [0.05, 0.5, 0.95]
    )
    ops: list[FeatureOp] = []
    name: str = ""
    datasetId: str | None = None
    timestampColumn: str = "timestamp"

    @property
    def input_names(self) -> list[str]:
        return [i.name for i in self.inputs]

    @property
    def uses_calendar(self) -> bool:
        return any(isinstance(op, Seasonality) for op in self.ops)

    @property
    def holidays(self) -> str | None:
        """The holiday calendar of the seasonality op, if any."""
        return next((op.holidays for op in self.ops if isinstance(op, Seasonality)), None)

    @property
    def known_inputs(self) -> list[str]:
        """Inputs whose future values the model takes (the target never is)."""
        return [i.name for i in self.inputs if i.known and i.name != self.target]
