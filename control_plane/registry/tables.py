"""Registered models, their numbered versions, stage history and aliases."""

from __future__ import annotations

from piccolo.columns import JSONB, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.constraints import Unique
from piccolo.table import Table


class RegisteredModel(Table, tablename="registered_model"):
    id: Serial  # the default primary key, declared for the type checker
    name = Varchar(length=128, unique=True, required=True)
    description = Text(default="")
    tags = JSONB(default=[])
    # Highest version number handed out; bumped by `UPDATE ... RETURNING` so concurrent
    # registrations serialise on this row and never reuse a number.
    last_version = Integer(default=0)
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ModelVersion(Table, tablename="model_version"):
    id: Serial  # the default primary key, declared for the type checker
    model = ForeignKey(RegisteredModel, null=False, on_delete=OnDelete.cascade)
    version = Integer(required=True)
    artifact_uri = Text(required=True)
    artifacts = JSONB(default=[])  # every file of the version: [{name, uri, sha256, bytes}]
    metrics = JSONB(default={})
    card = JSONB(default={})
    signature = JSONB(default={})
    stage = Varchar(length=16, default="None")  # None | Staging | Production | Archived
    description = Text(default="")
    tags = JSONB(default=[])
    dataset_id = Varchar(length=64, null=True, default=None, index=True)
    feature_plan_id = Varchar(length=64, null=True, default=None, index=True)
    source_job_id = Varchar(length=64, null=True, default=None, index=True)
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()

    unique_model_version = Unique(["model", "version"])


class StageTransition(Table, tablename="stage_transition"):
    id: Serial  # the default primary key, declared for the type checker
    model_version = ForeignKey(ModelVersion, null=False, on_delete=OnDelete.cascade)
    from_stage = Varchar(length=16)
    to_stage = Varchar(length=16)
    comment = Text(default="")
    actor = Varchar(length=64, default="")
    created_at = Timestamptz()


class ModelAlias(Table, tablename="model_alias"):
    id: Serial  # the default primary key, declared for the type checker
    model = ForeignKey(RegisteredModel, null=False, on_delete=OnDelete.cascade)
    alias = Varchar(length=64, required=True)
    version = Integer(required=True)
    updated_by = Varchar(length=64, default="")
    updated_at = Timestamptz()

    unique_model_alias = Unique(["model", "alias"])


class AliasEvent(Table, tablename="alias_event"):
    """The outbox of alias moves: written in the moving transaction, followed after commit."""

    id: Serial  # the default primary key, declared for the type checker
    model_name = Varchar(length=128, required=True, index=True)
    alias = Varchar(length=64, required=True)
    version = Integer(null=True, default=None)  # None: the alias was deleted
    actor = Varchar(length=64, default="")
    state = Varchar(length=16, default="pending", index=True)  # pending | done | failed
    attempts = Integer(default=0)
    claimed_at = Timestamptz(null=True, default=None)
    error = Text(default="")
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
