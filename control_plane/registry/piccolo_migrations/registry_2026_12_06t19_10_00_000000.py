"""A model version's source job is a real reference to the training job.

Deleting a run is refused while a version was made from it (`training/removal.py`); the
foreign key says the same in the database (ON DELETE RESTRICT), so no path around the
service can leave a version pointing at a job that is gone. NOT VALID: existing rows are
not re-checked when it is added (a database may hold versions from before the check);
every new or changed row is.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T19:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "model_version.source_job_id references training_job"

SQL = """
ALTER TABLE model_version DROP CONSTRAINT IF EXISTS model_version_source_job_fk;
ALTER TABLE model_version ADD CONSTRAINT model_version_source_job_fk
  FOREIGN KEY (source_job_id) REFERENCES training_job (id) ON DELETE RESTRICT NOT VALID
"""

DROP = """
ALTER TABLE model_version DROP CONSTRAINT IF EXISTS model_version_source_job_fk
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

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
