from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder

ID = "2026-12-06T12:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "run kind, private projects, architectures in projects, editor role"

# Existing members keep their rights under the new name; one role per member and project.
_STATEMENTS = (
    "UPDATE lab_project_member SET role = 'editor' WHERE role = 'member'",
    "CREATE UNIQUE INDEX IF NOT EXISTS lab_project_member_user "
    "ON lab_project_member (project_id, username)",
)


def _params(**extra):
    base = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    return base | extra


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="lab", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Run",
        tablename="lab_run",
        column_name="kind",
        db_column_name="kind",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=16, default="training"),
        schema=None,
    )
    manager.add_column(
        table_class_name="Project",
        tablename="lab_project",
        column_name="private",
        db_column_name="private",
        column_class_name="Boolean",
        column_class=Boolean,
        params=_params(default=False),
        schema=None,
    )
    manager.add_column(
        table_class_name="Architecture",
        tablename="lab_architecture",
        column_name="project_id",
        db_column_name="project_id",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=24, default=None, null=True, index=True),
        schema=None,
    )

    async def raw():
        engine = engine_finder()
        for statement in _STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(raw)
    return manager
