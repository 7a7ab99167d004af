"""Notebook records (the .ipynb itself lives in S3, one object per version), shares, and the
runs a notebook tracks (parameters, metrics, artifacts)."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    BigInt,
    DoublePrecision,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class NotebookRow(Table, tablename="notebook"):
    id = Varchar(length=16, primary_key=True)  # nb-xxxxxxxx
    name = Varchar(length=200, required=True)
    owner = Varchar(length=64, required=True, index=True)
    project_id = Varchar(length=64, null=True, default=None, index=True)
    version = Integer(default=1)  # the latest version's number
    size = BigInt(default=0)  # bytes of the latest version's .ipynb
    created_at = Timestamptz()
    updated_at = Timestamptz()


class NotebookVersionRow(Table, tablename="notebook_version"):
    id: Serial
    notebook_id = Varchar(length=16, required=True, index=True)
    version = Integer(required=True)
    object_key = Varchar(length=200, required=True)
    size = BigInt(default=0)
    saved_by = Varchar(length=64, required=True)
    saved_at = Timestamptz()
    message = Varchar(length=200, default="")


class NotebookShareRow(Table, tablename="notebook_share"):
    id: Serial
    notebook_id = Varchar(length=16, required=True, index=True)
    kind = Varchar(length=8, required=True)  # user | role
    principal = Varchar(length=64, required=True)  # a username or a role
    permission = Varchar(length=8, required=True)  # read | edit
    created_by = Varchar(length=64, required=True)
    created_at = Timestamptz()


class NotebookRunRow(Table, tablename="notebook_run"):
    """An experiment run started from a notebook; source = notebook id and version."""

    id = Varchar(length=16, primary_key=True)  # nr-xxxxxxxx
    notebook_id = Varchar(length=16, required=True, index=True)
    notebook_version = Integer(required=True)
    name = Varchar(length=200, default="")
    params = JSONB(default="{}")
    status = Varchar(length=16, default="running")  # running | finished | failed
    started_by = Varchar(length=64, required=True)
    started_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)
    experiment_id = Varchar(length=24, null=True, default=None, index=True)  # a lab experiment
    model_name = Varchar(length=128, null=True, default=None)  # the version it logged, if any
    model_version = Integer(null=True, default=None)


class NotebookRunMetricRow(Table, tablename="notebook_run_metric"):
    id: Serial
    run_id = Varchar(length=16, required=True, index=True)
    key = Varchar(length=100, required=True)
    value = DoublePrecision(required=True)
    step = Integer(default=0)
    logged_at = Timestamptz()


class NotebookRunArtifactRow(Table, tablename="notebook_run_artifact"):
    id: Serial
    run_id = Varchar(length=16, required=True, index=True)
    name = Varchar(length=200, required=True)
    object_key = Varchar(length=300, required=True)
    size = BigInt(default=0)
    content_type = Varchar(length=100, default="application/octet-stream")
    logged_at = Timestamptz()
