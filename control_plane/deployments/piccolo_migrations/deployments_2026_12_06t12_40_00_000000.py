from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSONB
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T12:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a deployment's online window (read from the feature store)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="deployments", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Deployment",
        tablename="deployment",
        column_name="online_window",
        db_column_name="online_window",
        column_class_name="JSONB",
        column_class=JSONB,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
