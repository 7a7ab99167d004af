"""The NVML reading maps every field, tolerates unsupported ones and GPU-less hosts.

NVML itself is replaced by a fake here (these machines have no GPU); the integration
test reads the real host either way.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pynvml
import pytest

from control_plane.system import logs, probe
from control_plane.system.probe import GpuReader, SystemProbe


class FakeNvml:
    def __init__(self, fans: bool = True) -> None:
        self.inits = 0
        self.fans = fans

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def unsupported(*_: Any) -> Any:
            raise pynvml.NVMLError(pynvml.NVML_ERROR_NOT_SUPPORTED)

        calls = {
            "nvmlInit": self.init,
            "nvmlDeviceGetCount": lambda: 2,
            "nvmlDeviceGetHandleByIndex": lambda i: i,
            "nvmlDeviceGetName": lambda h: b"NVIDIA H100 80GB HBM3",
            "nvmlDeviceGetUUID": lambda h: f"GPU-{h}",
            "nvmlDeviceGetMemoryInfo": lambda h: SimpleNamespace(
                used=(h + 1) << 30, total=80 << 30
            ),
            "nvmlDeviceGetUtilizationRates": lambda h: SimpleNamespace(gpu=40 + h, memory=10),
            "nvmlDeviceGetTemperature": lambda h, sensor: 55,
            "nvmlDeviceGetPowerUsage": lambda h: 123_456,
            "nvmlDeviceGetEnforcedPowerLimit": lambda h: 700_000,
            "nvmlDeviceGetFanSpeed": (lambda h: 30) if self.fans else unsupported,
            "nvmlSystemGetDriverVersion": lambda: "560.35.03",
        }
        for name, fn in calls.items():
            monkeypatch.setattr(pynvml, name, fn)

    def init(self) -> None:
        self.inits += 1


def test_gpus_are_read_field_by_field(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeNvml(fans=False)
    fake.install(monkeypatch)
    stats = SystemProbe(Path("/"), GpuReader()).snapshot()
    assert stats.gpuAvailable and stats.driverVersion == "560.35.03" and stats.gpuMessage is None
    first, second = stats.gpus
    assert (
        first.name == "NVIDIA H100 80GB HBM3"
        and first.uuid == "GPU-0"
        and second.utilization == 41.0
    )
    assert first.memoryUsedBytes == 1 << 30 and first.memoryTotalBytes == 80 << 30
    assert first.temperatureC == 55.0 and first.powerWatts == pytest.approx(123.456)
    assert first.powerLimitWatts == 700.0 and first.fanPercent is None  # passively cooled
    assert stats.summary.gpuUtil == 40.0 and stats.summary.vramTotalGb == 80.0


def test_a_host_without_nvml_says_so_and_retries_later(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts = []

    def missing() -> None:
        attempts.append(1)
        raise pynvml.NVMLError(pynvml.NVML_ERROR_LIBRARY_NOT_FOUND)

    monkeypatch.setattr(pynvml, "nvmlInit", missing)
    reader = GpuReader()
    for _ in range(3):
        gpus, why, driver = reader.read()
        assert gpus == [] and driver is None and why is not None
        assert why.startswith("no NVIDIA GPU on this host (") and "Not Found" in why
    assert len(attempts) == 1  # not retried within 30 s
    monkeypatch.setattr(probe, "_RETRY_INIT_SECONDS", 0.0)
    reader.read()
    assert len(attempts) == 2


def test_cpu_percent_is_sampled_even_on_the_first_call() -> None:
    stats = SystemProbe(Path("/")).snapshot()
    assert len(stats.cpu.perCore) == stats.cpu.logicalCores
    assert stats.memory.totalBytes > stats.memory.availableBytes > 0


@pytest.mark.parametrize("lines", [1, 7, 1000, 2999])
def test_tail_reads_backwards_across_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: int
) -> None:
    monkeypatch.setattr(logs, "_BLOCK", 100)
    path = tmp_path / "x.log"
    path.write_text("".join(f"line {i}\n" for i in range(3000)))
    assert logs.tail_bytes(path, lines) == [f"line {i}" for i in range(3000 - lines, 3000)]


def test_log_levels_and_times_are_parsed() -> None:
    line = logs.parse_line("2026-01-02T03:04:05.5+01:00 [WARN] disk almost full")
    assert line.level == "WARNING" and line.time == "2026-01-02T03:04:05.5+01:00"
    assert logs.parse_line("x" * 60 + " ERROR later").level is None
