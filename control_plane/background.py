"""Tasks a slice runs beside the app for its lifetime: one step repeated every period, and
stopping a slice's tasks when the app shuts down."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any


async def every(
    period: float, step: Callable[[], Awaitable[Any]], log: logging.Logger, what: str
) -> None:
    """Run `step` every `period` seconds, forever; a failed step is logged (`what failed`)
    and the next one runs on time."""
    while True:
        await asyncio.sleep(period)
        try:
            await step()
        except Exception:
            log.exception("%s failed", what)


async def stop(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel the tasks and wait for each to end (how it ends is not the shutdown's
    concern: a task that failed has logged it)."""
    pending = list(tasks)
    for task in pending:
        task.cancel()
    for task in pending:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
