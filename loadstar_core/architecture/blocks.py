"""The catalogue of time-series blocks: what each takes in `data` and what shape it makes.

Shapes are per sample: a sequence `(steps, channels)` or a vector `(width,)`. Pure: the
control plane checks a drawn graph with this, the worker compiles the same graph to torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from schemas.architecture import ShapeContext

Shape = tuple[int, ...]
Width = Annotated[int, Meta(ge=1, le=8192)]
Rate = Annotated[float, Meta(ge=0.0, lt=1.0)]


class BlockError(Exception):
    """A block cannot take its inputs; the graph check names the node around it."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class Params(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """Keys the console keeps for itself (a label) are ignored."""

    label: str = ""


class NoParams(Params):
    pass


class LinearParams(Params):
    out: Width
    axis: Literal["channels", "time"] = "channels"


class MLPParams(Params):
    hidden: Width = 64
    out: Width = 64
    dropout: Rate = 0.0


class ConvParams(Params):
    out: Width
    kernel: Annotated[int, Meta(ge=1, le=1024)] = 3
    dilation: Annotated[int, Meta(ge=1, le=256)] = 1


class RecurrentParams(Params):
    hidden: Width = 64
    layers: Annotated[int, Meta(ge=1, le=8)] = 1
    output: Literal["sequence", "last"] = "sequence"


class PatchParams(Params):
    patch_len: Annotated[int, Meta(ge=1, le=4096)] = msgspec.field(default=16, name="patchLen")
    stride: Annotated[int, Meta(ge=1, le=4096)] = 8
    d_model: Width = msgspec.field(default=64, name="dModel")


class TransformerParams(Params):
    heads: Annotated[int, Meta(ge=1, le=64)] = 4
    d_ff: Width = msgspec.field(default=128, name="dFf")
    dropout: Rate = 0.1


class DecompositionParams(Params):
    kernel: Annotated[int, Meta(ge=1, le=4097)] = 25
    part: Literal["trend", "seasonal"] = "trend"


class ConcatParams(Params):
    axis: Literal["channels", "time"] = "channels"


class DropoutParams(Params):
    p: Rate = 0.1


@dataclass(frozen=True)
class Block:
    """One kind of node: its parameters, how many inputs, and its shape rule."""

    params: type[Params]
    description: str
    inputs: tuple[int, int]  # (min, max) incoming edges
    shape: Callable[[Any, list[Shape], ShapeContext], Shape]


def _sequence(shape: Shape, what: str) -> tuple[int, int]:
    if len(shape) != 2:
        raise BlockError(
            f"{what} needs a sequence (steps, channels), got {list(shape)}",
            expected="(steps, channels)",
            got=list(shape),
        )
    return shape[0], shape[1]


def _one(inputs: list[Shape]) -> Shape:
    return inputs[0]


def _linear(p: LinearParams, inputs: list[Shape], _: ShapeContext) -> Shape:
    shape = _one(inputs)
    if p.axis == "time":
        _steps, channels = _sequence(shape, "a linear layer over time")
        return (p.out, channels)
    return (*shape[:-1], p.out)


def _mlp(p: MLPParams, inputs: list[Shape], _: ShapeContext) -> Shape:
    return (*_one(inputs)[:-1], p.out)


def _conv(p: ConvParams, inputs: list[Shape], _: ShapeContext) -> Shape:
    steps, _channels = _sequence(_one(inputs), "conv1d")
    return (steps, p.out)


def _recurrent(p: RecurrentParams, inputs: list[Shape], _: ShapeContext) -> Shape:
    steps, _channels = _sequence(_one(inputs), "a recurrent layer")
    return (steps, p.hidden) if p.output == "sequence" else (p.hidden,)


def _patch(p: PatchParams, inputs: list[Shape], _: ShapeContext) -> Shape:
    steps, _channels = _sequence(_one(inputs), "patch embedding")
    if p.patch_len > steps:
        raise BlockError(
            f"patchLen {p.patch_len} is longer than the {steps} steps it gets",
            expected=f"patchLen <= {steps}",
            got=p.patch_len,
        )
    return ((steps - p.patch_len) // p.stride + 1, p.d_model)


def _transformer(p: TransformerParams, inputs: list[Shape], _: ShapeContext) -> Shape:
    steps, width = _sequence(_one(inputs), "a transformer encoder layer")
    if width % p.heads:
        raise BlockError(
            f"{width} channels do not split into {p.heads} heads",
            expected=f"channels divisible by {p.heads}",
            got=width,
        )
    return (steps, width)


def _decomposition(p: DecompositionParams, inputs: list[Shape], _: ShapeContext) -> Shape:
    return (*_sequence(_one(inputs), "decomposition"),)


def _same(_: Params, inputs: list[Shape], __: ShapeContext) -> Shape:
    return _one(inputs)


def _add(_: Params, inputs: list[Shape], __: ShapeContext) -> Shape:
    first = inputs[0]
    for other in inputs[1:]:
        if other != first:
            raise BlockError(
                f"add needs equal shapes, got {list(first)} and {list(other)}",
                expected=list(first),
                got=list(other),
            )
    return first


def _concat(p: ConcatParams, inputs: list[Shape], _: ShapeContext) -> Shape:
    ranks = {len(s) for s in inputs}
    if ranks != {len(inputs[0])}:
        raise BlockError(
            "concat needs inputs of one kind (all sequences or all vectors)",
            got=[list(s) for s in inputs],
        )
    if len(inputs[0]) == 1:
        return (sum(s[0] for s in inputs),)
    along = 1 if p.axis == "channels" else 0
    keep = 1 - along
    for other in inputs[1:]:
        if other[keep] != inputs[0][keep]:
            kept = "steps" if keep == 0 else "channels"
            raise BlockError(
                f"concat along {p.axis} needs equal {kept}, got "
                f"{list(inputs[0])} and {list(other)}",
                expected=list(inputs[0]),
                got=list(other),
            )
    total = sum(s[along] for s in inputs)
    return (inputs[0][0], total) if along == 1 else (total, inputs[0][1])


def _input(_: Params, __: list[Shape], ctx: ShapeContext) -> Shape:
    return (ctx.lookback, 1)


def _features(_: Params, __: list[Shape], ctx: ShapeContext) -> Shape:
    return (ctx.lookback, ctx.features)


def _head(_: Params, __: list[Shape], ctx: ShapeContext) -> Shape:
    return (ctx.horizon, ctx.quantiles)


ONE, MANY, NONE = (1, 1), (2, 64), (0, 0)
BLOCKS: dict[str, Block] = {
    "input": Block(
        NoParams, "the target's history window (lookback, 1), instance-normalised", NONE, _input
    ),
    "features": Block(NoParams, "the feature plan's output (lookback, features)", NONE, _features),
    "linear": Block(LinearParams, "a linear layer over channels or over time", ONE, _linear),
    "mlp": Block(MLPParams, "Linear -> GELU -> Dropout -> Linear", ONE, _mlp),
    "conv1d": Block(ConvParams, "a causal 1-d convolution over time", ONE, _conv),
    "gru": Block(RecurrentParams, "a GRU over time (every step or the last)", ONE, _recurrent),
    "lstm": Block(RecurrentParams, "an LSTM over time (every step or the last)", ONE, _recurrent),
    "patch": Block(PatchParams, "patches of the sequence embedded as tokens", ONE, _patch),
    "transformer": Block(
        TransformerParams, "a pre-norm transformer encoder layer", ONE, _transformer
    ),
    "decomposition": Block(
        DecompositionParams, "moving-average trend, or the seasonal rest", ONE, _decomposition
    ),
    "add": Block(NoParams, "the sum of equal shapes (a skip connection)", MANY, _add),
    "concat": Block(ConcatParams, "inputs side by side", MANY, _concat),
    "dropout": Block(DropoutParams, "dropout", ONE, _same),
    "layernorm": Block(NoParams, "layer normalisation over the last axis", ONE, _same),
    "quantileHead": Block(NoParams, "flatten -> linear -> (horizon, quantiles)", ONE, _head),
}
SOURCES = ("input", "features")
HEAD = "quantileHead"
