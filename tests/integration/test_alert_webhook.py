"""Webhook delivery against a real local receiver: signed body, retried after a 500 with
backoff, a final 4xx not retried, an unreachable receiver logged on every try."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from control_plane.alerts.webhook import SIGNATURE_HEADER, deliver, verify

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
SECRET = "rule-secret"


class Receiver:
    """An HTTP server on a free port answering the statuses in `script`, then 200."""

    def __init__(self, script: list[int]) -> None:
        self.script = list(script)
        self.seen: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.seen.append((dict(self.headers), body))
                status = receiver.script.pop(0) if receiver.script else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"busy" if status >= 500 else b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def naps() -> Iterator[list[float]]:
    yield []


async def test_retried_after_a_500_and_signed(naps: list[float]) -> None:
    async def nap(seconds: float) -> None:
        naps.append(seconds)

    payload = {"kind": "spike", "deploymentId": "dep-1", "reason": "Spike: load 2.3x ..."}
    with Receiver([500, 503]) as receiver:
        result = await deliver(
            receiver.url, payload, SECRET, event="anomaly", base_delay_s=0.5, sleep=nap
        )
    assert result.delivered
    assert [a.status for a in result.attempts] == [500, 503, 200]
    assert result.attempts[0].error == "busy"
    assert naps == [0.5, 1.0]  # doubling backoff
    assert len(receiver.seen) == 3
    headers, body = receiver.seen[-1]
    assert json.loads(body) == payload and headers["X-Loadstar-Event"] == "anomaly"
    assert verify(SECRET, body, headers[SIGNATURE_HEADER])
    assert not verify("another-secret", body, headers[SIGNATURE_HEADER])
    assert not verify(SECRET, body + b" ", headers[SIGNATURE_HEADER])


async def test_a_4xx_is_final_and_an_absent_receiver_is_logged(naps: list[float]) -> None:
    async def nap(seconds: float) -> None:
        naps.append(seconds)

    with Receiver([404]) as receiver:
        result = await deliver(receiver.url, {"x": 1}, SECRET, sleep=nap)
    assert not result.delivered and [a.status for a in result.attempts] == [404]

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    closed = f"http://127.0.0.1:{probe.getsockname()[1]}/hook"
    probe.close()
    result = await deliver(
        closed, {"x": 1}, SECRET, attempts=3, base_delay_s=2, max_delay_s=3, sleep=nap
    )
    assert not result.delivered and [a.status for a in result.attempts] == [None, None, None]
    assert all(a.error and "ConnectError" in a.error for a in result.attempts)
    assert naps[-2:] == [2, 3]  # capped
