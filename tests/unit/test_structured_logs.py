"""Log lines are JSON objects that name the process and the request or job they served."""

from __future__ import annotations

import contextvars
import logging
from typing import Any

import msgspec
import pytest

from loadstar_core.structured_logs import JsonLinesFormatter, bind, with_request_id

pytestmark = pytest.mark.anyio


def line(message: str) -> dict[str, Any]:
    record = logging.LogRecord("loadstar.test", logging.INFO, __file__, 1, message, (), None)
    return msgspec.json.decode(JsonLinesFormatter("worker").format(record))


def test_a_line_carries_the_fields_bound_in_its_context() -> None:
    def in_a_job() -> dict[str, Any]:
        bind(jobId="job-1")
        return line("training")

    entry = contextvars.copy_context().run(in_a_job)
    assert entry["jobId"] == "job-1" and entry["process"] == "worker"
    assert entry["message"] == "training" and entry["level"] == "info"
    assert "jobId" not in line("outside the job")


async def test_each_request_logs_under_its_id_and_gets_it_back() -> None:
    seen: list[dict[str, Any]] = []
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(line("handled"))
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "headers": [(b"x-request-id", b"abc")]}
    await with_request_id(app)(scope, None, send)
    assert seen[0]["requestId"] == "abc"
    assert (b"x-request-id", b"abc") in sent[0]["headers"]
    await with_request_id(app)({"type": "http", "headers": []}, None, send)
    assert len(seen[1]["requestId"]) == 32
