"""Make this machine look new to the project before CI tests it; check that nothing is left.

    python -m infra.local.fresh clean   # stop leftovers; drop the test databases, queues,
                                        # buckets (.run/) and published models
    python -m infra.local.fresh check   # exit 1 while anything of the project still runs

A project process is one whose command line names this checkout (its .venv, .tools, .run
or model repository), so another checkout's processes are never touched; the script and
the processes that started it are left alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
import time
from pathlib import Path
from typing import cast
from urllib.parse import urlparse, urlunparse

import psutil

from infra.local.services import DATABASE_URL, REDIS_URL, ROOT, RUN, SERVICES, port_open, redis_ping
from infra.local.stack import down

# Triton (http, grpc, metrics), the control plane, the gateway, and SeaweedFS's S3, master,
# volume and filer ports with their gRPC ports (+10000).
PORTS = (8000, 8001, 8002, 8080, 8090, 9000, 9333, 9340, 8888, 19000, 19333, 19340, 18888)
TEST_NAMESPACE = "loadstar-test"  # tests/conftest.py: queues and event streams of the tests
MODELS = Path(os.environ.get("TRITON_REPO_DIR", ROOT / "triton_repo" / "models"))


def project_processes() -> list[psutil.Process]:
    """Live processes of this checkout, other than this one and the ones that started it."""
    mine = {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    marker = f"{ROOT}{os.sep}"
    found = []
    for proc in psutil.process_iter(["pid", "cmdline", "status"]):
        if proc.pid in mine or proc.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        if any(marker in arg for arg in proc.info["cmdline"] or ()):
            found.append(proc)
    return found


def listeners() -> list[str]:
    """`port pid command` for each listening socket on a project port."""
    rows = []
    with contextlib.suppress(psutil.AccessDenied):
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port in PORTS:
                rows.append(f"port {conn.laddr.port} pid {conn.pid} {_command(conn.pid)}")
    if not rows:  # no socket table readable: probe the ports instead
        rows = [f"port {port} (owner unknown)" for port in PORTS if port_open("127.0.0.1", port)]
    return sorted(set(rows))


def _command(pid: int | None) -> str:
    try:
        return " ".join(psutil.Process(pid).cmdline())[:160] if pid else "?"
    except psutil.Error:
        return "?"


def stop_leftovers() -> None:
    down([s.name for s in SERVICES])  # what the stack's pid files name
    procs = project_processes()
    for proc in procs:
        print(f"fresh: stopping pid {proc.pid}: {_command(proc.pid)}")
        with contextlib.suppress(psutil.Error):
            proc.terminate()
    _, alive = psutil.wait_procs(procs, timeout=15)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(alive, timeout=10)


def drop_test_databases() -> None:
    import asyncpg

    u = urlparse(DATABASE_URL)
    if not port_open(u.hostname or "127.0.0.1", u.port or 5432):
        return  # no server: the project starts its own, with its data under .run/

    async def drop() -> None:
        conn = await asyncpg.connect(urlunparse(u._replace(path="/postgres")))
        try:
            names = await conn.fetch(
                "SELECT datname FROM pg_database"
                " WHERE datname = 'loadstar_test' OR datname LIKE 'loadstar\\_test\\_%'"
            )
            for (name,) in names:
                await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                print(f"fresh: dropped database {name}")
        finally:
            await conn.close()

    asyncio.run(drop())


def purge_test_namespaces() -> None:
    """The tests' queues and event streams, and the arq jobs still queued on them."""
    import redis

    if not redis_ping(REDIS_URL):
        return
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys: list[bytes] = list(client.scan_iter(match=f"{TEST_NAMESPACE}*", count=1000))
        for key in keys:
            if key.endswith(b":training") and client.type(key) == b"zset":
                members = cast(list[bytes], client.zrange(key, 0, -1))
                for member in members:
                    job = member.decode()
                    client.delete(f"arq:job:{job}", f"arq:in-progress:{job}", f"arq:retry:{job}")
        if keys:
            client.delete(*keys)
            print(f"fresh: deleted {len(keys)} Redis keys of the test namespaces")
    finally:
        client.close()


def remove_state() -> None:
    """.run/ (pid files, logs, the S3 store's buckets) and the published models."""
    shutil.rmtree(RUN, ignore_errors=True)
    if MODELS.is_dir():
        for entry in MODELS.iterdir():
            if entry.name != ".gitkeep":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def clean() -> int:
    stop_leftovers()
    drop_test_databases()
    purge_test_namespaces()
    remove_state()
    print(f"fresh: the machine looks new ({RUN} removed)")
    return 0


def leftovers() -> list[str]:
    return listeners() + [f"pid {p.pid} {_command(p.pid)}" for p in project_processes()]


def check(grace_s: float = 30.0) -> int:
    """Waits up to `grace_s` for processes that are still shutting down, then reports."""
    deadline = time.monotonic() + grace_s
    left = leftovers()
    while left and time.monotonic() < deadline:
        time.sleep(1)
        left = leftovers()
    for line in left:
        print(f"fresh: still running: {line}", file=sys.stderr)
    if not left:
        print("fresh: nothing of the project is running")
    return 1 if left else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["clean", "check"])
    args = parser.parse_args(argv)
    return clean() if args.command == "clean" else check()


if __name__ == "__main__":
    sys.exit(main())
