"""Sensor sources (devices) and the live streams that forecast from them."""

from __future__ import annotations

from piccolo.columns import JSONB, Text, Timestamptz, Varchar
from piccolo.table import Table


class SourceRow(Table, tablename="sensor_source"):
    """MQTT topics whose JSON payloads map onto a stream feature group's features."""

    id = Varchar(length=16, primary_key=True)  # src-xxxxxxxx
    name = Varchar(length=100, unique=True, required=True)
    kind = Varchar(length=16, default="mqtt")
    broker = Varchar(length=200, default="127.0.0.1:1883")
    topic = Varchar(length=200, required=True)  # a pattern: + and # allowed
    group_id = Varchar(length=16, required=True)
    mapping = JSONB(default="{}")  # loadstar_core.feature_store.payload.PayloadMapping
    created_at = Timestamptz()


class StreamRow(Table, tablename="live_stream"):
    """A deployment bound to a source's entity; `last_point` is the last grid point done."""

    id = Varchar(length=16, primary_key=True)  # st-xxxxxxxx
    deployment_id = Varchar(length=64, required=True, index=True)
    source_id = Varchar(length=16, required=True)
    entity = Varchar(length=200, required=True)
    status = Varchar(length=16, default="running")  # running | stopped
    last_point = Timestamptz(null=True, default=None)
    error = Text(default="")
    created_at = Timestamptz()
    stopped_at = Timestamptz(null=True, default=None)


class StreamResultRow(Table, tablename="live_stream_result"):
    """One grid point's forecast and anomalies (the `StreamEvent` pushed live)."""

    stream_id = Varchar(length=16, required=True, index=True)
    deployment_id = Varchar(length=64, required=True, index=True)
    point = Timestamptz(required=True)
    event = JSONB(required=True)
    created_at = Timestamptz()
