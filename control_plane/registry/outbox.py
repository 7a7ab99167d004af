"""The alias outbox: a move is recorded in its own transaction and followed after commit.

`record_move` writes an `alias_event` row beside the alias row, so the move and its event
commit (or roll back) together. An `AliasOutbox` then hands each pending event, in order
per alias, to its follower (the deployments slice, which publishes to Triton) outside any
transaction: a slow Triton never holds the database. It drains at start-up, when woken
after a move, and every few seconds, so an event left by a crashed process is not lost; a
claimed event whose process died is taken again once its lease ends. A follower that
raises marks its event `failed` with the error; the alias stays moved.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import msgspec
from litestar.datastructures import State

from control_plane.registry.schemas import AliasEventOut
from control_plane.registry.service import model_id
from control_plane.registry.tables import AliasEvent
from control_plane.struct_rows import from_row

log = logging.getLogger("loadstar.registry.outbox")
STATE_KEY = "alias_outbox"
LEASE_SECONDS = 600  # longer than following any move takes; then a dead claimer's event is retaken


class AliasMove(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    model: str
    alias: str
    version: int | None  # None: the alias was deleted
    actor: str


AliasFollower = Callable[[AliasMove], Awaitable[None]]

# The oldest pending event whose alias has no older pending one, claimed for a lease in one
# short statement; SKIP LOCKED lets several control planes drain side by side.
_CLAIM = f"""
UPDATE alias_event SET claimed_at = now(), attempts = attempts + 1
WHERE id = (
    SELECT e.id FROM alias_event e
    WHERE e.state = 'pending'
      AND (e.claimed_at IS NULL OR e.claimed_at < now() - interval '{LEASE_SECONDS} seconds')
      AND NOT EXISTS (
          SELECT 1 FROM alias_event o
          WHERE o.model_name = e.model_name AND o.alias = e.alias
            AND o.state = 'pending' AND o.id < e.id)
    ORDER BY e.id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id, model_name, alias, version, actor
"""


async def record_move(model: str, alias: str, version: int | None, actor: str) -> None:
    """Record a move; call inside the transaction that moves the alias."""
    await AliasEvent.insert(
        AliasEvent(
            model_name=model,
            alias=alias,
            version=version,
            actor=actor,
            created_at=datetime.now(UTC),
        )
    )


async def claim_next() -> AliasMove | None:
    rows = await AliasEvent.raw(_CLAIM)
    if not rows:
        return None
    row = rows[0]
    return AliasMove(
        id=row["id"],
        model=row["model_name"],
        alias=row["alias"],
        version=row["version"],
        actor=row["actor"],
    )


async def finish(event_id: int, error: str | None) -> None:
    await AliasEvent.update(
        {
            AliasEvent.state: "done" if error is None else "failed",
            AliasEvent.error: error or "",
            AliasEvent.finished_at: datetime.now(UTC),
        }
    ).where(AliasEvent.id == event_id)


async def release(event_id: int) -> None:
    await AliasEvent.update({AliasEvent.claimed_at: None}).where(AliasEvent.id == event_id)


async def list_events(model: str) -> list[AliasEventOut]:
    """Every recorded move of the model's aliases, oldest first."""
    await model_id(model)
    rows = await AliasEvent.select().where(AliasEvent.model_name == model).order_by(AliasEvent.id)
    return [from_row(AliasEventOut, r) for r in rows]


class AliasOutbox:
    """Hands committed alias moves to one follower, outside any transaction."""

    def __init__(self, follow: AliasFollower, poll_seconds: float = 5.0) -> None:
        self._follow = follow
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()

    def wake(self) -> None:
        self._wake.set()

    async def drain(self) -> int:
        """Follow every claimable event; returns how many were handled."""
        handled = 0
        async with self._lock:
            while (move := await claim_next()) is not None:
                try:
                    await self._follow(move)
                except asyncio.CancelledError:  # shutting down: let the next drainer take it
                    await asyncio.shield(release(move.id))
                    raise
                except Exception as exc:
                    log.exception(
                        "following %s@%s to version %s failed", move.model, move.alias, move.version
                    )
                    await finish(move.id, f"{type(exc).__name__}: {exc}")
                else:
                    await finish(move.id, None)
                handled += 1
        return handled

    async def run(self) -> None:
        """Drain now (start-up), then whenever woken, and every `poll_seconds`."""
        while True:
            self._wake.clear()
            try:
                await self.drain()
            except Exception:  # the database went away: the next round tries again
                log.exception("draining the alias outbox failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)


def wake(state: State) -> None:
    """After a move committed: let this process's outbox follow it now."""
    outbox = state.get(STATE_KEY)
    if isinstance(outbox, AliasOutbox):
        outbox.wake()
