"""System alert rules (a threshold on one host metric) and the events they fired."""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Real, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class SystemAlertRule(Table, tablename="system_alert_rule"):
    id: Serial  # the default primary key, declared for the type checker
    name = Varchar(length=128, required=True)
    metric = Varchar(length=32, required=True)
    op = Varchar(length=2, required=True)  # > >= < <=
    threshold = Real(required=True)
    enabled = Boolean(default=True)
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
    # where a firing is sent (the same signed webhook as deployment alerts), if anywhere
    webhook_url = Text(null=True, default=None)
    webhook_secret = Varchar(length=128, null=True, default=None)


class SystemAlertEvent(Table, tablename="system_alert_event"):
    """One firing: open until the metric is back on the right side (then `resolved_at`)."""

    id: Serial  # the default primary key, declared for the type checker
    rule_id = Integer(required=True, index=True)
    rule_name = Varchar(length=128, default="")
    metric = Varchar(length=32, required=True)
    op = Varchar(length=2, required=True)
    threshold = Real(required=True)
    value = Real(required=True)
    message = Text(default="")
    fired_at = Timestamptz(index=True)
    resolved_at = Timestamptz(null=True, default=None)
