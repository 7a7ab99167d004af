"""What edge gateways sync: `/api/gateway/snapshot` (the live deployments with their keys,
long-polled) and `/api/gateway/key-use` (when they last saw each API key). The snapshot
joins two slices' records (the deployments and their watch policies), so it lives beside
both rather than making either import the other."""

from __future__ import annotations

import asyncio
import hmac
import time
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import Body, Parameter
from litestar.types import ControllerRouterHandler

from control_plane.deployments import keys, service
from control_plane.watching import service as watching
from control_plane.watching.upkeep import live_confidence
from schemas.errors import Unauthorized
from schemas.gateway import GatewaySnapshot, KeyUse


@get(
    "/api/gateway/snapshot",
    tags=["gateway"],
    summary="Live deployments for edge gateways (long-poll)",
)
async def gateway_snapshot(
    request: Request[Any, Any, Any],
    after: Annotated[int, Parameter(query="after", default=-1)],
    wait: Annotated[float, Parameter(query="wait", ge=0, le=60, default=0)],
) -> Response[GatewaySnapshot | None]:
    """200 with the snapshot once its revision is past `after`; else 304 after `wait` s."""
    _check_sync_token(request)
    deadline = time.monotonic() + wait
    while True:
        if await service.current_revision() > after:
            snapshot = await service.snapshot()
            own = await watching.policies()
            live = await live_confidence()
            for deployment in snapshot.deployments:
                deployment.watch = own.get(deployment.contract.deploymentId)
                measured = live.get(deployment.contract.deploymentId)
                if measured is not None:
                    deployment.contract.confidence = measured[0]
                    deployment.contract.confidenceSource = "live"
            return Response(snapshot)
        if time.monotonic() >= deadline:
            return Response(None, status_code=304)
        await asyncio.sleep(0.25)


def _check_sync_token(request: Request[Any, Any, Any]) -> None:
    token = request.headers.get("x-gateway-token", "")
    if not hmac.compare_digest(
        token.encode(), request.app.state.settings.gateway_sync_token.encode()
    ):
        raise Unauthorized("gateway sync token required (X-Gateway-Token)")


@post(
    "/api/gateway/key-use",
    tags=["gateway"],
    status_code=204,
    summary="When gateways last saw each API key (batched)",
)
async def gateway_key_use(request: Request[Any, Any, Any], data: KeyUse = Body()) -> None:
    _check_sync_token(request)
    await keys.note_use(data.used)


gateway_sync_routes: list[ControllerRouterHandler] = [gateway_snapshot, gateway_key_use]
