"""`/ws/notebooks/{id}`: the notebook's events (outputs, cell and kernel states), the ones
after `?after=<seq>` first, then live ones as they happen."""

from __future__ import annotations

import contextlib
from typing import Any

import msgspec
from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect

from control_plane.auth.security import authenticate_socket
from control_plane.notebooks.access import notebook_for
from control_plane.notebooks.runtime import NotebookRuntime
from schemas.contracts import ErrorBody
from schemas.errors import LoadstarError

_encode = msgspec.json.Encoder().encode
WAIT_S = 10.0


async def relay_notebook_events(socket: WebSocket[Any, Any, Any], notebook_id: str) -> None:
    await socket.accept()
    try:
        user = await authenticate_socket(socket)
        await notebook_for(user, notebook_id)
        after = int(socket.query_params.get("after", "0") or 0)
    except (LoadstarError, ValueError) as exc:
        error = exc if isinstance(exc, LoadstarError) else LoadstarError(str(exc))
        await socket.send_bytes(
            _encode(ErrorBody(code=error.code, message=error.message, details=error.details))
        )
        await socket.close(code=4401 if error.code == "UNAUTHORIZED" else 4404)
        return
    runtime: NotebookRuntime = socket.app.state.notebooks
    events = runtime.host.log_of(notebook_id)
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            for event in await events.wait_after(after, WAIT_S):
                await socket.send_text(_encode(event).decode())
                after = event.seq
