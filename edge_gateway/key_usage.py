"""When each API key was last used, sent to the control plane in batches.

The hot path writes one dict entry (key id -> now); every `key_use_flush_s` a background
task sends what gathered in one `POST /api/gateway/key-use`. A failed send keeps the
entries for the next try; a crash loses at most one interval of "last used" times, which
only the key list shows.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

import msgspec

from edge_gateway.settings import GatewaySettings
from schemas.gateway import KeyUse

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("loadstar.edge_gateway.key_usage")
_encode = msgspec.json.Encoder().encode


class KeyUsage:
    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.used: dict[str, float] = {}
        self._client: httpx.AsyncClient | None = None

    def touch(self, key_id: str) -> None:
        self.used[key_id] = time.time()

    async def flush(self) -> bool:
        """Send what gathered; True when the control plane took it (or nothing gathered)."""
        import httpx

        batch, self.used = self.used, {}
        if not batch:
            return True
        if self._client is None:
            self._client = httpx.AsyncClient()
        try:
            resp = await self._client.post(
                f"{self.settings.control_plane_url.rstrip('/')}/api/gateway/key-use",
                content=_encode(KeyUse(used=batch)),
                headers={
                    "X-Gateway-Token": self.settings.sync_token,
                    "Content-Type": "application/json",
                },
                timeout=httpx.Timeout(10.0, connect=2.0),
            )
            resp.raise_for_status()
        except Exception as exc:
            for key_id, at in batch.items():  # newer uses since then win
                self.used[key_id] = max(at, self.used.get(key_id, 0.0))
            log.warning("could not send key use, kept for the next try: %s", exc)
            return False
        return True

    async def run_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.key_use_flush_s)
            await self.flush()

    async def close(self) -> None:
        await self.flush()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
