"""Runs schemathesis against a live service's OpenAPI document, as an outsider would.

`make test` runs a bounded pass (a fixed seed, a few examples per operation); `make fuzz`
runs the same checks with many more examples (`LOADSTAR_FUZZ_EXAMPLES`).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = ROOT / ".venv" / "bin" / "schemathesis"

# What the API promises about every answer: no server error, every status code and body
# as documented, and 405 with `Allow` for a method a path does not take.
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
        "unsupported_method",
        "allow_header_conformance",
    )
)
SEED = int(os.environ.get("LOADSTAR_FUZZ_SEED", "20261206"))
EXAMPLES = int(os.environ.get("LOADSTAR_FUZZ_EXAMPLES", "4"))


def fuzz(
    schema_url: str, *, token: str | None, report: Path, exclude: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """One schemathesis run; its full output is kept in `report` (and in the assertion)."""
    argv = [
        str(SCHEMATHESIS),
        "--no-color",
        "run",
        schema_url,
        "--checks",
        CHECKS,
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(SEED),
        "--phases",
        "examples,coverage,fuzzing",
        "--request-timeout",
        "30",
        "--max-failures",
        "50",
        "--suppress-health-check",
        "all",
        "--generation-database",
        "none",
    ]
    if token:
        argv += ["-H", f"Authorization: Bearer {token}"]
    if exclude:  # one option: given several times, schemathesis keeps only the last
        argv += ["--exclude-path-regex", "|".join(f"(?:{p})" for p in exclude)]
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=1200, check=False)
    report.write_text(proc.stdout + proc.stderr)
    return proc
