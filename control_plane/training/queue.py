"""The arq pool behind a typed `enqueue_training(spec)`."""

from __future__ import annotations

import secrets

import msgspec
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings

from training.spec import TrainingSpec
from training.worker import QUEUE, deserialize, serialize


class TrainingQueue:
    def __init__(self, pool: ArqRedis) -> None:
        self.pool = pool

    @classmethod
    async def connect(cls, redis_url: str) -> TrainingQueue:
        pool = await create_pool(
            RedisSettings.from_dsn(redis_url),
            default_queue_name=QUEUE,
            job_serializer=serialize,
            job_deserializer=deserialize,
        )
        return cls(pool)

    async def enqueue_training(self, spec: TrainingSpec) -> str:
        """Queue one run. Every run gets an arq id of its own: arq keeps a finished job's
        result (an hour) and silently refuses its id meanwhile, so an id built from the
        attempt alone dropped the second resume of the same attempt. Callers make sure a
        run is queued once (conditional status updates)."""
        kind = "resume" if spec.resume else "new"
        arq_id = f"{spec.jobId}:{spec.attempt}:{kind}:{secrets.token_hex(4)}"
        job = await self.pool.enqueue_job(
            "run_training_job", msgspec.to_builtins(spec), _job_id=arq_id, _queue_name=QUEUE
        )
        if job is None:
            raise RuntimeError(f"arq refused to queue {arq_id!r}: the id is taken")
        return job.job_id

    async def close(self) -> None:
        await self.pool.aclose()
