"""Plans from contracts: every aggregation as the contract writes it, the naive plan beside
them, the floors, the calendar, predicted verdicts and the problems a plan can meet."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import jsonschema
import numpy as np
import pyarrow as pa
import pytest

import slalang
from slalang import api
from slalang.judge.results import EvaluationError, to_json
from slalang.staff.calculator import Question, Targets, required_agents
from slalang.staff.output import interval_rows
from slalang.synth import contacts, forecasts, simulate, write

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "verdicts.schema.json").read_text(encoding="utf-8"))

HEAD = """contract demo {
  client "Acme"
  vendor "BlueDesk"
  timezone "UTC"
}

source calls: contacts
"""


def contract(*objectives: str, extra: str = "") -> slalang.Plan:
    text = HEAD + extra + "\n".join(objectives)
    checked = slalang.check(text)
    assert checked.ok, checked.diagnostics
    return slalang.compile(checked)


def level(name: str, body: str) -> str:
    return f"objective {name} {{\n  key\n{body}\n}}\n"


POOLED = level("pooled", "  metric service_level\n  threshold <= 20 s\n  window month\n"
               "  expected >= 80%")  # fmt: skip
INTERVAL = level("each", "  metric service_level\n  threshold <= 20 s\n  window month\n"
                 "  aggregate floor per 30 min\n  expected >= 80%")  # fmt: skip
SHARE = level("share", "  metric service_level\n  threshold <= 20 s\n  window month\n"
              "  aggregate share per 30 min meeting >= 80%\n  expected >= 60%")  # fmt: skip
ABANDON = level("abandon", "  metric abandonment_rate\n  window month\n  expected <= 4%")


@pytest.fixture(scope="module")
def forecast() -> pa.Table:
    return forecasts(30_000, seed=3, days=10, queues=("q",))


def per_interval_agents(table: pa.Table, target: Fraction) -> list[int]:
    """Each interval staffed to ``target`` within 20 s on its own, by the calculator."""
    found = []
    for calls, aht in zip(table.column("forecast_offered").to_pylist(),
                          table.column("forecast_aht").to_pylist(), strict=True):  # fmt: skip
        agents = required_agents(Question(calls, 1800, aht, 20), Targets(service_level=target))
        assert agents is not None
        found.append(agents)
    return found


def test_pooled_80_20_needs_fewer_agent_hours_than_every_interval_at_80_20(
    forecast: pa.Table,
) -> None:
    made = api.staff(contract(POOLED), forecast=forecast)
    naive = per_interval_agents(forecast, Fraction(8, 10))
    assert made.naive is not None
    assert made.naive.tolist() == naive  # the naive plan is every interval at 80/20
    assert made.saving is not None
    assert 0 < made.saving == made.hours(made.naive) - made.hours()
    (verdict,) = made.evaluation.verdicts
    assert verdict.status == "met"
    assert verdict.predicted
    assert 0.8 <= verdict.actual < 0.801  # just what the contract asks
    # staffing every interval to the mean volume does not meet it
    mean = np.full(forecast.num_rows, round(float(np.mean(made.agents))))
    (flat,) = api.staff(contract(POOLED), forecast=forecast, agents=mean).evaluation.verdicts
    assert flat.status != "met"


def test_an_objective_per_interval_is_the_naive_plan(forecast: pa.Table) -> None:
    made = api.staff(contract(INTERVAL), forecast=forecast)
    assert made.agents.tolist() == per_interval_agents(forecast, Fraction(8, 10))
    assert made.saving == 0
    assert set(made.bound_by) == {"each"}


def test_a_share_of_intervals_brings_just_enough_intervals_to_the_level(
    forecast: pa.Table,
) -> None:
    made = api.staff(contract(SHARE), forecast=forecast)
    (verdict,) = made.evaluation.verdicts
    assert verdict.status == "met"
    assert verdict.meeting == -(-verdict.judged * 6 // 10)  # ceil(60 % of the intervals)
    assert made.hours() < made.hours(made.naive)  # type: ignore[arg-type]


def test_several_objectives_each_met_and_each_bound_somewhere(forecast: pa.Table) -> None:
    made = api.staff(contract(POOLED, SHARE, ABANDON), forecast=forecast, patience=150.0)
    assert made.options.model == "a"
    assert {v.status for v in made.evaluation.verdicts} == {"met"}
    named = {name for entry in made.bound_by for name in entry.split(", ") if name}
    assert named & {"pooled", "share", "abandon"}
    # one agent less where an objective binds: that objective is predicted to miss
    for row in [i for i, b in enumerate(made.bound_by) if b and "floor" not in b][:5]:
        fewer = made.agents.copy()
        fewer[row] -= 1
        assessed = api.staff(contract(POOLED, SHARE, ABANDON), forecast=forecast,
                             patience=150.0, agents=fewer)  # fmt: skip
        status = {v.objective: v.status for v in assessed.evaluation.verdicts}
        assert any(status[name] != "met" for name in made.bound_by[row].split(", "))


def test_shrinkage_occupancy_cap_and_minimum_agents(forecast: pa.Table) -> None:
    plan = contract(POOLED)
    made = api.staff(plan, forecast=forecast, shrinkage=Fraction(30, 100),
                     max_occupancy=Fraction(80, 100), min_agents=3)  # fmt: skip
    assert np.all(made.prediction.occupancy <= 0.8)
    assert np.all(made.agents >= 3)
    assert made.scheduled().tolist() == [-(-int(a) * 10 // 7) for a in made.agents]
    assert "max occupancy" in made.bound_by or "minimum agents" in made.bound_by
    plain = api.staff(plan, forecast=forecast)
    assert made.hours() > plain.hours()


def test_hours_of_operation_come_from_the_calendar(forecast: pa.Table) -> None:
    hours = "calendar week {\n  open monday to friday 08:00-18:00\n}\n"
    plan = contract(POOLED.replace("  key\n", "  key\n  calendar week\n"), extra=hours)
    made = api.staff(plan, forecast=forecast)
    starts = forecast.column("interval_start").to_pylist()
    closed = [s.weekday() >= 5 or not 8 <= s.hour < 18 for s in starts]
    assert all(a == 0 for a, c in zip(made.agents.tolist(), closed, strict=True) if c)
    assert all(a > 0 for a, c in zip(made.agents.tolist(), closed, strict=True) if not c)
    assert [d.code for d in made.diagnostics] == ["W902"]
    calls = forecast.column("forecast_offered").to_pylist()
    labels = [b for b, c, n in zip(made.bound_by, closed, calls, strict=True) if c and n > 0]
    assert labels
    assert set(labels) == {"out of hours"}
    shown = [r for r in interval_rows(made) if r["bound_by"] == "out of hours"]
    assert len(shown) == len(labels)
    assert all(r["agents"] == 0 and r["service_level"] is None and r["p_abandon"] is None
               for r in shown)  # fmt: skip


def test_predicted_verdicts_are_marked_in_json_and_follow_the_schema(forecast: pa.Table) -> None:
    made = api.staff(contract(POOLED, ABANDON), forecast=forecast, patience=120.0)
    document = to_json(made.evaluation)
    jsonschema.validate(document, SCHEMA)
    assert all(result["predicted"] is True for result in document["results"])
    assert all(not v.predicted for v in slalang.evaluate(
        contract(POOLED), data=contacts(500, seed=1, days=2)).verdicts)  # fmt: skip


def test_patience_estimated_from_records_of_known_patience() -> None:
    """Abandons over the total wait estimates the mean patience; its relative standard error
    is about one over the square root of the abandons (the count is Poisson-like), so with
    about 4,000 abandons the estimate is within 4 / sqrt(4000) = 6.3 % of the truth."""
    table = forecasts(40_000, seed=5, days=6, queues=("q",))
    load = np.asarray(table.column("forecast_offered")) * 300 / 1800
    agents = np.maximum(1, np.round(load * 0.95)).astype(int)
    records = simulate(table, agents, patience=90.0, seed=4)
    abandons = sum(o == "abandoned" for o in records.column("outcome").to_pylist())
    assert abandons > 3_000
    (estimate,) = api.staff(
        contract(POOLED, ABANDON), forecast=table, contacts=records
    ).options.patience.values()  # type: ignore[union-attr]
    assert abs(estimate / 90.0 - 1) < 4 / np.sqrt(abandons)


def test_filters_a_forecast_cannot_decide_are_warned_about(forecast: pa.Table) -> None:
    other = level("priority", '  metric service_level\n  where call_type == "priority"\n'
                  "  threshold <= 20 s\n  window month\n  expected >= 90%")  # fmt: skip
    made = api.staff(contract(POOLED, other), forecast=forecast)
    assert [d.code for d in made.diagnostics] == ["W901"]
    assert [r.id for r in made.requirements] == ["pooled"]


def codes(call: object) -> list[str]:
    with pytest.raises(EvaluationError) as caught:
        call()  # type: ignore[operator]
    return [d.code for d in caught.value.diagnostics]


def test_the_problems_a_plan_can_meet(forecast: pa.Table, tmp_path: Path) -> None:
    plan = contract(POOLED, ABANDON)
    assert codes(lambda: api.staff(plan, forecast=forecast)) == ["E903"]
    handle = level("aht", "  metric average_handle_time\n  window month\n"
                   "  expected between 240 s and 420 s")  # fmt: skip
    assert codes(lambda: api.staff(contract(handle), forecast=forecast)) == ["E904"]
    assert codes(lambda: api.staff(contract(POOLED), forecast=forecast.drop_columns(
        ["forecast_aht"]))) == ["E902"]  # fmt: skip
    filled = api.staff(contract(POOLED), forecast=forecast.drop_columns(["forecast_aht"]),
                       aht=300.0)  # fmt: skip
    assert set(filled.forecast.aht.tolist()) == {300.0}
    hourly = forecasts(30_000, seed=3, days=10, queues=("q",), minutes=60)
    assert codes(lambda: api.staff(contract(SHARE), forecast=hourly)) == ["E905"]
    answered = contacts(2_000, seed=1, days=3, queues=("q",))
    answered = answered.filter(pa.compute.equal(answered.column("outcome"), "answered"))
    assert codes(lambda: api.staff(plan, forecast=forecast, contacts=answered)) == ["E906"]
    impossible = level("all", "  metric service_level\n  threshold <= 20 s\n  window month\n"
                       "  aggregate floor per 30 min\n  expected >= 100%")  # fmt: skip
    assert codes(lambda: api.staff(contract(impossible), forecast=forecast)) == ["E901"]
    path = tmp_path / "forecast.csv"
    write(forecast, path)
    assert codes(lambda: api.staff(contract(POOLED), forecast=str(tmp_path / "none.csv"))) == [
        "E812"]  # fmt: skip
    assert api.staff(contract(POOLED), forecast=str(path)).agents.sum() > 0


def test_an_objective_over_several_queues_pools_all_their_calls() -> None:
    """Two queues share their intervals: the predicted figures of an objective over both
    add up, interval by interval."""
    table = forecasts(20_000, seed=8, days=4, queues=("north", "south"))
    made = api.staff(contract(POOLED), forecast=table)
    (verdict,) = made.evaluation.verdicts
    total = float(np.sum(table.column("forecast_offered").to_numpy()))
    assert verdict.denominator == pytest.approx(total)
    assert verdict.status == "met"
    one = api.staff(contract(POOLED), forecast=table, agents=made.agents)
    assert one.evaluation.verdicts[0].actual == pytest.approx(verdict.actual)
