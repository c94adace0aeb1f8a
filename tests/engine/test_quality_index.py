"""The quality index scores as the language reference says, in both evaluators.

The worked example of ``docs/language.md`` (section ``quality_index``) is read from
the page itself: its contract, its table of audits and the scores it states for each
audit and for the index, with `scoring points` and with `scoring all_criteria`.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import slalang
from slalang.engine import duckdb_engine as engine
from slalang.engine import reference
from slalang.engine.figures import EvaluationFigures
from slalang.engine.plan import Plan, compile_plan
from slalang.judge.verdicts import verdicts

DOC = Path(__file__).resolve().parents[2] / "docs" / "language.md"
SECTION = DOC.read_text(encoding="utf-8").split("### `quality_index`", 1)[1].split("\n## ", 1)[0]
EXAMPLE = SECTION.split("Worked example:", 1)[1]
CONTRACT = EXAMPLE.split("```sla\n", 1)[1].split("```", 1)[0]
OBJECTIVES = {"points": "by_points", "all_criteria": "by_all_criteria"}


def _table() -> tuple[list[str], list[list[str]]]:
    lines = [line for line in EXAMPLE.splitlines() if line.startswith("| ")]
    cells = [[cell.strip().strip("`") for cell in line.strip("|").split("|")] for line in lines]
    header, rows = cells[0], [row for row in cells[1:] if not set(row[0]) <= {"-"}]
    return header, rows


HEADER, ROWS = _table()
CRITERIA = HEADER[1:-2]
AUDITS = [row for row in ROWS if row[0] != "index"]
(INDEX,) = [row for row in ROWS if row[0] == "index"]


def _plan() -> Plan:
    # the example's profile path is relative to the contracts folder, as in the other examples
    contracts = DOC.parents[1] / "contracts"
    checked = slalang.check(CONTRACT, path=str(contracts / "quality-example.sla"))
    assert checked.ok, [d.message for d in checked.diagnostics]
    assert checked.contract is not None
    return compile_plan(checked.contract)


def _records(audits: list[list[str]]) -> list[dict[str, object]]:
    moment = dt.datetime(2026, 1, 5, 9)
    return [
        {"audit_id": audit[0], "audited_at": moment,
         **dict(zip(CRITERIA, audit[1:], strict=False))}
        for audit in audits
    ]  # fmt: skip


def _evaluate(plan: Plan, records: list[dict[str, object]], evaluator: str) -> EvaluationFigures:
    if evaluator == "reference":
        return reference.evaluate(plan, {"qa": records})
    con = duckdb.connect()
    arrow = pa.Table.from_pylist(records)  # noqa: F841 - read by DuckDB's replacement scan
    con.execute("CREATE TABLE audits AS SELECT * FROM arrow")
    return engine.evaluate(con, plan, {"qa": "audits"})


def _points(plan: Plan, audits: list[list[str]], evaluator: str) -> dict[str, float | None]:
    figures = _evaluate(plan, _records(audits), evaluator)
    return {v.objective: v.actual for v in verdicts(plan, figures)}


def _stated(cell: str) -> float | None:
    return None if cell == "n/a" else float(cell)


def test_the_example_is_read_from_the_page() -> None:
    assert CRITERIA == ["greeting", "empathy", "verification", "policy"]
    assert HEADER[-2:] == list(OBJECTIVES)
    assert len(AUDITS) == 6


@pytest.mark.parametrize("evaluator", ["duckdb", "reference"])
@pytest.mark.parametrize("audit", AUDITS, ids=[f"audit{a[0]}" for a in AUDITS])
def test_each_audit_scores_as_the_example_says(audit: list[str], evaluator: str) -> None:
    found = _points(_plan(), [audit], evaluator)
    for column, objective in OBJECTIVES.items():
        stated = _stated(audit[HEADER.index(column)])
        actual = found[objective]
        if stated is None:
            assert actual is None, (column, actual)
        else:
            assert actual is not None, column
            assert math.isclose(actual, stated), (column, actual, stated)


@pytest.mark.parametrize("evaluator", ["duckdb", "reference"])
def test_the_index_is_as_the_example_says(evaluator: str) -> None:
    found = _points(_plan(), AUDITS, evaluator)
    for column, objective in OBJECTIVES.items():
        stated = _stated(INDEX[HEADER.index(column)])
        assert stated is not None
        actual = found[objective]
        assert actual is not None, column
        assert math.isclose(actual, stated), (column, actual, stated)


@pytest.mark.parametrize("evaluator", ["duckdb", "reference"])
def test_an_all_na_audit_is_not_applicable(evaluator: str) -> None:
    plan = _plan()
    (audit,) = [a for a in AUDITS if set(a[1 : 1 + len(CRITERIA)]) == {"na"}]
    figures = _evaluate(plan, _records([audit]), evaluator)
    for objective in OBJECTIVES.values():
        (bucket,) = figures.buckets[objective].values()
        assert (bucket.den, bucket.excluded) == (0.0, {"not applicable": 1})
