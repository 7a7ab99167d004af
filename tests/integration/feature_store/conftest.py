"""Fixtures of the feature-store tests: they replace the shared ones here. PostgreSQL,
Redis and Mosquitto only (outside servers), so nothing of the stack starts for them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import login
from tests.integration.feature_store.support import feature_store_app


@pytest.fixture(scope="session")
def settings(test_state: None) -> Any:
    from control_plane.settings import Settings

    return Settings.from_env()


@pytest.fixture
async def cp_client(settings: Any) -> AsyncIterator[Any]:
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=feature_store_app(settings)) as client:
        yield client


@pytest.fixture
async def admin_headers(cp_client: Any) -> dict[str, str]:
    return await login(cp_client)
