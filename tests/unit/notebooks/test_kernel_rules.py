"""The kernel host's rules that need no kernel: caps per user and per host, the kernel's
environment built from nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from control_plane.notebooks.kernel_settings import KernelSettings
from control_plane.notebooks.kernels import Kernel, KernelHost, kernel_env
from schemas.errors import Conflict


def _kernel(notebook_id: str, username: str, state: Any = "idle") -> Kernel:
    # a record only: no kernel runs and nothing is written in its folder
    return Kernel(
        notebook_id=notebook_id,
        username=username,
        manager=None,  # type: ignore[arg-type]
        client=None,  # type: ignore[arg-type]
        workdir=Path("kernels") / notebook_id,
        pid=0,
        state=state,
    )


def test_caps_count_live_kernels_per_user_and_per_host(tmp_path: Path) -> None:
    host = KernelHost(KernelSettings(root_dir=tmp_path, max_per_user=2, max_per_host=3))
    host.kernels = {"nb-1": _kernel("nb-1", "ann"), "nb-2": _kernel("nb-2", "ann")}
    with pytest.raises(Conflict) as per_user:
        host._check_caps("ann")
    assert per_user.value.details == {"maxPerUser": 2}
    host._check_caps("bob")  # another user still may
    host.kernels["nb-3"] = _kernel("nb-3", "bob")
    with pytest.raises(Conflict) as per_host:
        host._check_caps("cid")
    assert per_host.value.details == {"maxPerHost": 3}
    host.kernels["nb-3"].state = "dead"  # a dead kernel takes no place
    host._check_caps("cid")


def test_a_dead_kernel_is_described_with_why(tmp_path: Path) -> None:
    host = KernelHost(KernelSettings(root_dir=tmp_path))
    assert host.describe("nb-x").state == "none"
    host.reasons["nb-x"] = "memory limit of 1024 MiB exceeded"
    described = host.describe("nb-x")
    assert (described.state, described.reason) == ("dead", "memory limit of 1024 MiB exceeded")


def test_the_kernel_environment_holds_nothing_of_the_platforms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOADSTAR_JWT_SECRET", "do-not-leak")
    monkeypatch.setenv("DATABASE_URL", "postgresql://secret@db/x")
    env = kernel_env(KernelSettings(root_dir=tmp_path), tmp_path / "nb-1", {"LOADSTAR_TOKEN": "t"})
    assert "do-not-leak" not in str(env) and "DATABASE_URL" not in env
    assert env["HOME"] == str(tmp_path / "nb-1") and env["LOADSTAR_TOKEN"] == "t"


def test_settings_come_from_the_environment(tmp_path: Path) -> None:
    settings = KernelSettings.from_env(
        {"LOADSTAR_KERNEL_MEMORY_MB": "512", "LOADSTAR_KERNEL_ROOT_DIR": str(tmp_path)}
    )
    assert settings.memory_mb == 512 and settings.root_dir == tmp_path
