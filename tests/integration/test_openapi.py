"""The OpenAPI document describes the error body the API really sends."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def test_documented_errors_are_the_standard_body(cp_client: Any) -> None:
    schema = (await cp_client.get("/schema/openapi.json")).json()
    error = schema["components"]["schemas"]["ErrorBody"]
    assert set(error["properties"]) == {"code", "message", "details"}
    assert "INVALID_INPUT" in error["properties"]["code"]["enum"]
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "responses" in op
    ]
    assert len(operations) > 30
    for path, method, op in operations:
        bad = op["responses"].get("400")
        assert bad is not None, (method, path)
        ref = bad["content"]["application/json"]["schema"]["$ref"]
        assert ref == "#/components/schemas/ErrorBody", (method, path, bad)
    responses = {(p, m): op["responses"] for p, m, op in operations}
    assert "401" in responses[("/api/training/jobs", "post")]  # needs a token
    assert "Bearer" not in responses[("/api/auth/login", "post")]["401"]["description"]

    # and the body really is that shape
    resp = await cp_client.post("/api/auth/login", json={"username": 1})
    assert resp.status_code == 400
    assert set(resp.json()) == {"code", "message", "details"}
