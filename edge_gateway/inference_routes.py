"""The three inference routes as plain ASGI handlers: the hot path skips request/response
objects and signature parsing (about 25 us a request); the data plane does the rest."""

from __future__ import annotations

import time
from typing import Any

from litestar import asgi
from litestar.exceptions import MethodNotAllowedException
from litestar.types import Receive, Scope, Send

from edge_gateway.dataplane import Answer, DataPlane
from edge_gateway.errors import error_body
from schemas.errors import PayloadTooLarge

PREDICT = "/api/inference/predict"
ASSET_PREDICT = "/api/v1/assets/{assetId}/predict"
ASSET_DETECT = "/api/v1/assets/{assetId}/detect_anomalies"

_JSON = (b"content-type", b"application/json")


class MethodNotAllowed(MethodNotAllowedException):
    def __init__(self) -> None:
        super().__init__("only POST is served here", headers={"allow": "POST"})


class ClientGone(Exception):
    """The caller disconnected before its body arrived: nothing to answer."""


def _plane(scope: Scope) -> DataPlane:
    return scope["litestar_app"].state.plane  # type: ignore[no-any-return]


def _authorization(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            return bytes(value).decode("latin-1")
    return None


async def _body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message: Any = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"body over {limit} bytes", {"limit": limit})
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _send(send: Send, answer: Answer) -> None:
    length = str(len(answer.body)).encode()
    headers = [_JSON, (b"content-length", length)]
    if answer.status == 405:
        headers.append((b"allow", b"POST"))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body, "more_body": False})


async def _serve(
    scope: Scope, receive: Receive, send: Send, route: str, asset: str | None, detect: bool
) -> None:
    started = time.perf_counter()
    plane = _plane(scope)
    if scope.get("method") != "POST":
        await _send(send, plane.failed(route, "-", started, MethodNotAllowed()))
        return
    auth = _authorization(scope)
    try:
        body = await _body(receive, scope["litestar_app"].state.settings.max_body_bytes)
    except ClientGone:
        return
    except PayloadTooLarge as exc:
        await _send(send, plane.failed(route, "-", started, exc))
        return
    if detect:
        answer = await plane.detect(route, auth, body, asset or "")
    else:
        answer = await plane.predict(route, auth, body, asset)
    await _send(send, answer)


async def serve_predict(scope: Scope, receive: Receive, send: Send) -> None:
    await _serve(scope, receive, send, PREDICT, None, detect=False)


@asgi(PREDICT, copy_scope=False)
async def predict(scope: Scope, receive: Receive, send: Send) -> None:
    """Standard input -> standard output; the deployment is the token's."""
    await serve_predict(scope, receive, send)


@asgi("/api/v1/assets", is_mount=True, copy_scope=True)
async def assets(scope: Scope, receive: Receive, send: Send) -> None:
    """Seed 003: `/{assetId}/predict` (`historical_data` + `forecast_horizon` -> the standard
    output) and `/{assetId}/detect_anomalies` (`data_stream` -> `{assetId, anomalies}`).

    A mount, because this litestar cannot route a plain ASGI handler with a path parameter."""
    asset, _, action = scope["path"].strip("/").partition("/")
    if asset and action == "predict":
        await _serve(scope, receive, send, ASSET_PREDICT, asset, detect=False)
    elif asset and action == "detect_anomalies":
        await _serve(scope, receive, send, ASSET_DETECT, asset, detect=True)
    else:
        path = "/api/v1/assets" + scope["path"]
        body = error_body("NOT_FOUND", "no such route", {"path": path})
        await _send(send, Answer(404, body, "NOT_FOUND"))


INFERENCE_ROUTES = [predict, assets]
