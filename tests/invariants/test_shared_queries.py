"""Objectives that the DuckDB engine evaluates in one query are still judged one by one.

The engine reads a source once for all objectives with the same bucket time
(``slalang/engine/duckdb_engine.py``: ``_attribution_key``, ``_source_query``,
``_repeat_source``). These cases are twins, objectives that differ in one setting only,
which the generated contracts of ``test_objective_independence`` meet too rarely to be
sure of: each objective must be judged as it is in a contract of its own, with both
evaluators.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from invariants.common import Row, by_objective, described, judge, store
from invariants.objectives import HEADER
from invariants.test_objective_independence import compiled, restricted
from slalang.engine import ENGINES


def _row(number: int, queued: dt.datetime, **values: object) -> Row:
    row: Row = {
        "contact_id": str(number), "channel": "voice", "queue": "a", "call_type": "PS",
        "priority": 1, "customer_id": "c1", "reason": "bill", "queued_at": queued,
        "arrived_at": None, "outcome": "answered", "wait": 0.0, "talk": 100.0, "ring": None,
        "hold": None, "acw": None, "resolved": True,
    }  # fmt: skip
    row.update(values)
    return row


def _objective(name: str, *lines: str) -> str:
    body = "\n".join(f"  {line}" for line in ("key", *lines))
    return f"objective {name} {{\n{body}\n}}\n"


FCR = ("metric fcr", "method repeat_contact", "window month", "expected >= 70%")
EVENT_SL = ("metric service_level", "threshold <= 20 s", "attribution event", "window day",
            "expected >= 80%")  # fmt: skip
MARCH = dt.datetime(2026, 3, 9, 10)
CASES = {
    # a repeat three days later: a repeat within 7 days, not within 1 day
    "repeat windows": (
        [_objective("short", *FCR[:2], "repeat_window 1 d", *FCR[2:]),
         _objective("long", *FCR[:2], "repeat_window 7 d", *FCR[2:])],
        [_row(1, MARCH), _row(2, MARCH + dt.timedelta(days=3)),
         _row(3, MARCH + dt.timedelta(days=20))],
    ),
    # the agent-flag objective first: its (default) repeat settings are not the other's
    "agent flag before repeat contact": (
        [_objective("flag", "metric fcr", "method agent_flag", *FCR[2:]),
         _objective("repeat", *FCR[:2], "repeat_window 1 d", *FCR[2:])],
        [_row(1, MARCH), _row(2, MARCH + dt.timedelta(days=3)),
         _row(3, MARCH + dt.timedelta(days=20))],
    ),
    "same issue only": (
        [_objective("any_issue", *FCR[:2], "same_issue_only false", *FCR[2:]),
         _objective("same_issue", *FCR[:2], "same_issue_only true", *FCR[2:])],
        [_row(1, MARCH), _row(2, MARCH + dt.timedelta(days=1), reason="move"),
         _row(3, MARCH + dt.timedelta(days=20))],
    ),
    # answered 15 s after 23:59:50 with 8 s of ringing: the wait ends at 23:59:57 when it
    # ends at ringing, at 00:00:05 the next day when it ends at the answer
    "wait end of event attribution": (
        [_objective("ringing", *EVENT_SL[:3], "wait_end ringing", *EVENT_SL[3:]),
         _objective("answer", *EVENT_SL[:3], "wait_end answer", *EVENT_SL[3:])],
        [_row(1, dt.datetime(2026, 3, 9, 23, 59, 50), wait=15.0, ring=8.0)],
    ),
}  # fmt: skip


@pytest.mark.parametrize("evaluator", ENGINES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_each_objective_is_judged_as_alone(name: str, evaluator: str) -> None:
    objectives, rows = CASES[name]
    plan = compiled(HEADER + "\n" + "\n".join(objectives) + "\ncredits {\n  at_risk 10%\n}\n")
    con = duckdb.connect()
    store(con, rows)
    together = by_objective(judge(plan, con, rows, evaluator))
    for objective in plan.objectives:
        alone = by_objective(judge(restricted(plan, [objective.id]), con, rows, evaluator))
        assert described(together[objective.id]) == described(alone[objective.id]), objective.id
