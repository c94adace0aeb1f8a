"""The DuckDB engine agrees with the reference evaluator on every other kind of source.

Surveys (CSAT top-box and mean on several scales, NPS, survey FCR), QA audits (one criterion with
fatal criteria, the two-part quality index with either scoring), schedule adherence
with a grace, and interval reports (service level with every variant, abandonment,
ASA, AHT, occupancy, and relief against a forecast), each with random knobs and
random records.
"""

from __future__ import annotations

import datetime as dt
import math
import os

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import slalang
from engine.test_engine_vs_reference import _same
from slalang.engine import duckdb_engine as engine
from slalang.engine import reference
from slalang.engine.plan import compile_plan
from slalang.judge.verdicts import verdicts

IN_CI = os.environ.get("HYPOTHESIS_PROFILE") == "ci"
START = dt.datetime(2026, 3, 2)
CRITERIA = ("greeting", "ownership", "documentation", "policy", "disclosure")
SETTINGS = settings(
    max_examples=200 if IN_CI else 40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

HEADER = """contract demo {
  client "A"
  vendor "B"
  timezone "UTC"
}
"""


def _moment(draw: st.DrawFn) -> dt.datetime:
    return START + dt.timedelta(minutes=draw(st.integers(0, 3 * 24 * 60 - 1)))


@st.composite
def survey(draw: st.DrawFn) -> dict[str, object]:
    return {
        "response_id": str(draw(st.integers(0, 10**6))),
        "queue": draw(st.sampled_from(["a", "b"])),
        "responded_at": _moment(draw),
        "csat": draw(st.none() | st.integers(-1, 7)),
        "nps": draw(st.none() | st.integers(0, 10)),
        "resolved": draw(st.none() | st.booleans()),
    }


@st.composite
def audit(draw: st.DrawFn) -> dict[str, object]:
    row: dict[str, object] = {
        "audit_id": str(draw(st.integers(0, 10**6))),
        "queue": draw(st.sampled_from(["a", "b"])),
        "audited_at": _moment(draw),
    }
    for criterion in CRITERIA:
        row[criterion] = draw(st.sampled_from(["yes", "yes", "no", "na", "NO", None]))
    return row


@st.composite
def adherence_row(draw: st.DrawFn) -> dict[str, object]:
    scheduled = draw(st.integers(0, 480))
    return {
        "agent": draw(st.sampled_from(["x", "y", "z"])),
        "date": (START + dt.timedelta(days=draw(st.integers(0, 2)))).date(),
        "scheduled_minutes": float(scheduled),
        "adherent_minutes": float(draw(st.integers(0, scheduled))),
    }


@st.composite
def interval_row(draw: st.DrawFn) -> dict[str, object]:
    answered = draw(st.integers(0, 40))
    abandoned = draw(st.integers(0, 10))
    other = draw(st.integers(0, 3))
    abandoned_20 = draw(st.integers(0, abandoned))
    short = draw(st.integers(0, abandoned_20))
    handle = float(draw(st.integers(0, 20_000)))
    return {
        "queue": draw(st.sampled_from(["a", "b"])),
        "interval_start": START + dt.timedelta(minutes=30 * draw(st.integers(0, 3 * 48 - 1))),
        "offered": answered + abandoned + other,
        "answered": answered,
        "abandoned": abandoned,
        "short_abandoned": short,
        "answered_within_20": draw(st.integers(0, answered)),
        "abandoned_within_20": abandoned_20,
        "total_wait": float(draw(st.integers(0, 3000))),
        "total_talk": handle * 0.7,
        "total_hold": handle * 0.1,
        "total_acw": handle * 0.2,
        "total_handle": handle,
        "available_time": float(draw(st.integers(0, 20_000))),
    }


@st.composite
def forecast_row(draw: st.DrawFn) -> dict[str, object]:
    return {
        "queue": draw(st.sampled_from(["a", "b"])),
        "interval_start": START + dt.timedelta(minutes=30 * draw(st.integers(0, 3 * 48 - 1))),
        "forecast_offered": float(draw(st.integers(0, 50))),
    }


def _aggregate(draw: st.DrawFn, level: str) -> list[str]:
    window, aggregate = draw(st.sampled_from([
        ("month", "pooled"), ("day", "pooled"), ("month", "mean per day"),
        ("month", "share per day meeting " + level), ("month", "floor per day"),
    ]))  # fmt: skip
    return [f"window {window}", f"aggregate {aggregate}"]


def _objective(lines: list[str], level: str, scope: str) -> str:
    body = "\n".join(f"  {line}" for line in [*lines, *([scope] if scope else []), level])
    return f"objective o {{\n  key\n{body}\n}}\n"


@st.composite
def survey_case(draw: st.DrawFn) -> str:
    metric = draw(st.sampled_from(["csat_top", "csat_mean", "nps", "fcr"]))
    if metric == "csat_top":
        lines = ["metric csat", "method top_box", f"top_box {draw(st.integers(3, 5))}"]
        lines.append(f"scale {draw(st.integers(5, 6))}")
        level = "expected >= 80%"
    elif metric == "csat_mean":
        lines = ["metric csat", "method mean", f"scale {draw(st.integers(4, 7))}"]
        level = "expected >= 4"
    elif metric == "nps":
        lines, level = ["metric nps"], "expected >= 20"
    else:
        lines, level = ["metric fcr", "method survey"], "expected >= 70%"
    lines += _aggregate(draw, level.split(" ", 1)[1] if "%" in level else ">= 50%")
    if "share" in lines[-1] and "%" not in level:
        assume(False)
    scope = draw(st.sampled_from(["", 'where queue == "a"']))
    return HEADER + "source s: surveys\n" + _objective(lines, level, scope)


@st.composite
def audit_case(draw: st.DrawFn) -> str:
    fatal = draw(st.lists(st.sampled_from(["policy", "disclosure"]), unique=True))
    criteria, fatal_list = ", ".join(CRITERIA), ", ".join(fatal)
    source = f"source s: audits {{\n  criteria [{criteria}]\n  fatal [{fatal_list}]\n}}\n"
    if draw(st.booleans()):
        lines = [
            "metric qa_criterion",
            f"criterion {draw(st.sampled_from(CRITERIA))}",
            f"fatal_fails_audit {draw(st.sampled_from(['true', 'false']))}",
        ]
        level = "expected >= 90%"
    else:
        weight = draw(st.sampled_from([30, 50, 70]))
        lines = [
            "metric quality_index",
            "customer_impact [greeting, ownership]",
            "business_impact [documentation, policy, disclosure]",
            f"customer_impact_weight {weight}%",
            f"business_impact_weight {100 - weight}%",
        ]
        scoring = draw(st.sampled_from(["", "scoring points", "scoring all_criteria"]))
        lines += [scoring] if scoring else []
        level = "expected >= 85 points"
    lines += _aggregate(draw, ">= 90%" if "%" in level else ">= 85 points")
    if "share" in lines[-1] and "%" not in level:
        lines[-1] = "aggregate pooled"
    scope = draw(st.sampled_from(["", 'where queue == "b"']))
    return HEADER + source + _objective(lines, level, scope)


@st.composite
def interval_case(draw: st.DrawFn) -> str:
    metric = draw(st.sampled_from(["sl", "abandonment", "asa", "aht", "occupancy"]))
    if metric == "sl":
        variant = draw(st.sampled_from(["F1", "F2", "F3", "F4", "F5"]))
        lines = ["metric service_level", "threshold <= 20 s", f"variant {variant}",
                 f"flow_outs {draw(st.sampled_from(['failure', 'excluded']))}"]  # fmt: skip
        level = "expected >= 80%"
    elif metric == "abandonment":
        lines = ["metric abandonment_rate"]
        if draw(st.booleans()):
            lines += [
                "short_abandon < 5 s",
                f"short_abandons_in_denominator {draw(st.sampled_from(['true', 'false']))}",
            ]
        level = "expected <= 8%"
    elif metric == "asa":
        lines, level = ["metric average_speed_of_answer"], "expected <= 30 s"
    elif metric == "aht":
        parts = draw(st.lists(st.sampled_from(["talk", "hold", "acw"]), min_size=1, unique=True))
        lines = ["metric average_handle_time", f"components [{', '.join(parts)}]"]
        level = "expected between 100 s and 400 s"
    else:
        lines, level = ["metric occupancy"], "expected between 70% and 90%"
    aggregate = _aggregate(draw, ">= 50%")
    if "share" in aggregate[1]:
        aggregate[1] = "aggregate share per 30 min meeting " + level.split(" ", 1)[1]
        level = "expected >= 50%"
    lines += aggregate
    scope = draw(st.sampled_from(["", 'where queue == "a"']))
    source = (
        "source s: intervals {\n  thresholds [20 s]\n  abandon_thresholds [20 s]\n}\n"
        "source f: forecasts\n"
    )
    relief = ""
    if draw(st.booleans()):
        relief = ('relief surge {\n  volume_above_forecast 10%\n  forecast f\n'
                  "  applies_to [o]\n}\n")  # fmt: skip
    lines.insert(1, "from s")
    return HEADER + source + _objective(lines, level, scope) + relief


def _compare(text: str, data: dict[str, list[dict[str, object]]], kinds: dict[str, str]) -> None:
    checked = slalang.check(text, path="generated.sla")
    assume(checked.ok)
    assert checked.contract is not None
    plan = compile_plan(checked.contract)
    con = duckdb.connect()
    tables = {}
    for source, rows in data.items():
        if not rows:
            continue
        arrow = pa.Table.from_pylist(rows)  # noqa: F841 - read by DuckDB's replacement scan
        con.execute(f"CREATE TABLE {kinds[source]} AS SELECT * FROM arrow")
        tables[source] = kinds[source]
    assume(all(o.source in tables for o in plan.objectives))
    assume(all(all(r.forecast_source in tables for r in o.reliefs) for o in plan.objectives))
    fast = engine.evaluate(con, plan, tables)
    slow = reference.evaluate(plan, data)
    _same(fast, slow)
    for a, b in zip(verdicts(plan, fast), verdicts(plan, slow), strict=True):
        assert (a.period, a.status) == (b.period, b.status)
        assert (a.actual is None) == (b.actual is None)
        if a.actual is not None and b.actual is not None:
            assert math.isclose(a.actual, b.actual, rel_tol=1e-9, abs_tol=1e-9)


@SETTINGS
@given(survey_case(), st.lists(survey(), min_size=1, max_size=40))
def test_surveys(text: str, rows: list[dict[str, object]]) -> None:
    _compare(text, {"s": rows}, {"s": "survey_rows"})


@SETTINGS
@given(audit_case(), st.lists(audit(), min_size=1, max_size=40))
def test_audits(text: str, rows: list[dict[str, object]]) -> None:
    _compare(text, {"s": rows}, {"s": "audit_rows"})


@SETTINGS
@given(
    st.lists(adherence_row(), min_size=1, max_size=30),
    st.sampled_from(["month", "day"]),
    st.sampled_from(["", "grace 5 min", "grace 90 s", "grace 1 h"]),
)
def test_adherence(rows: list[dict[str, object]], window: str, grace: str) -> None:
    lines = ["metric schedule_adherence", f"window {window}", *([grace] if grace else [])]
    text = HEADER + "source s: adherence\n" + _objective(lines, "expected >= 90%", "")
    _compare(text, {"s": rows}, {"s": "adherence_rows"})


def _adherence(grace: str, rows: list[tuple[float, float]], evaluator: str) -> float | None:
    text = (
        HEADER
        + "source s: adherence\n"
        + _objective(["metric schedule_adherence", f"grace {grace}"], "expected >= 90%", "")
    )
    plan = compile_plan(slalang.check(text).contract)  # type: ignore[arg-type]
    table = pa.Table.from_pylist([
        {"agent": f"a{i}", "date": START.date(), "scheduled_minutes": scheduled,
         "adherent_minutes": adherent}
        for i, (scheduled, adherent) in enumerate(rows)
    ])  # fmt: skip
    (verdict,) = slalang.evaluate(plan, data=table, evaluator=evaluator).verdicts
    return verdict.actual


@pytest.mark.parametrize("evaluator", ["duckdb", "reference"])
def test_grace_forgives_minutes_out_of_adherence_per_row(evaluator: str) -> None:
    rows = [(480.0, 470.0), (480.0, 400.0), (240.0, 240.0)]
    assert _adherence("0 min", rows, evaluator) == pytest.approx(1110 / 1200)
    # 470 -> 475, 400 -> 405, 240 stays; with 15 min 470 -> 480 (only 10 minutes to forgive)
    assert _adherence("5 min", rows, evaluator) == pytest.approx(1120 / 1200)
    assert _adherence("15 min", rows, evaluator) == pytest.approx(1135 / 1200)
    assert _adherence("2 h", rows, evaluator) == pytest.approx(1.0)


@SETTINGS
@given(interval_case(), st.lists(interval_row(), min_size=1, max_size=40),
       st.lists(forecast_row(), min_size=1, max_size=40))  # fmt: skip
def test_intervals(text: str, rows: list[dict[str, object]],
                   forecasts: list[dict[str, object]]) -> None:  # fmt: skip
    _compare(text, {"s": rows, "f": forecasts}, {"s": "interval_rows", "f": "forecast_rows"})
