"""The run table's SQL pieces: every name a caller gives becomes a bound argument."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from control_plane.lab import run_query
from schemas.errors import InvalidInput


def test_columns_params_and_metrics_are_bound_not_spliced() -> None:
    assert run_query.column_expr("createdAt") == ("j.created_at", [])
    assert run_query.column_expr("param:optim.lr") == ("(j.hyperparams #> {})", [["optim", "lr"]])
    assert run_query.column_expr("param:architecture")[1] == [["architecture", "name"]]
    assert run_query.column_expr("metric:valLoss:min")[1] == [["valLoss", "min"]]
    assert run_query.column_expr("metric:test.mae")[1] == [["test.mae", "last"]]
    with pytest.raises(InvalidInput):
        run_query.column_expr("created_at; DROP TABLE lab_run")


def test_filters_compare_numbers_numerically_and_text_as_text() -> None:
    query = run_query.Query()
    run_query.add_filter(query, "metric:valLoss:min<=0.5")
    run_query.add_filter(query, "param:optimizer!=adam")
    assert query.args == [["valLoss", "min"], ["valLoss", "min"], 0.5, ["optimizer"], "adam"]
    assert "::float8 <= {}" in query.where[0] and "<> {}" in query.where[1]
    assert query.clause().count("{}") == len(query.args)


@given(st.text(max_size=40))
def test_anything_unreadable_is_invalid_input_never_sql(text: str) -> None:
    query = run_query.Query()
    try:
        run_query.add_filter(query, text)
    except InvalidInput:
        assert query.args == [] and query.where == []
        return
    assert query.clause().count("{}") == len(query.args)  # what was read is all bound
    assert text.strip().split(":", 1)[0] in ("param", "metric")
