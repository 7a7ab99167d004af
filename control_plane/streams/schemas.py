"""Wire shapes of the sensor sources (`/api/inference/devices`) and live streams."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from msgspec import Meta

from loadstar_core.feature_store.payload import PayloadMapping
from schemas.base import Wire


class SourceIn(Wire):
    """`mqtt`: the consumer subscribes to `topic` (a pattern) on `broker`. `http`: readings
    are POSTed to `/api/inference/devices/{id}/readings` under a topic matching `topic`
    (the broker is not used)."""

    name: Annotated[str, Meta(min_length=1, max_length=100)]
    group: str  # a stream feature group, by id or name
    topic: Annotated[str, Meta(min_length=1, max_length=200)]
    mapping: PayloadMapping
    broker: str = "127.0.0.1:1883"
    kind: Literal["mqtt", "http"] = "mqtt"


class PushIn(Wire):
    """A batch of readings for an HTTP-push device: each one a JSON object as an MQTT
    message of the device would carry it; `topic` when the device's pattern has wildcards."""

    readings: Annotated[list[dict[str, Any]], Meta(min_length=1, max_length=5000)]
    topic: Annotated[str, Meta(min_length=1, max_length=200)] | None = None


class PushOut(Wire):
    device: str
    readings: int
    values: int


class SourceOut(Wire):
    """A device: its configuration and what it has sent (counted by the consumer)."""

    id: str
    name: str
    kind: str
    broker: str
    topic: str
    groupId: str
    mapping: PayloadMapping
    messages: int
    malformed: int
    messagesPerMinute: float
    lastPayload: str | None
    lastMessageAt: datetime | None
    lastError: str | None
    createdAt: datetime


class StreamStart(Wire):
    """Seed names: `device_id` and `model_id` are accepted as `deviceId`/`modelId` too."""

    deploymentId: str
    deviceId: str  # a source id or name
    entity: str


class StreamStop(Wire):
    deploymentId: str


class StreamOut(Wire):
    id: str
    deploymentId: str
    sourceId: str
    entity: str
    status: str
    lastPoint: datetime | None
    error: str
    createdAt: datetime


class StreamEvent(Wire):
    """One grid point's result, as stored and pushed on the stream's WebSocket."""

    type: Literal["forecast", "error"]
    deploymentId: str
    streamId: str
    point: str
    readings: list[dict[str, Any]] = []
    forecast: dict[str, Any] | None = None
    anomalies: list[dict[str, Any]] = []
    message: str = ""
