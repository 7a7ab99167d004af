"""The notebook runtime's life: the kernel host starts with the app, and its kernels end
with it."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar

from control_plane.notebooks.kernel_settings import KernelSettings
from control_plane.notebooks.runtime import NotebookRuntime

log = logging.getLogger("loadstar.notebooks")
_PR_SET_DUMPABLE = 4


def _not_dumpable() -> None:
    """Kernels of the same OS user (a control plane that does not run as root) could read
    this process's environment in /proc; a process that is not dumpable has its /proc
    files owned by root."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)


@asynccontextmanager
async def notebooks_lifespan(app: Litestar) -> AsyncIterator[None]:
    runtime = NotebookRuntime(KernelSettings.from_env(), app.state.jwt_auth)
    _not_dumpable()
    await runtime.start()
    app.state.notebooks = runtime
    try:
        yield
    finally:
        await runtime.stop()
