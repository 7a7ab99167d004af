"""Watching routes: events (list, acknowledge, comment), alarm policy, live accuracy, the
monitor's series, and the gateways' record shipments."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, delete, get, post, put
from litestar.params import Body, Parameter
from litestar.types import ControllerRouterHandler

from control_plane.auth.security import writer_guard
from control_plane.auth.service import AuthUser
from control_plane.watching import accuracy, alerting, service
from control_plane.watching.lifecycle import run_once
from control_plane.watching.schemas import (
    AccuracyOut,
    AlertDeliveryOut,
    AlertRuleIn,
    AlertRuleOut,
    CommentIn,
    EvaluationOut,
    EventOut,
    SeriesOut,
)
from schemas.errors import Unauthorized
from schemas.watching import AnomalyPolicy, EventKind, RecordBatch

Limit = Annotated[int, Parameter(ge=1, le=1000, default=200)]

# event ids are PostgreSQL integers: a larger number is no event (400, not a database error)
EventId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


class WatchingController(Controller):
    path = "/api"
    tags = ["watching"]

    @get("/watching/events", summary="Anomaly events, newest first, by deployment or asset")
    async def events(
        self,
        limit: Limit,
        deployment_id: Annotated[str | None, Parameter(query="deploymentId", default=None)],
        asset_id: Annotated[str | None, Parameter(query="assetId", default=None)],
        kind: Annotated[EventKind | None, Parameter(query="kind", default=None)],
        open_only: Annotated[bool, Parameter(query="open", default=False)],
    ) -> list[EventOut]:
        return await service.list_events(deployment_id, asset_id, kind, open_only, limit)

    @get("/deployments/{deployment_id:str}/events", summary="A deployment's anomaly events")
    async def deployment_events(self, deployment_id: str, limit: Limit) -> list[EventOut]:
        return await service.list_events(deployment_id, None, None, False, limit)

    @get("/watching/events/{event_id:int}", summary="One anomaly event with its comments")
    async def event(self, event_id: EventId) -> EventOut:
        return await service.get_event(event_id)

    @post(
        "/watching/events/{event_id:int}/acknowledge",
        guards=[writer_guard],
        status_code=200,
        summary="Acknowledge an event (the first to do so is kept)",
    )
    async def acknowledge(self, event_id: EventId, user: AuthUser) -> EventOut:
        return await service.acknowledge(event_id, user.username)

    @post(
        "/watching/events/{event_id:int}/comments",
        guards=[writer_guard],
        status_code=201,
        summary="Comment on an event",
    )
    async def comment(
        self, event_id: EventId, user: AuthUser, data: CommentIn = Body()
    ) -> EventOut:
        return await service.comment(event_id, user.username, data.text)

    @post(
        "/watching/evaluate",
        guards=[writer_guard],
        status_code=200,
        summary="Evaluate alert rules, live confidence and retention now (also periodic)",
    )
    async def evaluate(self, request: Request[Any, Any, Any]) -> EvaluationOut:
        return await run_once(request.app.state.settings)

    @get("/deployments/{deployment_id:str}/watch-policy", summary="When events are raised")
    async def policy(self, deployment_id: str) -> AnomalyPolicy:
        return await service.get_policy(deployment_id)

    @put(
        "/deployments/{deployment_id:str}/watch-policy",
        guards=[writer_guard],
        summary="Set when events are raised (reaches the gateways within a round trip)",
    )
    async def set_policy(
        self, deployment_id: str, user: AuthUser, data: AnomalyPolicy = Body()
    ) -> AnomalyPolicy:
        return await service.put_policy(deployment_id, data, user.username)

    @get(
        "/deployments/{deployment_id:str}/accuracy",
        summary="Live accuracy per horizon step over a rolling window",
    )
    async def accuracy(
        self,
        deployment_id: str,
        days: Annotated[float, Parameter(query="days", gt=0, le=366, default=7.0)],
        bucket: Annotated[Literal["hour", "day"] | None, Parameter(query="bucket", default=None)],
        start: Annotated[datetime | None, Parameter(query="from", default=None)],
        end: Annotated[datetime | None, Parameter(query="to", default=None)],
    ) -> AccuracyOut:
        """Per step over the last `days` of actuals; with `bucket`, also MAE and coverage
        per hour or day from `from` (default: `days` before the newest reading) to `to`."""
        return await accuracy.accuracy(deployment_id, days, bucket, start, end)

    @get(
        "/deployments/{deployment_id:str}/series",
        summary="Readings with the forecasts made for them (server-downsampled)",
    )
    async def series(
        self,
        deployment_id: str,
        step: Annotated[int, Parameter(query="step", ge=1, default=1)],
        start: Annotated[datetime | None, Parameter(query="from", default=None)],
        end: Annotated[datetime | None, Parameter(query="to", default=None)],
        points: Annotated[int, Parameter(query="points", ge=10, le=5000, default=500)],
    ) -> SeriesOut:
        return await accuracy.series(deployment_id, step, start, end, points)


class AlertController(Controller):
    path = "/api"
    tags = ["watching"]

    @get("/deployments/{deployment_id:str}/alert-rules", summary="A deployment's alert rules")
    async def rules(self, deployment_id: str) -> list[AlertRuleOut]:
        return await alerting.list_rules(deployment_id)

    @post(
        "/deployments/{deployment_id:str}/alert-rules",
        guards=[writer_guard],
        status_code=201,
        summary="Alert on anomaly events, live coverage, live MAE or missing data (webhook)",
    )
    async def add_rule(
        self, deployment_id: str, user: AuthUser, data: AlertRuleIn = Body()
    ) -> AlertRuleOut:
        return await alerting.create_rule(deployment_id, data, user.username)

    @delete("/watching/alert-rules/{rule_id:int}", guards=[writer_guard], status_code=204)
    async def remove_rule(self, rule_id: int) -> None:
        await alerting.delete_rule(rule_id)

    @get(
        "/deployments/{deployment_id:str}/alert-deliveries",
        summary="Webhook deliveries, newest first, with every attempt",
    )
    async def deliveries(self, deployment_id: str, limit: Limit) -> list[AlertDeliveryOut]:
        return await alerting.list_deliveries(deployment_id, limit)


@post(
    "/api/gateway/records",
    tags=["gateway"],
    status_code=200,
    summary="Readings, forecasts and events shipped by an edge gateway",
)
async def gateway_records(
    request: Request[Any, Any, Any], data: RecordBatch = Body()
) -> dict[str, int]:
    token = request.headers.get("x-gateway-token", "")
    if not hmac.compare_digest(
        token.encode(), request.app.state.settings.gateway_sync_token.encode()
    ):
        raise Unauthorized("gateway sync token required (X-Gateway-Token)")
    return await service.ingest(data)


watching_routes: list[ControllerRouterHandler] = [
    WatchingController,
    AlertController,
    gateway_records,
]
