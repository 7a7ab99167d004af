"""piccolo: the database and every slice's tables (one piccolo app per slice)."""

import os

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine

DB = PostgresEngine(
    config={"dsn": os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")},
    extensions=(),
)

APP_REGISTRY = AppRegistry(
    apps=[
        "control_plane.auth.piccolo_app",
        "control_plane.datasets.piccolo_app",
        "control_plane.training.piccolo_app",
        "control_plane.deployments.piccolo_app",
        "control_plane.registry.piccolo_app",
        "control_plane.features.piccolo_app",
        # watching: monitor, live accuracy, anomaly events, alerts
        "control_plane.watching.piccolo_app",
        # quality rules and the administrator's desk
        "control_plane.quality.piccolo_app",
        # model lab: projects, experiments, weights, architectures, augmentation
        "control_plane.lab.piccolo_app",
        # feature store and sensor streams
        "control_plane.feature_store.piccolo_app",
        "control_plane.streams.piccolo_app",
        # notebooks
        "control_plane.notebooks.piccolo_app",
        # home dashboard, lineage graph, system logs, docs
        "control_plane.lineage.piccolo_app",
        "control_plane.system_alerts.piccolo_app",
    ]
)
