"""What fuzzing and fault-finding found, each fixed at its cause: bounded inputs, a wrong
method, missing data, an S3 outage, the console's security headers, CORS."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from minio import Minio

from control_plane.adapters.object_store import ObjectStore
from control_plane.app import create_app
from tests.conftest import login
from tests.integration.test_datasets import ett_csv, rows_named, unique, upload
from tests.integration.test_gateway_support import free_port

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def test_a_page_number_past_any_integer_is_400_not_500(
    cp_client: Any, admin_headers: dict[str, str]
) -> None:
    for path in ("/api/training/jobs", "/api/datasets", "/api/registry/models"):
        resp = await cp_client.get(f"{path}?page=339181558451822264320", headers=admin_headers)
        assert resp.status_code == 400, (path, resp.text)
        assert resp.json()["code"] == "INVALID_INPUT"


async def test_a_wrong_method_is_405_with_allow_and_the_standard_body(
    cp_client: Any, admin_headers: dict[str, str]
) -> None:
    resp = await cp_client.put("/api/training/jobs", headers=admin_headers)
    assert resp.status_code == 405
    assert set(resp.headers["allow"].split(", ")) == {"GET", "OPTIONS", "POST"}
    body = resp.json()
    assert body["code"] == "METHOD_NOT_ALLOWED"
    assert set(body["details"]["allowed"]) == {"GET", "OPTIONS", "POST"}


async def test_options_lists_every_method_of_the_path(
    cp_client: Any, admin_headers: dict[str, str]
) -> None:
    # GET and the writes of this path are registered by separate handlers
    resp = await cp_client.options("/api/datasets/ds-anything", headers=admin_headers)
    assert resp.status_code == 204
    assert {"GET", "PATCH", "DELETE"} <= set(resp.headers["allow"].split(", "))


async def test_the_console_and_api_carry_security_headers_and_cors_is_closed(
    cp_client: Any,
) -> None:
    for path in ("/", "/healthz", "/api/training/algorithms"):
        resp = await cp_client.get(path)
        assert resp.headers["x-content-type-options"] == "nosniff", path
        policy = resp.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, path
    preflight = await cp_client.options(
        "/api/auth/login",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


async def test_cors_opens_only_to_the_named_origins(settings: Any) -> None:
    opened = msgspec.structs.replace(settings, cors_origins=("https://ops.example",))
    async with AsyncTestClient(app=create_app(opened)) as client:
        ok = await client.options(
            "/api/auth/login",
            headers={"Origin": "https://ops.example", "Access-Control-Request-Method": "POST"},
        )
        assert ok.headers["access-control-allow-origin"] == "https://ops.example"
        other = await client.options(
            "/api/auth/login",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert other.headers.get("access-control-allow-origin") != "https://evil.example"


async def test_a_dataset_whose_data_vanished_is_409_with_a_reason(
    cp_client: Any, admin_headers: dict[str, str], settings: Any
) -> None:
    created = await upload(cp_client, admin_headers, ett_csv(200), name=unique("vanish"))
    assert created.status_code == 201, created.text
    dataset_id = created.json()["id"]
    s3 = Minio(
        settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        secure=settings.s3_secure,
    )
    for obj in s3.list_objects(settings.s3_bucket, f"datasets/{dataset_id}/", recursive=True):
        s3.remove_object(settings.s3_bucket, obj.object_name or "")
    answers = [
        await cp_client.get(f"/api/datasets/{dataset_id}/preview", headers=admin_headers),
        await cp_client.get(f"/api/datasets/{dataset_id}/quality", headers=admin_headers),
        await cp_client.get(f"/api/explore/preview?datasetId={dataset_id}", headers=admin_headers),
        await cp_client.post(
            "/api/explore/suggest", json={"datasetId": dataset_id}, headers=admin_headers
        ),
    ]
    for resp in answers:
        assert resp.status_code == 409, resp.text
        assert "missing from the object store" in resp.json()["message"]
    gone = await cp_client.delete(f"/api/datasets/{dataset_id}?force=true", headers=admin_headers)
    assert gone.status_code == 204, gone.text


async def test_an_artifact_in_an_impossible_bucket_is_400(
    cp_client: Any, admin_headers: dict[str, str]
) -> None:
    resp = await cp_client.post(
        f"/api/registry/models/{unique('fuzz')}/versions",
        json={"artifactUri": "s3://0/0", "signature": {}, "metrics": {}},
        headers=admin_headers,
    )
    assert resp.status_code == 400, resp.text
    assert resp.json()["details"]["field"] == "artifactUri"


async def test_s3_down_during_an_upload_is_a_fast_503_and_leaves_no_record(
    settings: Any,
) -> None:
    app = create_app(settings)
    async with AsyncTestClient(app=app, timeout=60) as client:
        headers = await login(client)
        dead = msgspec.structs.replace(settings, s3_endpoint=f"127.0.0.1:{free_port()}")
        app.state.store = ObjectStore.from_settings(dead)
        name = unique("s3-down")
        resp = await upload(client, headers, ett_csv(200), name=name)
        assert resp.status_code == 503, resp.text
        body = resp.json()
        assert body["code"] == "SERVICE_UNAVAILABLE"
        assert body["details"]["service"] == "the object store"
        assert resp.headers["retry-after"] == "1"
        assert await rows_named(name) == 0
        app.state.store = ObjectStore.from_settings(settings)  # S3 is back: the same works
        again = await upload(client, headers, ett_csv(200), name=name)
        assert again.status_code == 201, again.text
        assert await rows_named(name) == 1


async def test_status_conventions_hold_across_the_document(
    cp_client: Any, admin_headers: dict[str, str]
) -> None:
    """201 on create, 204 on delete, PUT /api/datasets/{id} as in seed 004."""
    schema = (await cp_client.get("/schema/openapi.json")).json()
    for path, item in schema["paths"].items():
        if "delete" in item:
            success = [c for c in item["delete"]["responses"] if c.startswith("2")]
            assert success == ["204"], (path, success)
    assert "put" in schema["paths"]["/api/datasets/{dataset_id}"]
    created = await upload(cp_client, admin_headers, ett_csv(50), name=unique("put"))
    assert created.status_code == 201
    dataset_id = created.json()["id"]
    renamed = await cp_client.put(
        f"/api/datasets/{dataset_id}",
        json={"name": "renamed by PUT", "description": "seed 004"},
        headers=admin_headers,
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "renamed by PUT"
    gone = await cp_client.delete(f"/api/datasets/{dataset_id}", headers=admin_headers)
    assert gone.status_code == 204 and gone.content == b""
