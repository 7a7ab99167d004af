"""CPU the gateway spends recording one predict call, measured in-process.

    .venv/bin/python -m benchmarks.recording_bench [--requests 5000]

The gateway benchmark's request (168 h of 15-minute readings in W, a 24-step answer) is
legalized and formatted once; then, per request, what recording adds: the hot path's
append (`Recorder.forecast`) and, amortized over one flush a second, the batch built off
the path (readings and forecast in the contract's unit), its JSON and the spool file
(write + fsync + rename). Each call's window ends one grid step after the last one's, so
one new reading is recorded per call. Sending is left out: it happens while the control plane is up,
on the same bytes. Reported as process CPU time per request (goal: under 50 us).
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import numpy as np

from benchmarks.gateway_bench_setup import HORIZON, bench_contract, bench_rows
from edge_gateway.contracts import Served
from edge_gateway.recorder import Recorder
from edge_gateway.settings import GatewaySettings
from loadstar_core.postprocess import format_output, legalize_window, prepare_contract
from schemas.contracts import InferenceInput
from schemas.gateway import GatewayDeployment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--per-flush", type=int, default=100, help="requests per flush")
    args = parser.parse_args()
    contract = bench_contract()
    plan = prepare_contract(contract)
    legal = legalize_window(
        contract, InferenceInput(series=bench_rows(), units={"value": "W"}), plan
    )
    raw = np.zeros((HORIZON, 3), dtype=np.float32) + np.array([-5.0, 0.0, 5.0], np.float32)
    out = format_output(contract, legal, raw, None, datetime.now(UTC), plan)
    deployment = GatewayDeployment(
        contract=contract,
        tokenSha256=hashlib.sha256(b"x").hexdigest(),
        tritonModel="m",
        tritonVersion=1,
        revision=1,
    )
    served = Served(deployment, plan, None)
    with tempfile.TemporaryDirectory() as tmp:
        recorder = Recorder(GatewaySettings(state_path=Path(tmp) / "snapshot.json"))
        hot = off = 0.0
        step = legal.frequency_s
        for done in range(0, args.requests, args.per_flush):
            n = min(args.per_flush, args.requests - done)
            # each call one grid step after the last, as a line controller calling every step
            legals = [
                msgspec.structs.replace(legal, grid_end_s=legal.grid_end_s + (done + i) * step)
                for i in range(n)
            ]
            started = time.process_time()
            for moved in legals:
                recorder.forecast(served, moved, out)
            hot += time.process_time() - started
            started = time.process_time()
            batch = recorder.batch()
            assert batch is not None
            path = recorder.write(batch)
            off += time.process_time() - started
            path.unlink()
    per = 1e6 / args.requests
    print("| part | CPU us per request |")
    print("|---|---|")
    print(f"| hot path (append a reference) | {hot * per:.2f} |")
    print(
        f"| off the path (batch, JSON, spool file; {args.per_flush} per flush) | {off * per:.1f} |"
    )
    print(f"| total (goal < 50) | {(hot + off) * per:.1f} |")


if __name__ == "__main__":
    main()
