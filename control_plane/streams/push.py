"""HTTP-push sources: readings POSTed in batches, on the same path as MQTT messages.

Each reading is one JSON object, exactly what an MQTT message of the source would carry,
mapped by the source's payload mapping (`map_message`) under a topic that matches the
source's pattern (the request's `topic`, or the pattern itself when it has no wildcard).
A batch is checked whole first: one bad reading is INVALID_INPUT naming its index,
counted as malformed, and nothing of the batch is stored. The good batch is stored as the
consumer stores a message (`store_rows`: online at once, offline at materialization).
"""

from __future__ import annotations

from datetime import UTC, datetime

import aiomqtt
import msgspec

from control_plane.feature_store.buffer import StreamBuffer
from control_plane.feature_store.ingest import store_rows
from control_plane.feature_store.online import OnlineStore
from control_plane.feature_store.registry import get_group, specs
from control_plane.streams.counters import SourceCounters
from control_plane.streams.schemas import PushIn, PushOut
from control_plane.streams.sources import get_source
from loadstar_core.feature_store.payload import map_message
from schemas.errors import InvalidInput, LoadstarError

_ENCODE = msgspec.json.Encoder()


def push_topic(pattern: str, topic: str | None) -> str:
    """The topic the batch's readings are mapped under."""
    if topic is None:
        if "+" in pattern or "#" in pattern:
            raise InvalidInput(
                f"the source's topic {pattern!r} has wildcards: name the topic of the readings",
                {"field": "topic", "pattern": pattern},
            )
        return pattern
    if "+" in topic or "#" in topic or not aiomqtt.Topic(topic).matches(pattern):
        raise InvalidInput(
            f"topic {topic!r} does not match the source's pattern {pattern!r}",
            {"field": "topic", "pattern": pattern},
        )
    return topic


async def push_readings(
    device: str,
    data: PushIn,
    online: OnlineStore,
    buffer: StreamBuffer,
    counters: SourceCounters,
) -> PushOut:
    source = await get_source(device, None)
    if source.kind != "http":
        raise InvalidInput(
            f"device {source.name!r} is fed over {source.kind}, not by HTTP push",
            {"field": "device", "kind": source.kind},
        )
    topic = push_topic(source.topic, data.topic)
    group = await get_group(source.groupId)
    features = specs(group.features)
    now = datetime.now(UTC)
    payloads = [_ENCODE.encode(r) for r in data.readings]
    rows = []
    for index, payload in enumerate(payloads):
        try:
            rows.append(map_message(source.mapping, features, topic, payload, now))
        except LoadstarError as exc:
            await counters.seen(source.id, payload, exc.message)
            inner = {k: v for k, v in exc.details.items() if k != "row"}
            inner["readingField"] = inner.pop("field", None)
            raise InvalidInput(
                f"reading {index}: {exc.message.removeprefix('row 0: ')}",
                {**inner, "field": f"readings.{index}"},
            ) from exc
    stored = await store_rows(group, rows, online, buffer)
    for payload in payloads:
        await counters.seen(source.id, payload, None)
    return PushOut(device=source.id, readings=len(rows), values=stored.values)
