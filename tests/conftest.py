"""Shared fixtures: real services, started once per session when they are not running.

Tests use their own Postgres database and S3 bucket so they never touch `make up` data.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

_BASE_DB = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
_u = urlparse(_BASE_DB)
TEST_DATABASE_URL = urlunparse(_u._replace(path="/loadstar_test"))
# piccolo_conf reads DATABASE_URL when first imported: point it at the test database.
os.environ["DATABASE_URL"] = TEST_DATABASE_URL
os.environ.setdefault("S3_BUCKET", "loadstar-test")
os.environ.setdefault("LOADSTAR_RUN_MIGRATIONS", "true")
# tests run on the public default secrets, which only development mode accepts
os.environ.setdefault("LOADSTAR_ENV", "development")
# queues and event streams of their own, so a running `make up` stack never takes test jobs
os.environ["LOADSTAR_NAMESPACE"] = "loadstar-test"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--reverse",
        action="store_true",
        help="run the collected tests in reverse order (each test must set up its own state)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--reverse"):
        items.reverse()


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def _create_test_database() -> None:
    """Creates `loadstar_test` when missing; asked through the server's maintenance database,
    so a server that lacks the URL's own database works too."""
    import asyncpg

    async def create() -> None:
        try:
            conn = await asyncpg.connect(_BASE_DB)
        except asyncpg.InvalidCatalogNameError:
            conn = await asyncpg.connect(urlunparse(_u._replace(path="/postgres")))
        try:
            exists = await conn.fetchval(
                "SELECT 1 FROM pg_database WHERE datname = 'loadstar_test'"
            )
            if not exists:
                await conn.execute("CREATE DATABASE loadstar_test")
        finally:
            await conn.close()

    asyncio.run(create())


def _models_dir() -> Path:
    root = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("TRITON_REPO_DIR", root / "triton_repo" / "models"))


def _published_models() -> set[str]:
    folder = _models_dir()
    return {p.name for p in folder.iterdir() if p.is_dir()} if folder.exists() else set()


def _remove_models(names: set[str]) -> None:
    """Unload and delete the models this session published, so Triton's next start (which
    loads the whole repository) does not carry test leftovers."""
    import shutil
    import urllib.request

    for name in names:
        request = urllib.request.Request(
            f"http://127.0.0.1:8000/v2/repository/models/{name}/unload", method="POST", data=b"{}"
        )
        with contextlib.suppress(OSError):  # not loaded, or Triton gone: the folder goes anyway
            urllib.request.urlopen(request, timeout=10).close()
        shutil.rmtree(_models_dir() / name, ignore_errors=True)


def _purge_test_queue() -> None:
    """Jobs a killed earlier run left queued (or locked in progress) would keep a burst
    worker waiting: the test namespace starts empty."""
    import redis

    client = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    try:
        queue = f"{os.environ['LOADSTAR_NAMESPACE']}:training"
        for member in client.zrange(queue, 0, -1):
            job = member.decode()
            client.delete(f"arq:job:{job}", f"arq:in-progress:{job}", f"arq:retry:{job}")
        client.delete(queue)
    finally:
        client.close()


def _triton_answers() -> bool:
    from infra.local.services import BY_NAME

    return BY_NAME["triton"].healthy()


@pytest.fixture(scope="session")
def test_state() -> Iterator[None]:
    """What any test on the real services needs first, whatever order pytest picks: the
    test database, an empty test queue. The e2e stacks use it as `services` does.

    Models the session published are deleted at its end once no Triton serves them (the
    session's own Triton is stopped by then), so Triton's next start does not load them."""
    from infra.local import stack

    started = stack.ensure(["postgres", "redis"])
    _create_test_database()
    _purge_test_queue()
    before = _published_models()
    yield
    if not _triton_answers():
        _remove_models(_published_models() - before)
    if started:
        stack.down(started)


@pytest.fixture(scope="session")
def services(test_state: None) -> Iterator[None]:
    """Postgres, Redis, S3 and Triton, real; whatever this session starts it also stops."""
    from infra.local import stack

    started = stack.ensure(["s3", "triton"])
    before = _published_models()
    yield
    if "triton" in started:  # a Triton of this session's own: leave no test models behind
        _remove_models(_published_models() - before)
    if started:
        stack.down(started)


@pytest.fixture(scope="session")
def settings(services: None):  # type: ignore[no-untyped-def]
    from control_plane.settings import Settings

    return Settings.from_env()


@pytest.fixture
async def cp_client(settings) -> AsyncIterator[object]:  # type: ignore[no-untyped-def]
    """The control plane in-process, with its lifespan (migrations, bucket, admin)."""
    from litestar.testing import AsyncTestClient

    from control_plane.app import create_app

    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


async def login(
    client, username: str = "admin", password: str = "loadstar-admin"
) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Authorization header for a user of the test database."""
    resp = await client.post("/api/auth/login", json={"username": username, "password": password})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['accessToken']}"}


@pytest.fixture
async def admin_headers(cp_client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return await login(cp_client)


@pytest.fixture
async def viewer_headers(cp_client, admin_headers) -> dict[str, str]:  # type: ignore[no-untyped-def]
    resp = await cp_client.post(
        "/api/auth/users",
        json={"username": "viewer1", "password": "viewer-pass", "role": "viewer"},
        headers=admin_headers,
    )
    assert resp.status_code in (201, 409), resp.text
    return await login(cp_client, "viewer1", "viewer-pass")
