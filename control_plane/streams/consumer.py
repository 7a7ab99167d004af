"""The sensor consumer and stream runner: `python -m control_plane.streams.consumer`.

It subscribes to every configured source's topic pattern (aiomqtt, one client per
broker), maps each message onto its stream group's features and stores it (online at
once, offline at the next materialization). A message that does not fit is counted,
logged and dropped; it never stops the consumer. Sources are re-read every few seconds,
so a new device is picked up without a restart; a lost broker is retried with backoff.
The same process runs the live streams (`runner`), apart from the control plane.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from datetime import UTC, datetime
from typing import Any

import aiomqtt
import msgspec
from piccolo.engine import engine_finder

from control_plane.feature_store.buffer import StreamBuffer
from control_plane.feature_store.ingest import store_rows
from control_plane.feature_store.online import OnlineStore
from control_plane.feature_store.registry import get_group, specs
from control_plane.feature_store.schemas import GroupOut
from control_plane.streams.counters import SourceCounters
from control_plane.streams.runner import StreamRunner
from control_plane.streams.tables import SourceRow
from loadstar_core.feature_store.payload import PayloadMapping, map_message
from loadstar_core.structured_logs import configure_logging
from schemas.errors import LoadstarError
from triton_repo.pool import TritonPool

log = logging.getLogger("loadstar.sensors")


class Subscription(msgspec.Struct):
    source_id: str
    topic: str
    mapping: PayloadMapping
    group: GroupOut


async def load_subscriptions() -> dict[str, list[Subscription]]:
    """Every source, by broker, with its group as it is now."""
    by_broker: dict[str, list[Subscription]] = {}
    mqtt = SourceRow.select().where(SourceRow.kind == "mqtt")
    for row in await mqtt.output(load_json=True):
        try:
            group = await get_group(row["group_id"])
        except LoadstarError:
            log.warning("source %s names a missing group %s", row["id"], row["group_id"])
            continue
        by_broker.setdefault(row["broker"], []).append(
            Subscription(
                source_id=row["id"],
                topic=row["topic"],
                mapping=msgspec.convert(row["mapping"], PayloadMapping),
                group=group,
            )
        )
    return by_broker


class SensorConsumer:
    def __init__(
        self,
        online: OnlineStore,
        buffer: StreamBuffer,
        counters: SourceCounters,
        refresh_seconds: float = 2.0,
        client_id: str | None = None,
    ) -> None:
        self.online = online
        self.buffer = buffer
        self.counters = counters
        self.refresh_seconds = refresh_seconds
        # with an id the broker keeps our subscriptions and queues QoS 1 messages while
        # the consumer is down (a restart loses nothing)
        self.client_id = client_id

    async def handle(self, subs: list[Subscription], topic: str, payload: bytes) -> None:
        """Stores the message for every source whose pattern matches; never raises."""
        for sub in subs:
            if not aiomqtt.Topic(topic).matches(sub.topic):
                continue
            error = None
            try:
                row = map_message(
                    sub.mapping, specs(sub.group.features), topic, payload, datetime.now(UTC)
                )
                await store_rows(sub.group, [row], self.online, self.buffer)
            except LoadstarError as exc:
                error = exc.message
                log.warning(
                    "malformed message on %s for source %s: %s", topic, sub.source_id, error
                )
            except Exception as exc:  # a store that failed: counted and logged, go on
                error = f"{type(exc).__name__}: {exc}"
                log.exception("message on %s for source %s not stored", topic, sub.source_id)
            with contextlib.suppress(Exception):
                await self.counters.seen(sub.source_id, payload, error)

    async def consume(self, broker: str, subs: list[Subscription]) -> None:
        host, _, port = broker.rpartition(":")
        delay = 0.5
        while True:
            try:
                client = aiomqtt.Client(
                    host,
                    int(port),
                    identifier=self.client_id and f"{self.client_id}-{broker}",
                    clean_session=self.client_id is None,
                )
                async with client:
                    for pattern in sorted({s.topic for s in subs}):
                        await client.subscribe(pattern, qos=1)
                    log.info("subscribed on %s to %s", broker, [s.topic for s in subs])
                    delay = 0.5
                    async for message in client.messages:
                        payload = message.payload
                        data = payload if isinstance(payload, bytes) else str(payload).encode()
                        await self.handle(subs, message.topic.value, data)
            except aiomqtt.MqttError as exc:
                log.warning("broker %s: %s; retrying in %.1fs", broker, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def run(self, ready: asyncio.Event | None = None) -> None:
        """Consumes until cancelled, restarting a broker's client when its sources change."""
        tasks: dict[str, tuple[Any, asyncio.Task[None]]] = {}
        try:
            while True:
                wanted = await load_subscriptions()
                for broker, (subs, task) in list(tasks.items()):
                    if wanted.get(broker) != subs or task.done():
                        task.cancel()
                        with contextlib.suppress(asyncio.CancelledError, Exception):
                            await task
                        del tasks[broker]
                for broker, subs in wanted.items():
                    if broker not in tasks:
                        tasks[broker] = (subs, asyncio.create_task(self.consume(broker, subs)))
                if ready is not None:
                    ready.set()
                await asyncio.sleep(self.refresh_seconds)
        finally:
            for _, task in tasks.values():
                task.cancel()
            for _, task in tasks.values():
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task


async def main() -> None:
    configure_logging("sensor_consumer")
    engine = engine_finder()
    assert engine is not None, "piccolo_conf.py not found"
    await engine.start_connection_pool()  # type: ignore[no-untyped-call]
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    namespace = os.environ.get("LOADSTAR_NAMESPACE", "loadstar")
    online = OnlineStore.connect(redis_url, namespace)
    consumer = SensorConsumer(
        online,
        StreamBuffer(online.client, namespace),
        SourceCounters(online.client, namespace),
        refresh_seconds=float(os.environ.get("LOADSTAR_SOURCES_REFRESH_SECONDS", "2")),
        client_id=f"{namespace}-sensors",
    )
    runner = StreamRunner(
        online,
        TritonPool(
            os.environ.get("TRITON_GRPC_URLS")
            or os.environ.get("TRITON_GRPC_URL", "127.0.0.1:8001")
        ),
        namespace,
    )
    try:
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(consumer.run())
            tasks.create_task(runner.run())
    finally:
        await runner.inference.close()
        await online.close()
        await engine.close_connection_pool()  # type: ignore[no-untyped-call]


if __name__ == "__main__":
    asyncio.run(main())
