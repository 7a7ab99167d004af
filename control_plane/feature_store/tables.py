"""The feature store's tables: the registry, the offline history, runs, schedules."""

from __future__ import annotations

from piccolo.columns import (
    BigSerial,
    Boolean,
    DoublePrecision,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class FeatureGroupRow(Table, tablename="fs_group"):
    id = Varchar(length=16, primary_key=True)  # fg-xxxxxxxx
    name = Varchar(length=100, unique=True, required=True)
    description = Text(default="")
    owner = Varchar(length=64, default="")
    source_type = Varchar(length=16, default="batch")  # batch | stream
    source_uri = Text(default="")
    entity = Varchar(length=16, default="meter")  # asset | meter
    lookback = Integer(default=96)  # points kept per entity and feature online
    created_at = Timestamptz()
    updated_at = Timestamptz()


class FeatureRow(Table, tablename="fs_feature"):
    """One version of a feature; a group's current feature is its highest version."""

    group_id = Varchar(length=16, required=True, index=True)
    name = Varchar(length=100, required=True)
    dtype = Varchar(length=16, required=True)
    unit = Varchar(length=64, null=True, default=None)
    description = Text(default="")
    version = Integer(default=1)
    min_value = DoublePrecision(null=True, default=None)
    max_value = DoublePrecision(null=True, default=None)
    created_at = Timestamptz()


class FeatureValueRow(Table, tablename="fs_value"):
    """The offline history: one value of one feature of one entity at one event time."""

    id = BigSerial(primary_key=True)
    group_id = Varchar(length=16, required=True)
    entity = Varchar(length=200, required=True)
    feature = Varchar(length=100, required=True)
    event_time = Timestamptz(required=True)
    ingested_at = Timestamptz(required=True)
    value_num = DoublePrecision(null=True, default=None)
    value_text = Text(null=True, default=None)


class MaterializationRunRow(Table, tablename="fs_run"):
    id = Varchar(length=16, primary_key=True)  # mr-xxxxxxxx
    group_id = Varchar(length=16, required=True, index=True)
    mode = Varchar(length=16, required=True)  # range | incremental
    range_start = Timestamptz(null=True, default=None)
    range_end = Timestamptz(null=True, default=None)
    status = Varchar(length=16, default="queued")
    progress = DoublePrecision(default=0.0)
    rows = Integer(default=0)
    error = Text(default="")
    watermark = Timestamptz(null=True, default=None)  # ingestion time covered (incremental)
    trigger = Varchar(length=32, default="manual")  # manual | schedule:<id>
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)


class ScheduleRow(Table, tablename="fs_schedule"):
    id = Varchar(length=16, primary_key=True)  # ms-xxxxxxxx
    group_id = Varchar(length=16, required=True, index=True)
    cron = Varchar(length=100, required=True)
    enabled = Boolean(default=True)
    last_run_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
