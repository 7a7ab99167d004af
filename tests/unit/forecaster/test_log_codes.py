"""A training log line's message code and parameters travel the event protocol intact (the
console renders them in the reader's language); parameters are text or the line is refused."""

from __future__ import annotations

import msgspec
import pytest

from schemas.training_job.protocol import LogEvent, from_stream, stream_fields


def _through_the_stream(payload: dict[str, object]) -> LogEvent:
    fields = stream_fields("job-1", "log", 7, payload)
    raw = {k.encode(): v if isinstance(v, bytes) else str(v).encode() for k, v in fields.items()}
    event = from_stream(raw)
    assert isinstance(event, LogEvent)
    return event


def test_a_coded_line_keeps_its_code_and_parameters() -> None:
    payload = {
        "level": "INFO",
        "message": "stopped after 12 epochs (best 9); evaluating",
        "progress": 0.9,
        "code": "stopped",
        "params": {"epochs": "12", "best": "9"},
    }
    event = _through_the_stream(payload)
    assert event.payload.code == "stopped"
    assert event.payload.params == {"epochs": "12", "best": "9"}
    assert msgspec.to_builtins(event.payload) == payload


def test_a_line_without_a_code_stays_as_it_was() -> None:
    event = _through_the_stream({"level": "WARNING", "message": "resuming"})
    assert msgspec.to_builtins(event.payload) == {"level": "WARNING", "message": "resuming"}


def test_parameters_that_are_not_text_are_refused() -> None:
    with pytest.raises(msgspec.ValidationError):
        stream_fields("job-1", "log", 8, {"level": "INFO", "message": "x", "params": {"n": 3}})
