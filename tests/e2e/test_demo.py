"""The README's demo, end to end on the real stack, with a short training."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def stack(test_state: None):  # type: ignore[no-untyped-def]
    """Every service of `make up`, on the test database; whatever this test starts it also
    stops."""
    from infra.local import stack as local

    names = [s.name for s in local.SERVICES]
    started = local.ensure(names)
    yield
    if started:
        local.down(started)


def test_the_demo_story_passes_end_to_end(stack, capsys) -> None:  # type: ignore[no-untyped-def]
    from infra.demo.run import main

    assert main(["--quick"]) == 0
    out = capsys.readouterr().out
    for step in range(1, 7):
        assert f"[{step}/6]" in out
    assert "hourly points in W" in out  # the caller's unit came back
    assert "<- the injected spike" in out
