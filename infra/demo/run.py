"""`make demo`: the whole story on real data through the public API only, as a user would.

    .venv/bin/python -m infra.demo.run [--quick] [--control-plane URL] [--gateway URL]

Each step prints its timing; a failing step prints what failed and the tail of the logs
of the services involved, and the command exits non-zero.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from infra.demo import story
from infra.local.services import RUN

STEPS = 6


class DemoFailed(Exception):
    def __init__(self, step: str, message: str, logs: tuple[str, ...]) -> None:
        super().__init__(message)
        self.step = step
        self.logs = logs


@contextmanager
def step(n: int, title: str, logs: tuple[str, ...] = ("control_plane",)) -> Iterator[None]:
    print(f"\n[{n}/{STEPS}] {title}", flush=True)
    started = time.monotonic()
    try:
        yield
    except DemoFailed:
        raise
    except Exception as exc:
        detail = exc.response.text[:600] if isinstance(exc, httpx.HTTPStatusError) else ""
        raise DemoFailed(title, f"{type(exc).__name__}: {exc} {detail}", logs) from exc
    print(f"      done in {time.monotonic() - started:.1f}s", flush=True)


def log_tail(name: str, lines: int = 30) -> str:
    path = RUN / "logs" / f"{name}.log"
    if not path.exists():
        return f"(no log at {path})"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def run(args: argparse.Namespace) -> dict[str, Any]:
    demo = story.Demo(args.control_plane, args.gateway, quick=args.quick)
    with step(1, "Log in and upload the ETTh1 transformer data set"):
        demo.login()
        demo.upload()
    with step(2, "Explore it and build a feature plan from features/auto"):
        demo.explore()
        demo.plan()
    with step(3, "Train (live events from the worker)", logs=("control_plane", "worker")):
        demo.train()
    with step(
        4,
        "Register, move the Production alias, deploy with a field/unit mapping",
        logs=("control_plane", "triton"),
    ):
        demo.register_and_deploy()
    with step(
        5,
        "Call the edge gateway with raw 15-minute readings, then detect an injected spike",
        logs=("edge_gateway", "triton"),
    ):
        demo.predict_at_the_edge()
        demo.detect()
    with step(6, "Where to look next"):
        demo.where_next()
    return demo.summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short training (for tests)")
    parser.add_argument("--control-plane", default="http://127.0.0.1:8080")
    parser.add_argument("--gateway", default="http://127.0.0.1:8090")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        run(args)
    except DemoFailed as exc:
        print(f"\nDEMO FAILED at step: {exc.step}\n  {exc}", file=sys.stderr)
        for name in exc.logs:
            print(
                f"\n--- last lines of {RUN / 'logs' / (name + '.log')}:\n{log_tail(name)}",
                file=sys.stderr,
            )
        return 1
    print(f"\nDemo finished in {time.monotonic() - started:.0f}s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["Path", "main"]
