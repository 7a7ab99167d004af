"""Webhook delivery: a signed JSON body, retried with exponential backoff, every attempt logged.

The signature lets a receiver check the body came from this platform and is fresh:
`X-Loadstar-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>` with the
rule's shared secret (the scheme Stripe and Slack use, so receivers know it). A 2xx ends
delivery; a 5xx, a 429, a timeout or a refused connection is retried after 1, 2, 4, ...
times `base_delay_s` (capped at `max_delay_s`) up to `attempts` tries; another 4xx is final:
sending the same body again cannot help.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import msgspec

from schemas.base import Wire

SIGNATURE_HEADER = "X-Loadstar-Signature"
EVENT_HEADER = "X-Loadstar-Event"


class DeliveryAttempt(Wire, omit_defaults=False):
    attempt: int
    at: datetime
    status: int | None  # the receiver's HTTP status; None when it was not reached
    error: str | None
    seconds: float


class DeliveryResult(Wire, omit_defaults=False):
    delivered: bool
    attempts: list[DeliveryAttempt]


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(secret: str, body: bytes, header: str, tolerance_s: int = 300) -> bool:
    """What a receiver does: the signature matches and is at most `tolerance_s` old."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    expected = sign(secret, body, timestamp)
    return hmac.compare_digest(expected, header) and abs(time.time() - timestamp) <= tolerance_s


def _retryable(status: int) -> bool:
    return status >= 500 or status == 429


async def deliver(
    url: str,
    payload: Any,
    secret: str,
    *,
    event: str = "alert",
    attempts: int = 5,
    base_delay_s: float = 1.0,
    max_delay_s: float = 60.0,
    timeout_s: float = 10.0,
    client: httpx.AsyncClient | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> DeliveryResult:
    """POSTs `payload` as JSON to `url` until a 2xx, a final 4xx, or `attempts` tries."""
    body = msgspec.json.encode(payload)
    log: list[DeliveryAttempt] = []
    own = client is None
    http = client or httpx.AsyncClient()
    try:
        for n in range(1, attempts + 1):
            started = time.perf_counter()
            at = datetime.now(UTC)
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(secret, body, int(time.time())),
                EVENT_HEADER: event,
            }
            status: int | None = None
            error: str | None = None
            try:
                resp = await http.post(url, content=body, headers=headers, timeout=timeout_s)
                status = resp.status_code
                if not 200 <= status < 300:
                    error = resp.text[:300] or f"HTTP {status}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"[:300]
            log.append(
                DeliveryAttempt(
                    attempt=n,
                    at=at,
                    status=status,
                    error=error,
                    seconds=time.perf_counter() - started,
                )
            )
            if status is not None and 200 <= status < 300:
                return DeliveryResult(delivered=True, attempts=log)
            if status is not None and not _retryable(status):
                break
            if n < attempts:
                await sleep(min(max_delay_s, base_delay_s * 2 ** (n - 1)))
        return DeliveryResult(delivered=False, attempts=log)
    finally:
        if own:
            await http.aclose()
