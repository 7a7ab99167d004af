"""Wire shapes of datasets: the record, its columns, paging, rows, references."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from schemas.base import Wire

ColumnRole = Literal["timestamp", "numeric", "boolean", "categorical", "datetime"]
DatasetFormat = Literal["csv", "parquet", "xlsx"]
DatasetName = Annotated[str, Meta(min_length=1, max_length=200)]
Unit = Annotated[str, Meta(min_length=1, max_length=32, pattern=r"^[^\[\]\s]+( [^\[\]\s]+)*$")]


class ColumnInfo(Wire):
    """One column of the canonical Parquet (`timestamp` is always the time column)."""

    name: str
    dtype: str
    role: ColumnRole
    nullCount: int = 0
    unit: str | None = None
    sourceName: str | None = None  # the header in the original file, when it differed


class IngestFacts(Wire):
    """What the original looked like before it was made canonical (sorted, UTC)."""

    sortedOnUpload: bool
    duplicateTimestamps: int
    timezone: str  # the zone the original timestamps were in ("naive" read as UTC)


class RangeRule(Wire):
    """Allowed values of one column for the data-quality report (either bound optional)."""

    min: float | None = None
    max: float | None = None


class DatasetOut(Wire):
    id: str
    name: str
    description: str
    status: Literal["ready"]
    source: Literal["upload", "url"]
    format: DatasetFormat
    originalKey: str  # keys in the control plane's bucket
    canonicalKey: str
    columns: list[ColumnInfo]
    timestampColumn: str  # the original name of the column read as the timestamp
    rows: int
    sizeBytes: int
    canonicalSizeBytes: int
    ingest: IngestFacts
    createdBy: str
    createdAt: datetime
    updatedAt: datetime
    sourceUri: str | None = None
    frequency: str | None = None
    frequencySeconds: float | None = None
    start: datetime | None = None
    end: datetime | None = None
    qualityRules: dict[str, RangeRule] = msgspec.field(default_factory=dict)

    def column(self, name: str) -> ColumnInfo | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def numeric_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.role == "numeric"]


class DatasetPage(Wire):
    items: list[DatasetOut]
    total: int
    page: int
    pageSize: int


Separator = Literal[",", ";", "\t", "|"]
DecimalMark = Literal[".", ","]
TimestampFormat = Annotated[str, Meta(min_length=2, max_length=64, pattern="%")]
TimeZone = Annotated[str, Meta(min_length=1, max_length=64)]


class ReadOptions(Wire):
    """How to read a file; every field is detected when absent (CSV fields ignored otherwise)."""

    format: DatasetFormat | None = None
    timestampColumn: str | None = None
    units: dict[str, Unit] = msgspec.field(default_factory=dict)
    separator: Separator | None = None
    decimal: DecimalMark | None = None
    timestampFormat: TimestampFormat | None = None  # strftime, e.g. "%d.%m.%Y %H:%M"
    timezone: TimeZone | None = None  # IANA zone of offset-less timestamps; UTC when absent


class DatasetRegistration(ReadOptions):
    """Register an object already in S3 (`s3://bucket/key`) or at an http(s) URL.

    `data_url` (seed 003) is accepted as `dataUrl`."""

    name: DatasetName | None = None
    dataUrl: str | None = None
    data_url: str | None = msgspec.field(default=None, name="data_url")
    description: str = ""

    @property
    def url(self) -> str | None:
        return self.dataUrl or self.data_url


class DatasetPatch(Wire):
    """Absent fields stay as they are; a unit set to null is removed."""

    name: DatasetName | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET
    units: dict[str, Unit | None] | msgspec.UnsetType = msgspec.UNSET
    qualityRules: dict[str, RangeRule] | msgspec.UnsetType = msgspec.UNSET


class DatasetRows(Wire):
    """A page of the canonical rows (timestamps as ISO 8601 UTC)."""

    datasetId: str
    columns: list[str]
    rows: list[dict[str, Any]]
    offset: int
    limit: int
    total: int


class DatasetReferences(Wire):
    """Records that use a dataset; any of them makes a plain DELETE a CONFLICT."""

    featurePlans: list[str] = msgspec.field(default_factory=list)
    trainingJobs: list[str] = msgspec.field(default_factory=list)
    modelVersions: list[str] = msgspec.field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.featurePlans) + len(self.trainingJobs) + len(self.modelVersions)


class UploadForm(ReadOptions):
    """The text fields of a multipart upload beside its `file` part (`units` as JSON)."""

    name: DatasetName | None = None
    description: str = ""


class ImportPreview(Wire, omit_defaults=False):
    """A file as it will be read, before anything is stored: the options found (or given),
    the columns and the first rows in their canonical form (timestamps in UTC)."""

    filename: str
    format: DatasetFormat
    separator: Separator | None
    decimal: DecimalMark | None
    timestampColumn: str
    timestampFormat: str
    timezone: str
    columns: list[ColumnInfo]
    rows: list[dict[str, Any]]
    totalRows: int
    frequency: str | None
