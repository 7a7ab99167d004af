"""JSON-lines logs for every process, each line naming the request or job it served.

`configure_logging` puts one JSON object per line on stderr; `bind` adds fields (a
`requestId`, a `jobId`) to every line logged in the current context; `with_request_id`
is an ASGI middleware that binds the caller's `X-Request-ID` (or a new one) for the
request and sends it back. Only the standard library: no web framework here.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any

import msgspec

Fields = tuple[tuple[str, str], ...]
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
# loose on purpose: any framework's typed scope, receive and send fit
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]

_fields: ContextVar[Fields] = ContextVar("loadstar_log_fields", default=())
_encode = msgspec.json.Encoder().encode
_HEADER = b"x-request-id"


def bind(**fields: str) -> Token[Fields]:
    """Add fields to every line logged from here on in this context."""
    return _fields.set(_fields.get() + tuple(fields.items()))


class JsonLinesFormatter(logging.Formatter):
    def __init__(self, process: str) -> None:
        super().__init__()
        self._process = process

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "process": self._process,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_fields.get())
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _encode(entry).decode()


def configure_logging(process: str, level: str = "INFO") -> None:
    """JSON lines on stderr from the root logger; a second call changes nothing."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonLinesFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLinesFormatter(process))
    root.addHandler(handler)
    root.setLevel(level)


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == _HEADER and 0 < len(value) <= 128:
            return bytes(value).decode("latin-1")
    return uuid.uuid4().hex


def with_request_id(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: each HTTP or WebSocket request logs under its own `requestId`."""

    async def middleware(scope: Scope, receive: Any, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        request_id = _request_id(scope)
        token = bind(requestId=request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                headers.append((_HEADER, request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            _fields.reset(token)

    return middleware
