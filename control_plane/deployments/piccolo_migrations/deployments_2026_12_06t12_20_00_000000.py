"""Named API keys per deployment; each deployment's one token becomes its key "default".

`deployment.token_sha256` is left as it was (nothing reads it any more), so going back to
the code before this migration keeps every issued token working."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T12:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "named API keys per deployment"

SQL = """
CREATE TABLE deployment_key (
    id varchar(32) PRIMARY KEY,
    deployment_id varchar(32) NOT NULL,
    name varchar(64) NOT NULL,
    scopes jsonb NOT NULL DEFAULT '[]',
    token_sha256 varchar(64) NOT NULL UNIQUE,
    hint varchar(8) NOT NULL DEFAULT '',
    created_by varchar(64) NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NULL,
    last_used_at timestamptz NULL,
    revoked_at timestamptz NULL,
    revoked_by varchar(64) NOT NULL DEFAULT ''
);
CREATE INDEX deployment_key_deployment ON deployment_key (deployment_id);
INSERT INTO deployment_key (id, deployment_id, name, scopes, token_sha256, created_by, created_at)
    SELECT 'key-' || substr(md5(id || token_sha256), 1, 12), id, 'default',
           '["detect", "predict"]', token_sha256, created_by, created_at
    FROM deployment WHERE token_sha256 <> ''
"""

DROP = "DROP TABLE IF EXISTS deployment_key"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="deployments", description=DESCRIPTION)

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
