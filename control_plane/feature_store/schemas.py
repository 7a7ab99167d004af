"""Wire shapes of `/api/v2/feature-store`: groups, features, ingest, online reads, runs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from msgspec import Meta

from schemas.base import Wire

Name = Annotated[str, Meta(min_length=1, max_length=100, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
Dtype = Literal["float64", "float32", "int64", "int32", "bool", "string"]
SourceType = Literal["batch", "stream"]
EntityKind = Literal["asset", "meter"]


class FeatureIn(Wire):
    """A feature to add; adding a name the group has makes its next version."""

    name: Name
    dtype: Dtype
    unit: Annotated[str, Meta(max_length=64)] | None = None
    description: Annotated[str, Meta(max_length=2000)] = ""
    minValue: float | None = None  # the expected range, for monitoring
    maxValue: float | None = None


class FeatureOut(Wire):
    name: str
    dtype: str
    unit: str | None
    description: str
    version: int
    minValue: float | None
    maxValue: float | None
    createdAt: datetime


class GroupIn(Wire):
    name: Name
    description: Annotated[str, Meta(max_length=2000)] = ""
    sourceType: SourceType = "batch"
    sourceUri: Annotated[str, Meta(max_length=2000)] = ""
    entity: EntityKind = "meter"
    lookback: Annotated[int, Meta(ge=1, le=10_000)] = 96
    features: list[FeatureIn] = []


class GroupOut(Wire):
    id: str
    name: str
    description: str
    owner: str
    sourceType: str
    sourceUri: str
    entity: str
    lookback: int
    features: list[FeatureOut]
    createdAt: datetime
    updatedAt: datetime


class GroupPage(Wire):
    items: list[GroupOut]
    total: int


class IngestRow(Wire):
    """One entity's values at one event time (ISO 8601; an offset is honoured)."""

    entity: str
    eventTime: str
    values: dict[str, Any]


class IngestRequest(Wire):
    """Rows in the body, or a dataset (its `timestamp` column as event time, one entity)."""

    group: str  # id or name
    rows: list[IngestRow] = []
    units: dict[str, str] = {}  # feature -> the unit the rows are in (converted on entry)
    datasetId: str | None = None
    entity: str | None = None  # with datasetId: the entity every row belongs to
    columns: dict[str, str] = {}  # with datasetId: dataset column -> feature (default: same)


class IngestOut(Wire):
    group: str
    rows: int
    values: int
    ingestedAt: datetime
    online: bool  # written to the online store too (stream groups, and batch after materialize)


class OnlineValue(Wire):
    feature: str  # group.feature
    value: float | str | bool | None
    eventTime: str | None
    window: list[tuple[str, float | str | bool | None]] | None


class OnlineOut(Wire):
    entity: str
    values: list[OnlineValue]


class FrameRequest(Wire):
    """A training frame: the spine's rows each joined `as of` its own time."""

    features: Annotated[list[str], Meta(min_length=1, max_length=500)]  # group.feature
    spine: Annotated[list[tuple[str, str]], Meta(min_length=1, max_length=100_000)]
    ttlSeconds: Annotated[int, Meta(ge=1)] | None = None


class FrameOut(Wire):
    columns: list[str]
    rows: list[dict[str, Any]]


class MaterializeRequest(Wire):
    """`range` writes the group's offline rows with event time in [start, end) online;
    `incremental` writes everything ingested since the last run (late rows included)."""

    group: str
    mode: Literal["range", "incremental"] = "incremental"
    start: datetime | None = None
    end: datetime | None = None


class RunOut(Wire):
    id: str
    groupId: str
    mode: str
    status: str
    progress: float
    rows: int
    error: str
    trigger: str
    start: datetime | None
    end: datetime | None
    watermark: datetime | None
    createdAt: datetime
    startedAt: datetime | None
    finishedAt: datetime | None
    durationSeconds: float | None


class ScheduleIn(Wire):
    group: str
    cron: Annotated[str, Meta(min_length=9, max_length=100)]


class ScheduleOut(Wire):
    id: str
    groupId: str
    cron: str
    enabled: bool
    lastRunAt: datetime | None
    nextRunAt: datetime | None


class FeatureHealth(Wire):
    feature: str
    nullShare: float
    outOfRangeShare: float


class Monitoring(Wire):
    """Over the last `windowSeconds` of ingestion: how fresh, how fast, how clean."""

    groupId: str
    lastEventTime: datetime | None
    freshnessSeconds: float | None
    rowsPerMinute: float
    windowSeconds: int
    features: list[FeatureHealth]
