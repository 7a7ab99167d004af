"""Every `watch_eval_period_s` seconds (60): the metric alert rules, live confidence and
retention, as one pass (`run_once`; also `POST /api/watching/evaluate`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from litestar import Litestar

from control_plane.background import every, stop
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


@asynccontextmanager
async def watching_lifespan(app: Litestar) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    period = settings.watch_eval_period_s
    tasks = []
    if period > 0:
        step = partial(run_once, settings)
        tasks.append(asyncio.create_task(every(period, step, log, "watching upkeep")))
    try:
        yield
    finally:
        await stop(tasks)
