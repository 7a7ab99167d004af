"""Lineage queries on a graph of 10,000 nodes and 30,000 edges: p50/p95 of each.

    .venv/bin/python -m benchmarks.lineage_bench            # 10,000 nodes, 30,000 edges
    .venv/bin/python -m benchmarks.lineage_bench --runs 100

Builds the graph in a database of its own (`loadstar_bench_lineage` on the server of
DATABASE_URL, dropped at the end): 500 pipelines of 20 external nodes (an export, ETL steps,
notebooks, reports), each a DAG of 60 edges (every node feeds the next three, the first six
also the fourth), written with COPY. Then times the service calls the routes make:

- graph, first page: `GET /api/v2/lineage/graph` (500 nodes and their edges, with the count);
- graph, a late page (offset 9,000);
- graph filtered by one type (2,500 nodes, first page);
- graph within 3 steps of a node in the middle of a pipeline;
- node lineage of a pipeline's middle node (`GET /api/v2/lineage/{type}/{id}`: all of it
  upstream and downstream).

Goals: p95 under 100 ms for each (the seed asks for lineage queries under 500 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse, urlunparse

import asyncpg

DATABASE = "loadstar_bench_lineage"
PIPELINES, PER_PIPELINE = 500, 20
KINDS = ("scadaExport", "etlJob", "etlJob", "notebook", "report")
GOAL_MS = 100.0


def node_type(position: int) -> str:
    return KINDS[min(position * len(KINDS) // PER_PIPELINE, len(KINDS) - 1)]


def pipeline_edges() -> list[tuple[int, int]]:
    pairs = [(i, i + step) for step in (1, 2, 3) for i in range(PER_PIPELINE - step)]
    return pairs + [(i, i + 4) for i in range(60 - len(pairs))]


async def build(url: str) -> tuple[int, int]:
    conn = await asyncpg.connect(url)
    now = datetime.now(UTC)
    try:
        nodes = [
            (node_type(k), f"p{p:03d}-n{k:02d}", f"pipeline {p} step {k}", "{}", "bench", now)
            for p in range(PIPELINES)
            for k in range(PER_PIPELINE)
        ]
        await conn.copy_records_to_table(
            "lineage_external_node",
            records=nodes,
            columns=["node_type", "node_id", "name", "metadata", "created_by", "created_at"],
        )
        edges = [
            (
                *(node_type(a), f"p{p:03d}-n{a:02d}", node_type(b), f"p{p:03d}-n{b:02d}"),
                *("data_flow", "{}", "bench", now),
            )
            for p in range(PIPELINES)
            for a, b in pipeline_edges()
        ]
        await conn.copy_records_to_table(
            "lineage_external_edge",
            records=edges,
            columns=[
                "source_type",
                "source_id",
                "target_type",
                "target_id",
                "edge_type",
                "metadata",
                "created_by",
                "created_at",
            ],
        )
        await conn.execute("ANALYZE lineage_external_node; ANALYZE lineage_external_edge")
        return len(nodes), len(edges)
    finally:
        await conn.close()


async def timed(call: Callable[[], Awaitable[Any]], runs: int) -> tuple[float, float, Any]:
    result = await call()  # warm: plans cached, pool filled
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = await call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95, result


async def measure(runs: int) -> list[tuple[str, float, float, str]]:
    from piccolo.engine import engine_finder

    from control_plane.lineage import graph, service
    from control_plane.migrations import run_migrations

    engine = engine_finder()
    assert engine is not None
    await engine.start_connection_pool()  # type: ignore[no-untyped-call]
    try:
        await run_migrations()
        url = os.environ["DATABASE_URL"]
        count_nodes, count_edges = await build(url)
        print(f"graph: {count_nodes} nodes, {count_edges} edges")
        every = graph.GraphFilter()
        one_type = graph.GraphFilter(types=frozenset({"notebook"}))
        middle = ("etlJob", "p250-n08")
        cases: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            ("graph, first page (500)", lambda: graph.whole_graph(every, 0, 500)),
            ("graph, page at offset 9000", lambda: graph.whole_graph(every, 9000, 500)),
            ("graph, one type (notebook)", lambda: graph.whole_graph(one_type, 0, 500)),
            (
                "graph, depth 3 from a node",
                lambda: graph.graph_from(every, *middle, 3, 0, 500),
            ),
            ("node lineage (whole pipeline)", lambda: service.lineage(*middle)),
        ]
        rows = []
        for name, call in cases:
            p50, p95, result = await timed(call, runs)
            size = f"{len(result.nodes)} nodes, {len(result.edges)} edges"
            rows.append((name, p50, p95, size))
        return rows
    finally:
        await engine.close_connection_pool()  # type: ignore[no-untyped-call]


async def recreate(admin_url: str, drop_only: bool = False) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        if not drop_only:
            await conn.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    base = urlparse(os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    admin_url = urlunparse(base._replace(path="/postgres"))
    # piccolo_conf reads DATABASE_URL when first imported, which happens after this line
    os.environ["DATABASE_URL"] = urlunparse(base._replace(path=f"/{DATABASE}"))
    asyncio.run(recreate(admin_url))
    try:
        rows = asyncio.run(measure(args.runs))
    finally:
        asyncio.run(recreate(admin_url, drop_only=True))
    print(f"\n| query | p50 ms | p95 ms | goal p95 < {GOAL_MS:.0f} ms | answer |")
    print("|---|---|---|---|---|")
    for name, p50, p95, size in rows:
        met = "met" if p95 < GOAL_MS else "missed"
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {met} | {size} |")


if __name__ == "__main__":
    main()
