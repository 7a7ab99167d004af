"""A PostgreSQL server of the test's own, on a free port, to stop and start at will
(never the shared one)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import asyncpg

from tests.integration.test_gateway_support import free_port


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        from infra.local.postgres import binaries

        return str(binaries() / name)
    return found


def _as_server_user() -> list[str]:
    # PostgreSQL refuses to run as root
    return ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []


class PrivatePostgres:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="loadstar-fault-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = self.root / "postgres.log"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        self.root.chmod(0o755)
        self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.data, "nobody")
            shutil.chown(self.root, "nobody")
        argv = [*_as_server_user(), _binary("initdb"), "-D", str(self.data), "-U", "postgres"]
        subprocess.run(
            [*argv, "--auth=trust", "-E", "UTF8"],
            check=True,
            capture_output=True,
        )

    def start(self, timeout: float = 30.0) -> None:
        argv = [*_as_server_user(), _binary("postgres"), "-D", str(self.data)]
        argv += ["-p", str(self.port), "-h", "127.0.0.1", "-k", str(self.root)]
        argv += ["-c", "fsync=off", "-c", "max_connections=60"]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc.poll() is None, self.log.read_text()[-2000:]
            try:
                subprocess.run(
                    [_binary("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                    check=True,
                    capture_output=True,
                )
                return
            except subprocess.CalledProcessError:
                assert time.monotonic() < deadline, self.log.read_text()[-2000:]
                time.sleep(0.2)

    def stop(self) -> None:
        """A fast shutdown: open connections are cut, as in a restart."""
        assert self.answers(), "stop() expects a running server"
        if self.proc is None:
            return
        # through pg_ctl, as the server's user: a signal to `runuser` would not reach it
        subprocess.run(
            [*_as_server_user(), _binary("pg_ctl"), "stop", "-D", str(self.data), "-m", "fast"],
            capture_output=True,
            check=False,
            timeout=60,
        )
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def answers(self) -> bool:
        probe = [_binary("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)]
        return subprocess.run(probe, capture_output=True, check=False).returncode == 0

    async def create_database(self, name: str) -> None:
        conn = await asyncpg.connect(self.url("postgres"))
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    def remove(self) -> None:
        if self.proc is not None and self.answers():
            self.stop()
        elif self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)
