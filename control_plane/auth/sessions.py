"""Sessions in Redis: revoked tokens, a per-user generation, and failed-login throttling.

A JWT stays stateless for its signature and expiry; what a signature cannot say lives here:
- logout puts the token's `jti` on a denylist until the token would have expired anyway;
- disabling a user, changing their role or password bumps the user's generation, and a
  token that carries an older generation is refused (every session of that user ends);
- failed logins are counted per user and per address over a minute: past a few the answer
  is slowed, past more the name or address is locked for a while.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from litestar import Litestar
from redis import asyncio as aioredis

from schemas.errors import Unauthorized


@dataclass(frozen=True)
class Throttle:
    """Failed logins per minute before slowing and locking, per user and per address."""

    window_s: int = 60
    user_slow_after: int = 5
    user_lock_after: int = 10
    address_slow_after: int = 20
    address_lock_after: int = 50
    lock_s: int = 300
    max_delay_s: float = 8.0

    def delay(self, failures: int, slow_after: int) -> float:
        """1 s for the first failure past the limit, doubling, capped."""
        if failures <= slow_after:
            return 0.0
        return float(min(2.0 ** (failures - slow_after - 1), self.max_delay_s))


class SessionStore:
    def __init__(self, redis: aioredis.Redis, namespace: str, throttle: Throttle) -> None:
        self.redis = redis
        self.prefix = f"{namespace}:auth"
        self.throttle = throttle

    async def revoke(self, jti: str, expires: datetime) -> None:
        ttl = int((expires - datetime.now(UTC)).total_seconds()) + 1
        if ttl > 0:
            await self.redis.set(f"{self.prefix}:deny:{jti}", b"1", ex=ttl)

    async def generation(self, user_id: int) -> int:
        value = await self.redis.get(f"{self.prefix}:gen:{user_id}")
        return int(value or 0)

    async def end_sessions(self, user_id: int) -> int:
        """Every token the user holds stops working; returns the new generation."""
        return int(await self.redis.incr(f"{self.prefix}:gen:{user_id}"))

    async def valid(self, jti: str | None, user_id: int, generation: int) -> bool:
        deny, current = await self.redis.mget(
            f"{self.prefix}:deny:{jti or '-'}", f"{self.prefix}:gen:{user_id}"
        )
        return deny is None and int(current or 0) == generation

    def _keys(self, username: str, address: str) -> tuple[str, str]:
        return f"user:{username.lower()}", f"addr:{address}"

    async def check_locked(self, username: str, address: str) -> None:
        for key in self._keys(username, address):
            ttl = await self.redis.ttl(f"{self.prefix}:lock:{key}")
            if ttl and ttl > 0:
                what = "this account" if key.startswith("user:") else "this address"
                raise Unauthorized(
                    f"too many failed sign-ins for {what}; try again in {ttl} s",
                    {"retryAfter": ttl, "locked": key.split(":", 1)[0]},
                )

    async def failed(self, username: str, address: str) -> None:
        """Count a failure; lock past the limit, and wait before answering past the first."""
        t = self.throttle
        user_key, addr_key = self._keys(username, address)
        counts: list[int] = []
        for key, lock_after in ((user_key, t.user_lock_after), (addr_key, t.address_lock_after)):
            count_key = f"{self.prefix}:fail:{key}"
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(count_key)
                pipe.expire(count_key, t.window_s, nx=True)
                count = int((await pipe.execute())[0])
            if count >= lock_after:
                await self.redis.set(f"{self.prefix}:lock:{key}", b"1", ex=t.lock_s)
            counts.append(count)
        delay = max(t.delay(counts[0], t.user_slow_after), t.delay(counts[1], t.address_slow_after))
        if delay:
            await asyncio.sleep(delay)

    async def succeeded(self, username: str) -> None:
        user_key, _ = self._keys(username, "-")
        await self.redis.delete(f"{self.prefix}:fail:{user_key}")

    async def unlock(self, username: str) -> None:
        user_key, _ = self._keys(username, "-")
        await self.redis.delete(f"{self.prefix}:fail:{user_key}", f"{self.prefix}:lock:{user_key}")

    async def close(self) -> None:
        await self.redis.aclose()


@asynccontextmanager
async def auth_lifespan(app: Litestar) -> AsyncIterator[None]:
    settings = app.state.settings
    store = SessionStore(
        aioredis.Redis.from_url(settings.redis_url), settings.namespace, Throttle()
    )
    app.state.sessions = store
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            await store.close()
