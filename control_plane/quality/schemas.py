"""Wire shapes of rule suites, validation reports and schedules."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from msgspec import Meta

from schemas.base import Wire
from schemas.quality import Outcome, Rule, SuiteResult

Name = Annotated[str, Meta(min_length=1, max_length=200)]


class SuiteIn(Wire):
    """A new suite, or the next version of the suite with this name and binding."""

    name: Name
    rules: Annotated[list[Rule], Meta(min_length=1, max_length=200)]
    datasetId: str | None = None
    datasetName: Name | None = None  # every upload under this name is checked
    description: str = ""


class SuiteOut(Wire):
    id: str
    name: str
    version: int
    rules: list[Rule]
    createdAt: datetime
    datasetId: str | None = None
    datasetName: str | None = None
    description: str = ""
    createdBy: str = ""


class ValidateRequest(Wire):
    """Check a dataset with a suite version (`suiteId`), or the latest version of a named
    suite, or else the suite bound to the dataset (its default suite when none is)."""

    datasetId: str
    suiteId: str | None = None
    suiteName: str | None = None


ReportStatus = Literal["queued", "running", "done", "error"]


class ReportOut(Wire, omit_defaults=False):
    id: str
    datasetId: str
    suiteId: str
    suiteName: str
    suiteVersion: int
    trigger: str
    status: ReportStatus
    progress: float
    outcome: Outcome | None
    result: SuiteResult | None
    error: str | None
    createdBy: str
    createdAt: datetime
    finishedAt: datetime | None
    scheduleId: str | None = None


class ReportPage(Wire):
    items: list[ReportOut]
    total: int


class ScheduleIn(Wire):
    """Run the named suite (the dataset's bound suite when absent) on `cron`: five fields,
    or six with seconds last (`*/10 * * * * *` is every ten seconds)."""

    datasetId: str
    cron: Annotated[str, Meta(min_length=9, max_length=120)]
    suiteName: str | None = None
    enabled: bool = True


class ScheduleOut(Wire, omit_defaults=False):
    id: str
    datasetId: str
    suiteName: str
    cron: str
    enabled: bool
    nextRunAt: datetime
    lastRunAt: datetime | None
    lastReportId: str | None
    runs: int
    createdBy: str
    createdAt: datetime
