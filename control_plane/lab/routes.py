"""Every route of the model lab, under `/api` and under seed 004's `/api/v1`."""

from __future__ import annotations

from litestar import Router
from litestar.types import ControllerRouterHandler

from control_plane.lab.design_controller import design_routes
from control_plane.lab.project_controller import project_routes
from control_plane.lab.run_controller import run_routes
from control_plane.lab.weight_controller import weight_routes

_HANDLERS: list[ControllerRouterHandler] = [
    *design_routes,
    *run_routes,
    *weight_routes,
    *project_routes,
]

lab_routes: list[ControllerRouterHandler] = [
    Router(path="/api", route_handlers=_HANDLERS),
    Router(path="/api/v1", route_handlers=_HANDLERS, include_in_schema=False),
]
