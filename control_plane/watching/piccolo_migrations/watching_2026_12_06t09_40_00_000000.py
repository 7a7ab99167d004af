"""Alert rules per deployment and the log of their webhook deliveries."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T09:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "alert rules and deliveries"

SQL = """
CREATE TABLE alert_rule (
    id serial PRIMARY KEY,
    deployment_id varchar(32) NOT NULL,
    kind varchar(24) NOT NULL,
    webhook_url text NOT NULL,
    secret varchar(128) NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    created_by varchar(64) NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_rule_deployment ON alert_rule (deployment_id);
CREATE TABLE alert_delivery (
    id serial PRIMARY KEY,
    rule_id integer NOT NULL REFERENCES alert_rule (id) ON DELETE CASCADE,
    deployment_id varchar(32) NOT NULL,
    payload jsonb NOT NULL,
    delivered boolean NOT NULL,
    attempts jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_delivery_deployment ON alert_delivery (deployment_id, created_at)
"""

DROP = "DROP TABLE IF EXISTS alert_delivery, alert_rule"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="watching", description=DESCRIPTION)

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
