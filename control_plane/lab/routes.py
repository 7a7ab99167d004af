"""Every route of the model lab."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from control_plane.lab.design_controller import design_routes
from control_plane.lab.project_controller import project_routes
from control_plane.lab.run_controller import run_routes
from control_plane.lab.weight_controller import weight_routes

lab_routes: list[ControllerRouterHandler] = [
    *design_routes,
    *run_routes,
    *weight_routes,
    *project_routes,
]
