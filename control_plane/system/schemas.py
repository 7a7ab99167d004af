"""Wire shapes of system stats and log tails."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from schemas.base import Wire


class GpuStats(Wire):
    """One NVIDIA GPU as NVML reports it; fields a board does not support are absent."""

    index: int
    name: str
    uuid: str
    utilization: float  # % of time a kernel ran over the last sample period
    memoryUtilization: float  # % of time memory was read or written
    memoryUsedBytes: int
    memoryTotalBytes: int
    temperatureC: float | None = None
    powerWatts: float | None = None
    powerLimitWatts: float | None = None
    fanPercent: float | None = None


class CpuStats(Wire):
    percent: float
    perCore: list[float]
    logicalCores: int
    physicalCores: int | None = None
    load1: float | None = None
    load5: float | None = None
    load15: float | None = None


class MemoryStats(Wire):
    totalBytes: int
    usedBytes: int
    availableBytes: int
    percent: float


class DiskStats(Wire):
    path: str
    totalBytes: int
    usedBytes: int
    freeBytes: int
    percent: float


class StatsSummary(Wire):
    """The seed's flat gauge fields (first GPU), for dashboards that want one number each."""

    cpuLoad: float
    diskUsage: float
    memoryUsage: float
    gpuUtil: float | None = None
    gpuTemp: float | None = None
    vramUsedGb: float | None = None
    vramTotalGb: float | None = None


class SystemStats(Wire):
    timestamp: datetime
    gpuAvailable: bool
    gpus: list[GpuStats]
    cpu: CpuStats
    memory: MemoryStats
    disk: DiskStats
    summary: StatsSummary
    gpuMessage: str | None = None  # why there is no GPU, when there is none
    driverVersion: str | None = None


class SystemStatsMessage(Wire):
    """What `/ws/system` sends once a second."""

    type: Literal["system_stats"]
    data: SystemStats


class LogLine(Wire):
    msg: str
    time: str | None = None
    level: str | None = None


class LogTail(Wire):
    service: str
    lines: list[LogLine]
    available: list[str]


class LogEntry(Wire):
    """One line of the seed's `/system/logs?type=&limit=` answer, with the service it is from."""

    time: str | None
    level: str | None
    msg: str
    service: str
