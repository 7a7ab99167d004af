"""Start, check and stop the local stack as plain processes.

    python -m infra.local.stack up [service ...]     # start what is not running, wait healthy
    python -m infra.local.stack status
    python -m infra.local.stack down [service ...]   # stop only what this script started
    python -m infra.local.stack run -- COMMAND...    # then stop what COMMAND left running

Pid files and logs live under `.run/` (pids/, logs/). Running `up` twice is harmless.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from infra.local.postgres import create_database
from infra.local.services import BY_NAME, DATABASE_URL, RUN, SERVICES, Service

PIDS = RUN / "pids"
LOGS = RUN / "logs"


def _pidfile(name: str) -> Path:
    return PIDS / f"{name}.pid"


def _alive(pid: int) -> bool:
    """True for a live process; a zombie (unreaped, as PID 1 here may leave it) is dead."""
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def our_pid(name: str) -> int | None:
    try:
        pid = int(_pidfile(name).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def log_tail(name: str, lines: int = 25) -> str:
    path = LOGS / f"{name}.log"
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def state_of(svc: Service) -> tuple[str, int | None]:
    pid = our_pid(svc.name)
    healthy = svc.healthy()
    if pid is None and svc.needs_pid:
        return "stopped", None
    if pid is not None:
        return ("healthy" if healthy else "starting"), pid
    if healthy:
        return "external", None
    return "stopped", None


def start(svc: Service) -> int:
    assert svc.argv is not None
    PIDS.mkdir(parents=True, exist_ok=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **svc.env()}
    log = open(LOGS / f"{svc.name}.log", "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(
        svc.argv(),
        cwd=svc.cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    _pidfile(svc.name).write_text(str(proc.pid))
    return proc.pid


def wait_healthy(svc: Service, pid: int | None) -> bool:
    deadline = time.monotonic() + svc.start_timeout
    while time.monotonic() < deadline:
        if pid is not None and not _alive(pid):
            return False
        # a worker has no port: healthy means it also stayed up past its start-up
        settled = not svc.needs_pid or time.monotonic() > deadline - svc.start_timeout + 2
        if settled and svc.healthy():
            return True
        time.sleep(0.2)
    return False


def up(names: list[str], catalog: dict[str, Service] = BY_NAME) -> int:
    """Start what is missing, wait for health; return how many services failed."""
    failed = 0
    rows = []
    for svc in [catalog[n] for n in names]:
        state, pid = state_of(svc)
        if state == "stopped":
            pid = start(svc)
            state = "healthy" if wait_healthy(svc, pid) else "FAILED"
        elif state == "starting":
            state = "healthy" if wait_healthy(svc, pid) else "FAILED"
        if svc.name == "postgres" and state != "FAILED":
            create_database(DATABASE_URL)  # an outside server may lack the URL's database
        if state == "FAILED":
            failed += 1
            print(f"\n--- {svc.name} failed to start; last lines of {LOGS / (svc.name + '.log')}:")
            print(log_tail(svc.name))
            if pid is not None and _alive(pid):
                _stop_pid(pid)
        rows.append((svc.name, svc.url, str(pid or "-"), state))
    _table(rows)
    return failed


def _stop_pid(pid: int, timeout: float = 15.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except OSError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    if _alive(pid):
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)


def down(names: list[str], catalog: dict[str, Service] = BY_NAME) -> None:
    for svc in reversed([catalog[n] for n in names]):
        pid = our_pid(svc.name)
        if pid is not None:
            _stop_pid(pid)
            print(f"stopped {svc.name} (pid {pid})")
        _pidfile(svc.name).unlink(missing_ok=True)


def status(names: list[str], catalog: dict[str, Service] = BY_NAME) -> int:
    rows = []
    bad = 0
    for svc in [catalog[n] for n in names]:
        state, pid = state_of(svc)
        bad += state in ("stopped", "starting")
        rows.append((svc.name, svc.url, str(pid or "-"), state))
    _table(rows)
    return bad


def ensure(names: list[str], catalog: dict[str, Service] = BY_NAME) -> list[str]:
    """Start the named services that are not answering; return the ones started here.
    When one fails, the ones started here are stopped again before the error is raised."""
    started = [n for n in names if state_of(catalog[n])[0] == "stopped"]
    if up(names, catalog):
        down(started, catalog)
        raise RuntimeError(f"could not start: {names}; logs in {LOGS}")
    return started


def run(command: list[str]) -> int:
    """Runs `command` (the test suite) and returns its exit status. Whatever it leaves
    running is stopped after it, whether it passed, failed or was interrupted: the stack's
    services it started, and the processes still in its process group."""
    before = {s.name for s in SERVICES if our_pid(s.name) is not None}
    proc = subprocess.Popen(command, start_new_session=True)

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return proc.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stop_group(proc.pid)
        down([s.name for s in SERVICES if s.name not in before])


def _stop_group(pgid: int, timeout: float = 15.0) -> None:
    """SIGTERM what is left of a process group (coverage data gets written), then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except OSError:
            return  # the group is empty
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _group_alive(pgid):
                return
            time.sleep(0.1)


def _group_alive(pgid: int) -> bool:
    """True while a live (not zombie) process is in the group."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def _table(rows: list[tuple[str, str, str, str]]) -> None:
    head = ("service", "url", "pid", "state")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    for r in [head, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["run"]:  # run -- COMMAND...
        command = argv[2:] if argv[1:2] == ["--"] else argv[1:]
        return run(command) if command else 2
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("services", nargs="*", help=f"default: all ({', '.join(BY_NAME)})")
    args = parser.parse_args(argv)
    names = args.services or [s.name for s in SERVICES]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown services: {unknown}")
    if args.command == "up":
        return 1 if up(names) else 0
    if args.command == "down":
        down(names)
        return 0
    return 1 if status(names) else 0


if __name__ == "__main__":
    sys.exit(main())
