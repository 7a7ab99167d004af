"""The edge gateway: `uvicorn edge_gateway.app:app` (or `create_app(settings)` in tests)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.plugins import PluginProtocol
from litestar.types import (
    ASGIApp,
    LifeSpanReceive,
    LifeSpanScope,
    LifeSpanSend,
    Receive,
    Scope,
    Send,
)

from edge_gateway.contracts import ContractStore
from edge_gateway.dataplane import DataPlane
from edge_gateway.errors import EXCEPTION_HANDLERS
from edge_gateway.inference_routes import PREDICT, serve_predict
from edge_gateway.key_usage import KeyUsage
from edge_gateway.metrics import GatewayMetrics
from edge_gateway.online import OnlineWindows
from edge_gateway.recorder import Recorder
from edge_gateway.routes import ROUTES
from edge_gateway.settings import GatewaySettings
from loadstar_core.structured_logs import configure_logging, with_request_id
from triton_repo.pool import TritonPool

log = logging.getLogger("loadstar.edge_gateway")


class GatewayApp(Litestar):
    """Litestar without its default pydantic/attrs plugins: the gateway speaks msgspec only,
    and importing pydantic for them costs about a third of a second of start-up.

    `POST /api/inference/predict` goes straight to its ASGI handler (with the request-id
    middleware every route has), past Litestar's exception layer and router: the handler
    answers every failure itself, and the layers cost about 20 us a request."""

    _fast_predict: ASGIApp | None = None

    async def __call__(
        self,
        scope: Scope | LifeSpanScope,
        receive: Receive | LifeSpanReceive,
        send: Send | LifeSpanSend,
    ) -> None:
        fast = self._fast_predict
        if fast is not None and scope.get("path") == PREDICT and str(scope["type"]) == "http":
            scope["litestar_app"] = self  # type: ignore[typeddict-unknown-key]
            await fast(scope, receive, send)  # type: ignore[arg-type]
            return
        await super().__call__(scope, receive, send)

    @staticmethod
    def _get_default_plugins(plugins: list[PluginProtocol]) -> list[PluginProtocol]:
        from litestar.plugins.core import MsgspecDIPlugin

        plugins.append(MsgspecDIPlugin())
        return plugins


def create_app(settings: GatewaySettings | None = None) -> Litestar:
    """Build the gateway from settings (read from the environment when not given)."""
    settings = settings or GatewaySettings.from_env()
    settings.check_secrets()
    configure_logging("edge_gateway")
    store = ContractStore(settings)
    metrics = GatewayMetrics()
    store.listeners.append(lambda snapshot: metrics.contract_revision.set(snapshot.revision))

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # The gRPC channel belongs to the running loop, so it is made here, not at import.
        grpc_urls, http_urls = settings.triton_replicas
        triton = TritonPool(grpc_urls, settings.triton_timeout_s, http_urls)
        recorder = Recorder(settings) if settings.record and settings.sync_enabled else None
        usage = KeyUsage(settings) if settings.sync_enabled else None
        online = OnlineWindows(settings.online_store_url, settings.online_namespace)
        app.state.plane = DataPlane(store, triton, metrics, recorder, usage, online)
        app.state.recorder = recorder
        tasks: list[asyncio.Task[None]] = []
        try:
            await store.start()
            if settings.sync_enabled:
                tasks.append(asyncio.create_task(store.sync_forever(), name="contract-sync"))
            if recorder is not None:
                tasks.append(asyncio.create_task(recorder.run_forever(), name="records"))
            if usage is not None:
                tasks.append(asyncio.create_task(usage.run_forever(), name="key-use"))
            # What start-up built (modules, the app, the snapshot) lives as long as the
            # process: keep it out of the collector's full passes, each of which otherwise
            # walks about 96,000 such objects (about 7 us a request at one client)
            gc.collect()
            gc.freeze()
            yield
        finally:
            gc.unfreeze()
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if recorder is not None:
                await recorder.close()
            if usage is not None:
                await usage.close()
            await store.close()
            await triton.close()
            await online.close()

    app = GatewayApp(
        route_handlers=ROUTES,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        middleware=[with_request_id],
        lifespan=[lifespan],
        openapi_config=None,
        request_max_body_size=settings.max_body_bytes,
    )
    app.state.settings = settings
    app.state.store = store
    app._fast_predict = with_request_id(serve_predict)
    return app


def __getattr__(name: str) -> Litestar:
    # `uvicorn edge_gateway.app:app` builds the app lazily: importing reads no environment.
    if name == "app":
        return create_app()
    raise AttributeError(name)
