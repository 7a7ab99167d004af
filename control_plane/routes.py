"""Every slice's route handlers, in one list the app mounts."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from control_plane.auth.controller import AuthController
from control_plane.datasets.controller import DatasetController
from control_plane.deployments.controller import deployment_routes
from control_plane.explore.controller import ExploreController, QualityController
from control_plane.features.controller import FeaturesController
from control_plane.health import health_routes
from control_plane.inference.controller import inference_routes
from control_plane.lineage.controller import LineageController
from control_plane.registry.controller import RegistryController
from control_plane.system.controller import system_routes
from control_plane.training.controller import training_routes

# watching: monitor, live accuracy, anomaly events, alerts

# quality rules and the administrator's desk

# model lab: projects, experiments, weights, architectures, augmentation

# feature store and sensor streams

# notebooks
# isort: split
from control_plane.notebooks.controller import notebook_routes

# home dashboard, lineage graph, system logs, docs


ROUTES: list[ControllerRouterHandler] = [
    *health_routes,
    AuthController,
    DatasetController,
    ExploreController,
    QualityController,
    *system_routes,
    *training_routes,
    *deployment_routes,
    *inference_routes,
    RegistryController,
    LineageController,
    FeaturesController,
    # watching: monitor, live accuracy, anomaly events, alerts
    # quality rules and the administrator's desk
    # model lab: projects, experiments, weights, architectures, augmentation
    # feature store and sensor streams
    # notebooks
    *notebook_routes,
    # home dashboard, lineage graph, system logs, docs
]
