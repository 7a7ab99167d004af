"""A service outside development mode refuses to start with a secret left at its default.

The defaults written in the code (the JWT secret, the gateway sync token, the S3 keys, the
first admin's password) are public: anyone who reads the repository can sign tokens or
read the bucket. They are fine on a developer's machine, which says so explicitly
(`LOADSTAR_ENV=development`: `make up`, `make demo` and `make test` set it); anywhere else
the process stops at start-up naming the variables to set.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

Mode = Literal["development", "production"]
MODE_VARIABLE = "LOADSTAR_ENV"


class DefaultSecretError(RuntimeError):
    """Raised at start-up: a production process found a secret at its public default."""

    def __init__(self, variables: list[str]) -> None:
        self.variables = variables
        super().__init__(
            "refusing to start outside development mode with default secrets: set "
            + ", ".join(variables)
            + f" (or {MODE_VARIABLE}=development on a developer's machine)"
        )


# what example manifests put where a real secret goes
PLACEHOLDER = "change-me"


def is_unset(value: str, default: str) -> bool:
    """Empty, the code's default, or a manifest's placeholder."""
    return not value or value == default or value.lower().startswith(PLACEHOLDER)


def defaults_in_use(pairs: Iterable[tuple[str, str, str]]) -> list[str]:
    """The variables (of `(variable, value, default)`) not set to a real secret."""
    return [variable for variable, value, default in pairs if is_unset(value, default)]


def check_secrets(mode: str, pairs: Iterable[tuple[str, str, str]]) -> None:
    """Raise `DefaultSecretError` unless in development mode or every secret is set."""
    if mode == "development":
        return
    missing = defaults_in_use(pairs)
    if missing:
        raise DefaultSecretError(missing)
