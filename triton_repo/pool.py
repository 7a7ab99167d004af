"""Inference over several Triton replicas: calls go round robin, and a call that finds its
replica unavailable (down, or the model not loaded there yet) is tried on the next one, so
one replica stopping costs no answer. Timeouts and bad answers are not retried: a retry
would double the caller's wait, and a model that answers nonsense does so everywhere.

With one address it is the plain `TritonForecaster`'s behaviour, one call per request.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Protocol

from schemas.errors import InferenceFailed
from triton_repo.inference_client import Array, Inputs, TritonForecaster
from triton_repo.replica_plan import try_order
from triton_repo.repository import replica_urls


class Forecaster(Protocol):
    """What callers of inference need: one Triton or a pool of replicas."""

    async def infer(self, model: str, version: int, inputs: Inputs) -> Array: ...

    async def infer_many(self, model: str, version: int, inputs: Inputs) -> tuple[Array, int]: ...

    async def ready(self, model: str | None = None, version: int | None = None) -> str: ...

    async def close(self) -> None: ...


class TritonPool:
    def __init__(
        self,
        urls: str | Sequence[str],
        timeout_s: float = 2.0,
        http_urls: str | Sequence[str] | None = None,
    ) -> None:
        grpc = replica_urls(urls)
        http = replica_urls(http_urls) if http_urls else None
        if http is not None and len(http) != len(grpc):
            raise ValueError(f"{len(grpc)} Triton gRPC addresses but {len(http)} HTTP ones")
        self.replicas = [
            TritonForecaster(url, timeout_s, None if http is None else http[n])
            for n, url in enumerate(grpc)
        ]
        self._turn = itertools.count()

    async def close(self) -> None:
        for replica in self.replicas:
            await replica.close()

    async def infer(self, model: str, version: int, inputs: Inputs) -> Array:
        out, _ = await self._each(model, version, inputs, many=False)
        return out

    async def infer_many(self, model: str, version: int, inputs: Inputs) -> tuple[Array, int]:
        if len(self.replicas) == 1:  # the common case: no round to keep
            return await self.replicas[0].infer_many(model, version, inputs)
        return await self._each(model, version, inputs, many=True)

    async def _each(
        self, model: str, version: int, inputs: Inputs, *, many: bool
    ) -> tuple[Array, int]:
        failure: InferenceFailed | None = None
        for index in try_order(next(self._turn), len(self.replicas)):
            replica = self.replicas[index]
            try:
                if many:
                    return await replica.infer_many(model, version, inputs)
                return await replica.infer(model, version, inputs), 1
            except InferenceFailed as exc:
                if exc.kind != "unavailable":
                    raise
                failure = exc
        assert failure is not None  # at least one replica: replica_urls refuses none
        raise failure

    async def ready(self, model: str | None = None, version: int | None = None) -> str:
        """'ok' when any replica is ready (it takes the calls the others cannot), else why
        each one is not."""
        reasons = []
        for replica in self.replicas:
            why = await replica.ready(model, version)
            if why == "ok":
                return why
            reasons.append(why if len(self.replicas) == 1 else f"{replica.url}: {why}")
        return "; ".join(reasons)
