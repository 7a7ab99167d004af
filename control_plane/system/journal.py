"""Every service's log lines as one list: `?type=&limit=` (the seed's system logs), with a
search and a lowest level. Lines are read from the end of each log file, merged by their
time (a line with none takes the time of the line before it) and cut to the newest."""

from __future__ import annotations

import heapq
from pathlib import Path

from control_plane.system.logs import SERVICE_NAME, available, parse_line, tail_bytes
from control_plane.system.schemas import LogEntry
from schemas.errors import InvalidInput

# The seed's log types, and the services each covers; a service's own name works too.
TYPES: dict[str, tuple[str, ...]] = {
    "backend": ("control_plane",),
    "gateway": ("edge_gateway",),
    "worker": ("worker",),
    "inference": ("triton",),
    "storage": ("s3", "postgres", "redis"),
}
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_SCAN_FACTOR = 20  # with a search, read this many lines per line wanted (up to the 8 MiB cap)
_SCAN_MAX = 100_000


def services_for(folder: Path, type_: str | None) -> list[str]:
    names = available(folder)
    if not type_ or type_ == "all":
        return names
    if type_ in TYPES:
        return [n for n in TYPES[type_] if n in names]
    if SERVICE_NAME.match(type_) and type_ in names:
        return [type_]
    raise InvalidInput(
        f"unknown log type {type_!r}",
        {"field": "type", "allowed": ["all", *TYPES, *names]},
    )


def _time_key(time: str | None) -> str:
    """ISO-ish times compare as text once the date/time separator is the same."""
    return (time or "").replace("T", " ")[:26]


def _service_entries(
    path: Path, service: str, limit: int, q: str | None, min_level: int
) -> list[tuple[str, int, LogEntry]]:
    scan = min(limit * _SCAN_FACTOR, _SCAN_MAX) if q or min_level else limit
    found: list[tuple[str, int, LogEntry]] = []
    last = ""
    needle = q.lower() if q else None
    for index, raw in enumerate(tail_bytes(path, scan)):
        line = parse_line(raw)
        last = _time_key(line.time) or last
        if needle and needle not in raw.lower():
            continue
        if min_level and (line.level is None or LEVELS.index(line.level) < min_level):
            continue
        entry = LogEntry(time=line.time, level=line.level, msg=line.msg, service=service)
        found.append((last, index, entry))
    return found[-limit:]


def entries(
    folder: Path, type_: str | None, limit: int, q: str | None = None, level: str | None = None
) -> list[LogEntry]:
    if level is not None and level.upper() not in LEVELS:
        raise InvalidInput("level is one of " + ", ".join(LEVELS), {"field": "level"})
    min_level = LEVELS.index(level.upper()) if level else 0
    streams = [
        _service_entries(folder / f"{name}.log", name, limit, q, min_level)
        for name in services_for(folder, type_)
    ]
    merged = list(heapq.merge(*streams, key=lambda item: (item[0], item[1])))
    return [entry for _, _, entry in merged[-limit:]]
