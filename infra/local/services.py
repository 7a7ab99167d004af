"""The local stack as data: how each service starts, where it answers, how to tell it is healthy."""

from __future__ import annotations

import os
import shutil
import socket
import sys
import sysconfig
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
RUN = Path(os.environ.get("LOADSTAR_RUN_DIR", ROOT / ".run"))
TOOLS = ROOT / ".tools"
VENV_BIN = ROOT / ".venv" / "bin"

S3_ACCESS_KEY = os.environ.get("S3_ACCESS_KEY", "loadstar")
S3_SECRET_KEY = os.environ.get("S3_SECRET_KEY", "loadstar-secret")
DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def http_ok(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return bool(200 <= resp.status < 300)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def redis_ping(url: str) -> bool:
    u = urlparse(url)
    try:
        with socket.create_connection(
            (u.hostname or "127.0.0.1", u.port or 6379), timeout=0.5
        ) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def postgres_ready(url: str) -> bool:
    u = urlparse(url)
    return port_open(u.hostname or "127.0.0.1", u.port or 5432)


@dataclass
class Service:
    name: str
    url: str
    healthy: Callable[[], bool]
    argv: Callable[[], list[str]] | None = None  # None: external only, never started here
    env: Callable[[], dict[str, str]] = dict
    external: bool = False  # use an already-running server when it answers
    cwd: Path = ROOT
    start_timeout: float = 60.0
    fallback: Callable[[], list[str]] | None = None
    needs_pid: bool = False  # no port of its own: only a process we started counts


def triton_home() -> Path:
    """Lay out the Triton home the binary expects, from the nvidia-pytriton wheel's files."""
    wheel = TOOLS / "pytriton"
    server = wheel / "pytriton" / "tritonserver"
    home = TOOLS / "triton-home"
    if (home / "bin" / "tritonserver").exists():
        return home
    if not server.exists():
        raise RuntimeError("Triton is not installed: run `make install`")
    minor = f"{sys.version_info.major}.{sys.version_info.minor}"
    (home / "bin").mkdir(parents=True, exist_ok=True)
    (home / "backends" / "python").mkdir(parents=True, exist_ok=True)
    link = home / "bin" / "tritonserver"
    if link.is_symlink():  # a link left dangling (the checkout moved): lay it again
        link.unlink()
    os.symlink(server / "bin" / "tritonserver", link)
    for name in ("libtriton_python.so", "triton_python_backend_utils.py"):
        shutil.copy2(server / "backends" / "python" / name, home / "backends" / "python" / name)
    shutil.copy2(
        server / "python_backend_stubs" / minor / "triton_python_backend_stub",
        home / "backends" / "python" / "triton_python_backend_stub",
    )
    os.symlink(server / "caches", home / "caches")
    os.symlink(wheel / "nvidia_pytriton.libs", home / "lib")
    return home


def triton_env() -> dict[str, str]:
    home = TOOLS / "triton-home"
    libdir = sysconfig.get_config_var("LIBDIR") or "/usr/lib/x86_64-linux-gnu"
    ld = [str(home / "lib"), str(libdir), "/usr/lib/x86_64-linux-gnu"]
    # The Python-backend stub finds numpy<2 + onnxruntime through the first python3 on PATH.
    path = f"{TOOLS / 'triton-env' / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    return {"LD_LIBRARY_PATH": ":".join(ld), "PATH": path}


def triton_argv() -> list[str]:
    home = triton_home()
    repo = os.environ.get("TRITON_REPO_DIR", str(ROOT / "triton_repo" / "models"))
    Path(repo).mkdir(parents=True, exist_ok=True)
    return [
        str(home / "bin" / "tritonserver"),
        f"--model-repository={repo}",
        "--model-control-mode=explicit",
        "--load-model=*",  # what was published before a restart serves again at once
        f"--backend-directory={home / 'backends'}",
        "--disable-auto-complete-config",
        "--pinned-memory-pool-byte-size=0",
        "--cuda-memory-pool-byte-size=0:0",
        "--allow-gpu-metrics=false",
        "--metrics-config=summary_latencies=true",
        "--exit-on-error=false",
        "--strict-readiness=false",
        "--http-port=8000",
        "--grpc-port=8001",
        "--metrics-port=8002",
        "--log-verbose=0",
    ]


def weed_argv() -> list[str]:
    data = RUN / "data" / "s3"
    data.mkdir(parents=True, exist_ok=True)
    return [
        str(VENV_BIN / "weed"),
        "mini",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-s3.port=9000",
        "-master.port=9333",
        "-volume.port=9340",
        "-filer.port=8888",
        "-webdav=false",
        "-admin.ui=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-bucket={os.environ.get('S3_BUCKET', 'loadstar')}",
    ]


def weed_env() -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": S3_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET_KEY,
        "GOMEMLIMIT": "256MiB",
    }


def redis_argv() -> list[str]:
    port = urlparse(REDIS_URL).port or 6379
    binary = shutil.which("redis-server") or "redis-server"
    return [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]


def mosquitto_argv() -> list[str]:
    """Debian's broker on loopback, used only when no broker answers on 1883 already."""
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    conf = RUN / "mosquitto.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text("listener 1883 127.0.0.1\nallow_anonymous true\npersistence false\n")
    return [binary, "-c", str(conf)]


def postgres_argv() -> list[str]:
    return [str(VENV_BIN / "python"), "-m", "infra.local.postgres"]


def py(*args: str) -> Callable[[], list[str]]:
    return lambda: [str(VENV_BIN / args[0]), *args[1:]]


def gateway_argv(port: int) -> Callable[[], list[str]]:
    """The edge gateway's command line, listening on `port` (the main stack's and a second
    one's beside it)."""
    return py(
        "uvicorn",
        "edge_gateway.app:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
    )


def app_env() -> dict[str, str]:
    return {
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "S3_ENDPOINT": os.environ.get("S3_ENDPOINT", "127.0.0.1:9000"),
        "S3_ACCESS_KEY": S3_ACCESS_KEY,
        "S3_SECRET_KEY": S3_SECRET_KEY,
        "PYTHONUNBUFFERED": "1",
        # the local stack uses the public default secrets: development mode says so
        "LOADSTAR_ENV": os.environ.get("LOADSTAR_ENV", "development"),
    }


SERVICES: list[Service] = [
    Service(
        "postgres",
        DATABASE_URL,
        lambda: postgres_ready(DATABASE_URL),
        argv=postgres_argv,
        external=True,
    ),
    Service("redis", REDIS_URL, lambda: redis_ping(REDIS_URL), argv=redis_argv, external=True),
    Service(
        "mqtt",
        "mqtt://127.0.0.1:1883",
        lambda: port_open("127.0.0.1", 1883),
        argv=mosquitto_argv,
        external=True,
    ),
    Service(
        "s3",
        "http://127.0.0.1:9000",
        lambda: port_open("127.0.0.1", 9000) and http_ok("http://127.0.0.1:9000/status"),
        argv=weed_argv,
        env=weed_env,
    ),
    Service(
        "triton",
        "http://127.0.0.1:8000 (grpc 8001, metrics 8002)",
        lambda: http_ok("http://127.0.0.1:8000/v2/health/ready"),
        argv=triton_argv,
        env=triton_env,
    ),
    Service(
        "control_plane",
        "http://127.0.0.1:8080",
        lambda: http_ok("http://127.0.0.1:8080/readyz"),
        argv=py("uvicorn", "control_plane.app:app", "--host", "127.0.0.1", "--port", "8080"),
        env=app_env,
    ),
    Service(
        "worker",
        "arq on " + REDIS_URL,
        lambda: redis_ping(REDIS_URL),
        argv=py("arq", "training.worker.WorkerSettings"),
        env=app_env,
        needs_pid=True,
    ),
    Service(
        "feature_worker",
        "arq on " + REDIS_URL + " (materialization, schedules)",
        lambda: redis_ping(REDIS_URL),
        argv=py("arq", "control_plane.feature_store.worker.WorkerSettings"),
        env=app_env,
        needs_pid=True,
    ),
    Service(
        "sensor_consumer",
        "MQTT sources -> feature store",
        lambda: port_open("127.0.0.1", 1883),
        argv=py("python", "-m", "control_plane.streams.consumer"),
        env=app_env,
        needs_pid=True,
    ),
    Service(
        "edge_gateway",
        "http://127.0.0.1:8090",
        lambda: http_ok("http://127.0.0.1:8090/healthz"),
        argv=gateway_argv(8090),
        env=app_env,
    ),
]
BY_NAME = {s.name: s for s in SERVICES}
