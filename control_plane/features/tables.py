"""Saved feature plans; `plan` holds the `schemas.feature_plan.FeaturePlan` body."""

from __future__ import annotations

from piccolo.columns import JSONB, Timestamptz, Varchar
from piccolo.table import Table


class FeaturePlanRow(Table, tablename="feature_plan"):
    id = Varchar(length=16, primary_key=True)  # fp-xxxxxxxx
    name = Varchar(length=200, required=True)
    # The datasets slice refuses to delete a dataset a row here points at (by this name).
    dataset_id = Varchar(length=64, required=True, index=True)
    plan = JSONB(required=True)
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()
