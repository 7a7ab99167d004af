"""One computation per key: concurrent callers share it, failures reach all and clear."""

from __future__ import annotations

import asyncio

import pytest

from control_plane.explore.single_flight import SingleFlight


def test_concurrent_callers_share_one_computation() -> None:
    flights: SingleFlight[int] = SingleFlight()
    started = 0

    async def compute() -> int:
        nonlocal started
        started += 1
        await asyncio.sleep(0.05)
        return 42

    async def main() -> list[tuple[int, bool]]:
        return await asyncio.gather(*(flights.run("a", compute) for _ in range(50)))

    results = asyncio.run(main())
    assert started == 1
    assert [value for value, _ in results] == [42] * 50
    assert sum(joined for _, joined in results) == 49
    assert len(flights) == 0


def test_keys_fly_apart_and_a_failure_is_retried() -> None:
    flights: SingleFlight[str] = SingleFlight()
    calls: list[str] = []

    async def compute(key: str, fail: bool) -> str:
        calls.append(key)
        await asyncio.sleep(0.01)
        if fail:
            raise RuntimeError("S3 away")
        return key

    async def main() -> None:
        first = [flights.run("x", lambda: compute("x", True)) for _ in range(3)]
        other = flights.run("y", lambda: compute("y", False))
        results = await asyncio.gather(*first, other, return_exceptions=True)
        assert [type(r) for r in results[:3]] == [RuntimeError] * 3
        assert results[3] == ("y", False)
        assert await flights.run("x", lambda: compute("x", False)) == ("x", False)

    asyncio.run(main())
    assert calls == ["x", "y", "x"]


def test_a_cancelled_caller_leaves_the_flight_to_the_others() -> None:
    flights: SingleFlight[int] = SingleFlight()

    async def compute() -> int:
        await asyncio.sleep(0.05)
        return 7

    async def main() -> None:
        impatient = asyncio.ensure_future(flights.run("k", compute))
        patient = asyncio.ensure_future(flights.run("k", compute))
        await asyncio.sleep(0.01)
        impatient.cancel()
        with pytest.raises(asyncio.CancelledError):
            await impatient
        assert await patient == (7, True)

    asyncio.run(main())
