"""Every slice's route handlers, in one list the app mounts."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from control_plane.auth.controller import AuthController
from control_plane.datasets.controller import DatasetController
from control_plane.deployments.controller import deployment_routes
from control_plane.explore.controller import ExploreController, QualityController
from control_plane.feature_store.controller import FeatureStoreController
from control_plane.features.controller import FeaturesController
from control_plane.gateway_sync.controller import gateway_sync_routes
from control_plane.health import health_routes
from control_plane.inference.controller import inference_routes
from control_plane.lab.routes import lab_routes
from control_plane.lineage.controller import LineageController, LineageV2Controller
from control_plane.notebooks.controller import notebook_routes
from control_plane.quality.controller import QualityRulesController
from control_plane.registry.controller import RegistryController
from control_plane.streams.controller import stream_routes
from control_plane.system.controller import system_routes
from control_plane.system_alerts.controller import SystemAlertsController
from control_plane.training.asset_controller import asset_routes
from control_plane.training.controller import training_routes
from control_plane.watching.controller import watching_routes

ROUTES: list[ControllerRouterHandler] = [
    *health_routes,
    AuthController,
    DatasetController,
    ExploreController,
    QualityController,
    *system_routes,
    *training_routes,
    *deployment_routes,
    *gateway_sync_routes,
    *inference_routes,
    RegistryController,
    LineageController,
    FeaturesController,
    # watching: monitor, live accuracy, anomaly events, alerts
    *watching_routes,
    # quality rules and the administrator's desk
    QualityRulesController,
    *asset_routes,
    # model lab: projects, experiments, weights, architectures, augmentation
    *lab_routes,
    # feature store and sensor streams
    FeatureStoreController,
    *stream_routes,
    # notebooks
    *notebook_routes,
    # home dashboard, lineage graph, system logs, docs
    LineageV2Controller,
    SystemAlertsController,
]
