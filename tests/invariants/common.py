"""Shared pieces of the invariant tests: contact records over several months, and judging.

``contacts()`` draws the canonical contact records of
:func:`engine.test_engine_vs_reference.contact`, spread over four months (two quarters), so
that day, week, month and quarter windows all cut the same data differently. ``judge``
runs one evaluator on records already in a DuckDB table and judges the figures the way
:func:`slalang.evaluate` does; ``test_judge_matches_the_public_api`` checks that it does.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import attrs
import duckdb
import pyarrow as pa
from engine.test_engine_vs_reference import _table, contact
from hypothesis import strategies as st

from slalang.engine import duckdb_engine as engine
from slalang.engine import reference
from slalang.engine.plan import Plan
from slalang.judge import consequences
from slalang.judge.consequences import AccountRisk, PeriodCredits
from slalang.judge.verdicts import Verdict, verdicts

Row = dict[str, Any]
DAYS = 120
"""Records fall in March to June 2026: four months, two quarters, some eighteen weeks."""
BUSY_DAYS = (0, 1, 28, 29, 30, 59, 60, 89, 90)
"""Half the records are moved by one of these few days, next to month and quarter ends,
so that customers call again within days and periods meet at their boundaries."""


@st.composite
def spread_contact(draw: st.DrawFn) -> Row:
    """A contact record moved by a whole number of days into the four months; one in four
    is queued in the last minute of a day, where event attribution can move it to the next."""
    row = draw(contact())
    days = st.integers(0, DAYS - 5) | st.sampled_from(BUSY_DAYS)
    shift = dt.timedelta(days=draw(days))
    if draw(st.integers(0, 3)) == 0:
        queued = row["queued_at"]
        late = dt.datetime.combine(queued.date(), dt.time(23, 59, draw(st.integers(0, 59))))
        shift += late - queued
    row["queued_at"] = row["queued_at"] + shift
    if row["arrived_at"] is not None:
        row["arrived_at"] = row["arrived_at"] + shift
    return row


def contacts(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[list[Row]]:
    """Tens of contact records over four months."""
    return st.lists(spread_contact(), min_size=min_size, max_size=max_size)


def table(rows: Sequence[Row]) -> pa.Table:
    """Records as a pyarrow table with the canonical column types."""
    return _table(list(rows))


@attrs.frozen
class Outcome:
    """What an evaluation judged: verdicts, credits per period, the account's status."""

    verdicts: tuple[Verdict, ...]
    credits: tuple[PeriodCredits, ...]
    risk: AccountRisk


def store(con: duckdb.DuckDBPyConnection, rows: Sequence[Row], name: str = "calls") -> None:
    """Replace table ``name`` with these records."""
    arrow = table(rows)  # noqa: F841 - read by DuckDB through its replacement scan
    con.execute(f"CREATE OR REPLACE TABLE {engine.quote(name)} AS SELECT * FROM arrow")


def judge(
    plan: Plan,
    con: duckdb.DuckDBPyConnection,
    rows: Sequence[Row],
    evaluator: str,
    name: str = "calls",
) -> Outcome:
    """Evaluate ``plan`` (one contacts source) with ``evaluator`` over ``rows``, stored as
    table ``name`` of ``con`` for the DuckDB engine, then judge as the public API does."""
    (source,) = {o.source for o in plan.objectives}
    if evaluator == "duckdb":
        figures = engine.evaluate(con, plan, {source: name})
    else:
        figures = reference.evaluate(plan, {source: list(rows)})
    found = verdicts(plan, figures)
    period_credits = consequences.credits(plan, found)
    risk = consequences.account_risk(plan, found, period_credits)
    return Outcome(tuple(found), tuple(period_credits), risk)


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def same_verdict(a: Verdict, b: Verdict) -> bool:
    """Equal verdicts, sums compared to rounding; the line a statement is on may differ."""
    fields = ("objective", "period", "status", "unit", "volume", "aggregate", "judged",
              "meeting", "excluded", "critical", "expected", "minimum")  # fmt: skip
    return (
        all(getattr(a, f) == getattr(b, f) for f in fields)
        and _close(a.actual, b.actual)
        and _close(a.numerator, b.numerator)
        and _close(a.denominator, b.denominator)
    )


def by_objective(outcome: Outcome) -> dict[str, list[Verdict]]:
    """Each objective's verdicts in period order."""
    result: dict[str, list[Verdict]] = {}
    for verdict in outcome.verdicts:
        result.setdefault(verdict.objective, []).append(verdict)
    return result


def described(verdicts: Sequence[Verdict]) -> list[tuple[object, ...]]:
    """Verdicts as short tuples, for failure messages."""
    return [(v.period, v.status, v.actual, v.numerator, v.denominator, v.volume, v.excluded)
            for v in verdicts]  # fmt: skip
