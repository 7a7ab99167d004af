"""Which exceptions mean "a service we depend on is down" rather than "our bug".

The database, Redis and the S3 store each raise their own connection errors. A request
that meets one changed nothing it could not roll back, so it is answered at once with
503 SERVICE_UNAVAILABLE (and `Retry-After`) naming the service, not 500.
"""

from __future__ import annotations

import asyncio
import errno

import asyncpg
import redis.exceptions
import urllib3.exceptions

from schemas.errors import ServiceUnavailable

# (exception classes, the service a user is told is unavailable)
_OUTAGES: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    (
        (
            asyncpg.exceptions.ConnectionDoesNotExistError,
            asyncpg.exceptions.CannotConnectNowError,
            asyncpg.exceptions.ConnectionFailureError,
            asyncpg.exceptions.AdminShutdownError,
            asyncpg.exceptions.TooManyConnectionsError,
            # what a query meets when the server cuts its connection mid-way (a fast
            # shutdown): the protocol is left in the middle of an operation
            asyncpg.exceptions.InternalClientError,
        ),
        "the database",
    ),
    ((redis.exceptions.ConnectionError, redis.exceptions.TimeoutError), "Redis"),
    (
        (
            urllib3.exceptions.MaxRetryError,
            urllib3.exceptions.ProtocolError,
            urllib3.exceptions.TimeoutError,
        ),
        "the object store",
    ),
    ((ConnectionError, asyncio.TimeoutError), "a service this one depends on"),
)


# a full disk (or a quota, or a file-size limit) under what this server writes: the
# upload's temporary file, a spool. The writer removed its partial file; try again later.
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def as_outage(exc: BaseException) -> ServiceUnavailable | None:
    """The 503 answer for an exception (or its cause) that is an outage; else None."""
    seen: BaseException | None = exc
    for _ in range(5):  # the cause chain, not only the top
        if seen is None:
            return None
        if isinstance(seen, OSError) and seen.errno in _DISK_FULL:
            return ServiceUnavailable(
                "the server's disk is full; nothing was stored, try again later",
                {"service": "disk", "cause": errno.errorcode.get(seen.errno or 0, "OSError")},
            )
        for classes, service in _OUTAGES:
            if isinstance(seen, classes):
                return ServiceUnavailable(
                    f"{service} is not answering; nothing was changed, try again shortly",
                    {"service": service, "cause": type(seen).__name__},
                )
        seen = seen.__cause__ or seen.__context__
    return None
