"""A deployment contract with everything per-deployment worked out once: units, sources, grid.

`prepare_contract` runs pint for the contract's own units and keeps the result, so a
request only looks up caller units that differ from them (also cached).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import msgspec
import numpy as np
import numpy.typing as npt

from loadstar_core.features.layout import holiday_calendar
from loadstar_core.postprocess.units import IDENTITY, Conversion, check_unit, resolve_conversion
from schemas.contracts import DeploymentContract, InferenceInput
from schemas.errors import InvalidInput
from schemas.feature_plan import FREQUENCY_SECONDS

_encode = msgspec.json.Encoder().encode
_decode_contract = msgspec.json.Decoder(DeploymentContract).decode


def interval_key(quantile: float) -> str:
    """The intervals key for a quantile: 0.05 -> "p05", 0.5 -> "p50", 0.975 -> "p97.5"."""
    percent = round(quantile * 100.0, 6)
    whole = int(percent)
    if percent == whole:
        return f"p{whole:02d}"
    return f"p{whole:02d}{f'{percent - whole:.6g}'.lstrip('0')}"


class ResolvedContract(msgspec.Struct, frozen=True):
    """Per-deployment facts the hot path needs, computed once by `prepare_contract`."""

    contract: DeploymentContract
    frequency_us: int
    sources: tuple[str, ...]  # distinct source fields, first-use order
    input_source: npt.NDArray[np.intp]  # per model input: its column in `sources`
    input_columns: tuple[int, ...]  # the same, as plain ints (for the compiled grid)
    input_names: tuple[str, ...]
    input_units: tuple[str, ...]
    required: npt.NDArray[np.bool_]
    known_index: npt.NDArray[np.intp]  # the inputs known in advance, in model order
    ranged: npt.NDArray[np.intp]  # the inputs with a training range, in model order
    dropouts: npt.NDArray[np.intp]  # the inputs whose exact zeros the model reads as dropouts
    target_input: int  # index of the target among the inputs, -1 if it is not one
    model_output_unit: str  # unit the model's quantiles are in
    output_unit: str  # the contract's output unit
    output_conversion: Conversion  # model_output_unit -> output_unit
    quantile_order: npt.NDArray[np.intp]  # model columns sorted by quantile
    interval_keys: tuple[str, ...]  # keys in sorted quantile order
    median_column: int  # position (in sorted order) of the quantile nearest 0.5

    def input_conversions(self, units: Mapping[str, str] | None) -> tuple[Conversion, ...]:
        """Per model input, the conversion from the caller's unit to the model's unit."""
        if not units:
            return tuple(IDENTITY for _ in self.input_names)
        inputs = self.contract.inputs
        return tuple(
            resolve_conversion(units[i.source], i.unit, i.source)
            if i.source in units and units[i.source] != i.unit
            else IDENTITY
            for i in inputs
        )

    def output_for(self, units: Mapping[str, str] | None) -> tuple[str, Conversion]:
        """The unit the answer is given in and the conversion from the model's output unit."""
        if units and self.target_input >= 0:
            source = self.contract.inputs[self.target_input].source
            caller = units.get(source)
            if caller is not None and caller != self.output_unit:
                return caller, resolve_conversion(self.model_output_unit, caller, source)
        return self.output_unit, self.output_conversion


def _check_shape(contract: DeploymentContract) -> None:
    names = [i.name for i in contract.inputs]
    if len(set(names)) != len(names):
        raise InvalidInput("contract input names must be distinct", {"field": "inputs"})
    if any(i.source == contract.timestampField for i in contract.inputs):
        raise InvalidInput(
            "an input cannot read the timestamp field",
            {"field": "inputs", "timestampField": contract.timestampField},
        )
    if not contract.quantiles or len(set(contract.quantiles)) != len(contract.quantiles):
        raise InvalidInput(
            "contract quantiles must be distinct and non-empty", {"field": "quantiles"}
        )
    if contract.frequency not in FREQUENCY_SECONDS:
        raise InvalidInput("unknown frequency", {"field": "frequency", "value": contract.frequency})
    if contract.holidays is not None:
        holiday_calendar(contract.holidays)  # INVALID_INPUT for an unknown calendar


@lru_cache(maxsize=256)
def _prepare(encoded: bytes) -> ResolvedContract:
    try:
        contract = _decode_contract(encoded)
    except msgspec.ValidationError as exc:  # constraints a contract built in code may break
        raise InvalidInput(f"invalid deployment contract: {exc}", {"cause": str(exc)}) from exc
    _check_shape(contract)
    sources: list[str] = []
    for i in contract.inputs:
        check_unit(i.unit, f"inputs.{i.name}.unit")
        if i.source not in sources:
            sources.append(i.source)
    for source, unit in contract.sourceUnits.items():
        for i in contract.inputs:
            if i.source == source:
                resolve_conversion(unit, i.unit, f"sourceUnits.{source}")
    names = tuple(i.name for i in contract.inputs)
    target = names.index(contract.target.name) if contract.target.name in names else -1
    model_unit = contract.inputs[target].unit if target >= 0 else contract.target.outputUnit
    out_conv = resolve_conversion(model_unit, contract.target.outputUnit, "target.outputUnit")
    order = np.argsort(np.asarray(contract.quantiles, dtype=np.float64), kind="stable")
    sorted_q = [contract.quantiles[int(j)] for j in order]
    return ResolvedContract(
        contract=contract,
        frequency_us=FREQUENCY_SECONDS[contract.frequency] * 1_000_000,
        sources=tuple(sources),
        input_source=np.array([sources.index(i.source) for i in contract.inputs], dtype=np.intp),
        input_columns=tuple(sources.index(i.source) for i in contract.inputs),
        input_names=names,
        input_units=tuple(i.unit for i in contract.inputs),
        required=np.array([i.required for i in contract.inputs], dtype=np.bool_),
        known_index=np.array([j for j, i in enumerate(contract.inputs) if i.known], dtype=np.intp),
        ranged=np.array(
            [j for j, i in enumerate(contract.inputs) if i.trainingRange is not None],
            dtype=np.intp,
        ),
        dropouts=np.array([j for j, i in enumerate(contract.inputs) if i.dropoutZeros], np.intp),
        target_input=target,
        model_output_unit=model_unit,
        output_unit=contract.target.outputUnit,
        output_conversion=out_conv,
        quantile_order=order.astype(np.intp),
        interval_keys=tuple(interval_key(q) for q in sorted_q),
        median_column=int(np.argmin([abs(q - 0.5) for q in sorted_q])),
    )


def prepare_contract(contract: DeploymentContract) -> ResolvedContract:
    """Validates the contract's units and resolves its conversions (cached per contract).

    Raises INVALID_INPUT / UNIT_INCONSISTENT when the contract itself is unusable.
    """
    try:
        encoded = _encode(contract)
    except (TypeError, ValueError) as exc:  # a contract built in code with odd values
        raise InvalidInput(
            "the deployment contract cannot be encoded", {"cause": str(exc)}
        ) from exc
    return _prepare(encoded)


def series_input(contract: DeploymentContract, asset: str | None) -> npt.NDArray[np.float32] | None:
    """A global model's `series` input [1, 1] for `asset` (None for a one-series model);
    INVALID_INPUT naming the known assets when `asset` is missing or unknown."""
    if not contract.assets:
        return None
    index = asset_index(contract.assets, asset)
    return np.array([[index]], dtype=np.float32)


def requested_asset(payload: InferenceInput, path_asset: str | None = None) -> str | None:
    """The asset a request names: its body's `assetId` (or `asset_id`), else the path's."""
    return payload.assetId or payload.asset_id or path_asset


def asset_index(assets: Sequence[str], asset: str | None) -> int:
    """The position of `asset` among a global model's series; INVALID_INPUT naming the
    known ones when it is missing or unknown."""
    if asset is None or asset == "":
        raise InvalidInput(
            "this model serves several assets: name one in assetId",
            {"field": "assetId", "knownAssets": list(assets)},
        )
    try:
        return list(assets).index(asset)
    except ValueError:
        shown = ", ".join(list(assets)[:20])
        raise InvalidInput(
            f"unknown asset {asset!r}; this model knows {shown}",
            {"field": "assetId", "assetId": asset, "knownAssets": list(assets)},
        ) from None
