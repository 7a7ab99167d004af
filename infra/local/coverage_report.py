"""Line coverage of the last `make coverage` run: the total and one row per package.

    python -m infra.local.coverage_report   # exit 2 when the total is under the floor

Combines the data files the test process and the servers it started wrote, then prints
statements, covered lines and percent per top-level package. The floor is coverage.py's
own `fail_under` in pyproject.toml ([tool.coverage.report]).
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import coverage


def per_package(report: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """package -> (statements, covered statements), from coverage.py's JSON report."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for filename, entry in report["files"].items():
        row = counts[Path(filename).parts[0]]
        row[0] += entry["summary"]["num_statements"]
        row[1] += entry["summary"]["covered_lines"]
    return {name: (total, covered) for name, (total, covered) in counts.items()}


def main() -> int:
    cov = coverage.Coverage()
    with contextlib.suppress(coverage.CoverageException):  # nothing left to combine: fine
        cov.combine()
        cov.save()
    cov.load()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "coverage.json"
        cov.json_report(outfile=str(out))
        report = json.loads(out.read_text())
    rows = per_package(report)
    print(f"{'package':<16} {'lines':>7} {'covered':>8} {'percent':>8}")
    for name, (statements, covered) in sorted(rows.items()):
        percent = 100.0 * covered / statements if statements else 100.0
        print(f"{name:<16} {statements:>7} {covered:>8} {percent:>7.1f}%")
    totals = report["totals"]
    total = float(totals["percent_covered"])
    print(
        f"{'total':<16} {totals['num_statements']:>7} {totals['covered_lines']:>8} {total:>7.1f}%"
    )
    floor = float(cov.config.fail_under)
    if total < floor:
        print(f"coverage: {total:.1f}% is under the floor of {floor:.0f}%", file=sys.stderr)
        return 2
    print(f"coverage: {total:.1f}% (floor {floor:.0f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
