"""One computation per key at a time: callers that arrive while it runs wait for its result.

Fifty console users opening Explore on a fresh dataset used to start fifty profile
computations of the same Parquet at once (each a worker thread, a full read from S3), and
the last of them ran past their deadline. With one flight per key the first caller
computes, the others await the same task, and a failure reaches all of them once (the
next caller tries again).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleFlight(Generic[T]):
    def __init__(self) -> None:
        self._flights: dict[Hashable, asyncio.Task[T]] = {}

    def __len__(self) -> int:
        return len(self._flights)

    async def run(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> tuple[T, bool]:
        """`compute()`'s result, and whether this caller joined a flight already running.

        A caller that is cancelled leaves the flight running for the others (shield)."""
        task = self._flights.get(key)
        joined = task is not None
        if task is None:

            async def wrapped() -> T:
                return await compute()

            task = asyncio.ensure_future(wrapped())
            self._flights[key] = task
            task.add_done_callback(lambda done: self._landed(key, done))
        return await asyncio.shield(task), joined

    def _landed(self, key: Hashable, task: asyncio.Task[T]) -> None:
        if self._flights.get(key) is task:
            del self._flights[key]
        if not task.cancelled():
            task.exception()  # retrieved: no "never retrieved" warning when nobody waits
