"""Watching a deployment: the anomaly policy it alarms at, and the events it raises."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from schemas.base import Wire

EventKind = Literal["spike", "level_shift", "stuck", "dropout", "missing"]
EVENT_KINDS: tuple[EventKind, ...] = ("spike", "level_shift", "stuck", "dropout", "missing")


class AnomalyPolicy(Wire, omit_defaults=False):
    """When a deployment's readings raise an anomaly event.

    `level`: two-sided coverage of the alarm interval, widened from the calibrated
    [p05, p95] band with exponential tails (0.9999: 4 times the p50-p95 distance; a normal
    reading leaves it once in ten thousand). Durations are
    in minutes and counted in whole grid steps (a reading covers one step); an out-of-band
    run shorter than `minDurationMinutes` is still an event when its score is past
    `strongLevel`'s interval.
    """

    level: Annotated[float, Meta(gt=0.5, lt=1.0)] = 0.9999
    strongLevel: Annotated[float, Meta(gt=0.5, lt=1.0)] = 0.999999
    minDurationMinutes: Annotated[float, Meta(ge=0.0)] = 30.0
    # out-of-band runs up to this long are spikes; longer ones are level shifts
    spikeMaxMinutes: Annotated[float, Meta(ge=0.0)] = 60.0
    # flagged readings this close together make one event
    mergeGapMinutes: Annotated[float, Meta(ge=0.0)] = 30.0
    stuckMinutes: Annotated[float, Meta(gt=0.0)] = 120.0
    dropoutMinutes: Annotated[float, Meta(ge=0.0)] = 15.0
    missingMinutes: Annotated[float, Meta(ge=0.0)] = 30.0
    # a reading this close to zero, relative to what was expected, is a dropout
    zeroFraction: Annotated[float, Meta(ge=0.0, lt=1.0)] = 0.02


class AnomalyEvent(Wire, omit_defaults=False):
    """Consecutive anomalous readings (or absent ones) grouped into one thing to look at.

    `energyAboveExpectedKWh`: sum of (reading - expected) x step over the event, for a
    power target (W, kW, MW); None otherwise and for missing data. `score`: the peak's
    distance from expected over that side's half of the calibrated band (p95 - p50).
    """

    kind: EventKind
    start: str
    end: str
    readings: int
    durationMinutes: float
    peak: float | None
    peakAt: str | None
    expected: float | None
    energyAboveExpectedKWh: float | None
    score: float
    unit: str
    reason: str


class EventRecord(Wire):
    """An event a gateway saw, for one deployment (and its asset)."""

    deploymentId: str
    event: AnomalyEvent
    assetId: str | None = None


class ForecastRecord(Wire):
    """One forecast a gateway answered, made at `origin` (its window's last grid point):
    step k (1-based) is for origin + k x frequencyS; values in the deployment's output unit."""

    deploymentId: str
    origin: str
    frequencyS: Annotated[int, Meta(gt=0)]
    p05: list[float]
    p50: list[float]
    p95: list[float]
    unit: str


class ReadingRecord(Wire):
    """Target readings a gateway received: `value[i]` at start + i x frequencyS, in the
    deployment's output unit."""

    deploymentId: str
    start: str
    frequencyS: Annotated[int, Meta(gt=0)]
    value: list[float]


class RecordBatch(Wire):
    """What a gateway ships to `POST /api/gateway/records`; sent again after a failure, so
    storing it twice changes nothing."""

    batchId: str
    events: list[EventRecord] = []
    forecasts: list[ForecastRecord] = []
    readings: list[ReadingRecord] = []
