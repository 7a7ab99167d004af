"""Kernel limits and caps, read from the environment when the control plane starts."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import msgspec


class KernelSettings(msgspec.Struct, frozen=True, kw_only=True):
    memory_mb: int = 1024  # resident memory; past it the kernel is stopped
    cpu_seconds: int = 3600  # CPU time of one kernel process in its whole life
    open_files: int = 256
    idle_cull_seconds: int = 1800  # an idle kernel is shut down after this long
    max_per_user: int = 3
    max_per_host: int = 16
    token_ttl_seconds: int = 3600  # of the token the kernel's `loadstar` client uses
    start_timeout_seconds: float = 60.0
    root_dir: Path = Path(tempfile.gettempdir()) / "loadstar-kernels"
    api_url: str | None = None  # the URL kernels reach the API at; else the request's
    uid: int = 65534  # the user kernels run as when the control plane runs as root
    gid: int = 65534

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> KernelSettings:
        env = os.environ if env is None else env
        prefix = "LOADSTAR_KERNEL_"
        raw = {
            field: env[prefix + field.upper()]
            for field in cls.__struct_fields__
            if prefix + field.upper() in env
        }
        if "LOADSTAR_NOTEBOOK_API_URL" in env:
            raw["api_url"] = env["LOADSTAR_NOTEBOOK_API_URL"]
        root_dir = raw.pop("root_dir", None)
        settings = msgspec.convert(raw, cls, strict=False)
        return (
            settings
            if root_dir is None
            else msgspec.structs.replace(settings, root_dir=Path(root_dir))
        )
