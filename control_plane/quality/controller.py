"""`/api/v2/data/quality` (seed 001 section 5): rule suites, validation, reports, schedules."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.params import Body, Parameter

from control_plane.auth.security import writer_guard
from control_plane.auth.service import AuthUser
from control_plane.quality import reports, schedules, suites
from control_plane.quality.schemas import (
    ReportOut,
    ReportPage,
    ScheduleIn,
    ScheduleOut,
    SuiteIn,
    SuiteOut,
    ValidateRequest,
)

DatasetFilter = Annotated[str | None, Parameter(query="datasetId", default=None)]


class QualityRulesController(Controller):
    path = "/api/v2/data/quality"
    tags = ["quality"]

    @post("/rules", guards=[writer_guard], status_code=201, summary="Create a rule suite version")
    async def create_suite(self, user: AuthUser, data: SuiteIn = Body()) -> SuiteOut:
        return await suites.create_suite(data, user.username)

    @get("/rules", summary="List rule suites (every version, newest first)")
    async def list_suites(
        self,
        dataset_id: DatasetFilter,
        name: Annotated[str | None, Parameter(query="name", default=None)],
    ) -> list[SuiteOut]:
        return await suites.list_suites(dataset_id, name)

    @get("/rules/{suite_id:str}", summary="One rule suite version")
    async def get_suite(self, suite_id: str) -> SuiteOut:
        return await suites.get_suite(suite_id)

    @post(
        "/validate",
        guards=[writer_guard],
        status_code=202,
        summary="Validate a dataset with a suite; returns the queued report at once",
    )
    async def validate(
        self, request: Request[Any, Any, Any], user: AuthUser, data: ValidateRequest = Body()
    ) -> ReportOut:
        report = await reports.new_report(
            data.datasetId, data.suiteId, data.suiteName, "manual", user.username
        )
        return await request.app.state.quality_queue.enqueue_report(report)  # type: ignore[no-any-return]

    @get("/reports", summary="Reports, newest first (history)")
    async def list_reports(
        self,
        dataset_id: DatasetFilter,
        limit: Annotated[int, Parameter(query="limit", ge=1, le=500, default=50)],
    ) -> ReportPage:
        return await reports.list_reports(dataset_id, limit)

    @get("/reports/{report_id:str}", summary="One report: each rule's counts, ranges, samples")
    async def get_report(self, report_id: str) -> ReportOut:
        return await reports.get_report(report_id)

    @post("/schedule", guards=[writer_guard], status_code=201, summary="Run a suite on a cron")
    async def schedule(self, user: AuthUser, data: ScheduleIn = Body()) -> ScheduleOut:
        return await schedules.create_schedule(data, user.username)

    @get("/schedules", summary="Schedules")
    async def list_schedules(self, dataset_id: DatasetFilter) -> list[ScheduleOut]:
        return await schedules.list_schedules(dataset_id)

    @delete("/schedules/{schedule_id:str}", guards=[writer_guard], summary="Remove a schedule")
    async def delete_schedule(self, schedule_id: str) -> None:
        await schedules.delete_schedule(schedule_id)
