"""Invariant: service credits are monthly, and a month's credits stay within the cap.

The credits block speaks of months (``monthly_charges``, a monthly cap): whatever an
objective's window, each critical objective earns at most one credit a month and the
credits due in a month add up to at most the cap. Hypothesis draws contracts of
:mod:`invariants.objectives` and records over four months, with monthly windows and with
day, week or quarter windows (a quarter is charged in the month it ends).
"""

from __future__ import annotations

import os
import re
from collections import defaultdict

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invariants.common import Outcome, Row, contacts, judge, store
from invariants.objectives import CATEGORY_RULES, contract, credit_settings, objective
from invariants.test_objective_independence import compiled
from slalang.engine import ENGINES

IN_CI = os.environ.get("HYPOTHESIS_PROFILE") == "ci"
MONTH = re.compile(r"\d{4}-\d{2}")
EXAMPLES = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                    HealthCheck.data_too_large])  # fmt: skip


@st.composite
def credit_case(draw: st.DrawFn, windows: tuple[str, ...]) -> tuple[str, list[Row]]:
    """A contract whose first objective is critical with one of ``windows``, and records."""
    first = draw(objective("o0", window=draw(st.sampled_from(windows))))
    first = type(first)(first.id, ("critical allocation 20%", *first.lines[1:]), first.window,
                        critical=True)  # fmt: skip
    others = [draw(objective(f"o{i}", window="month")) for i in range(1, draw(st.integers(1, 3)))]
    rules = draw(st.lists(st.sampled_from(CATEGORY_RULES), unique=True))
    text = contract([first, *others], rules, draw(credit_settings()), draw(st.booleans()))
    return text, draw(contacts(min_size=5))


def _monthly(outcome: Outcome) -> None:
    earned: dict[tuple[str, str], int] = defaultdict(int)
    for period in outcome.credits:
        assert MONTH.fullmatch(period.period), period.period
        assert period.due <= period.cap + 1e-9, period
        for credit in period.credits:
            earned[credit.objective, period.period[:7]] += 1
    assert all(count == 1 for count in earned.values()), earned


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


@pytest.mark.parametrize("evaluator", ENGINES)
@settings(EXAMPLES, max_examples=200 if IN_CI else 30)
@given(case=credit_case(("month",)))
def test_monthly_windows_give_monthly_credits(
    evaluator: str, case: tuple[str, list[Row]], con: duckdb.DuckDBPyConnection
) -> None:
    text, rows = case
    store(con, rows)
    _monthly(judge(compiled(text), con, rows, evaluator))


@pytest.mark.parametrize("evaluator", ENGINES)
@settings(EXAMPLES, max_examples=200 if IN_CI else 30)
@given(case=credit_case(("day", "week", "quarter")))
def test_any_window_gives_monthly_credits(
    evaluator: str, case: tuple[str, list[Row]], con: duckdb.DuckDBPyConnection
) -> None:
    text, rows = case
    store(con, rows)
    _monthly(judge(compiled(text), con, rows, evaluator))
