"""The seed-003 call end to end: `POST /api/v1/training-jobs {asset_id, data_url}` with a CSV
in the project's S3 trains, registers the version under the asset's model and moves it to
Staging; URLs to other schemes and private addresses are refused (SSRF rule); a deployment
API key with the `train` scope may call it for its own asset only."""

from __future__ import annotations

import asyncio
import io
import math
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.flow_support import run_worker_until_idle, wait_for
from tests.integration.test_datasets import s3 as s3  # fixture

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
JOBS = "/api/v1/training-jobs"


def asset_csv(rows: int = 600) -> bytes:
    """Hourly load with a daily cycle, as an IoT platform exports it (seed 003's fields)."""
    start = datetime(2025, 7, 1, tzinfo=UTC)
    lines = ["timestamp,value,temp,production"]
    for i in range(rows):
        at = (start + timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        daily = math.sin(2 * math.pi * (i % 24) / 24)
        lines.append(
            f"{at},{120 + 20 * daily + (i % 7) * 0.5:.2f},{25 + 3 * daily:.1f},{500 + i % 5}"
        )
    return ("\n".join(lines) + "\n").encode()


async def test_seed_003_call_trains_registers_and_stages_from_an_s3_url(
    cp_client: Any, admin_headers: dict[str, str], s3: Any, settings: Any
) -> None:
    content = asset_csv()
    key = f"incoming/{uuid.uuid4().hex}.csv"
    s3.put_object(settings.s3_bucket, key, io.BytesIO(content), len(content))
    asset = f"line-{uuid.uuid4().hex[:6]}"
    body = {"asset_id": asset, "data_url": f"s3://{settings.s3_bucket}/{key}"}
    resp = await cp_client.post(
        JOBS, json={**body, "hyperparams": {"epochs": 2}}, headers=admin_headers
    )
    assert resp.status_code == 202, resp.text
    accepted = resp.json()
    assert accepted["status"] == "queued" and accepted["asset_id"] == asset
    assert accepted["model_name"] == f"asset-{asset}" and accepted["model_version"] is None
    dataset = (
        await cp_client.get(f"/api/datasets/{accepted['dataset_id']}", headers=admin_headers)
    ).json()
    assert dataset["rows"] == 600 and dataset["sourceUri"] == body["data_url"]
    plan = (
        await cp_client.get(
            f"/api/features/plans/{accepted['feature_plan_id']}", headers=admin_headers
        )
    ).json()
    assert plan["plan"]["target"] == "value"

    await run_worker_until_idle()
    final = await wait_for(
        cp_client, f"{JOBS}/{accepted['job_id']}", admin_headers, {"succeeded", "failed"}
    )
    assert final["status"] == "succeeded", final["error"]
    # the job-event consumer may hold the registration when the job is read: it shows no
    # version until it is done (a moment later)
    for _ in range(60):
        if final["model_version"] is not None or final["error"]:
            break
        await asyncio.sleep(0.5)
        final = (await cp_client.get(f"{JOBS}/{accepted['job_id']}", headers=admin_headers)).json()
    assert final["progress"] == 1.0 and final["model_version"] == 1 and final["stage"] == "Staging"
    version = (
        await cp_client.get(f"/api/registry/models/asset-{asset}/versions/1", headers=admin_headers)
    ).json()
    assert version["stage"] == "Staging" and version["sourceJobId"] == accepted["job_id"]

    # the platform's own credential: a key of the asset's deployment with the train scope
    dep = await cp_client.post(
        "/api/deployments",
        json={"modelId": f"asset-{asset}", "version": 1, "assetId": asset},
        headers=admin_headers,
    )
    assert dep.status_code == 201, dep.text
    dep_id = dep.json()["id"]
    try:
        made = await cp_client.post(
            f"/api/deployments/{dep_id}/keys",
            json={"name": "iot-platform", "scopes": ["train"]},
            headers=admin_headers,
        )
        assert made.status_code == 201, made.text
        key_auth = {"Authorization": f"Bearer {made.json()['secret']}"}
        other = await cp_client.post(
            JOBS, json={**body, "asset_id": "another-line"}, headers=key_auth
        )
        assert other.status_code == 403 and "another asset" in other.json()["message"]
        predict_only = {"Authorization": f"Bearer {dep.json()['apiToken']}"}
        assert (await cp_client.post(JOBS, json=body, headers=predict_only)).status_code == 401
        again = await cp_client.post(JOBS, json=body, headers=key_auth)
        assert again.status_code == 202, again.text
        polled = await cp_client.get(f"{JOBS}/{again.json()['job_id']}", headers=key_auth)
        assert polled.status_code == 200 and polled.json()["status"] == "queued"
        await cp_client.post(
            f"/api/training/jobs/{again.json()['job_id']}/control",
            json={"action": "stop"},
            headers=admin_headers,
        )
    finally:
        await cp_client.delete(f"/api/deployments/{dep_id}", headers=admin_headers)
    s3.remove_object(settings.s3_bucket, key)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://example.com/data.csv", "s3://bucket/key or an http(s) URL"),
        ("file:///etc/passwd", "s3://bucket/key or an http(s) URL"),
        ("http://127.0.0.1:8080/api/datasets", "private or local address"),
        ("http://169.254.169.254/latest/meta-data/", "private or local address"),
        ("http://10.1.2.3/data.csv", "private or local address"),
        ("http://[::1]:5432/", "private or local address"),
        ("http://localhost:6379/", "private or local address"),
    ],
)
async def test_urls_outside_the_rule_are_refused_and_nothing_is_queued(
    cp_client: Any, admin_headers: dict[str, str], url: str, words: str
) -> None:
    before = (await cp_client.get("/api/datasets", headers=admin_headers)).json()["total"]
    resp = await cp_client.post(
        JOBS, json={"asset_id": "line-x", "data_url": url}, headers=admin_headers
    )
    assert resp.status_code == 400, resp.text
    assert resp.json()["code"] == "INVALID_INPUT" and words in resp.json()["message"]
    after = (await cp_client.get("/api/datasets", headers=admin_headers)).json()["total"]
    assert after == before


async def test_the_call_needs_a_writer_or_a_train_key(
    cp_client: Any, viewer_headers: dict[str, str]
) -> None:
    body = {"asset_id": "line-x", "data_url": "s3://loadstar-test/x.csv"}
    assert (await cp_client.post(JOBS, json=body)).status_code == 401
    wrong = await cp_client.post(JOBS, json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "train scope" in wrong.json()["message"]
    viewer = await cp_client.post(JOBS, json=body, headers=viewer_headers)
    assert viewer.status_code == 403
    unknown = await cp_client.get(f"{JOBS}/job-nope", headers={"Authorization": "Bearer nope"})
    assert unknown.status_code == 401
