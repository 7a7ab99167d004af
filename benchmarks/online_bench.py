"""Online feature reads: `GET /api/v2/feature-store/online` for 100 features against a
direct Redis MGET of the same 100 keys, in the same run, on loopback.

    .venv/bin/python -m benchmarks.online_bench [--url http://127.0.0.1:8080] [--requests 2000]

Needs a running control plane (`make up`, or `python -m infra.local.stack up postgres
redis s3 control_plane`). It creates a stream feature group of 100 features, writes one
reading of each (stream groups go online at once), then alternates rounds of HTTP reads
(one keep-alive connection) and MGETs (redis-py), and prints p50/p99 of each.
"""

from __future__ import annotations

import argparse
import http.client
import json
import time
import uuid
from urllib.parse import urlparse

import numpy as np
import redis

FEATURES = 100


def _call(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: object = None,
    token: str | None = None,
) -> dict[str, object]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    if resp.status >= 300:
        raise RuntimeError(f"{method} {path}: {resp.status} {data[:300]!r}")
    return json.loads(data)  # type: ignore[no-any-return]


def _pct(samples: list[float]) -> tuple[float, float]:
    ms = np.array(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--namespace", default="loadstar")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()

    u = urlparse(args.url)
    conn = http.client.HTTPConnection(u.hostname or "127.0.0.1", u.port or 80, timeout=10)
    try:
        conn.connect()
    except OSError as exc:
        raise SystemExit(
            f"online_bench needs a running control plane at {args.url}: {exc}"
        ) from exc
    token = str(
        _call(conn, "POST", "/api/auth/login", {"username": "admin", "password": "loadstar-admin"})[
            "accessToken"
        ]
    )
    name = f"bench_{uuid.uuid4().hex[:8]}"
    names = [f"f{i:03d}" for i in range(FEATURES)]
    group = {
        "name": name,
        "sourceType": "stream",
        "features": [{"name": n, "dtype": "float64", "unit": "kW"} for n in names],
    }
    _call(conn, "POST", "/api/v2/feature-store/groups", group, token)
    row = {
        "entity": "meter-1",
        "eventTime": "2026-01-01T00:00:00Z",
        "values": {n: float(i) for i, n in enumerate(names)},
    }
    _call(conn, "POST", "/api/v2/feature-store/ingest", {"group": name, "rows": [row]}, token)

    path = "/api/v2/feature-store/online?entity=meter-1&features=" + ",".join(
        f"{name}.{n}" for n in names
    )
    keys = [f"{args.namespace}:fs:v:{name}:meter-1:{n}" for n in names]
    client = redis.Redis.from_url(args.redis)
    answer = _call(conn, "GET", path, token=token)
    values = answer["values"]
    assert isinstance(values, list) and all(v["value"] is not None for v in values), answer
    assert all(v is not None for v in client.mget(keys))

    per_round = max(1, args.requests // args.rounds)
    http_s: list[float] = []
    mget_s: list[float] = []
    for _ in range(50):  # warm both paths
        _call(conn, "GET", path, token=token)
        client.mget(keys)
    for _ in range(args.rounds):
        for _ in range(per_round):
            t0 = time.perf_counter()
            _call(conn, "GET", path, token=token)
            http_s.append(time.perf_counter() - t0)
        for _ in range(per_round):
            t0 = time.perf_counter()
            client.mget(keys)
            mget_s.append(time.perf_counter() - t0)
    h50, h99 = _pct(http_s)
    m50, m99 = _pct(mget_s)
    print(f"online read of {FEATURES} features, {len(http_s)} requests each, loopback")
    print(f"  GET /api/v2/feature-store/online  p50 {h50:6.2f} ms   p99 {h99:6.2f} ms")
    print(f"  Redis MGET of the same keys       p50 {m50:6.2f} ms   p99 {m99:6.2f} ms")
    print(f"  goal p99 < 5 ms: {'met' if h99 < 5 else 'missed'}")


if __name__ == "__main__":
    main()
