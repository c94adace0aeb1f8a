"""Survey ratings on contact records: `csat` and `nps` read a contacts source too.

A call export with a rating column feeds the call objectives and the satisfaction
objectives through one `contacts` source; only contacts that carry a rating count.
The same ratings read as survey responses give the same values.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

import slalang
from slalang.data.profiles import parse_profile

HEADER = """contract ratings {
  client "A"
  vendor "B"
  timezone "UTC"
}
"""

OBJECTIVES = """
objective top {
  key
  metric csat
  from SOURCE
  top_box 4
  expected >= 80%
}

objective mean_score {
  key
  metric csat
  from SOURCE
  method mean
  expected >= 4
}

objective promoters {
  key
  metric nps
  from SOURCE
  expected >= 20
}
"""

# (outcome, csat, nps): six calls, four rated, one abandoned call rated after a call-back
CALLS = [
    ("answered", 5, 10),
    ("answered", 4, 9),
    ("answered", None, None),
    ("answered", 2, 3),
    ("abandoned", 3, 7),
    ("abandoned", None, None),
]


def _contacts() -> pa.Table:
    start = dt.datetime(2026, 1, 5, 9)
    return pa.Table.from_pylist([
        {"contact_id": f"c{i}", "queued_at": start + dt.timedelta(minutes=i),
         "outcome": outcome, "wait": 10.0, "csat": csat, "nps": nps}
        for i, (outcome, csat, nps) in enumerate(CALLS)
    ])  # fmt: skip


def _surveys() -> pa.Table:
    start = dt.datetime(2026, 1, 5, 9)
    return pa.Table.from_pylist([
        {"response_id": f"r{i}", "responded_at": start + dt.timedelta(minutes=i),
         "csat": csat, "nps": nps}
        for i, (_, csat, nps) in enumerate(CALLS) if csat is not None
    ])  # fmt: skip


def _plan(kind: str) -> slalang.Plan:
    text = HEADER + f"source s: {kind}\n" + OBJECTIVES.replace("SOURCE", "s")
    checked = slalang.check(text, path="ratings.sla")
    assert checked.ok, [d.message for d in checked.diagnostics]
    return slalang.compile(checked)


@pytest.mark.parametrize("evaluator", ["duckdb", "reference"])
def test_csat_and_nps_read_ratings_on_contact_records(evaluator: str) -> None:
    evaluation = slalang.evaluate(_plan("contacts"), data=_contacts(), evaluator=evaluator)
    found = {v.objective: v for v in evaluation.verdicts}
    # ratings 5, 4, 2, 3: two of four at or above 4, mean 3.5
    assert found["top"].actual == pytest.approx(0.5)
    assert found["mean_score"].actual == pytest.approx(3.5)
    # answers 10, 9, 3, 7: two promoters, one detractor of four
    assert found["promoters"].actual == pytest.approx(25.0)
    for verdict in found.values():
        assert (verdict.denominator, verdict.volume, verdict.excluded) == (4, 4, {})


@pytest.mark.parametrize("evaluator", ["duckdb", "reference"])
def test_ratings_on_contacts_equal_the_same_ratings_as_survey_responses(evaluator: str) -> None:
    on_calls = slalang.evaluate(_plan("contacts"), data=_contacts(), evaluator=evaluator)
    as_surveys = slalang.evaluate(_plan("surveys"), data=_surveys(), evaluator=evaluator)
    assert [(v.objective, v.actual, v.status) for v in on_calls.verdicts] == [
        (v.objective, v.actual, v.status) for v in as_surveys.verdicts
    ]


def test_generic_contacts_profile_maps_the_rating_columns(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    lines = ["contact_id,queued_at,outcome,wait,csat,nps"]
    lines += [
        f"c{i},2026-01-05 09:0{i}:00,{outcome},10,{'' if c is None else c},{'' if n is None else n}"
        for i, (outcome, c, n) in enumerate(CALLS)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    evaluation = slalang.evaluate(_plan("contacts"), data=path)
    found = {v.objective: v.actual for v in evaluation.verdicts}
    assert found["top"] == pytest.approx(0.5)
    assert found["promoters"] == pytest.approx(25.0)


def test_data_without_ratings_says_where_ratings_belong() -> None:
    with pytest.raises(slalang.EvaluationError) as raised:
        slalang.evaluate(_plan("contacts"), data=_contacts().drop_columns(["csat"]))
    (first, second) = raised.value.diagnostics
    assert (first.code, second.code) == ("E823", "E823")
    assert "needs `csat`" in first.message
    assert "ratings can be on contact records or in a surveys source" in first.help


def test_a_field_of_another_table_is_named_with_its_table() -> None:
    text = (
        "name: calls\nkind: contacts\nformat: csv\nfields:\n  contact_id: {column: id}\n"
        "  queued_at: {column: q}\n  outcome: {column: o}\n  wait: {column: w}\n"
        "  responded_at: {column: r}\n"
    )
    _, found = parse_profile(text, path="calls.yaml")
    (only,) = found
    assert only.code == "E806"
    assert only.help == (
        "`responded_at` is a field of `surveys` records; map it in a profile of that kind"
    )


@pytest.mark.parametrize("evaluator", ["duckdb", "reference"])
@pytest.mark.parametrize("kind", ["contacts", "surveys"])
def test_a_rating_outside_the_scale_is_set_aside(kind: str, evaluator: str) -> None:
    text = (
        HEADER
        + f"source s: {kind}\n"
        + OBJECTIVES.replace("SOURCE", "s").replace("  top_box 4\n", "  top_box 4\n  scale 4\n")
    )
    plan = slalang.compile(slalang.check(text, path="ratings.sla"))
    data = _contacts() if kind == "contacts" else _surveys()
    found = {
        v.objective: v for v in slalang.evaluate(plan, data=data, evaluator=evaluator).verdicts
    }
    # on a 1-4 scale the 5 is a data error: ratings 4, 2, 3 remain, one of them in the top box
    assert found["top"].actual == pytest.approx(1 / 3)
    assert found["top"].excluded == {"rating outside the scale": 1}
    assert (found["mean_score"].actual, found["mean_score"].excluded) == (pytest.approx(3.5), {})
