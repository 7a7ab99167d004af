"""A notebook's live events (outputs, cell and kernel states) in order, kept in memory for
the sockets that follow them: a late socket replays what it missed, then waits."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Literal

import msgspec

EventType = Literal["output", "cell", "kernel", "execution"]
KEEP = 5000  # events per notebook kept for replay


class NotebookEvent(msgspec.Struct, frozen=True, kw_only=True):
    """`output`: one nbformat output of `cellId`; `cell`: a cell's state; `kernel`: the
    kernel's state (`reason` when it died); `execution`: an execution's end."""

    seq: int
    type: EventType
    payload: dict[str, Any]
    executionId: str | None = None
    cellId: str | None = None


class EventLog:
    def __init__(self) -> None:
        self._events: deque[NotebookEvent] = deque(maxlen=KEEP)
        self._seq = 0
        self._changed = asyncio.Condition()

    @property
    def last_seq(self) -> int:
        return self._seq

    async def publish(
        self,
        type: EventType,
        payload: dict[str, Any],
        *,
        execution_id: str | None = None,
        cell_id: str | None = None,
    ) -> NotebookEvent:
        async with self._changed:
            self._seq += 1
            event = NotebookEvent(
                seq=self._seq, type=type, payload=payload, executionId=execution_id, cellId=cell_id
            )
            self._events.append(event)
            self._changed.notify_all()
        return event

    def after(self, seq: int) -> list[NotebookEvent]:
        return [e for e in self._events if e.seq > seq]

    async def wait_after(self, seq: int, wait_s: float) -> list[NotebookEvent]:
        """Events after `seq`, waiting up to `wait_s` seconds for one when there is none."""
        async with self._changed:
            if self._seq <= seq:
                try:
                    await asyncio.wait_for(self._changed.wait_for(lambda: self._seq > seq), wait_s)
                except TimeoutError:
                    return []
        return self.after(seq)
