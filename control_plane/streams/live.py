"""`/ws/inference/stream?deploymentId=`: the stream's stored results, then live ones."""

from __future__ import annotations

import contextlib
from typing import Any

import msgspec
from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect

from control_plane.auth.security import authenticate_socket
from control_plane.feature_store.deps import clients
from control_plane.streams.runner import channel
from control_plane.streams.service import recent_events
from schemas.contracts import ErrorBody
from schemas.errors import InvalidInput, LoadstarError


async def relay_stream(socket: WebSocket[Any, Any, Any]) -> None:
    await socket.accept()
    deployment_id = socket.query_params.get("deploymentId", "")
    try:
        await authenticate_socket(socket)
        if not deployment_id:
            raise InvalidInput("deploymentId is required", {"field": "deploymentId"})
    except LoadstarError as exc:
        await socket.send_bytes(
            msgspec.json.encode(ErrorBody(code=exc.code, message=exc.message, details=exc.details))
        )
        await socket.close(code=4401 if exc.code == "UNAUTHORIZED" else 4400)
        return
    fs = clients(socket.app.state)
    pubsub = fs.online.client.pubsub()
    settings = socket.app.state.settings
    await pubsub.subscribe(channel(settings.namespace, deployment_id))  # before the history
    sent: set[str] = set()
    try:
        for event in await recent_events(deployment_id):
            sent.add(event.point)
            await socket.send_text(msgspec.json.encode(event).decode())
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is None:
                continue
            data = message["data"]
            point = msgspec.json.decode(data).get("point")
            if point in sent:
                continue  # already replayed from the store
            sent.add(point)
            await socket.send_text(data.decode() if isinstance(data, bytes) else data)
    except WebSocketDisconnect:
        pass
    finally:
        with contextlib.suppress(Exception):
            await pubsub.unsubscribe()
            await pubsub.aclose()  # type: ignore[no-untyped-call]
