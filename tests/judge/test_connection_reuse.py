"""A DuckDB connection given to ``slalang.evaluate`` can be used again.

``evaluate(plan, data=..., connection=con)`` lets a caller keep one connection for
many evaluations. An evaluation refused because the data lacks a field an objective
needs (E823) must leave the connection usable for the next one.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pytest

import slalang

CONTRACT = """contract demo {
  client "A"
  vendor "B"
  timezone "UTC"
}

source calls: contacts

objective aht {
  key
  metric average_handle_time
  expected <= 300 s
}
"""


def _calls(**more: list[object]) -> pa.Table:
    return pa.table({"contact_id": ["1"], "queued_at": [dt.datetime(2026, 3, 2, 9)],
                     "outcome": ["answered"], "wait": [3.0], **more})  # fmt: skip


@pytest.mark.parametrize("evaluator", ["duckdb", "reference"])
def test_connection_survives_missing_fields(evaluator: str) -> None:
    plan = slalang.compile(slalang.check(CONTRACT))
    con = duckdb.connect()
    with pytest.raises(slalang.EvaluationError, match="needs `talk`"):
        slalang.evaluate(plan, data=_calls(), evaluator=evaluator, connection=con)
    complete = _calls(talk=[100.0], hold=[0.0], acw=[20.0])
    evaluation = slalang.evaluate(plan, data=complete, evaluator=evaluator, connection=con)
    assert [(v.status, v.actual) for v in evaluation.verdicts] == [("met", 120.0)]
