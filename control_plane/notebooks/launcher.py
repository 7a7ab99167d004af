"""The kernel's launcher: set the resource limits, drop root, then become the kernel.

    python -m control_plane.notebooks.launcher --memory-mb M --cpu-seconds S --open-files N \
        [--uid U --gid G] -- python -m ipykernel_launcher -f CONNECTION_FILE

It runs between fork and the kernel's own start, with the kernel's clean environment, and
replaces itself with the kernel (`os.execv`): the limits and the user are the kernel's.
Imports only the standard library, so it adds little to a kernel's start.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import sys
from pathlib import Path

# Room for what a Python process reserves without using (thread stacks, allocator arenas)
# above the memory limit (polars and its allocator reserve much; with 1 GiB a 400 MiB
# kernel failed to start threads): the address-space limit is a backstop; the control plane's
# watchdog enforces the limit itself on resident memory.
ADDRESS_SPACE_HEADROOM_MB = 4096


def apply_limits(memory_mb: int, cpu_seconds: int, open_files: int) -> None:
    address_space = (memory_mb + ADDRESS_SPACE_HEADROOM_MB) << 20
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    # SIGXCPU at the soft limit ends the kernel; the hard one a few seconds later for sure
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


_PR_CAPBSET_DROP = 24
_PR_SET_NO_NEW_PRIVS = 38


def _drop_capabilities() -> None:
    """Empty the capability bounding set: after `execv` a root process keeps uid 0 but no
    capability (no reading other processes' memory or environment, no overriding file
    modes, no ptrace); no setuid program can give any back."""
    libc = ctypes.CDLL(None, use_errno=True)
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    for cap in range(last + 1):
        libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0)
    libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def drop_privileges(uid: int, gid: int, connection_file: str | None) -> None:
    """From root to the kernel's user (the connection file is handed over first, the
    kernel reads it) and no capabilities; nothing to do for a control plane not run as
    root, whose kernels run as its own user."""
    if os.getuid() != 0:
        return
    if uid != 0:
        if connection_file:
            os.chown(connection_file, uid, gid)
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        return
    _drop_capabilities()


def _connection_file(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv[:-1]):
        if arg == "-f":
            return argv[i + 1]
    return None


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    split = args.index("--")
    parser = argparse.ArgumentParser(prog="launcher")
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--cpu-seconds", type=int, required=True)
    parser.add_argument("--open-files", type=int, required=True)
    parser.add_argument("--uid", type=int, default=65534)
    parser.add_argument("--gid", type=int, default=65534)
    opts = parser.parse_args(args[:split])
    command = args[split + 1 :]
    drop_privileges(opts.uid, opts.gid, _connection_file(command))
    apply_limits(opts.memory_mb, opts.cpu_seconds, opts.open_files)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
