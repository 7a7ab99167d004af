"""How long a failed login waits: nothing up to the limit, then 1 s doubling to a cap."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from control_plane.auth.sessions import Throttle


@given(st.integers(0, 200), st.integers(1, 50))
def test_delay_is_zero_up_to_the_limit_then_doubles_to_the_cap(failures: int, limit: int) -> None:
    t = Throttle()
    delay = t.delay(failures, limit)
    if failures <= limit:
        assert delay == 0.0
    else:
        assert 1.0 <= delay <= t.max_delay_s
        assert t.delay(failures + 1, limit) >= delay


def test_the_sixth_failure_of_a_user_waits_a_second() -> None:
    t = Throttle()
    assert [t.delay(n, t.user_slow_after) for n in range(1, 10)] == [0, 0, 0, 0, 0, 1, 2, 4, 8]
