"""The WebSocket stream and the operational routes (health, readiness, metrics, the
OpenAPI document)."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, WebSocket, get, websocket
from litestar.exceptions import WebSocketDisconnect

from edge_gateway.dataplane import DataPlane
from edge_gateway.errors import error_of
from edge_gateway.inference_routes import INFERENCE_ROUTES
from edge_gateway.metrics import CONTENT_TYPE
from edge_gateway.openapi import OPENAPI_MEDIA_TYPE, OPENAPI_PATH, document_bytes
from edge_gateway.stream import StreamSession
from edge_gateway.wire import Health, Readiness

# Close codes for a refused WebSocket (4000 + the HTTP status, a common convention).
_WS_CLOSE = {401: 4401, 403: 4403, 404: 4404}
_encode = msgspec.json.Encoder().encode


def _plane(connection: Request[Any, Any, Any] | WebSocket[Any, Any, Any]) -> DataPlane:
    return connection.app.state.plane  # type: ignore[no-any-return]


@websocket("/ws/predict")
async def ws_predict(socket: WebSocket[Any, Any, Any]) -> None:
    """`?token=<apiToken>` (or an Authorization header); one answer per message."""
    await socket.accept()
    plane = _plane(socket)
    token = socket.query_params.get("token")
    auth = f"Bearer {token}" if token else socket.headers.get("authorization", "")
    try:
        plane.check_scope(plane.authenticate(auth), None, None)
    except Exception as exc:
        status, _, body = error_of(exc, "/ws/predict")
        await socket.send_data(body.decode())
        await socket.close(code=_WS_CLOSE.get(status, 1011))
        return
    session = StreamSession(plane, auth, socket.app.state.settings.ws_buffer_rows)
    while True:
        try:
            event = await socket.receive()
        except WebSocketDisconnect:
            return
        if event["type"] == "websocket.disconnect":
            return
        data: str | bytes = event.get("text") or event.get("bytes") or b""  # type: ignore[assignment]
        answer = await session.on_message(data)
        await socket.send_data(answer.body.decode())
        if answer.status in (401, 403):
            await socket.close(code=_WS_CLOSE[answer.status])
            return


_HEALTHY = _encode(Health(status="ok"))


@get("/healthz", summary="Liveness")
async def healthz() -> Response[bytes]:
    return Response(content=_HEALTHY, media_type=MediaType.JSON)


@get("/readyz", summary="Ready: a contract is held and Triton answers")
async def readyz(request: Request[Any, Any, Any]) -> Response[bytes]:
    plane = _plane(request)
    store = plane.store
    triton = await plane.triton.ready()
    ready = store.snapshot is not None and triton == "ok"
    models: dict[str, str] = {}
    if triton == "ok":  # each model's state, asked concurrently (each call is bounded)
        deps = [s.deployment for s in store.by_id.values()]
        states = await asyncio.gather(
            *(plane.triton.ready(d.tritonModel, d.tritonVersion) for d in deps)
        )
        models = {d.contract.deploymentId: state for d, state in zip(deps, states, strict=True)}
    body = Readiness(
        ready=ready,
        contractSource=store.source,
        controlPlane=store.control_plane,
        stateFile=store.state_file,
        triton=triton,
        deployments=len(store.by_id),
        revision=store.revision,
        models=models,
    )
    return Response(
        content=_encode(body), status_code=200 if ready else 503, media_type=MediaType.JSON
    )


@get("/metrics", summary="Prometheus metrics")
async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    return Response(content=_plane(request).metrics.render(), media_type=CONTENT_TYPE)


@get(OPENAPI_PATH, summary="This gateway's OpenAPI document", include_in_schema=False)
async def openapi_document() -> Response[bytes]:
    return Response(content=document_bytes(), media_type=OPENAPI_MEDIA_TYPE)


ROUTES = [*INFERENCE_ROUTES, ws_predict, healthz, readyz, metrics, openapi_document]
