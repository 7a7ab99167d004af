"""The kernel host: one IPython kernel per open notebook, each a separate process started
through jupyter_client with limits, a clean environment and a directory of its own; a
watchdog that enforces the memory limit, notices deaths and culls idle kernels."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

from control_plane.notebooks.events import EventLog
from control_plane.notebooks.kernel_settings import KernelSettings
from control_plane.notebooks.schemas import KernelLimits, KernelOut, KernelState
from schemas.errors import Conflict, NotFound

log = logging.getLogger("loadstar.notebooks.kernels")
WATCH_EVERY_S = 0.1
_VENV_BIN = str(Path(sys.executable).parent)


@dataclass
class Kernel:
    notebook_id: str
    username: str
    manager: AsyncKernelManager
    client: AsyncKernelClient
    workdir: Path
    pid: int
    state: KernelState = "idle"
    reason: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    last_activity: datetime = field(default_factory=lambda: datetime.now(UTC))
    execution_count: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def alive(self) -> bool:
        return self.state not in ("dead", "none")

    def touch(self) -> None:
        self.last_activity = datetime.now(UTC)


def kernel_env(settings: KernelSettings, workdir: Path, extra: dict[str, str]) -> dict[str, str]:
    """The whole environment of a kernel: nothing of the control plane's own (no secrets,
    no database or S3 addresses), only what Python, IPython and matplotlib need, and the
    `loadstar` client's URL and token."""
    shared = settings.root_dir / ".shared"
    return {
        "PATH": f"{_VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workdir),
        "LANG": "C.UTF-8",
        "IPYTHONDIR": str(workdir / ".ipython"),
        "MPLCONFIGDIR": str(shared / "matplotlib"),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYTHONNOUSERSITE": "1",
        **extra,
    }


def _reachable_by_others(path: Path) -> bool:
    """Whether a user other than root can run `path` (every folder above it searchable)."""
    real = path.resolve()
    folders = [real.parent, *real.parent.parents]
    return bool(real.stat().st_mode & 0o001) and all(f.stat().st_mode & 0o001 for f in folders)


def kernel_user(settings: KernelSettings) -> tuple[int, int]:
    """Who kernels run as: the configured unprivileged user when this process is root and
    that user can run this Python; else this process's own user (root then keeps no
    capability, see the launcher)."""
    if os.getuid() == 0 and _reachable_by_others(Path(sys.executable)):
        return settings.uid, settings.gid
    return os.getuid(), os.getgid()


def _prepare_dir(path: Path, owner: tuple[int, int]) -> None:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    if os.getuid() == 0:
        os.chown(path, *owner)


class KernelHost:
    """All kernels of this process. Every method runs on the event loop."""

    def __init__(self, settings: KernelSettings) -> None:
        self.settings = settings
        self.kernels: dict[str, Kernel] = {}
        self.events: dict[str, EventLog] = {}
        self.reasons: dict[str, str] = {}  # why a notebook's last kernel ended
        self._watch: asyncio.Task[None] | None = None
        self._starting: set[str] = set()
        self.user = kernel_user(settings)

    def limits(self) -> KernelLimits:
        s = self.settings
        return KernelLimits(
            memoryMb=s.memory_mb,
            cpuSeconds=s.cpu_seconds,
            openFiles=s.open_files,
            idleCullSeconds=s.idle_cull_seconds,
        )

    def log_of(self, notebook_id: str) -> EventLog:
        return self.events.setdefault(notebook_id, EventLog())

    async def start(self) -> None:
        shared = self.settings.root_dir / ".shared"
        for folder in (self.settings.root_dir, shared, shared / "matplotlib"):
            _prepare_dir(folder, self.user)
        self.settings.root_dir.chmod(0o711)  # each kernel reaches its own folder only
        self._watch = asyncio.create_task(self._watchdog())

    async def stop(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        await asyncio.gather(
            *(self.shutdown(nb, "the control plane stopped") for nb in list(self.kernels)),
            return_exceptions=True,
        )

    def describe(self, notebook_id: str) -> KernelOut:
        kernel = self.kernels.get(notebook_id)
        if kernel is None:
            state: KernelState = "dead" if notebook_id in self.reasons else "none"
            if notebook_id in self._starting:
                state = "starting"
            return KernelOut(
                notebookId=notebook_id,
                state=state,
                limits=self.limits(),
                reason=self.reasons.get(notebook_id),
                lastSeq=self.log_of(notebook_id).last_seq,
            )
        return KernelOut(
            notebookId=notebook_id,
            state=kernel.state,
            limits=self.limits(),
            reason=kernel.reason,
            startedAt=kernel.started_at,
            lastActivity=kernel.last_activity,
            executionCount=kernel.execution_count,
            lastSeq=self.log_of(notebook_id).last_seq,
        )

    def _check_caps(self, username: str) -> None:
        live = [k for k in self.kernels.values() if k.alive]
        if len(live) + len(self._starting) >= self.settings.max_per_host:
            raise Conflict(
                f"this host runs its most kernels ({self.settings.max_per_host}); try later",
                {"maxPerHost": self.settings.max_per_host},
            )
        per_user = Counter(k.username for k in live)
        if per_user[username] >= self.settings.max_per_user:
            raise Conflict(
                f"you have {per_user[username]} kernels running, the most per user: "
                "shut one down first",
                {"maxPerUser": self.settings.max_per_user},
            )

    async def open(self, notebook_id: str, username: str, env: dict[str, str]) -> Kernel:
        """The notebook's kernel, started (and ready to execute) when it has none."""
        kernel = self.kernels.get(notebook_id)
        if kernel is not None and kernel.alive:
            return kernel
        if notebook_id in self._starting:
            raise Conflict("the notebook's kernel is starting", {"notebookId": notebook_id})
        if kernel is not None:
            await self._dispose(kernel)
        self._check_caps(username)
        self._starting.add(notebook_id)
        try:
            kernel = await self._launch(notebook_id, username, env)
        finally:
            self._starting.discard(notebook_id)
        self.kernels[notebook_id] = kernel
        self.reasons.pop(notebook_id, None)
        await self.log_of(notebook_id).publish("kernel", {"state": "idle"})
        return kernel

    async def _launch(self, notebook_id: str, username: str, extra: dict[str, str]) -> Kernel:
        s = self.settings
        workdir = s.root_dir / notebook_id
        _prepare_dir(workdir, self.user)
        launcher = [
            sys.executable,
            "-m",
            "control_plane.notebooks.launcher",
            f"--memory-mb={s.memory_mb}",
            f"--cpu-seconds={s.cpu_seconds}",
            f"--open-files={s.open_files}",
            f"--uid={self.user[0]}",
            f"--gid={self.user[1]}",
            "--",
        ]
        spec = KernelSpec(
            argv=[*launcher, sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name="Python 3 (Loadstar)",
            language="python",
            interrupt_mode="signal",
            env={},
        )
        # Unix sockets in the kernel's own folder (mode 700): no other user of the host
        # can connect to its channels, and nothing listens on a TCP port
        manager = AsyncKernelManager(
            connection_file=str(workdir / "kernel-connection.json"),
            transport="ipc",
            ip=str(workdir / "kernel-ipc"),
        )
        manager._kernel_spec = spec  # the spec above, not one looked up on disk
        await manager.start_kernel(env=kernel_env(s, workdir, extra), cwd=str(workdir))
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=s.start_timeout_seconds)
        except (RuntimeError, TimeoutError) as exc:
            client.stop_channels()
            await manager.shutdown_kernel(now=True)
            raise Conflict(f"the kernel did not start: {exc}", {"notebookId": notebook_id}) from exc
        pid = manager.provisioner.pid if manager.provisioner is not None else None  # type: ignore[attr-defined]
        return Kernel(
            notebook_id=notebook_id,
            username=username,
            manager=manager,
            client=client,
            workdir=workdir,
            pid=int(pid or 0),
        )

    def get(self, notebook_id: str) -> Kernel:
        kernel = self.kernels.get(notebook_id)
        if kernel is None:
            raise NotFound(
                "the notebook has no kernel (open it first)", {"notebookId": notebook_id}
            )
        return kernel

    async def interrupt(self, notebook_id: str) -> KernelOut:
        kernel = self.get(notebook_id)
        if kernel.alive:
            await kernel.manager.interrupt_kernel()
            kernel.touch()
        return self.describe(notebook_id)

    async def mark_dead(self, kernel: Kernel, reason: str) -> None:
        if kernel.state == "dead":
            return
        kernel.state = "dead"
        kernel.reason = reason
        self.reasons[kernel.notebook_id] = reason
        log.warning("kernel of %s ended: %s", kernel.notebook_id, reason)
        await self.log_of(kernel.notebook_id).publish("kernel", {"state": "dead", "reason": reason})

    async def _dispose(self, kernel: Kernel) -> None:
        kernel.client.stop_channels()
        with contextlib.suppress(Exception):
            await kernel.manager.shutdown_kernel(now=True)
        await kernel.manager.cleanup_resources()
        if self.kernels.get(kernel.notebook_id) is kernel:
            del self.kernels[kernel.notebook_id]

    async def shutdown(self, notebook_id: str, reason: str) -> KernelOut:
        kernel = self.kernels.get(notebook_id)
        if kernel is not None:
            await self.mark_dead(kernel, reason)
            await self._dispose(kernel)
        return self.describe(notebook_id)

    def _exit_reason(self, kernel: Kernel) -> str:
        process = getattr(kernel.manager.provisioner, "process", None)
        code = process.poll() if process is not None else None
        if code == -signal.SIGXCPU:
            return f"the kernel used up its CPU time limit of {self.settings.cpu_seconds} s"
        if code is not None and code < 0:
            return f"the kernel was killed by signal {signal.Signals(-code).name}"
        return f"the kernel exited (status {code})"

    async def _check(self, kernel: Kernel) -> None:
        if not kernel.alive:
            if not kernel.lock.locked():  # its last execution has seen it die
                await self._dispose(kernel)
            return
        if not await kernel.manager.is_alive():
            await self.mark_dead(kernel, self._exit_reason(kernel))
            return
        try:
            rss = psutil.Process(kernel.pid).memory_info().rss
        except psutil.Error:
            return
        if rss > self.settings.memory_mb << 20:
            with contextlib.suppress(ProcessLookupError):
                os.kill(kernel.pid, signal.SIGKILL)
            await self.mark_dead(
                kernel,
                f"memory limit of {self.settings.memory_mb} MiB exceeded "
                f"({rss >> 20} MiB resident): the kernel was stopped; restart it to go on",
            )
            return
        idle_s = (datetime.now(UTC) - kernel.last_activity).total_seconds()
        if (
            kernel.state == "idle"
            and not kernel.lock.locked()
            and idle_s > self.settings.idle_cull_seconds
        ):
            await self.shutdown(
                kernel.notebook_id, f"shut down after {self.settings.idle_cull_seconds} s idle"
            )

    async def _watchdog(self) -> None:
        while True:
            for kernel in list(self.kernels.values()):
                try:
                    await self._check(kernel)
                except Exception:
                    log.exception("watching the kernel of %s failed", kernel.notebook_id)
            await asyncio.sleep(WATCH_EVERY_S)

    def snapshot(self) -> dict[str, Any]:
        return {nb: k.state for nb, k in self.kernels.items()}
