"""`/ws/inference/stream`: a token is required, and results published by the stream
runner reach the socket (each grid point once)."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
import redis.asyncio as aioredis

from control_plane.streams.runner import channel

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def test_published_results_reach_the_socket_once(cp_client, admin_headers, settings) -> None:
    deployment = f"dep-{uuid.uuid4().hex[:8]}"
    with await cp_client.websocket_connect(f"/ws/inference/stream?deploymentId={deployment}") as ws:
        refused: dict[str, Any] = json.loads(ws.receive_bytes())
        assert refused["code"] == "UNAUTHORIZED"

    token = admin_headers["Authorization"].split()[1]
    url = f"/ws/inference/stream?deploymentId={deployment}&token={token}"
    event = {
        "type": "forecast",
        "deploymentId": deployment,
        "streamId": "st-1",
        "point": "2026-01-01T00:00:00Z",
    }
    client = aioredis.Redis.from_url(settings.redis_url)
    loop = asyncio.get_running_loop()
    try:
        with await cp_client.websocket_connect(url) as ws:
            received = loop.run_in_executor(None, ws.receive_json)
            for _ in range(100):  # until the relay has subscribed
                await client.publish(channel(settings.namespace, deployment), json.dumps(event))
                done, _ = await asyncio.wait([received], timeout=0.1)
                if done:
                    break
            assert (await received) == event
            second = loop.run_in_executor(None, ws.receive_json)
            later = {**event, "point": "2026-01-01T01:00:00Z"}
            await client.publish(channel(settings.namespace, deployment), json.dumps(later))
            assert (await asyncio.wait_for(second, timeout=10))["point"] == later["point"]
    finally:
        await client.aclose()
