"""The control plane: `uvicorn control_plane.app:app` (or `create_app(settings)` in tests)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.cors import CORSConfig
from litestar.openapi import OpenAPIConfig
from piccolo.engine import engine_finder

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth import api_keys
from control_plane.auth.security import build_jwt_auth
from control_plane.auth.service import ensure_admin
from control_plane.auth.sessions import auth_lifespan
from control_plane.console import console_router
from control_plane.datasets import references as dataset_references
from control_plane.deployments.keys import live_key
from control_plane.deployments.lifecycle import deployments_lifespan
from control_plane.deps import DEPENDENCIES
from control_plane.errors import EXCEPTION_HANDLERS, document_errors
from control_plane.features.service import plans_using_dataset
from control_plane.lab.designs import designs_for
from control_plane.lab.experiments import check_experiment
from control_plane.migrations import run_migrations
from control_plane.notebooks import experiments as notebook_experiments
from control_plane.notebooks.lifecycle import notebooks_lifespan
from control_plane.quality.jobs import quality_lifespan
from control_plane.quality.listeners import QUALITY_LISTENERS
from control_plane.registry.dependents import versions_using_dataset
from control_plane.response_headers import ResponseHeaders
from control_plane.routes import ROUTES
from control_plane.settings import Settings
from control_plane.system_alerts.lifecycle import system_alerts_lifespan
from control_plane.training.dependents import jobs_using_dataset
from control_plane.training.lifecycle import training_lifespan
from control_plane.watching.lifecycle import watching_lifespan
from loadstar_core.structured_logs import configure_logging, with_request_id

log = logging.getLogger("loadstar.control_plane")


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the app from settings (read from the environment when not given)."""
    settings = settings or Settings.from_env()
    settings.check_secrets()
    configure_logging("control_plane")
    jwt_auth = build_jwt_auth(settings.jwt_secret, settings.jwt_ttl_seconds)
    store = ObjectStore.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = engine_finder()
        assert engine is not None, "piccolo_conf.py not found"
        await engine.start_connection_pool()  # type: ignore[no-untyped-call]
        try:
            if settings.run_migrations:
                await run_migrations()
            await store.ensure_bucket()
            if await ensure_admin(settings.admin_username, settings.admin_password):
                log.info("created admin user %r", settings.admin_username)
            yield
        finally:
            await engine.close_connection_pool()  # type: ignore[no-untyped-call]

    handlers = list(ROUTES)
    handlers.append(console_router(settings.static_dir))
    app = Litestar(
        route_handlers=handlers,
        dependencies=DEPENDENCIES,
        middleware=[with_request_id],
        before_send=[ResponseHeaders()],
        # closed unless origins are named: the console is served from this same origin
        cors_config=CORSConfig(allow_origins=list(settings.cors_origins))
        if settings.cors_origins
        else None,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        on_app_init=[jwt_auth.on_app_init],
        lifespan=[
            lifespan,
            training_lifespan,
            deployments_lifespan,
            system_alerts_lifespan,
            quality_lifespan,
            auth_lifespan,
            notebooks_lifespan,
            watching_lifespan,
        ],
        listeners=[*QUALITY_LISTENERS],
        openapi_config=OpenAPIConfig(
            title="Loadstar control plane", version="0.1.0", path="/schema"
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
        request_max_body_size=settings.upload_limit_bytes,
    )
    document_errors(app)
    app.state.settings = settings
    app.state.jwt_auth = jwt_auth
    app.state.store = store
    # what the model lab adds to a training job (training never imports the lab)
    app.state.training_designs = designs_for
    # how a route that takes API keys checks one (auth and training never import deployments)
    app.state[api_keys.STATE_KEY] = live_key
    # who uses a dataset, each slice from its own table (datasets import none of them)
    app.state[dataset_references.STATE_KEY] = dataset_references.DatasetReferrers(
        feature_plans=plans_using_dataset,
        training_jobs=jobs_using_dataset,
        model_versions=versions_using_dataset,
    )
    # whether a notebook run's experiment exists (the notebooks slice never imports the lab)
    app.state[notebook_experiments.STATE_KEY] = check_experiment
    return app


def __getattr__(name: str) -> Litestar:
    # `uvicorn control_plane.app:app` builds the app lazily, so importing this module
    # reads no environment.
    if name == "app":
        return create_app()
    raise AttributeError(name)
