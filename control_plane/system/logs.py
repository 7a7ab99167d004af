"""Tail the local stack's log files (`.run/logs/<service>.log`), newest lines last."""

from __future__ import annotations

import os
import re
from pathlib import Path

from control_plane.settings import REPO_ROOT
from control_plane.system.schemas import LogLine, LogTail
from schemas.errors import InvalidInput, NotFound

SERVICE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_BLOCK = 64 << 10
_MAX_BYTES = 8 << 20
_LEVEL = re.compile(r"\b(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\b")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
_HEAD = 48  # level and time are looked for at the start of a line only


def logs_dir() -> Path:
    """Where `infra.local.stack` writes logs (LOADSTAR_RUN_DIR, else `.run/`)."""
    return Path(os.environ.get("LOADSTAR_RUN_DIR", REPO_ROOT / ".run")) / "logs"


def available(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.log") if SERVICE_NAME.match(p.stem))


def tail_bytes(path: Path, lines: int) -> list[str]:
    """The last `lines` lines, reading backwards in blocks (at most 8 MiB)."""
    with path.open("rb") as handle:
        end = handle.seek(0, os.SEEK_END)
        data = b""
        position = end
        while position > 0 and data.count(b"\n") <= lines and end - position < _MAX_BYTES:
            step = min(_BLOCK, position)
            position -= step
            handle.seek(position)
            data = handle.read(step) + data
    text = data.decode("utf-8", errors="replace").splitlines()
    if position > 0 and text:
        text = text[1:]  # the first line read may be cut
    return text[-lines:]


def parse_line(line: str) -> LogLine:
    head = line[:_HEAD]
    level = _LEVEL.search(head)
    stamp = _TIME.search(head)
    return LogLine(
        msg=line,
        level=(
            {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level.group(1), level.group(1))
            if level
            else None
        ),
        time=stamp.group(0).replace(",", ".") if stamp else None,
    )


def tail(folder: Path, service: str, lines: int) -> LogTail:
    if not SERVICE_NAME.match(service):
        raise InvalidInput("service must be a plain name like control_plane", {"field": "service"})
    names = available(folder)
    if service not in names:
        raise NotFound(f"no log for service {service!r}", {"service": service, "available": names})
    content = tail_bytes(folder / f"{service}.log", lines)
    return LogTail(service=service, lines=[parse_line(x) for x in content], available=names)
