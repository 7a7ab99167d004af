"""Rule suites (one row per version), validation reports, schedules, training overrides."""

from __future__ import annotations

from piccolo.columns import JSONB, Boolean, DoublePrecision, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class QualitySuite(Table, tablename="quality_suite"):
    """One version of a named suite; a suite binds to a dataset id or to a dataset name
    (every upload under that name is checked)."""

    id = Varchar(length=24, primary_key=True)
    name = Varchar(length=200, required=True)
    version = Integer(required=True)
    dataset_id = Varchar(length=16, null=True, default=None, index=True)
    dataset_name = Varchar(length=200, null=True, default=None, index=True)
    description = Text(default="")
    rules = JSONB(default=[])
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()


class QualityReport(Table, tablename="quality_report"):
    id = Varchar(length=24, primary_key=True)
    dataset_id = Varchar(length=16, required=True, index=True)
    suite_id = Varchar(length=24, required=True)
    suite_name = Varchar(length=200, required=True)
    suite_version = Integer(required=True)
    trigger = Varchar(length=16, default="manual")  # manual | upload | schedule
    status = Varchar(length=16, default="queued")  # queued | running | done | error
    progress = DoublePrecision(default=0.0)
    outcome = Varchar(length=8, null=True, default=None)  # pass | warn | fail
    result = JSONB(null=True, default=None)
    error = Text(null=True, default=None)
    schedule_id = Varchar(length=24, null=True, default=None)
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)


class QualitySchedule(Table, tablename="quality_schedule"):
    id = Varchar(length=24, primary_key=True)
    dataset_id = Varchar(length=16, required=True)
    suite_name = Varchar(length=200, required=True)
    cron = Varchar(length=120, required=True)
    enabled = Boolean(default=True)
    next_run_at = Timestamptz(index=True)
    last_run_at = Timestamptz(null=True, default=None)
    last_report_id = Varchar(length=24, null=True, default=None)
    runs = Integer(default=0)
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()


class QualityOverride(Table, tablename="quality_override"):
    """A training job started on a dataset whose last report failed, and who chose to."""

    id = Varchar(length=24, primary_key=True)
    dataset_id = Varchar(length=16, required=True)
    report_id = Varchar(length=24, required=True)
    job_id = Varchar(length=64, required=True)
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
