"""Alert rules on live coverage, MAE against the naive and missing data; per-deployment
watch state (last readings received, live coverage); indexes for retention."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T12:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "metric alert rules, watch state, retention indexes"

SQL = """
ALTER TABLE alert_rule ADD COLUMN threshold double precision,
    ADD COLUMN window_minutes integer,
    ADD COLUMN firing_since timestamptz,
    ADD COLUMN last_value double precision,
    ADD COLUMN evaluated_at timestamptz;
CREATE TABLE watch_state (
    deployment_id varchar(32) PRIMARY KEY,
    received_at timestamptz,
    live_coverage double precision,
    live_pairs integer NOT NULL DEFAULT 0,
    live_at timestamptz
);
INSERT INTO watch_state (deployment_id, received_at)
    SELECT deployment_id, now() FROM watch_reading GROUP BY deployment_id
    ON CONFLICT DO NOTHING;
CREATE INDEX anomaly_event_end ON anomaly_event (end_at)
"""

DROP = """
DROP INDEX IF EXISTS anomaly_event_end;
DROP TABLE IF EXISTS watch_state;
ALTER TABLE alert_rule DROP COLUMN IF EXISTS threshold, DROP COLUMN IF EXISTS window_minutes,
    DROP COLUMN IF EXISTS firing_since, DROP COLUMN IF EXISTS last_value,
    DROP COLUMN IF EXISTS evaluated_at
"""


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
