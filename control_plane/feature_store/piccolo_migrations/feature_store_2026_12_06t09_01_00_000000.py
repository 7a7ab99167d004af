from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T09:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "offline store indexes"

# The offline store's reads: `as of` histories per feature and entity, and incremental
# materialization by ingestion time. (Composite indexes are raw SQL in piccolo.)
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS fs_value_feature_time "
    "ON fs_value (group_id, feature, entity, event_time)",
    "CREATE INDEX IF NOT EXISTS fs_value_ingested ON fs_value (group_id, ingested_at)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="feature_store", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in _INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
