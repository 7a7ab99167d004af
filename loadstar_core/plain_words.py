"""msgspec's validation messages ("Expected `int` >= 1 - at `$.epochs`") in plain words
("epochs must be a whole number of at least 1"). Pure: text in, text out; the original
stays in the error's details, one click away."""

from __future__ import annotations

import re

_AT = re.compile(r"\s+-\s+at\s+`\$\.?([^`]*)`\s*$")
_TYPES = {
    "int": "a whole number",
    "float": "a number",
    "str": "text",
    "bool": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "empty",
    "datetime": "a date and time (ISO 8601)",
}
_BOUNDS = {
    ">=": "at least",
    ">": "greater than",
    "<=": "at most",
    "<": "less than",
}


def _kind(name: str) -> str:
    return _TYPES.get(name, name)


def _field(path: str) -> str:
    """`ops[0].lags[1]` as "ops[0].lags[1]"; an empty path (the whole body) as "the body"."""
    return path or "the body"


def _bounded(text: str) -> str | None:
    """'`int` >= 1' or '`str` of length >= 1' in words."""
    match = re.fullmatch(r"`(\w+)`\s*(>=|<=|>|<)\s*(\S+)", text)
    if match:
        return f"{_kind(match.group(1))}, {_BOUNDS[match.group(2)]} {match.group(3)}"
    match = re.fullmatch(r"`(\w+)`\s+of length\s*(>=|<=|>|<)\s*(\d+)", text)
    if match:
        what = "a list" if match.group(1) == "array" else _kind(match.group(1))
        items = "item" if match.group(1) == "array" else "character"
        n = int(match.group(3))
        return f"{what} of {_BOUNDS[match.group(2)]} {n} {items}{'s' if n != 1 else ''}"
    match = re.fullmatch(r"`(\w+)`\s+matching regex\s+`.*`", text)
    if match:
        return f"{_kind(match.group(1))} in the expected form"
    return None


def plain_validation(message: str, key: str | None = None) -> str:
    """One msgspec (or framework) validation message as a sentence that names the field.
    Unknown shapes come back unchanged."""
    text = message.strip()
    path = key
    at = _AT.search(text)
    if at:
        path = at.group(1)
        text = text[: at.start()]
    where = _field((path or "").replace("data.", "", 1) if path else "")
    if m := re.fullmatch(r"Expected `(\w+)`, got `(\w+)`", text):
        return f"{where} must be {_kind(m.group(1))}, not {_kind(m.group(2))}"
    if m := re.fullmatch(r"Expected `([\w |]+)`, got `(\w+)`", text):
        kinds = " or ".join(_kind(k.strip()) for k in m.group(1).split("|"))
        return f"{where} must be {kinds}, not {_kind(m.group(2))}"
    if text.startswith("Expected "):
        bounded = _bounded(text.removeprefix("Expected ").strip())
        if bounded:
            return f"{where} must be {bounded}"
    if m := re.fullmatch(r"Object missing required field `(\w+)`", text):
        return f"{(path + '.') if path else ''}{m.group(1)} is required"
    if m := re.fullmatch(r"Object contains unknown field `(\w+)`", text):
        return f"{(path + '.') if path else ''}{m.group(1)} is not a field this request takes"
    if m := re.fullmatch(r"Invalid enum value (.+)", text):
        return f"{where} cannot be {m.group(1)}"
    if m := re.fullmatch(r"Invalid value (.+)", text):
        return f"{where} cannot be {m.group(1)}"
    return message
