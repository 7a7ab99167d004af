"""Start and stop what the training slice needs: Redis, the arq pool, the event consumer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from litestar import Litestar

from control_plane.background import stop
from control_plane.training.consumer import EventConsumer
from control_plane.training.queue import TrainingQueue
from schemas.training_job.protocol import HeartbeatTiming, JobKeys


@asynccontextmanager
async def training_lifespan(app: Litestar) -> AsyncIterator[None]:
    settings = app.state.settings
    redis = aioredis.Redis.from_url(settings.redis_url)
    queue = await TrainingQueue.connect(settings.redis_url, JobKeys(settings.namespace))
    consumer = EventConsumer(redis, app.state.store, queue, HeartbeatTiming.from_env())
    app.state.redis = redis
    app.state.training_queue = queue
    tasks = [asyncio.create_task(consumer.run()), asyncio.create_task(consumer.watchdog())]
    try:
        yield
    finally:
        await stop(tasks)
        await queue.close()
        await redis.aclose()
