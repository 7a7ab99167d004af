from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T12:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a notebook run's experiment and the model version it logged"


def _params(index: bool, **extra):
    return {
        "default": None,
        "null": True,
        "primary_key": False,
        "unique": False,
        "index": index,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="notebooks", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="NotebookRunRow",
        tablename="notebook_run",
        column_name="experiment_id",
        db_column_name="experiment_id",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(True, length=24),
        schema=None,
    )

    manager.add_column(
        table_class_name="NotebookRunRow",
        tablename="notebook_run",
        column_name="model_name",
        db_column_name="model_name",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(False, length=128),
        schema=None,
    )

    manager.add_column(
        table_class_name="NotebookRunRow",
        tablename="notebook_run",
        column_name="model_version",
        db_column_name="model_version",
        column_class_name="Integer",
        column_class=Integer,
        params=_params(False),
        schema=None,
    )

    return manager
