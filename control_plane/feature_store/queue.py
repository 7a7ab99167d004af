"""The arq pool behind a typed `enqueue_materialization(run_id)`."""

from __future__ import annotations

from arq import ArqRedis, create_pool
from arq.connections import RedisSettings

MATERIALIZE = "materialize_features"


def queue_name(namespace: str) -> str:
    return f"{namespace}:feature-store"


class MaterializationQueue:
    def __init__(self, pool: ArqRedis, name: str) -> None:
        self.pool = pool
        self.name = name

    @classmethod
    async def connect(cls, redis_url: str, namespace: str) -> MaterializationQueue:
        name = queue_name(namespace)
        pool = await create_pool(RedisSettings.from_dsn(redis_url), default_queue_name=name)
        return cls(pool, name)

    async def enqueue_materialization(self, run_id: str) -> None:
        job = await self.pool.enqueue_job(MATERIALIZE, run_id, _job_id=run_id)
        if job is None:
            raise RuntimeError(f"arq refused to queue run {run_id!r}: the id is taken")

    async def close(self) -> None:
        await self.pool.aclose()
