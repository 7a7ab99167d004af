"""Relay a job's events to a WebSocket: the persisted history, then live ones, in order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect

from control_plane.auth.security import authenticate_socket
from control_plane.training.service import event_history, get_job_row
from schemas.contracts import ErrorBody
from schemas.errors import LoadstarError
from schemas.training_job.protocol import TERMINAL, as_event, ends_job, live_channel

log = logging.getLogger("loadstar.training.live")
GAP_WAIT_S = 15.0


def _ends(event: dict[str, Any]) -> bool:
    """Whether a relayed event is the job's last (one the protocol cannot read is not)."""
    try:
        return ends_job(as_event(event))
    except msgspec.ValidationError:
        return False


def _just_ended(row: dict[str, Any]) -> bool:
    finished_at: datetime | None = row.get("finished_at")
    if finished_at is None:
        return True
    return (datetime.now(UTC) - finished_at).total_seconds() < 4 * GAP_WAIT_S


async def relay_job_events(socket: WebSocket[Any, Any, Any], job_id: str) -> None:
    """Send the job's events in seq order, each once: the store's history, then live ones.

    Events of one job can reach the store out of order (control planes share the stream,
    and one that stopped mid-batch leaves its entries to be re-claimed), so a missing seq
    is waited for, from the store and the live channel, for up to `GAP_WAIT_S` before the
    relay moves past it (a worker killed between allocating a seq and sending the event
    leaves a gap for good).
    """
    await socket.accept()
    try:
        await authenticate_socket(socket)
        row = await get_job_row(job_id)
    except LoadstarError as exc:
        await socket.send_bytes(
            msgspec.json.encode(ErrorBody(code=exc.code, message=exc.message, details=exc.details))
        )
        await socket.close(code=4401 if exc.code == "UNAUTHORIZED" else 4404)
        return
    pubsub = socket.app.state.redis.pubsub()
    await pubsub.subscribe(live_channel(job_id))  # before reading history: nothing falls between
    finished = row["status"] in TERMINAL
    # a job that has just ended (stopped while queued, say) may have its last event still
    # on its way to the store: wait for it as for a gap before closing
    end_by = time.monotonic() + GAP_WAIT_S if finished and _just_ended(row) else 0.0
    last = 0
    held: dict[int, dict[str, Any]] = {}  # arrived, waiting for an earlier seq
    gap_since: float | None = None
    read_store = True
    try:
        while True:
            if read_store:
                for event in await event_history(job_id, after_seq=last):
                    held.setdefault(event["seq"], event)
                read_store = False
            while last + 1 in held:
                event = held.pop(last + 1)
                await socket.send_text(msgspec.json.encode(event).decode())
                last = event["seq"]
                if _ends(event):
                    return
            if held:
                now = time.monotonic()
                gap_since = gap_since or now
                if now - gap_since >= GAP_WAIT_S:
                    log.warning("job %s: seq %d never arrived; relaying on", job_id, last + 1)
                    last, gap_since = min(held) - 1, None
                    continue
            else:
                gap_since = None
                if finished and time.monotonic() >= end_by:
                    return  # a job that ended long ago may have no terminal event
            waiting = bool(held) or finished
            message = await pubsub.get_message(
                ignore_subscribe_messages=True, timeout=0.25 if waiting else 1.0
            )
            if message is None:
                read_store = waiting  # waiting on a gap or the end: look in the store again
                continue
            event = msgspec.json.decode(message["data"])
            if event["seq"] > last:
                held.setdefault(event["seq"], event)
                read_store = event["seq"] > last + 1
    except (WebSocketDisconnect, asyncio.CancelledError):
        pass
    finally:
        with contextlib.suppress(Exception):
            await pubsub.unsubscribe()
            await pubsub.aclose()
        with contextlib.suppress(Exception):
            await socket.close()
