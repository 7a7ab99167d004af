"""Every route of the model lab."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from control_plane.lab.design_controller import design_routes

lab_routes: list[ControllerRouterHandler] = [*design_routes]
