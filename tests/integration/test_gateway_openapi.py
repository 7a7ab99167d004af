"""The gateway serves its OpenAPI document, and its answers have the documented shapes."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from edge_gateway.app import create_app
from edge_gateway.openapi import OPENAPI_PATH, SAVED, document
from edge_gateway.wire import Health, Readiness
from schemas.contracts import ErrorBody
from tests.integration.test_gateway_support import gateway_settings

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def test_the_document_is_served_and_is_the_committed_one(tmp_path: Path) -> None:
    settings = gateway_settings(tmp_path / "none.json", start_wait_s=0.1)
    async with AsyncTestClient(app=create_app(settings)) as client:
        resp = await client.get(OPENAPI_PATH)
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("application/vnd.oai.openapi+json")
        served = resp.json()
        assert served == document() == msgspec.json.decode(SAVED.read_bytes())

        # the answers decode into the Structs the document names
        health = await client.get("/healthz")
        msgspec.json.decode(health.content, type=Health)
        ready = await client.get("/readyz")
        assert str(ready.status_code) in served["paths"]["/readyz"]["get"]["responses"]
        msgspec.json.decode(ready.content, type=Readiness)
        for path in ("/api/inference/predict", "/api/v1/assets/line-1/detect_anomalies"):
            resp = await client.post(path, json={}, headers={"Authorization": "Bearer nope"})
            documented = served["paths"][path.replace("line-1", "{assetId}")]["post"]
            assert str(resp.status_code) in documented["responses"], path
            assert msgspec.json.decode(resp.content, type=ErrorBody).code == "UNAUTHORIZED"
