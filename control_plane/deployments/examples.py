"""A deployment's contract page: a real example request and output, and snippets to copy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import polars as pl

from control_plane.datasets.storage import canonical_key
from control_plane.deployments.predict import predict
from control_plane.deployments.runtime import DeploymentRuntime
from control_plane.deployments.schemas import ContractOut, DeploymentOut
from loadstar_core.postprocess.units import Conversion, resolve_conversion
from schemas.contracts import DeploymentContract, InferenceInput
from schemas.errors import LoadstarError
from schemas.feature_plan import FREQUENCY_SECONDS


def answer_unit(contract: DeploymentContract) -> str:
    """The unit a caller's answer comes in when the request names no `units`: the unit the
    saved mapping says the caller sends the target in, else the contract's output unit."""
    target = next((i for i in contract.inputs if i.name == contract.target.name), None)
    if target is not None and target.source in contract.sourceUnits:
        return contract.sourceUnits[target.source]
    return contract.target.outputUnit


def _caller_units(contract: DeploymentContract) -> dict[str, Conversion]:
    """Per source field, the conversion from the model's unit to the unit callers send."""
    return {
        i.source: resolve_conversion(i.unit, contract.sourceUnits[i.source], i.source)
        for i in contract.inputs
        if i.source in contract.sourceUnits
    }


async def example_rows(
    deployment: DeploymentOut, runtime: DeploymentRuntime
) -> list[dict[str, Any]]:
    """The last `lookback` points of the training dataset, in the callers' field names and
    units (the saved mapping's), so the example is exactly what a caller sends."""
    contract = deployment.contract
    dataset_id = contract.meta.datasetId
    to_caller = _caller_units(contract)
    rows: list[dict[str, Any]] = []
    if dataset_id:
        try:
            data = await runtime.store.get_bytes(canonical_key(dataset_id))
            frame = pl.read_parquet(data)
            column = contract.seriesColumn
            if contract.assets and column and column in frame.columns:  # the first asset's
                frame = frame.filter(pl.col(column).cast(pl.String) == contract.assets[0])
            frame = frame.tail(contract.lookback)
            for rec in frame.iter_rows(named=True):
                ts = rec["timestamp"]
                row: dict[str, Any] = {
                    contract.timestampField: ts.isoformat().replace("+00:00", "Z")
                }
                for i in contract.inputs:
                    if i.name in rec and rec[i.name] is not None:
                        value = float(rec[i.name])
                        if (conversion := to_caller.get(i.source)) is not None:
                            value = value * conversion.factor + conversion.offset
                        row[i.source] = round(value, 6)
                rows.append(row)
        except LoadstarError:
            rows = []
    if not rows:  # no dataset to draw from: a flat, regular example
        step = timedelta(seconds=FREQUENCY_SECONDS[contract.frequency])
        end = datetime(2026, 1, 1, tzinfo=UTC)
        for k in range(contract.lookback):
            row = {
                contract.timestampField: (end - (contract.lookback - 1 - k) * step)
                .isoformat()
                .replace("+00:00", "Z")
            }
            row.update({i.source: 1.0 for i in contract.inputs})
            rows.append(row)
    return rows


def example_future(
    contract: DeploymentContract, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The forecast period's rows for the known inputs: the H grid points after the example
    series, each known field holding its last value in the series (a flat plan)."""
    known = [i for i in contract.inputs if i.known]
    if not known or not rows:
        return []
    field = contract.timestampField
    last = datetime.fromisoformat(str(rows[-1][field]).replace("Z", "+00:00"))
    step = timedelta(seconds=FREQUENCY_SECONDS[contract.frequency])
    held = {
        i.source: next((r[i.source] for r in reversed(rows) if i.source in r), 0.0) for i in known
    }
    return [
        {field: (last + k * step).isoformat().replace("+00:00", "Z"), **held}
        for k in range(1, contract.horizon + 1)
    ]


def snippets(api_url: str) -> dict[str, str]:
    """curl and Python calls that post `request.json` (the example request) with the token."""
    return {
        "curl": (
            f"curl -X POST {api_url} \\\n"
            '  -H "Authorization: Bearer $LOADSTAR_TOKEN" \\\n'
            "  -H 'Content-Type: application/json' \\\n  -d @request.json"
        ),
        "python": (
            "import json, os, httpx\n\n"
            "# request.json: the example request above (or your own readings)\n"
            "body = json.load(open('request.json'))\n"
            "token = os.environ['LOADSTAR_TOKEN']\n"
            f'resp = httpx.post("{api_url}", json=body,\n'
            '                  headers={"Authorization": f"Bearer {token}"})\n'
            "resp.raise_for_status()\nforecast = resp.json()\n"
            "print(forecast['values'][:3], forecast['intervals'].keys())\n"
        ),
    }


async def contract_examples(deployment: DeploymentOut, runtime: DeploymentRuntime) -> ContractOut:

    contract = deployment.contract
    body: dict[str, Any] = {"series": await example_rows(deployment, runtime)}
    if contract.assets:  # a global model: the request names its asset
        body["assetId"] = contract.assets[0]
    future = example_future(contract, body["series"])
    if future:  # the inputs known in advance, over the forecast period
        body["future"] = future
    # no `units` block: the rows are already in the units the saved mapping names
    output: dict[str, Any] | None = None
    error: str | None = None
    try:
        result = await predict(
            contract,
            deployment.tritonModel,
            deployment.version,
            msgspec.convert(body, InferenceInput),
            runtime.inference,
        )
        output = msgspec.to_builtins(result)
    except LoadstarError as exc:
        error = f"{exc.code}: {exc.message}"
    return ContractOut(
        contract=contract,
        exampleRequest=body,
        exampleOutput=output,
        exampleError=error,
        snippets=snippets(deployment.apiUrl),
        answerUnit=answer_unit(contract),
    )
