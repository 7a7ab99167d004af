"""Deployments, their change history, and the global config revision the gateways follow."""

from __future__ import annotations

from piccolo.columns import JSONB, Float, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class Deployment(Table, tablename="deployment"):
    id = Varchar(length=32, primary_key=True)
    name = Varchar(length=128, default="")
    model_name = Varchar(length=128, index=True)
    model_version = Integer()
    follow_alias = Varchar(length=64, null=True, default=None)  # e.g. "Production"
    asset_id = Varchar(length=128, null=True, default=None, index=True)
    triton_model = Varchar(length=160)
    status = Varchar(length=16, default="active")  # active | revoked
    token_sha256 = Varchar(length=64, default="")  # before named keys; see DeploymentKey
    inputs = JSONB(default=[])  # [{name, source, unit, required}] in model order
    source_units = JSONB(default={})
    fill = Varchar(length=8, default="linear")
    max_missing_ratio = Float(default=0.2)
    contract = JSONB(default={})
    # schemas.gateway.OnlineWindow: the window read from the feature store's online store
    online_window = JSONB(null=True, default=None)
    revision = Integer(default=0)
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class DeploymentChange(Table, tablename="deployment_change"):
    id = Serial(primary_key=True)
    deployment_id = Varchar(length=32, index=True)
    revision = Integer()
    kind = Varchar(length=24)  # created | mapping | rollback | token | revoked | alias
    details = JSONB(default={})
    actor = Varchar(length=64, default="")
    created_at = Timestamptz()


class ConfigRevision(Table, tablename="config_revision"):
    """One row; bumped with UPDATE ... RETURNING so revisions are unique and ordered."""

    id = Integer(primary_key=True)
    value = Integer(default=0)
    note = Text(default="")


class DeploymentKey(Table, tablename="deployment_key"):
    """A named API key of a deployment: only its SHA-256 is kept (the secret is shown once)."""

    id = Varchar(length=32, primary_key=True)
    deployment_id = Varchar(length=32, index=True)
    name = Varchar(length=64)
    scopes = JSONB(default=[])  # "predict" | "detect" | "train" (the seed-003 training call)
    token_sha256 = Varchar(length=64, unique=True)
    hint = Varchar(length=8, default="")  # the secret's last characters, to tell keys apart
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
    expires_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_by = Varchar(length=64, default="")
