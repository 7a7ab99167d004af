"""Run every slice's piccolo migrations, one process at a time (a session advisory lock)."""

from __future__ import annotations

from typing import cast

import asyncpg
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

_LOCK_KEY = 0x10AD57A2


async def run_migrations() -> None:
    engine = engine_finder()
    assert engine is not None
    lock = await asyncpg.connect(**cast(PostgresEngine, engine).config)
    try:
        await lock.execute(f"SELECT pg_advisory_lock({_LOCK_KEY})")
        result = await run_forwards("all")
        if not result.success:
            raise RuntimeError(f"migrations failed: {result.message}")
    finally:
        await lock.execute(f"SELECT pg_advisory_unlock({_LOCK_KEY})")
        await lock.close()
