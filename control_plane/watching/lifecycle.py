"""Every `watch_eval_period_s` seconds (60): the metric alert rules, live confidence and
retention, as one pass (`run_once`; also `POST /api/watching/evaluate`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar

from control_plane.settings import Settings
from control_plane.watching.rules import evaluate_rules
from control_plane.watching.schemas import EvaluationOut
from control_plane.watching.upkeep import apply_retention, update_live_confidence

log = logging.getLogger("loadstar.control_plane.watching")


async def run_once(settings: Settings) -> EvaluationOut:
    evaluated, transitions = await evaluate_rules()
    live = await update_live_confidence(settings.live_confidence_min_pairs)
    deleted = await apply_retention(settings.watch_retention_days)
    return EvaluationOut(
        evaluated=evaluated, transitions=transitions, liveConfidence=live, deleted=deleted
    )


async def _every(settings: Settings) -> None:
    while True:
        await asyncio.sleep(settings.watch_eval_period_s)
        try:
            await run_once(settings)
        except Exception:
            log.exception("watching upkeep failed")


@asynccontextmanager
async def watching_lifespan(app: Litestar) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    period = settings.watch_eval_period_s
    task = asyncio.create_task(_every(settings)) if period > 0 else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
