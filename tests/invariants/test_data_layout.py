"""Invariant: the order of the records, and the file they come in, change nothing.

Hypothesis draws a contract of one or two objectives over a contacts source (see
:mod:`invariants.objectives`) and tens of contact records. The contract is evaluated on
the records in the order drawn, stored in DuckDB as they are (as the engine tests do),
and through :func:`slalang.evaluate` on the same records shuffled: as a pyarrow table,
as a CSV file read through the ``generic-contacts`` profile, or as a Parquet file.
Verdicts, credits and the account's status must be the same, with both evaluators.

The records may also be split into two or three files (CSV or Parquet) given as a list:
the files of one source are read as one.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slalang
from invariants.common import Row, contacts, described, judge, same_verdict, store, table
from invariants.objectives import contract, credit_settings, objective, rule
from slalang.engine import ENGINES
from slalang.judge.results import Evaluation

_counter = itertools.count()


@st.composite
def layout_case(draw: st.DrawFn) -> tuple[str, list[Row], list[int], str]:
    """A contract, records, a shuffled order of them and the form they are given in."""
    count = draw(st.integers(1, 2))
    objectives = [draw(objective(f"o{i}")) for i in range(count)]
    rules = [draw(rule(o)) for o in objectives if draw(st.booleans())]
    text = contract(objectives, rules, draw(credit_settings()), draw(st.booleans()))
    rows = draw(contacts(min_size=1, max_size=25))
    order = draw(st.permutations(range(len(rows))))
    form = draw(st.sampled_from(["table", "csv", "parquet", "csv-split", "parquet-split"]))
    return text, rows, list(order), form


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def write_csv(path: Path, rows: list[Row]) -> None:
    """Records as a CSV file with canonical column names, as ``generic-contacts`` reads."""
    names = list(table(rows).column_names)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for row in rows:
            writer.writerow([_csv_value(row[name]) for name in names])


def _given(rows: list[Row], form: str, folder: Path) -> object:
    if form == "table":
        return table(rows)
    if form.endswith("-split"):  # two or three files, the last ones possibly empty of rows
        kind = form.removesuffix("-split")
        third = max(1, len(rows) // 3)
        pieces = [rows[:third], rows[third : 2 * third], rows[2 * third :]]
        return [_given(piece, kind, folder) for piece in pieces if piece or kind == "csv"]
    path = folder / f"calls-{next(_counter)}.{form}"
    if form == "csv":
        write_csv(path, rows)
    else:
        pq.write_table(table(rows), path)
    return path


class Connection:
    """One DuckDB connection for the evaluations through the API, replaced after an
    evaluation that stopped on missing fields leaves it unusable
    (``tests/judge/test_connection_reuse.py``)."""

    def __init__(self) -> None:
        self.con = duckdb.connect()

    def evaluate(self, plan: slalang.Plan, data: object, evaluator: str) -> Evaluation:
        try:
            return slalang.evaluate(plan, data=data, evaluator=evaluator, connection=self.con)
        except slalang.EvaluationError:
            self.con = duckdb.connect()
            raise


@pytest.fixture(scope="module")
def api() -> Connection:
    return Connection()


@pytest.mark.parametrize("evaluator", ENGINES)
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])  # fmt: skip
@given(case=layout_case())
def test_order_and_file_change_nothing(
    evaluator: str,
    case: tuple[str, list[Row], list[int], str],
    tmp_path: Path,
    api: Connection,
    con: duckdb.DuckDBPyConnection,
) -> None:
    text, rows, order, form = case
    checked = slalang.check(text, path="generated.sla")
    assert checked.ok, [(d.code, d.message) for d in checked.errors]
    plan = slalang.compile(checked)
    shuffled = _given([rows[i] for i in order], form, tmp_path)
    refused: list[str] = []
    try:
        again = api.evaluate(plan, shuffled, evaluator)
    except slalang.EvaluationError as error:
        refused = [d.message for d in error.diagnostics]
    if refused:  # data without a field an objective needs: refused whatever the order
        with pytest.raises(slalang.EvaluationError) as unshuffled:
            api.evaluate(plan, table(rows), evaluator)
        assert [d.message for d in unshuffled.value.diagnostics] == refused
        return
    store(con, rows)
    first = judge(plan, con, rows, evaluator)
    assert len(first.verdicts) == len(again.verdicts), (
        described(first.verdicts), described(again.verdicts))  # fmt: skip
    for x, y in zip(first.verdicts, again.verdicts, strict=True):
        assert same_verdict(x, y), (described([x]), described([y]))
    assert first.credits == again.credits
    assert first.risk == again.risk


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()
