"""Triton's repository API and health over gRPC (async): load, wait for READY, unload."""

from __future__ import annotations

import asyncio
import time

import tritonclient.grpc.aio as grpcclient
from tritonclient.utils import InferenceServerException

from schemas.errors import InferenceFailed


class TritonRepository:
    def __init__(self, url: str = "127.0.0.1:8001") -> None:
        self.url = url
        self.client = grpcclient.InferenceServerClient(url=url)

    async def close(self) -> None:
        await self.client.close()

    async def server_ready(self) -> bool:
        try:
            return bool(await self.client.is_server_ready())
        except InferenceServerException:
            return False

    async def load(self, model: str, *, timeout_s: float = 60.0) -> None:
        """Load (or reload) a model and wait until it is READY; Triton's error text is kept."""
        try:
            await asyncio.wait_for(self.client.load_model(model), timeout=timeout_s)
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
            if await self.is_ready(model):
                return
            await asyncio.sleep(0.1)
        raise InferenceFailed(
            f"{model!r} not READY after {timeout_s}s", {"model": model}, kind="timeout"
        )

    async def is_ready(self, model: str, version: int | None = None) -> bool:
        try:
            return bool(
                await self.client.is_model_ready(model, "" if version is None else str(version))
            )
        except InferenceServerException:
            return False

    async def unload(self, model: str) -> None:
        try:
            await self.client.unload_model(model)
        except InferenceServerException as exc:
            raise InferenceFailed(
                f"Triton failed to unload {model!r}: {exc.message()}", {"model": model}
            ) from exc
