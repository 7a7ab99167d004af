"""What a deployment saw in service: readings, forecasts, anomaly events, the alarm policy.

The unique keys that make a resent batch harmless are created by the migration (piccolo
has no composite unique constraint): reading (deployment_id, t), forecast
(deployment_id, origin, step), event (deployment_id, kind, start_at).
"""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    BigSerial,
    Boolean,
    Float,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class WatchPolicy(Table, tablename="watch_policy"):
    deployment_id = Varchar(length=32, primary_key=True)
    policy = JSONB(default={})  # an AnomalyPolicy
    updated_by = Varchar(length=64, default="")
    updated_at = Timestamptz()


class WatchReading(Table, tablename="watch_reading"):
    id = BigSerial(primary_key=True)
    deployment_id = Varchar(length=32)
    t = Timestamptz()
    value = Float()


class WatchForecast(Table, tablename="watch_forecast"):
    id = BigSerial(primary_key=True)
    deployment_id = Varchar(length=32)
    origin = Timestamptz()
    step = Integer()
    t = Timestamptz()
    p05 = Float()
    p50 = Float()
    p95 = Float()


class WatchState(Table, tablename="watch_state"):
    """Per deployment: when readings last arrived, and its live coverage once known."""

    deployment_id = Varchar(length=32, primary_key=True)
    received_at = Timestamptz(null=True, default=None)  # the last batch with readings
    live_coverage = Float(null=True, default=None)  # rounded to 0.01; None: not enough pairs
    live_pairs = Integer(default=0)
    live_at = Timestamptz(null=True, default=None)


class AnomalyEventRow(Table, tablename="anomaly_event"):
    id = Serial(primary_key=True)
    deployment_id = Varchar(length=32, index=True)
    asset_id = Varchar(length=128, null=True, default=None, index=True)
    kind = Varchar(length=16)
    start_at = Timestamptz()
    end_at = Timestamptz()
    readings = Integer()
    duration_minutes = Float()
    peak = Float(null=True, default=None)
    peak_at = Timestamptz(null=True, default=None)
    expected = Float(null=True, default=None)
    energy_kwh = Float(null=True, default=None)
    score = Float()
    unit = Varchar(length=32)
    reason = Text()
    acknowledged_by = Varchar(length=64, null=True, default=None)
    acknowledged_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class EventComment(Table, tablename="anomaly_event_comment"):
    id = Serial(primary_key=True)
    event_id = Integer(index=True)
    author = Varchar(length=64)
    text = Text()
    created_at = Timestamptz()


class AlertRule(Table, tablename="alert_rule"):
    id = Serial(primary_key=True)
    deployment_id = Varchar(length=32, index=True)
    kind = Varchar(length=24)  # anomaly_event | coverage | mae_vs_naive | no_data
    webhook_url = Text()
    secret = Varchar(length=128)
    enabled = Boolean(default=True)
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
    threshold = Float(null=True, default=None)
    window_minutes = Integer(null=True, default=None)
    firing_since = Timestamptz(null=True, default=None)
    last_value = Float(null=True, default=None)
    evaluated_at = Timestamptz(null=True, default=None)


class AlertDelivery(Table, tablename="alert_delivery"):
    id = Serial(primary_key=True)
    rule_id = Integer(index=True)
    deployment_id = Varchar(length=32)
    payload = JSONB(default={})
    delivered = Boolean(default=False)
    attempts = JSONB(default=[])
    created_at = Timestamptz()
