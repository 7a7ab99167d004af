"""A sensor message (MQTT topic + JSON payload) mapped onto a stream group's features.

The mapping says where the entity comes from (a topic segment, or a payload field),
where the event time is (a payload field; the receive time when none), and which payload
field feeds which feature in which unit (converted to the feature's unit). A message
that does not fit is INVALID_INPUT; the consumer counts it and goes on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from loadstar_core.feature_store.rows import CheckedRow, FeatureSpec, check_rows
from schemas.errors import InvalidInput


class FieldMap(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    feature: str
    unit: str | None = None  # the unit the payload gives it in


class PayloadMapping(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel"):
    """`entity_segment`: the topic level (0-based) naming the entity, or `entity_field`."""

    fields: Annotated[dict[str, FieldMap], Meta(min_length=1)]
    entity_segment: int | None = None
    entity_field: str | None = None
    time_field: str | None = None


_DECODE = msgspec.json.Decoder()


def check_mapping(mapping: PayloadMapping, features: Mapping[str, FeatureSpec]) -> None:
    """A mapping that names only the group's features, with convertible units."""
    if (mapping.entity_segment is None) == (mapping.entity_field is None):
        raise InvalidInput(
            "say where the entity is: entitySegment (a topic level) or entityField",
            {"field": "mapping.entitySegment"},
        )
    units = {}
    for name, target in mapping.fields.items():
        if target.feature not in features:
            raise InvalidInput(
                f"payload field {name!r} maps to {target.feature!r}, not a feature of the group",
                {"field": f"mapping.fields.{name}.feature", "features": sorted(features)},
            )
        if target.unit is not None:
            units[target.feature] = target.unit
    check_rows(features, [], units)  # unknown units, or units of the wrong dimension


def map_message(
    mapping: PayloadMapping,
    features: Mapping[str, FeatureSpec],
    topic: str,
    payload: bytes,
    received_at: datetime,
) -> CheckedRow:
    """The message as one checked row; INVALID_INPUT says what is wrong with it."""
    try:
        body: Any = _DECODE.decode(payload)
    except msgspec.DecodeError as exc:
        raise InvalidInput("the payload is not JSON", {"cause": str(exc)[:200]}) from exc
    if not isinstance(body, dict):
        raise InvalidInput("the payload is not a JSON object", {"field": "payload"})
    entity: Any
    if mapping.entity_segment is not None:
        levels = topic.split("/")
        if mapping.entity_segment >= len(levels):
            raise InvalidInput("the topic has no entity level", {"topic": topic})
        entity = levels[mapping.entity_segment]
    else:
        entity = body.get(mapping.entity_field or "")
    when = body.get(mapping.time_field) if mapping.time_field else received_at.isoformat()
    values = {target.feature: body[name] for name, target in mapping.fields.items() if name in body}
    if not values:
        raise InvalidInput(
            "the payload has none of the mapped fields", {"fields": sorted(mapping.fields)}
        )
    units = {t.feature: t.unit for n, t in mapping.fields.items() if t.unit and n in body}
    row = {"entity": entity, "eventTime": when, "values": values}
    return check_rows(features, [row], units)[0]
