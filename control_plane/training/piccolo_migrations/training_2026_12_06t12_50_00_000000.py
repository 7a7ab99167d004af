"""Jobs started by the seed-003 call, with the asset and the version they registered."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T12:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "asset training jobs"

SQL = """
CREATE TABLE asset_training_job (
    job_id varchar(32) PRIMARY KEY,
    asset_id varchar(128) NOT NULL,
    data_url text NOT NULL,
    dataset_id varchar(32) NOT NULL,
    feature_plan_id varchar(32) NOT NULL,
    model_name varchar(128) NOT NULL,
    model_version integer NULL,
    register_error text NOT NULL DEFAULT '',
    created_by varchar(64) NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX asset_training_job_asset ON asset_training_job (asset_id)
"""

DROP = "DROP TABLE IF EXISTS asset_training_job"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run(script: str) -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in filter(str.strip, script.split(";")):
            await engine.run_ddl(statement)

    async def create() -> None:
        await run(SQL)

    async def drop() -> None:
        await run(DROP)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
