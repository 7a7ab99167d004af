"""Folders set in the environment reach the control plane's settings as paths (they used to
stop it at start-up: msgspec does not turn text into a Path by itself)."""

from __future__ import annotations

from pathlib import Path

import pytest

from control_plane.settings import Settings


def test_folders_from_the_environment_are_paths() -> None:
    settings = Settings.from_env({"TRITON_REPO_DIR": "/srv/models", "LOADSTAR_STATIC_DIR": "web"})
    assert settings.triton_repo_dir == Path("/srv/models")
    assert settings.static_dir == Path("web")


def test_other_wrong_types_are_still_refused() -> None:
    import msgspec

    with pytest.raises(msgspec.ValidationError):
        Settings.from_env({"LOADSTAR_RUN_MIGRATIONS": "perhaps"})
