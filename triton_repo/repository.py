"""Triton's repository API and health over gRPC (async): load, wait for READY, unload.

One or several Triton replicas, all reading the same model repository (a shared folder or
object store): `load` and `unload` act on every replica listed. A replica that does not
answer is skipped (at least one must answer); it catches up when it comes back, because it
loads the repository at start (`--load-model=*`) and `sync` loads what it still lacks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

import tritonclient.grpc.aio as grpcclient
from tritonclient.utils import InferenceServerException

from schemas.errors import InferenceFailed
from triton_repo.replica_plan import missing_models

log = logging.getLogger("loadstar.triton")
LIVE_TIMEOUT_S = 2.0


def replica_urls(url: str | Sequence[str]) -> list[str]:
    """One address, a comma-separated list, or a sequence -> the distinct addresses, in order."""
    parts = url.split(",") if isinstance(url, str) else list(url)
    urls = list(dict.fromkeys(p.strip() for p in parts if p.strip()))
    if not urls:
        raise ValueError("no Triton address given")
    return urls


class TritonRepository:
    def __init__(self, url: str | Sequence[str] = "127.0.0.1:8001") -> None:
        self.urls = replica_urls(url)
        self.url = self.urls[0]
        self.clients = [grpcclient.InferenceServerClient(url=u) for u in self.urls]
        self.client = self.clients[0]
        self._locks: dict[str, asyncio.Lock] = {}

    def model_lock(self, model: str) -> asyncio.Lock:
        """Held while one model's files and load state change (publish, unpublish, a
        replica catching up), so a catch-up load never lands inside a publish: Triton
        reloading the model there made the publish's READY check fail and roll back."""
        return self._locks.setdefault(model, asyncio.Lock())

    async def close(self) -> None:
        for client in self.clients:
            await client.close()

    async def _answering(self) -> list[grpcclient.InferenceServerClient]:
        """The replicas that answer now; none answering is a clear 503."""

        async def live(client: grpcclient.InferenceServerClient) -> bool:
            try:
                return bool(await client.is_server_live(client_timeout=LIVE_TIMEOUT_S))
            except InferenceServerException:
                return False

        found = await asyncio.gather(*(live(c) for c in self.clients))
        up = [c for c, ok in zip(self.clients, found, strict=True) if ok]
        down = [u for u, ok in zip(self.urls, found, strict=True) if not ok]
        if not up:
            raise InferenceFailed(
                "no Triton replica answers", {"replicas": self.urls}, kind="unavailable"
            )
        if down:
            log.warning("Triton replicas not answering, left to catch up: %s", down)
        return up

    async def server_ready(self) -> bool:
        """True when at least one replica is ready (any of them can serve)."""
        for client in self.clients:
            try:
                if await client.is_server_ready():
                    return True
            except InferenceServerException:
                continue
        return False

    async def load(self, model: str, *, timeout_s: float = 60.0) -> None:
        """Load (or reload) a model on every answering replica and wait until it is READY
        on each; Triton's error text is kept."""
        clients = await self._answering()
        await asyncio.gather(*(self._load_one(c, model, timeout_s) for c in clients))

    async def _load_one(
        self, client: grpcclient.InferenceServerClient, model: str, timeout_s: float
    ) -> None:
        try:
            await asyncio.wait_for(client.load_model(model), timeout=timeout_s)
        except InferenceServerException as exc:
            raise InferenceFailed(
                f"Triton failed to load {model!r}: {exc.message()}",
                {"model": model, "triton": exc.message()},
            ) from exc
        except TimeoutError as exc:
            raise InferenceFailed(
                f"loading {model!r} timed out", {"model": model}, kind="timeout"
            ) from exc
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if await self._ready_on(client, model, None):
                return
            await asyncio.sleep(0.1)
        raise InferenceFailed(
            f"{model!r} not READY after {timeout_s}s", {"model": model}, kind="timeout"
        )

    @staticmethod
    async def _ready_on(
        client: grpcclient.InferenceServerClient, model: str, version: int | None
    ) -> bool:
        try:
            return bool(await client.is_model_ready(model, "" if version is None else str(version)))
        except InferenceServerException:
            return False

    async def is_ready(self, model: str, version: int | None = None) -> bool:
        """READY on every answering replica (False when none answers)."""
        try:
            clients = await self._answering()
        except InferenceFailed:
            return False
        found = await asyncio.gather(*(self._ready_on(c, model, version) for c in clients))
        return all(found)

    async def unload(self, model: str) -> None:
        for client in await self._answering():
            try:
                await client.unload_model(model)
            except InferenceServerException as exc:
                raise InferenceFailed(
                    f"Triton failed to unload {model!r}: {exc.message()}", {"model": model}
                ) from exc

    async def sync(self, wanted: Sequence[tuple[str, int]]) -> list[tuple[str, str]]:
        """Load on each answering replica the models of `wanted` (model, version) it does not
        serve READY; returns the (replica, model) pairs loaded. A replica that restarted
        empty, or was down during a publish, serves what is published again."""
        loaded: list[tuple[str, str]] = []
        for url, client in zip(self.urls, self.clients, strict=True):
            try:
                if not await client.is_server_live(client_timeout=LIVE_TIMEOUT_S):
                    continue
            except InferenceServerException:
                continue
            ready = {pair for pair in set(wanted) if await self._ready_on(client, pair[0], pair[1])}
            for model in missing_models(wanted, ready):
                async with self.model_lock(model):
                    versions = {v for m, v in wanted if m == model}
                    if all([await self._ready_on(client, model, v) for v in versions]):
                        continue  # a publish loaded it while this pass waited
                    try:
                        await self._load_one(client, model, 60.0)
                    except InferenceFailed:
                        log.exception("replica %s could not load %s", url, model)
                        continue
                log.info("replica %s loaded %s", url, model)
                loaded.append((url, model))
        return loaded
