"""References between slices' records held by the database: a model version's source job
is a foreign key to the training job (deleting the job is refused while a version was
made from it, as `training/removal.py` refuses it in the service)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest

from tests.conftest import TEST_DATABASE_URL

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

JOB = """INSERT INTO training_job (id, dataset_id, feature_plan_id, algorithm, created_at)
VALUES ($1, 'ds-x', 'fp-x', 'mlp', now())"""
MODEL = """INSERT INTO registered_model (name, created_at, updated_at)
VALUES ($1, now(), now()) RETURNING id"""
VERSION = """INSERT INTO model_version
(model, version, artifact_uri, source_job_id, created_at, updated_at)
VALUES ($1, $2, 's3://b/k', $3, now(), now())"""


async def test_a_version_pins_its_source_job_and_names_only_real_jobs(cp_client: Any) -> None:
    job_id = f"job-fk-{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(TEST_DATABASE_URL)  # cp_client: migrated
    model = None
    try:
        await conn.execute(JOB, job_id)
        model = await conn.fetchval(MODEL, f"fk-{uuid.uuid4().hex[:8]}")
        await conn.execute(VERSION, model, 1, job_id)
        with pytest.raises(asyncpg.ForeignKeyViolationError):
            await conn.execute("DELETE FROM training_job WHERE id = $1", job_id)
        assert await conn.fetchval("SELECT count(*) FROM training_job WHERE id = $1", job_id) == 1
        with pytest.raises(asyncpg.ForeignKeyViolationError):
            await conn.execute(VERSION, model, 2, f"{job_id}-gone")
        # once no version names it, the job can go
        await conn.execute("DELETE FROM model_version WHERE model = $1", model)
        await conn.execute("DELETE FROM training_job WHERE id = $1", job_id)
        assert await conn.fetchval("SELECT count(*) FROM training_job WHERE id = $1", job_id) == 0
    finally:
        if model is not None:
            await conn.execute("DELETE FROM model_version WHERE model = $1", model)
            await conn.execute("DELETE FROM registered_model WHERE id = $1", model)
        await conn.execute("DELETE FROM training_job WHERE id = $1", job_id)
        await conn.close()
