"""`/api/system/alerts`: threshold rules on the host's metrics and the events they fired."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.params import Body, Parameter

from control_plane.auth.security import admin_guard, writer_guard
from control_plane.auth.service import AuthUser
from control_plane.system_alerts import service
from control_plane.system_alerts.lifecycle import evaluate_now
from control_plane.system_alerts.schemas import (
    AlertEvaluation,
    SystemAlertEventOut,
    SystemAlertRuleIn,
    SystemAlertRuleOut,
)


class SystemAlertsController(Controller):
    path = "/api/system/alerts"
    tags = ["system"]

    @get("/rules", summary="System alert rules")
    async def rules(self) -> list[SystemAlertRuleOut]:
        return await service.list_rules()

    @post("/rules", guards=[admin_guard], status_code=201, summary="Add a system alert rule")
    async def add_rule(
        self, user: AuthUser, data: SystemAlertRuleIn = Body()
    ) -> SystemAlertRuleOut:
        return await service.create_rule(data, user.username)

    @delete("/rules/{rule_id:int}", guards=[admin_guard], summary="Remove a rule")
    async def remove_rule(self, rule_id: int) -> None:
        await service.delete_rule(rule_id)

    @get("/events", summary="Fired system alerts, newest first")
    async def events(
        self,
        open_only: Annotated[bool, Parameter(query="open", default=False)],
        limit: Annotated[int, Parameter(ge=1, le=500, default=50)],
    ) -> list[SystemAlertEventOut]:
        return await service.list_events(open_only, limit)

    @post(
        "/evaluate",
        guards=[writer_guard],
        status_code=200,
        summary="Evaluate the rules now (they are also evaluated periodically)",
    )
    async def evaluate(self, request: Request[Any, Any, Any]) -> AlertEvaluation:
        return await evaluate_now(request.app.state)
