"""Invariant: one more call that breaches the level never improves a verdict, one more call
that meets it never worsens one.

For a service level, a breaching call is answered after the threshold, or abandoned after
it (and after any short-abandon limit); a meeting call is answered at once. For an
abandonment rate, a breaching call is abandoned after the short-abandon limit, a meeting
call is answered. Verdicts are ranked met > missed > below minimum; per period, adding a
breaching call never raises the rank and adding a meeting call never lowers it (each
example adds one of the two).

When it holds: for pooled aggregation always. For ``mean``, ``weighted_mean``, ``share``
and ``floor`` per sub-period it holds too as long as there is no minimum volume per
sub-period: a call then only moves its own sub-period's value the same way, or makes a
sub-period judged that holds that call alone (0 % or 100 %, on the same side). With
``min_volume N calls per day`` a call can bring a sub-period of other, better calls into
the judgement, and the verdict can improve on a breaching call; those contracts are not
drawn. A window's ``min_volume`` and ``not_measurable`` / ``no_data`` verdicts are allowed:
only changes between judged statuses are checked.
"""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slalang
from invariants.common import Row, contacts, described, judge, spread_contact
from invariants.common import store as store_rows
from invariants.objectives import HEADER, WINDOWS, metric_lines
from slalang.engine import ENGINES

RANK = {"met": 2, "missed": 1, "below_minimum": 0}
LEVELS = {
    "service_level": ("expected >= 80%", "minimum >= 60%", ">= 80%"),
    "abandonment_rate": ("expected <= 8%", "minimum <= 20%", "<= 8%"),
}


@st.composite
def monotone_case(draw: st.DrawFn) -> tuple[str, str, list[Row], Row, Row, bool]:
    """A contract, its metric, records, one breaching call, one meeting call, and which of
    the two to add."""
    metric = draw(st.sampled_from(sorted(LEVELS)))
    expected, minimum, meeting = LEVELS[metric]
    window = draw(st.sampled_from(WINDOWS))
    lines = ["key", *metric_lines(draw, metric), f"window {window}"]
    per = "60 min" if window == "day" else "day"
    aggregate = draw(st.sampled_from(["pooled", "mean", "weighted_mean", "share", "floor"]))
    if aggregate == "share":
        lines.append(f"aggregate share per {per} meeting {meeting}")
        expected, minimum = "expected >= 70%", "minimum >= 40%"
    elif aggregate != "pooled":
        lines.append(f"aggregate {aggregate} per {per}")
    if draw(st.booleans()):
        lines.append(f"min_volume {draw(st.integers(1, 4))} calls")
    if draw(st.booleans()):
        lines.append("calendar hours")
    if draw(st.booleans()):
        lines.append('where queue == "a"')
    lines.append(expected)
    if draw(st.booleans()):
        lines.append(minimum)
    body = "\n".join(f"  {line}" for line in lines)
    text = HEADER + f"\nobjective o {{\n{body}\n}}\n"
    if draw(st.booleans()):
        text += '\nexclude outage "carrier" from 2026-03-10 09:00 to 2026-03-12 13:30\n'
    rows = draw(contacts(min_size=1, max_size=30))
    # the call comes in next to one of the records, in its periods
    beside = {"queued_at": draw(st.sampled_from(rows))["queued_at"]}
    template = {**draw(spread_contact()), **beside}
    plain = {"arrived_at": None, "ring": None, "talk": 120.0}
    threshold = next((float(line.split()[2]) for line in lines if line.startswith("threshold")),
                     0.0)  # fmt: skip
    late = threshold + 10 + draw(st.integers(1, 300))
    if metric == "service_level":
        outcome = draw(st.sampled_from(["answered", "abandoned"]))
        breach = {**template, **plain, "outcome": outcome, "wait": late}
    else:
        breach = {**template, **plain, "outcome": "abandoned", "wait": late, "talk": None}
    good = {**draw(spread_contact()), **beside}
    meets = {**good, **plain, "outcome": "answered", "wait": 0.0}
    breach["contact_id"], meets["contact_id"] = "added-breach", "added-meets"
    return text, metric, rows, breach, meets, draw(st.booleans())


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _statuses(
    plan: slalang.Plan, con: duckdb.DuckDBPyConnection, rows: list[Row], evaluator: str
) -> dict[str, tuple[object, ...]]:
    store_rows(con, rows)
    found = judge(plan, con, rows, evaluator).verdicts
    return {v.period: described([v])[0] for v in found}


@pytest.mark.parametrize("evaluator", ENGINES)
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=monotone_case())
def test_one_more_call_moves_the_verdict_its_own_way(
    evaluator: str,
    case: tuple[str, str, list[Row], Row, Row, bool],
    con: duckdb.DuckDBPyConnection,
) -> None:
    text, _, rows, breach, meets, worse = case
    checked = slalang.check(text, path="generated.sla")
    assert checked.ok, [(d.code, d.message) for d in checked.errors]
    plan = slalang.compile(checked)
    before = _statuses(plan, con, rows, evaluator)
    added, direction = (breach, -1) if worse else (meets, 1)
    after = _statuses(plan, con, [*rows, added], evaluator)
    for period, was in before.items():
        now = after.get(period)
        if now is None or was[1] not in RANK or now[1] not in RANK:
            continue
        change = RANK[str(now[1])] - RANK[str(was[1])]
        assert change * direction >= 0, (period, was, now)
