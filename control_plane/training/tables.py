"""Training jobs and their persisted event history."""

from __future__ import annotations

from piccolo.columns import JSONB, Float, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class TrainingJob(Table, tablename="training_job"):
    id = Varchar(length=32, primary_key=True)
    dataset_id = Varchar(length=32, index=True)
    feature_plan_id = Varchar(length=32, index=True)
    algorithm = Varchar(length=32)
    hyperparams = JSONB(default={})
    plan = JSONB(default={})
    status = Varchar(length=16, default="queued", index=True)
    progress = Float(default=0.0)
    attempt = Integer(default=1)
    max_attempts = Integer(default=3)
    error = Text(default="")
    evaluation = JSONB(default={})
    artifacts = JSONB(default=[])
    card = JSONB(default={})
    card_markdown = Text(default="")
    signature = JSONB(default={})
    # a job trained from a feature-store query: {query..., groups, frame (the worker's)}
    feature_query = JSONB(null=True, default=None)
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    last_seq = Integer(default=0)
    requested_action = Varchar(length=8, default="run")


class TrainingEventRow(Table, tablename="training_event"):
    id = Serial(primary_key=True)
    job_id = Varchar(length=32, index=True, index_method=IndexMethod.btree)
    seq = Integer()
    type = Varchar(length=16)
    level = Varchar(length=8, default="")
    payload = JSONB(default={})
    ts = Varchar(length=40)


class AssetTrainingJob(Table, tablename="asset_training_job"):
    """A training job started by the seed-003 call: the asset, the data and, once it
    succeeded, the version it registered under the asset's model."""

    job_id = Varchar(length=32, primary_key=True)
    asset_id = Varchar(length=128, index=True)
    data_url = Text()
    dataset_id = Varchar(length=32)
    feature_plan_id = Varchar(length=32)
    model_name = Varchar(length=128)
    model_version = Integer(null=True, default=None)
    register_error = Text(default="")
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
