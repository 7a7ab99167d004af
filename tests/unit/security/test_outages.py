"""A dependency that does not answer is a 503 naming it, not a 500."""

from __future__ import annotations

import asyncpg
import redis.exceptions
import urllib3.exceptions

from control_plane.outages import as_outage


def test_connection_errors_of_each_service_are_outages() -> None:
    cases = {
        "the database": asyncpg.exceptions.ConnectionDoesNotExistError("closed"),
        # (also a query whose connection the server cut mid-way)
        "Redis": redis.exceptions.ConnectionError("refused"),
        "the object store": urllib3.exceptions.MaxRetryError(None, "/b/k"),  # type: ignore[arg-type]
    }
    for service, exc in cases.items():
        outage = as_outage(exc)
        assert outage is not None and outage.status == 503, service
        assert outage.details["service"] == service


def test_an_outage_found_as_the_cause_counts_and_a_bug_does_not() -> None:
    try:
        try:
            raise ConnectionRefusedError(111, "refused")
        except ConnectionRefusedError as inner:
            raise RuntimeError("while loading") from inner
    except RuntimeError as outer:
        assert as_outage(outer) is not None
    assert as_outage(KeyError("k")) is None
    assert as_outage(ValueError("bad")) is None


def test_a_query_cut_mid_way_by_a_server_shutdown_is_an_outage() -> None:
    cut = asyncpg.exceptions.InternalClientError("cannot switch to state 12")
    outage = as_outage(cut)
    assert outage is not None and outage.details["service"] == "the database"


def test_a_full_disk_is_an_outage_of_the_disk_and_other_os_errors_are_not() -> None:
    import errno

    for code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        outage = as_outage(OSError(code, "no room"))
        assert outage is not None and outage.status == 503
        assert outage.details == {"service": "disk", "cause": errno.errorcode[code]}
    assert as_outage(PermissionError(errno.EACCES, "denied")) is None
    assert as_outage(FileNotFoundError(errno.ENOENT, "gone")) is None
