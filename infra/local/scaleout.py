"""Scale the local stack out: a second Triton, gateway and training worker beside it.

    export TRITON_GRPC_URLS=127.0.0.1:8001,127.0.0.1:8101   # what `replicas_env` prints
    export TRITON_HTTP_URLS=127.0.0.1:8000,127.0.0.1:8100
    make up                                   # the stack, its control plane knowing both
    python -m infra.local.scaleout up         # triton_2, edge_gateway_2, worker_2
    python -m infra.local.scaleout status
    python -m infra.local.scaleout down

The second Triton reads the stack's model repository (`--load-model=*` loads what is
published when it starts); the control plane loads and unloads on both and reloads a
replica that lacks an active deployment's model. The second gateway spreads its calls over
both Tritons and has a state file and spool of its own; the second worker takes jobs from
the same Redis queue. `tests/integration/test_scale_out_replicas.py` runs this recipe.
"""

from __future__ import annotations

import argparse
import os
import sys

from infra.local import stack
from infra.local.services import (
    RUN,
    Service,
    app_env,
    gateway_argv,
    http_ok,
    py,
    triton_argv,
    triton_env,
)

TRITON_2 = {"--http-port": 8100, "--grpc-port": 8101, "--metrics-port": 8102}
GATEWAY_2_PORT = 8091


def replicas_env() -> dict[str, str]:
    """Every Triton replica, for the control plane and each gateway."""
    grpc = f"127.0.0.1:8001,127.0.0.1:{TRITON_2['--grpc-port']}"
    http = f"127.0.0.1:8000,127.0.0.1:{TRITON_2['--http-port']}"
    return {"TRITON_GRPC_URLS": grpc, "TRITON_HTTP_URLS": http}


def second_triton_argv() -> list[str]:
    """The stack's Triton command line (same model repository) on the second ports."""
    argv = []
    for arg in triton_argv():
        key = arg.split("=", 1)[0]
        argv.append(f"{key}={TRITON_2[key]}" if key in TRITON_2 else arg)
    return argv


def gateway_env() -> dict[str, str]:
    state = RUN / "gateway-2" / "snapshot.json"
    return {
        **app_env(),
        **replicas_env(),
        "LOADSTAR_GATEWAY_STATE": os.environ.get("LOADSTAR_GATEWAY_2_STATE", str(state)),
        "LOADSTAR_GATEWAY_TRITON_PROTOCOL": "http",
    }


def worker_env() -> dict[str, str]:
    return app_env()


SECOND: list[Service] = [
    Service(
        "triton_2",
        f"http://127.0.0.1:{TRITON_2['--http-port']} (grpc {TRITON_2['--grpc-port']})",
        lambda: http_ok(f"http://127.0.0.1:{TRITON_2['--http-port']}/v2/health/ready"),
        argv=second_triton_argv,
        env=triton_env,
    ),
    Service(
        "edge_gateway_2",
        f"http://127.0.0.1:{GATEWAY_2_PORT}",
        lambda: http_ok(f"http://127.0.0.1:{GATEWAY_2_PORT}/healthz"),
        argv=gateway_argv(GATEWAY_2_PORT),
        env=gateway_env,
    ),
    Service(
        "worker_2",
        "arq, the stack's Redis queue",
        lambda: True,
        argv=py("arq", "training.worker.WorkerSettings"),
        env=worker_env,
        needs_pid=True,
    ),
]
BY_NAME = {s.name: s for s in SECOND}


def up() -> list[str]:
    """Start the second instances that are not running; returns the names started here."""
    return stack.ensure(list(BY_NAME), BY_NAME)


def down(names: list[str] | None = None) -> None:
    stack.down(names or list(BY_NAME), BY_NAME)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["up", "down", "status", "env"])
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "env":  # for `eval "$(python -m infra.local.scaleout env)"`
        for name, value in replicas_env().items():
            print(f"export {name}={value}")
        return 0
    if args.command == "up":
        return 1 if stack.up(list(BY_NAME), BY_NAME) else 0
    if args.command == "down":
        down()
        return 0
    return 1 if stack.status(list(BY_NAME), BY_NAME) else 0


if __name__ == "__main__":
    sys.exit(main())
