"""Validation reports: queued as jobs, run on the canonical Parquet, kept with history."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import anyio.from_thread
import anyio.to_thread
import msgspec

from control_plane.datasets import storage
from control_plane.datasets.service import get_dataset
from control_plane.quality.schemas import ReportOut, ReportPage, SuiteOut
from control_plane.quality.suites import as_json, get_suite, new_id, suite_for
from control_plane.quality.tables import QualityOverride, QualityReport
from control_plane.settings import Settings
from loadstar_core.quality.suite import evaluate_suite, rule_columns
from loadstar_core.quality.timeline import TIMESTAMP
from schemas.errors import Conflict, NotFound
from schemas.quality import SuiteResult

log = logging.getLogger(__name__)
_result_decoder = msgspec.json.Decoder(SuiteResult)


def to_out(row: dict[str, Any]) -> ReportOut:
    result = row["result"]
    return ReportOut(
        id=row["id"],
        datasetId=row["dataset_id"],
        suiteId=row["suite_id"],
        suiteName=row["suite_name"],
        suiteVersion=row["suite_version"],
        trigger=row["trigger"],
        status=row["status"],
        progress=row["progress"],
        outcome=row["outcome"],
        result=None if result is None else _result_decoder.decode(as_json(result)),
        error=row["error"],
        createdBy=row["created_by"],
        createdAt=row["created_at"],
        finishedAt=row["finished_at"],
        scheduleId=row["schedule_id"],
    )


async def new_report(
    dataset_id: str,
    suite_id: str | None,
    suite_name: str | None,
    trigger: str,
    user: str,
    schedule_id: str | None = None,
) -> ReportOut:
    """A queued report row for the suite a check of the dataset uses."""
    dataset = await get_dataset(dataset_id)
    suite: SuiteOut = await suite_for(dataset, suite_id, suite_name)
    row = QualityReport(
        id=new_id("qr"),
        dataset_id=dataset.id,
        suite_id=suite.id,
        suite_name=suite.name,
        suite_version=suite.version,
        trigger=trigger,
        status="queued",
        created_by=user,
        created_at=datetime.now(UTC),
        schedule_id=schedule_id,
    )
    await row.save()
    return await get_report(row.id)


async def get_report(report_id: str) -> ReportOut:
    row = await QualityReport.select().where(QualityReport.id == report_id).first()
    if row is None:
        raise NotFound(f"no quality report {report_id!r}", {"reportId": report_id})
    return to_out(row)


async def list_reports(dataset_id: str | None, limit: int) -> ReportPage:
    query = QualityReport.select()
    count = QualityReport.count()
    if dataset_id:
        query = query.where(QualityReport.dataset_id == dataset_id)
        count = count.where(QualityReport.dataset_id == dataset_id)
    rows = await query.order_by(QualityReport.created_at, ascending=False).limit(limit)
    return ReportPage(items=[to_out(r) for r in rows], total=await count)


async def _set(report_id: str, **values: Any) -> None:
    columns = {getattr(QualityReport, k): v for k, v in values.items()}
    await QualityReport.update(columns).where(QualityReport.id == report_id)


async def run_report(settings: Settings, report_id: str) -> None:
    """The job: evaluate the report's suite on its dataset, storing progress as it goes."""
    report = await get_report(report_id)
    if report.status != "queued":
        return  # run already (a duplicate delivery)
    await _set(report_id, status="running")
    try:
        suite = await get_suite(report.suiteId)
        dataset = await get_dataset(report.datasetId)
        wanted = {c for rule in suite.rules for c in rule_columns(rule)}
        present = {c.name for c in dataset.columns}
        columns = [TIMESTAMP, *sorted(wanted & present - {TIMESTAMP})]

        def evaluate() -> SuiteResult:
            frame = storage.scan_canonical(settings, dataset.id).select(columns).collect()
            return evaluate_suite(
                frame,
                suite.rules,
                datetime.now(UTC),
                dataset.frequencySeconds,
                lambda done, total: anyio.from_thread.run(_progress, report_id, done / total),
            )

        result = await anyio.to_thread.run_sync(evaluate)
    except Exception as exc:
        log.exception("quality report %s failed", report_id)
        await _set(report_id, status="error", error=str(exc), finished_at=datetime.now(UTC))
        return
    await _set(
        report_id,
        status="done",
        progress=1.0,
        outcome=result.outcome,
        result=msgspec.to_builtins(result),
        finished_at=datetime.now(UTC),
    )


async def _progress(report_id: str, share: float) -> None:
    await _set(report_id, progress=share)


async def training_gate(dataset_id: str, override: bool, user: str) -> str | None:
    """Refuse training on a dataset whose last finished report failed, unless overridden;
    returns the failed report's id when the user overrode it (to be recorded)."""
    last = (
        await QualityReport.select(QualityReport.id, QualityReport.outcome)
        .where(QualityReport.dataset_id == dataset_id, QualityReport.status == "done")
        .order_by(QualityReport.finished_at, ascending=False)
        .first()
    )
    if last is None or last["outcome"] != "fail":
        return None
    if not override:
        raise Conflict(
            f"the dataset's last quality report ({last['id']}) failed; fix the data, or "
            "train anyway with overrideQuality: true (the override is recorded)",
            {"datasetId": dataset_id, "reportId": last["id"], "field": "overrideQuality"},
        )
    return str(last["id"])


async def record_override(dataset_id: str, report_id: str, job_id: str, user: str) -> None:
    await QualityOverride(
        id=new_id("qo"),
        dataset_id=dataset_id,
        report_id=report_id,
        job_id=job_id,
        created_by=user,
        created_at=datetime.now(UTC),
    ).save()
