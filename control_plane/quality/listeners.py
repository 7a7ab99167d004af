"""After an upload commits: run the suite bound to the dataset's name, if one is."""

from __future__ import annotations

import logging
from typing import Any

from litestar.events import listener

from control_plane.datasets.service import get_dataset
from control_plane.quality import reports
from control_plane.quality.suites import list_suites

log = logging.getLogger(__name__)


@listener("dataset_created")
async def check_new_dataset(dataset_id: str, user: str, app: Any) -> None:
    try:
        dataset = await get_dataset(dataset_id)
        if not await list_suites(dataset.id, None):
            return
        report = await reports.new_report(dataset.id, None, None, "upload", user)
        await app.state.quality_queue.enqueue_report(report)
    except Exception:
        log.exception("the quality check of upload %s could not start", dataset_id)


QUALITY_LISTENERS = [check_new_dataset]
