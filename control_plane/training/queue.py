"""The arq pool behind a typed `enqueue_training(spec)`."""

from __future__ import annotations

import secrets

import msgspec
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings

from schemas.training_job.protocol import (
    RUN_TRAINING,
    JobKeys,
    TrainingSpec,
    decode_job,
    encode_job,
)


class TrainingQueue:
    def __init__(self, pool: ArqRedis, keys: JobKeys) -> None:
        self.pool = pool
        self.keys = keys

    @classmethod
    async def connect(cls, redis_url: str, keys: JobKeys) -> TrainingQueue:
        pool = await create_pool(
            RedisSettings.from_dsn(redis_url),
            default_queue_name=keys.queue,
            job_serializer=encode_job,
            job_deserializer=decode_job,
        )
        return cls(pool, keys)

    async def enqueue_training(self, spec: TrainingSpec) -> str:
        """Queue one run. Every run gets an arq id of its own: arq keeps a finished job's
        result (an hour) and silently refuses its id meanwhile, so an id built from the
        attempt alone dropped the second resume of the same attempt. Callers make sure a
        run is queued once (conditional status updates)."""
        kind = "resume" if spec.resume else "new"
        arq_id = f"{spec.jobId}:{spec.attempt}:{kind}:{secrets.token_hex(4)}"
        job = await self.pool.enqueue_job(
            RUN_TRAINING, msgspec.to_builtins(spec), _job_id=arq_id, _queue_name=self.keys.queue
        )
        if job is None:
            raise RuntimeError(f"arq refused to queue {arq_id!r}: the id is taken")
        return job.job_id

    async def close(self) -> None:
        await self.pool.aclose()
