"""The watching slice's tables, written as SQL: the unique keys span several columns."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T09:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "readings, forecasts, anomaly events, comments, alarm policies"

SQL = """
CREATE TABLE watch_policy (
    deployment_id varchar(32) PRIMARY KEY,
    policy jsonb NOT NULL DEFAULT '{}',
    updated_by varchar(64) NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE watch_reading (
    id bigserial PRIMARY KEY,
    deployment_id varchar(32) NOT NULL,
    t timestamptz NOT NULL,
    value double precision NOT NULL,
    UNIQUE (deployment_id, t)
);
CREATE TABLE watch_forecast (
    id bigserial PRIMARY KEY,
    deployment_id varchar(32) NOT NULL,
    origin timestamptz NOT NULL,
    step integer NOT NULL,
    t timestamptz NOT NULL,
    p05 double precision NOT NULL,
    p50 double precision NOT NULL,
    p95 double precision NOT NULL,
    UNIQUE (deployment_id, origin, step)
);
CREATE INDEX watch_forecast_target ON watch_forecast (deployment_id, t);
CREATE TABLE anomaly_event (
    id serial PRIMARY KEY,
    deployment_id varchar(32) NOT NULL,
    asset_id varchar(128),
    kind varchar(16) NOT NULL,
    start_at timestamptz NOT NULL,
    end_at timestamptz NOT NULL,
    readings integer NOT NULL,
    duration_minutes double precision NOT NULL,
    peak double precision,
    peak_at timestamptz,
    expected double precision,
    energy_kwh double precision,
    score double precision NOT NULL,
    unit varchar(32) NOT NULL,
    reason text NOT NULL,
    acknowledged_by varchar(64),
    acknowledged_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (deployment_id, kind, start_at)
);
CREATE INDEX anomaly_event_asset ON anomaly_event (asset_id, start_at);
CREATE TABLE anomaly_event_comment (
    id serial PRIMARY KEY,
    event_id integer NOT NULL REFERENCES anomaly_event (id) ON DELETE CASCADE,
    author varchar(64) NOT NULL,
    text text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX anomaly_event_comment_event ON anomaly_event_comment (event_id);
"""

DROP = """
DROP TABLE IF EXISTS anomaly_event_comment, anomaly_event, watch_forecast, watch_reading,
    watch_policy;
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
