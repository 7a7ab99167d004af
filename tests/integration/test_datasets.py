"""Datasets on the real Postgres and S3: upload, register, read, update, delete."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import anyio.to_thread
import asyncpg
import msgspec
import numpy as np
import polars as pl
import pytest
from litestar.testing import AsyncTestClient
from minio import Minio

from tests.conftest import TEST_DATABASE_URL, login
from tests.integration.flow_support import DATA as ETTH1

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


def ett_csv(lines: int = 2000, rename: dict[str, str] | None = None) -> bytes:
    """The first `lines` lines of ETTh1 (header included), headers optionally renamed."""
    with ETTH1.open("rb") as handle:
        text = b"".join(handle.readline() for _ in range(lines)).decode()
    header, _, body = text.partition("\n")
    names = [(rename or {}).get(h, h) for h in header.split(",")]
    return (",".join(names) + "\n" + body).encode()


def replace_cell(csv: bytes, row: int, column: int, value: str) -> bytes:
    lines = csv.decode().split("\n")
    fields = lines[row].split(",")
    fields[column] = value
    lines[row] = ",".join(fields)
    return "\n".join(lines).encode()


@pytest.fixture
def s3(settings) -> Minio:  # type: ignore[no-untyped-def]
    return Minio(
        settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        secure=settings.s3_secure,
    )


def dataset_keys(s3: Minio, bucket: str) -> set[str]:
    return {
        o.object_name or "" for o in s3.list_objects(bucket, prefix="datasets/", recursive=True)
    }


async def orphans(s3: Minio, bucket: str, before: set[str]) -> set[str]:
    """Objects that appeared since `before` under a dataset id with no row: leftovers.
    (Other test sessions may share the bucket; their datasets have rows.)"""
    new = dataset_keys(s3, bucket) - before
    conn = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        ids = {r["id"] for r in await conn.fetch("SELECT id FROM dataset")}
    finally:
        await conn.close()
    return {k for k in new if k.split("/")[1] not in ids}


async def rows_named(name: str) -> int:
    conn = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM dataset WHERE name = $1", name))
    finally:
        await conn.close()


async def upload(client, headers, content: bytes, filename: str = "ett.csv", **fields: str):  # type: ignore[no-untyped-def]
    return await client.post(
        "/api/datasets",
        files={"file": (filename, content, "text/csv")},
        data=fields,
        headers=headers,
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_upload_profiles_the_csv_and_writes_original_and_canonical(
    cp_client, admin_headers, s3, settings
) -> None:
    content = ett_csv(rename={"OT": "OT[degC]", "HUFL": "HUFL (MW)"})
    resp = await upload(
        cp_client, admin_headers, content, name=unique("ett"), description="first 1999 hours"
    )
    assert resp.status_code == 201, resp.text
    ds = resp.json()
    assert ds["id"].startswith("ds-") and ds["status"] == "ready" and ds["format"] == "csv"
    assert ds["rows"] == 1999 and ds["frequency"] == "1h" and ds["frequencySeconds"] == 3600
    assert ds["timestampColumn"] == "date"
    assert ds["start"] == "2016-07-01T00:00:00Z"
    assert ds["end"] == "2016-09-22T06:00:00Z"
    assert ds["sizeBytes"] == len(content) and ds["createdBy"] == "admin"
    columns = {c["name"]: c for c in ds["columns"]}
    assert next(iter(columns)) == "timestamp" and columns["timestamp"]["role"] == "timestamp"
    assert columns["OT"]["unit"] == "degC" and columns["OT"]["sourceName"] == "OT[degC]"
    assert columns["HUFL"]["unit"] == "MW" and columns["HULL"].get("unit") is None
    assert columns["OT"]["dtype"] == "Float64" and columns["OT"]["role"] == "numeric"
    assert ds["ingest"] == {"sortedOnUpload": True, "duplicateTimestamps": 0, "timezone": "naive"}

    bucket = settings.s3_bucket
    assert s3.get_object(bucket, ds["originalKey"]).read() == content
    canonical = pl.read_parquet(io.BytesIO(s3.get_object(bucket, ds["canonicalKey"]).read()))
    assert canonical.columns == ["timestamp", "HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"]
    assert canonical.schema["timestamp"] == pl.Datetime("us", "UTC")
    assert canonical.height == 1999 and canonical["timestamp"].is_sorted()

    got = await cp_client.get(f"/api/datasets/{ds['id']}", headers=admin_headers)
    assert got.status_code == 200 and got.json() == ds


async def test_unsorted_parquet_with_offsets_becomes_sorted_utc(
    cp_client, admin_headers, s3, settings
) -> None:
    frame = pl.read_csv(io.BytesIO(ett_csv(200))).with_columns(
        pl.col("date").str.to_datetime().dt.replace_time_zone("Europe/Berlin").alias("measured_at")
    )
    frame = frame.drop("date").reverse()
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    resp = await upload(
        cp_client, admin_headers, buffer.getvalue(), "ett.parquet", units='{"OT": "degC"}'
    )
    assert resp.status_code == 201, resp.text
    ds = resp.json()
    assert (
        ds["format"] == "parquet" and ds["timestampColumn"] == "measured_at" and ds["name"] == "ett"
    )
    assert ds["ingest"] == {
        "sortedOnUpload": False,
        "duplicateTimestamps": 0,
        "timezone": "Europe/Berlin",
    }
    assert ds["start"] == "2016-06-30T22:00:00Z"  # 00:00 in Berlin (summer time)
    assert {c["name"]: c.get("unit") for c in ds["columns"]}["OT"] == "degC"
    canonical = pl.read_parquet(
        io.BytesIO(s3.get_object(settings.s3_bucket, ds["canonicalKey"]).read())
    )
    assert canonical["timestamp"].is_sorted() and canonical.columns[0] == "timestamp"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda c: replace_cell(c, 1500, 2, "broken"),
            {"row": 1500, "line": 1501, "column": "HULL"},
        ),
        (lambda c: replace_cell(c, 700, 0, "not-a-date"), {"row": 700, "column": "date"}),
        (lambda c: replace_cell(c, 1200, 7, "1.0,2.0"), {"row": 1200}),
    ],
    ids=["bad-number", "bad-timestamp", "ragged-row"],
)
async def test_malformed_upload_names_the_cell_and_leaves_nothing(
    cp_client, admin_headers, s3, settings, mutate, expected
) -> None:
    name = unique("broken")
    before = dataset_keys(s3, settings.s3_bucket)
    resp = await upload(cp_client, admin_headers, mutate(ett_csv()), name=name)
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["code"] == "INVALID_INPUT" and set(body) == {"code", "message", "details"}
    assert expected.items() <= body["details"].items(), body
    assert f"row {expected['row']}" in body["message"]
    assert await rows_named(name) == 0
    assert await orphans(s3, settings.s3_bucket, before) == set()


@pytest.mark.parametrize(
    ("content", "fields", "needle"),
    [
        (b"a,b\n1,2\n3,4\n", {}, "no timestamp column"),
        (b"date,load\n", {}, "no data rows"),
        (ett_csv(20), {"timestampColumn": "OT"}, "does not hold timestamps"),
        (ett_csv(20), {"timestampColumn": "nope"}, "not a column"),
        (ett_csv(20), {"units": '{"nope": "kW"}'}, "not a value column"),
        (ett_csv(20), {"units": "kW"}, "units"),
        (b"PAR1 this is not parquet", {}, "Parquet"),
    ],
)
async def test_unusable_files_are_invalid_input(
    cp_client, admin_headers, content, fields, needle
) -> None:
    resp = await upload(cp_client, admin_headers, content, name=unique("bad"), **fields)
    assert resp.status_code == 400, resp.text
    assert resp.json()["code"] == "INVALID_INPUT" and needle in resp.json()["message"]


async def test_multipart_without_file_or_with_unknown_field_is_refused(
    cp_client, admin_headers
) -> None:
    resp = await cp_client.post(
        "/api/datasets", data={"name": "x"}, files={"other": ("a", b"1")}, headers=admin_headers
    )
    assert resp.status_code == 400 and resp.json()["code"] == "INVALID_INPUT"
    resp = await cp_client.post(
        "/api/datasets", content=b"x", headers={**admin_headers, "Content-Type": "text/plain"}
    )
    assert resp.status_code == 400 and resp.json()["details"]["contentType"] == "text/plain"


async def test_upload_over_the_limit_is_payload_too_large(settings, s3) -> None:
    from control_plane.app import create_app

    small = msgspec.structs.replace(settings, upload_limit_bytes=20_000)
    async with AsyncTestClient(app=create_app(small)) as client:
        headers = await login(client)
        before = dataset_keys(s3, settings.s3_bucket)
        resp = await upload(client, headers, ett_csv(2000), name=unique("big"))
        assert resp.status_code == 413, resp.text
        assert (
            resp.json()["code"] == "PAYLOAD_TOO_LARGE"
            and resp.json()["details"]["limitBytes"] == 20_000
        )
        assert await orphans(s3, settings.s3_bucket, before) == set()


async def test_viewer_cannot_write(cp_client, admin_headers, viewer_headers) -> None:
    resp = await upload(cp_client, viewer_headers, ett_csv(50))
    assert resp.status_code == 403
    assert resp.json()["code"] == "FORBIDDEN" and set(resp.json()) == {"code", "message", "details"}
    created = await upload(cp_client, admin_headers, ett_csv(50))
    ds_id = created.json()["id"]
    assert (
        await cp_client.patch(f"/api/datasets/{ds_id}", json={"name": "x"}, headers=viewer_headers)
    ).status_code == 403
    assert (
        await cp_client.delete(f"/api/datasets/{ds_id}", headers=viewer_headers)
    ).status_code == 403
    assert (
        await cp_client.get(f"/api/datasets/{ds_id}", headers=viewer_headers)
    ).status_code == 200


async def test_no_token_is_401(cp_client) -> None:
    resp = await cp_client.get("/api/datasets")
    assert resp.status_code == 401 and resp.json()["code"] == "UNAUTHORIZED"


async def test_list_pages_and_searches(cp_client, admin_headers) -> None:
    token = unique("pager")
    for i in range(3):
        resp = await upload(cp_client, admin_headers, ett_csv(30), name=f"{token} {i}")
        assert resp.status_code == 201
    page1 = (
        await cp_client.get(
            "/api/datasets", params={"q": token, "pageSize": 2}, headers=admin_headers
        )
    ).json()
    assert (
        page1["total"] == 3
        and len(page1["items"]) == 2
        and page1["page"] == 1
        and page1["pageSize"] == 2
    )
    assert [d["name"] for d in page1["items"]] == [f"{token} 2", f"{token} 1"]  # newest first
    page2 = (
        await cp_client.get(
            "/api/datasets", params={"q": token, "pageSize": 2, "page": 2}, headers=admin_headers
        )
    ).json()
    assert [d["name"] for d in page2["items"]] == [f"{token} 0"]
    none = (
        await cp_client.get("/api/datasets", params={"q": token + "%"}, headers=admin_headers)
    ).json()
    assert none["total"] == 0  # % is a literal, not a wildcard
    bad = await cp_client.get("/api/datasets", params={"pageSize": 0}, headers=admin_headers)
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID_INPUT"


async def test_get_unknown_is_404(cp_client, admin_headers) -> None:
    resp = await cp_client.get("/api/datasets/ds-nothere", headers=admin_headers)
    assert resp.status_code == 404 and resp.json()["code"] == "NOT_FOUND"
    assert resp.json()["details"] == {"datasetId": "ds-nothere"}


async def test_patch_name_description_units_and_rules(cp_client, admin_headers) -> None:
    ds = (await upload(cp_client, admin_headers, ett_csv(100, {"OT": "OT[degC]"}))).json()
    url = f"/api/datasets/{ds['id']}"
    resp = await cp_client.patch(
        url,
        json={"description": "line 3", "units": {"HUFL": "MW", "OT": None}},
        headers=admin_headers,
    )
    assert resp.status_code == 200, resp.text
    out = resp.json()
    units = {c["name"]: c.get("unit") for c in out["columns"]}
    assert out["name"] == ds["name"] and out["description"] == "line 3"
    assert units["HUFL"] == "MW" and units["OT"] is None
    assert out["updatedAt"] > ds["updatedAt"]
    resp = await cp_client.patch(
        url,
        json={"name": "renamed", "qualityRules": {"OT": {"min": -10, "max": 60}}},
        headers=admin_headers,
    )
    assert resp.json()["name"] == "renamed" and resp.json()["qualityRules"] == {
        "OT": {"min": -10.0, "max": 60.0}
    }
    for body, needle in [
        ({"units": {"nope": "kW"}}, "not a value column"),
        ({"units": {"timestamp": "s"}}, "not a value column"),
        ({"qualityRules": {"OT": {"min": 5, "max": 1}}}, "min > max"),
        ({"name": ""}, "name"),
        ({"colour": "red"}, "colour"),
    ]:
        bad = await cp_client.patch(url, json=body, headers=admin_headers)
        assert bad.status_code == 400, (body, bad.text)
        assert bad.json()["code"] == "INVALID_INPUT" and needle in str(bad.json()), bad.json()


async def test_preview_pages_through_canonical_rows(cp_client, admin_headers) -> None:
    ds = (await upload(cp_client, admin_headers, ett_csv(100))).json()
    resp = await cp_client.get(
        f"/api/datasets/{ds['id']}/preview",
        params={"offset": 10, "limit": 5},
        headers=admin_headers,
    )
    assert resp.status_code == 200, resp.text
    page = resp.json()
    assert page["total"] == 99 and page["offset"] == 10 and len(page["rows"]) == 5
    assert page["columns"][0] == "timestamp"
    assert page["rows"][0]["timestamp"] == "2016-07-01T10:00:00Z"
    assert page["rows"][0]["OT"] == pytest.approx(
        float(ett_csv(12).decode().split("\n")[11].split(",")[7])
    )
    missing = await cp_client.get("/api/datasets/ds-nothere/preview", headers=admin_headers)
    assert missing.status_code == 404


async def test_delete_removes_row_and_objects(cp_client, admin_headers, s3, settings) -> None:
    ds = (await upload(cp_client, admin_headers, ett_csv(100))).json()
    keys = [
        o.object_name
        for o in s3.list_objects(settings.s3_bucket, prefix=f"datasets/{ds['id']}/", recursive=True)
    ]
    assert {k.rsplit("/", 1)[-1] for k in keys} == {
        "original.csv",
        "canonical.parquet",
        "profile-v1.json",
    }
    resp = await cp_client.delete(f"/api/datasets/{ds['id']}", headers=admin_headers)
    assert resp.status_code == 204
    assert (
        list(s3.list_objects(settings.s3_bucket, prefix=f"datasets/{ds['id']}/", recursive=True))
        == []
    )
    assert (
        await cp_client.get(f"/api/datasets/{ds['id']}", headers=admin_headers)
    ).status_code == 404
    assert (
        await cp_client.delete(f"/api/datasets/{ds['id']}", headers=admin_headers)
    ).status_code == 404


async def test_register_by_s3_url_copies_the_object(cp_client, admin_headers, s3, settings) -> None:
    content = ett_csv(300, {"OT": "OT[degC]"})
    key = f"incoming/{uuid.uuid4().hex}.csv"
    s3.put_object(settings.s3_bucket, key, io.BytesIO(content), len(content))
    url = f"s3://{settings.s3_bucket}/{key}"
    for path, body in [
        ("/api/datasets", {"name": unique("seed003"), "data_url": url}),
        ("/api/datasets/register", {"dataUrl": url, "units": {"HUFL": "kW"}}),
    ]:
        resp = await cp_client.post(path, json=body, headers=admin_headers)
        assert resp.status_code == 201, resp.text
        ds = resp.json()
        assert ds["source"] == "url" and ds["sourceUri"] == url and ds["rows"] == 299
        assert s3.get_object(settings.s3_bucket, ds["originalKey"]).read() == content
    assert (
        ds["name"] == Path(key).stem
        and {c["name"]: c.get("unit") for c in ds["columns"]}["HUFL"] == "kW"
    )
    assert s3.stat_object(settings.s3_bucket, key).size == len(content)  # the source stays
    s3.remove_object(settings.s3_bucket, key)


async def test_register_by_presigned_http_url(cp_client, admin_headers, s3, settings) -> None:
    content = ett_csv(120)
    key = f"incoming/{uuid.uuid4().hex}.csv"
    s3.put_object(settings.s3_bucket, key, io.BytesIO(content), len(content))
    url = s3.presigned_get_object(settings.s3_bucket, key, expires=timedelta(minutes=5))
    resp = await cp_client.post(
        "/api/datasets", json={"dataUrl": url, "name": unique("http")}, headers=admin_headers
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["rows"] == 119
    s3.remove_object(settings.s3_bucket, key)


@pytest.mark.parametrize(
    "body",
    [
        {"dataUrl": "s3://loadstar-test/incoming/does-not-exist.csv"},
        {"dataUrl": "ftp://example.com/x.csv"},
        {"name": "no url"},
        {"dataUrl": "s3://loadstar-test/x.csv", "extra": 1},
    ],
)
async def test_register_refuses_bad_urls(cp_client, admin_headers, body) -> None:
    resp = await cp_client.post("/api/datasets", json=body, headers=admin_headers)
    assert resp.status_code == 400, resp.text
    assert resp.json()["code"] == "INVALID_INPUT"


async def test_delete_is_conflict_while_a_feature_plan_uses_it(
    cp_client, admin_headers, s3, settings
) -> None:
    ds = (await upload(cp_client, admin_headers, ett_csv(100))).json()
    conn = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        if not await conn.fetchval("SELECT to_regclass('feature_plan') IS NOT NULL"):
            pytest.skip("the feature_plan table is not migrated in this database yet")
        plan_id = unique("fp")[:16]
        await conn.execute(
            "INSERT INTO feature_plan"
            " (id, name, dataset_id, plan, created_by, created_at, updated_at)"
            " VALUES ($1, 'uses it', $2, '{}'::jsonb, 'test', now(), now())",
            plan_id,
            ds["id"],
        )
        refs = await cp_client.get(f"/api/datasets/{ds['id']}/references", headers=admin_headers)
        assert refs.status_code == 200 and refs.json()["featurePlans"] == [plan_id]
        resp = await cp_client.delete(f"/api/datasets/{ds['id']}", headers=admin_headers)
        assert resp.status_code == 409, resp.text
        body = resp.json()
        assert body["code"] == "CONFLICT" and body["details"]["references"]["featurePlans"] == [
            plan_id
        ]
        assert s3.stat_object(settings.s3_bucket, ds["canonicalKey"])  # still there
        forced = await cp_client.delete(
            f"/api/datasets/{ds['id']}", params={"force": "true"}, headers=admin_headers
        )
        assert forced.status_code == 204
        assert (
            list(
                s3.list_objects(settings.s3_bucket, prefix=f"datasets/{ds['id']}/", recursive=True)
            )
            == []
        )
    finally:
        await conn.execute("DELETE FROM feature_plan WHERE dataset_id = $1", ds["id"])
        await conn.close()


async def in_app(client, fn, *args):  # type: ignore[no-untyped-def]
    """Run a service coroutine on the app's own event loop (where its database pool lives)."""
    return await anyio.to_thread.run_sync(client.blocking_portal.call, fn, *args)


async def test_load_canonical_and_get_dataset_for_other_slices(
    cp_client, admin_headers, settings
) -> None:
    from control_plane.adapters.object_store import ObjectStore
    from control_plane.datasets.service import get_dataset, load_canonical

    ds = (await upload(cp_client, admin_headers, ett_csv(60))).json()
    frame = await in_app(cp_client, load_canonical, ObjectStore.from_settings(settings), ds["id"])
    assert frame.height == 59 and frame.columns[0] == "timestamp"
    record = await in_app(cp_client, get_dataset, ds["id"])
    assert record.column("OT") is not None and record.numeric_columns[-1] == "OT"


def big_csv(rows: int = 600_000) -> bytes:
    """~30 MB: large enough that the original goes to S3 as a multipart upload."""
    start = datetime(2020, 1, 1)
    frame = pl.DataFrame(
        {
            "timestamp": pl.datetime_range(
                start, start + timedelta(minutes=rows - 1), "1m", eager=True
            ),
            "load": np.linspace(0, 1000, rows),
            "temp": np.linspace(-10, 40, rows),
        }
    )
    buffer = io.BytesIO()
    frame.write_csv(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("failure", ["too-large", "bad-last-row"])
async def test_a_failure_mid_mirror_leaves_nothing(settings, s3, failure: str) -> None:
    from control_plane.app import create_app

    content = big_csv()
    limit = settings.upload_limit_bytes
    if failure == "too-large":
        limit = len(content) - (4 << 20)  # refused after ~20 MB have gone to S3
    else:
        content = content.rstrip(b"\n") + b"x\n"
    app = create_app(msgspec.structs.replace(settings, upload_limit_bytes=limit))
    async with AsyncTestClient(app=app, timeout=120) as client:
        headers = await login(client)
        before = dataset_keys(s3, settings.s3_bucket)
        resp = await upload(client, headers, content, name=unique("mirror"))
        assert resp.status_code == (413 if failure == "too-large" else 400), resp.text
        if failure == "bad-last-row":
            assert resp.json()["details"]["row"] == 600_000
        assert await orphans(s3, settings.s3_bucket, before) == set()
