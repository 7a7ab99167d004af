"""Console-like users against a running control plane: no 5xx, p95 under 500 ms.

    .venv/bin/python -m benchmarks.control_plane_load [--url http://127.0.0.1:8080]
                                                      [--users 50] [--minutes 1]

The users share one login (password hashing is meant to be slow: fifty logins at once
would measure argon2, not the pages), then each loops like someone at the console: the
dataset list, one dataset's first rows and its explore preview, the training job list
and one job's status, with a short think time between pages. One row per `--every`
seconds: requests, 5xx, other errors, p50/p95/p99 in ms. The seed's target is p95
under 500 ms with 50 users for 5 minutes (`--minutes 5`); the default is one minute.
It uploads one small dataset (ETTh1's first 2,000 rows) when the server has none, and
uses the stack it is pointed at (`make up`; admin / loadstar-admin unless
LOADSTAR_ADMIN_* say otherwise).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx
import numpy as np
import psutil

DATA = Path(__file__).resolve().parents[1] / "infra" / "demo" / "data" / "ETTh1.csv"
SLO_P95_MS = 500.0


class Window:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.server_errors = 0
        self.other_errors = 0


async def login(client: httpx.AsyncClient) -> dict[str, str]:
    resp = await client.post(
        "/api/auth/login",
        json={
            "username": os.environ.get("LOADSTAR_ADMIN_USER", "admin"),
            "password": os.environ.get("LOADSTAR_ADMIN_PASSWORD", "loadstar-admin"),
        },
    )
    resp.raise_for_status()
    return {"Authorization": f"Bearer {resp.json()['accessToken']}"}


async def a_dataset(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    listed = (await client.get("/api/datasets", headers=headers)).json()
    if listed["items"]:
        return str(listed["items"][0]["id"])
    with DATA.open("rb") as handle:
        content = b"".join(handle.readline() for _ in range(2000))
    resp = await client.post(
        "/api/datasets",
        files={"file": ("load-test.csv", content, "text/csv")},
        data={"name": "load test"},
        headers=headers,
        timeout=120,
    )
    resp.raise_for_status()
    return str(resp.json()["id"])


async def user(
    url: str,
    end: float,
    windows: list[Window],
    dataset_id: str,
    headers: dict[str, str],
    seed: int,
) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        pages = [
            "/api/datasets?page=1&pageSize=20",
            f"/api/datasets/{dataset_id}/preview?offset=0&limit=50",
            f"/api/explore/preview?datasetId={dataset_id}&sampleSize=20",
            "/api/training/jobs?page=1&pageSize=20",
        ]
        job_id: str | None = None
        while time.perf_counter() < end:
            path = rng.choice([*pages, f"/api/training/jobs/{job_id}" if job_id else pages[3]])
            started = time.perf_counter()
            try:
                resp = await client.get(path, headers=headers)
                status = resp.status_code
                if path.startswith("/api/training/jobs?") and status == 200:
                    items = resp.json()["items"]
                    job_id = items[0]["id"] if items else None
            except httpx.HTTPError:
                status = 0
            window = windows[-1]
            window.latencies.append(time.perf_counter() - started)
            window.server_errors += status >= 500
            window.other_errors += status == 0 or 400 <= status < 500
            await asyncio.sleep(rng.uniform(0.2, 1.0))  # a person reads the page


def server_process(url: str) -> psutil.Process | None:
    """The local process listening on the URL's port (its CPU is sampled), if any."""
    port = urlparse(url).port or 80
    try:
        connections = psutil.net_connections("tcp")
    except psutil.AccessDenied:
        return None
    for conn in connections:
        listening = conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port
        if listening and conn.pid:
            return psutil.Process(conn.pid)
    return None


def cpu_seconds(proc: psutil.Process | None) -> float:
    if proc is None:
        return float("nan")
    try:
        times = proc.cpu_times()
    except psutil.Error:
        return float("nan")
    return float(times.user + times.system)


async def run(url: str, users: int, minutes: float, every: float) -> int:
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        headers = await login(client)
        dataset_id = await a_dataset(client, headers)
    windows = [Window()]
    end = time.perf_counter() + minutes * 60
    print(f"{users} console-like users on {url} for {minutes:g} min (dataset {dataset_id})")
    head = ("t s", "requests", "5xx", "4xx/net", "p50 ms", "p95 ms", "p99 ms", "CP CPU %")
    server = server_process(url)
    cpu_before, cpu_start = cpu_seconds(server), cpu_seconds(server)
    print("  ".join(f"{h:>9}" for h in head))
    tasks = [
        asyncio.create_task(user(url, end, windows, dataset_id, headers, i)) for i in range(users)
    ]
    start = time.perf_counter()
    sampled = start
    everything = Window()
    while not all(t.done() for t in tasks):
        left = end - time.perf_counter()
        if left > 0:
            await asyncio.sleep(min(every, left))
        else:  # the last pages still in flight
            await asyncio.wait(tasks)
        window = windows[-1]
        windows.append(Window())
        lat = np.array(window.latencies or [0.0]) * 1e3
        p50, p95, p99 = np.percentile(lat, [50, 95, 99])
        now, cpu_now = time.perf_counter(), cpu_seconds(server)
        busy = (cpu_now - cpu_before) / (now - sampled) * 100  # of one core
        sampled, cpu_before = now, cpu_now
        row = (now - start, len(window.latencies), window.server_errors)
        print(
            f"{row[0]:>9.1f}  {row[1]:>9}  {row[2]:>9}  {window.other_errors:>9}  "
            f"{p50:>9.1f}  {p95:>9.1f}  {p99:>9.1f}  {busy:>9.0f}"
        )
        everything.latencies += window.latencies
        everything.server_errors += window.server_errors
        everything.other_errors += window.other_errors
    for task in tasks:
        task.result()  # a user that crashed is a failed run
    lat = np.array(everything.latencies or [0.0]) * 1e3
    p50, p95, p99 = np.percentile(lat, [50, 95, 99])
    ok = everything.server_errors == 0 and p95 < SLO_P95_MS
    per_request = (cpu_seconds(server) - cpu_start) / max(1, len(everything.latencies)) * 1e3
    print(
        f"all: {len(everything.latencies)} requests, 5xx {everything.server_errors}, "
        f"p50 {p50:.1f} / p95 {p95:.1f} / p99 {p99:.1f} ms, "
        f"control plane CPU {per_request:.2f} ms per request "
        f"({'meets' if ok else 'MISSES'} no 5xx and p95 < {SLO_P95_MS:.0f} ms)"
    )
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--every", type=float, default=10.0)
    args = parser.parse_args(argv)
    return asyncio.run(run(args.url, args.users, args.minutes, args.every))


if __name__ == "__main__":
    raise SystemExit(main())
