"""Outside development mode a default secret stops the process at start-up."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from control_plane.settings import Settings
from edge_gateway.settings import GatewaySettings
from loadstar_core.secrets_policy import DefaultSecretError, check_secrets, defaults_in_use

_SET = {
    "LOADSTAR_JWT_SECRET": "j" * 40,
    "LOADSTAR_GATEWAY_SYNC_TOKEN": "g" * 40,
    "S3_ACCESS_KEY": "prod-access",
    "S3_SECRET_KEY": "s" * 40,
    "LOADSTAR_ADMIN_PASSWORD": "a" * 20,
}


def test_production_refuses_every_default_and_names_the_variables() -> None:
    with pytest.raises(DefaultSecretError) as raised:
        Settings.from_env({}).check_secrets()
    assert raised.value.variables == list(_SET)
    with pytest.raises(DefaultSecretError, match="LOADSTAR_GATEWAY_SYNC_TOKEN"):
        GatewaySettings.from_env({}).check_secrets()


def test_a_manifest_placeholder_is_no_secret() -> None:
    with pytest.raises(DefaultSecretError) as raised:
        Settings.from_env({**_SET, "LOADSTAR_JWT_SECRET": "change-me"}).check_secrets()
    assert raised.value.variables == ["LOADSTAR_JWT_SECRET"]


def test_one_default_left_is_enough_to_refuse() -> None:
    for variable in _SET:
        env = {k: v for k, v in _SET.items() if k != variable}
        with pytest.raises(DefaultSecretError) as raised:
            Settings.from_env(env).check_secrets()
        assert raised.value.variables == [variable]


def test_every_secret_set_starts_and_development_mode_allows_defaults() -> None:
    Settings.from_env(_SET).check_secrets()
    Settings.from_env({"LOADSTAR_ENV": "development"}).check_secrets()
    GatewaySettings.from_env({"LOADSTAR_GATEWAY_SYNC_TOKEN": "t" * 32}).check_secrets()
    GatewaySettings.from_env({"LOADSTAR_ENV": "development"}).check_secrets()


def test_the_apps_refuse_to_be_built() -> None:
    from control_plane.app import create_app
    from edge_gateway.app import create_app as create_gateway

    with pytest.raises(DefaultSecretError):
        create_app(Settings())
    with pytest.raises(DefaultSecretError):
        create_gateway(GatewaySettings())


@given(
    st.lists(st.tuples(st.text(min_size=1), st.text(), st.text()), max_size=6),
    st.sampled_from(["production", "staging", "", "Development"]),
)
def test_a_secret_is_refused_exactly_when_empty_or_default(
    pairs: list[tuple[str, str, str]], mode: str
) -> None:
    expected = [
        name
        for name, value, default in pairs
        if not value or value == default or value.lower().startswith("change-me")
    ]
    assert defaults_in_use(pairs) == expected
    if expected:
        with pytest.raises(DefaultSecretError):
            check_secrets(mode, pairs)
    else:
        check_secrets(mode, pairs)
    check_secrets("development", pairs)  # never refuses
