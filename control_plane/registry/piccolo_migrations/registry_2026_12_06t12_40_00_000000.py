"""Tags on registered models and on their versions."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T12:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "tags on models and versions"

SQL = """
ALTER TABLE registered_model ADD COLUMN IF NOT EXISTS tags jsonb NOT NULL DEFAULT '[]';
ALTER TABLE model_version ADD COLUMN IF NOT EXISTS tags jsonb NOT NULL DEFAULT '[]'
"""

DROP = """
ALTER TABLE registered_model DROP COLUMN IF EXISTS tags;
ALTER TABLE model_version DROP COLUMN IF EXISTS tags
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
