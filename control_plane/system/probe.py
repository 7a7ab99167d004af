"""Read the host's GPUs (NVML through nvidia-ml-py), CPU, memory and disk (psutil).

Blocking calls: run `SystemProbe.snapshot` in a worker thread. A host without an NVIDIA
GPU or driver answers with no GPUs and the reason, never an error.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import psutil
import pynvml

from control_plane.system.schemas import (
    CpuStats,
    DiskStats,
    GpuStats,
    MemoryStats,
    StatsSummary,
    SystemStats,
)

T = TypeVar("T")
_RETRY_INIT_SECONDS = 30.0
_MIN_CPU_WINDOW = 0.2
GIB = 1 << 30


def _optional(read: Callable[[], T]) -> T | None:
    """A field the board may not support (fans on passively cooled cards, power on MIG)."""
    try:
        return read()
    except pynvml.NVMLError:
        return None


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class GpuReader:
    """NVML, initialised once; a failed initialisation is retried at most every 30 s."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ready = False
        self._failed_at = 0.0
        self._failure = ""

    def _init(self) -> str | None:
        if self._ready:
            return None
        if self._failure and time.monotonic() - self._failed_at < _RETRY_INIT_SECONDS:
            return self._failure
        try:
            pynvml.nvmlInit()
        except pynvml.NVMLError as exc:
            self._failed_at = time.monotonic()
            self._failure = f"no NVIDIA GPU on this host ({_text(exc) or type(exc).__name__})"
            return self._failure
        self._ready, self._failure = True, ""
        return None

    def read(self) -> tuple[list[GpuStats], str | None, str | None]:
        """(GPUs, why there are none, driver version)."""
        with self._lock:
            failure = self._init()
            if failure:
                return [], failure, None
            try:
                count = pynvml.nvmlDeviceGetCount()
                gpus = [self._device(i) for i in range(count)]
            except pynvml.NVMLError as exc:
                return [], f"NVML failed: {_text(exc)}", None
            driver = _optional(lambda: _text(pynvml.nvmlSystemGetDriverVersion()))
            return gpus, None if gpus else "NVML found no GPU devices", driver

    @staticmethod
    def _device(index: int) -> GpuStats:
        handle = pynvml.nvmlDeviceGetHandleByIndex(index)
        memory = pynvml.nvmlDeviceGetMemoryInfo(handle)
        rates = _optional(lambda: pynvml.nvmlDeviceGetUtilizationRates(handle))
        temperature = _optional(
            lambda: pynvml.nvmlDeviceGetTemperature(handle, pynvml.NVML_TEMPERATURE_GPU)
        )
        power = _optional(lambda: pynvml.nvmlDeviceGetPowerUsage(handle))
        limit = _optional(lambda: pynvml.nvmlDeviceGetEnforcedPowerLimit(handle))
        fan = _optional(lambda: pynvml.nvmlDeviceGetFanSpeed(handle))
        return GpuStats(
            index=index,
            name=_text(pynvml.nvmlDeviceGetName(handle)),
            uuid=_text(pynvml.nvmlDeviceGetUUID(handle)),
            utilization=float(rates.gpu) if rates is not None else 0.0,
            memoryUtilization=float(rates.memory) if rates is not None else 0.0,
            memoryUsedBytes=int(memory.used),
            memoryTotalBytes=int(memory.total),
            temperatureC=None if temperature is None else float(temperature),
            powerWatts=None if power is None else power / 1000.0,
            powerLimitWatts=None if limit is None else limit / 1000.0,
            fanPercent=None if fan is None else float(fan),
        )


class SystemProbe:
    """One snapshot of the host: GPUs, CPU (averaged since the previous snapshot, or over
    0.2 s when there is none that recent), memory and the disk holding `disk_path`."""

    def __init__(self, disk_path: Path, gpus: GpuReader | None = None) -> None:
        self.disk_path = disk_path
        self.gpus = gpus or GpuReader()
        self._cpu_lock = threading.Lock()
        self._last_cpu = 0.0

    def _cpu(self) -> CpuStats:
        with self._cpu_lock:
            since = time.monotonic() - self._last_cpu
            window = None if since >= _MIN_CPU_WINDOW else _MIN_CPU_WINDOW
            if self._last_cpu == 0.0:
                window = _MIN_CPU_WINDOW
            per_core = psutil.cpu_percent(interval=window, percpu=True)
            self._last_cpu = time.monotonic()
        load = os.getloadavg() if hasattr(os, "getloadavg") else None
        return CpuStats(
            percent=round(sum(per_core) / len(per_core), 1) if per_core else 0.0,
            perCore=[float(p) for p in per_core],
            logicalCores=psutil.cpu_count(logical=True) or len(per_core),
            physicalCores=psutil.cpu_count(logical=False),
            load1=load[0] if load else None,
            load5=load[1] if load else None,
            load15=load[2] if load else None,
        )

    def snapshot(self) -> SystemStats:
        gpus, why, driver = self.gpus.read()
        cpu = self._cpu()
        vm = psutil.virtual_memory()
        memory = MemoryStats(
            totalBytes=vm.total,
            usedBytes=vm.total - vm.available,
            availableBytes=vm.available,
            percent=vm.percent,
        )
        usage = psutil.disk_usage(str(self.disk_path))
        disk = DiskStats(
            path=str(self.disk_path),
            totalBytes=usage.total,
            usedBytes=usage.used,
            freeBytes=usage.free,
            percent=usage.percent,
        )
        first = gpus[0] if gpus else None
        summary = StatsSummary(
            cpuLoad=cpu.percent,
            diskUsage=disk.percent,
            memoryUsage=memory.percent,
            gpuUtil=first.utilization if first else None,
            gpuTemp=first.temperatureC if first else None,
            vramUsedGb=round(first.memoryUsedBytes / GIB, 2) if first else None,
            vramTotalGb=round(first.memoryTotalBytes / GIB, 2) if first else None,
        )
        return SystemStats(
            timestamp=datetime.now(UTC),
            gpuAvailable=bool(gpus),
            gpus=gpus,
            cpu=cpu,
            memory=memory,
            disk=disk,
            summary=summary,
            gpuMessage=why,
            driverVersion=driver,
        )
