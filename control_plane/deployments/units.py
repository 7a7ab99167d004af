"""Validate a contract's units with the same resolver the gateway uses at serve time."""

from __future__ import annotations

from schemas.contracts import DeploymentContract


def validate_contract_units(contract: DeploymentContract) -> None:
    """Unknown unit -> INVALID_INPUT; a unit of another dimension -> UNIT_INCONSISTENT."""
    from loadstar_core.postprocess import prepare_contract

    prepare_contract(contract)
