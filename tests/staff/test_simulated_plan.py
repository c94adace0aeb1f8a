"""A recommended plan, simulated under the model's own assumptions and evaluated like real
records, meets the contract; one agent less in the intervals an objective binds misses it.

The simulator draws Poisson arrivals, exponential handle times and (for Erlang A)
exponential patience, and serves calls first come, first served over each interval's
agents: the assumptions of the models, except that a queue carries over from one interval
to the next instead of starting each interval in its steady state.

The forecast is one generated day (the synthetic intraday profile of two queues) repeated
for 28 days, so that the simulated days are alike.

Tolerance. A simulated month's pooled value is a ratio of sums over about 280,000 calls,
but its noise is not binomial: calls of one busy spell wait together. Its standard error is
estimated by batch means, with the 28 simulated days as batches: they are identically
distributed (the same forecast and plan) and nearly independent (the queue empties every
night). For a pooled
ratio ``R = sum(num_d) / sum(den_d)`` the delta method gives
``se(R)^2 = D / (D - 1) * sum_d (num_d - R den_d)^2 / (sum_d den_d)^2``. A plan meets an
objective in simulation when the simulated value is within four standard errors of the
level on the good side: an unbiased simulation of a plan exactly at the level falls short
of that with probability 3e-5. A miss must be beyond four standard errors on the bad side,
so that it is not noise either. The carry-over between intervals is a bias, not noise; it
is what the first check would catch if it worked against the plan (docs/staffing.md
reports its size: it favours the plan).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import slalang
from slalang import api
from slalang.staff.staffing import StaffingPlan
from slalang.synth import forecasts

CONTRACT = """contract demo {
  client "A"
  vendor "B"
  timezone "UTC"
}

source calls: contacts

objective service_level {
  key
  metric service_level
  threshold <= 20 s
  window month
  expected >= 80%
}
"""

ABANDON_AND_ASA = """
objective abandonment {
  key
  metric abandonment_rate
  window month
  expected <= 5%
}

objective asa {
  key
  metric average_speed_of_answer
  window month
  expected <= 30 s
}
"""

DAYS = 28
US_PER_DAY = 86_400 * 10**6


def month_of(day: pa.Table) -> pa.Table:
    """The forecast of one day repeated for :data:`DAYS` days."""
    starts = pc.cast(day.column("interval_start"), pa.int64())
    parts = [
        day.set_column(2, "interval_start",
                       pc.cast(pc.add(starts, d * US_PER_DAY), pa.timestamp("us")))
        for d in range(DAYS)
    ]  # fmt: skip
    return pa.concat_tables(parts)


def daily_sums(records: pa.Table, objective: str) -> tuple[np.ndarray, np.ndarray]:
    """Per simulated day, the objective's numerator and denominator from the records."""
    day = pc.cast(records.column("queued_at"), pa.int64()).to_numpy() // US_PER_DAY
    answered = pc.equal(records.column("outcome"), "answered").to_numpy(zero_copy_only=False)
    wait = records.column("wait").to_numpy()
    if objective == "service_level":
        num, den = answered & (wait <= 20.0), np.ones(wait.size)
    elif objective == "abandonment":
        num, den = ~answered, np.ones(wait.size)
    else:
        num, den = np.where(answered, wait, 0.0), answered.astype(float)
    days = np.unique(day, return_inverse=True)[1]
    return np.bincount(days, weights=num), np.bincount(days, weights=den)


def simulated(plan: slalang.Plan, staffing: StaffingPlan, agents: np.ndarray, seed: int) -> dict[
    str, tuple[float, float]
]:  # fmt: skip
    """Each objective's evaluated value on simulated records, and its standard error."""
    records = api.simulate_plan(staffing, seed=seed, agents=agents)
    found = {}
    for verdict in slalang.evaluate(plan, data=records).verdicts:
        num, den = daily_sums(records, verdict.objective)
        ratio = num.sum() / den.sum()
        assert verdict.actual == pytest.approx(ratio, rel=1e-9)  # the evaluator agrees
        error = np.sqrt(DAYS / (DAYS - 1) * np.sum((num - ratio * den) ** 2)) / den.sum()
        found[verdict.objective] = (float(ratio), float(error))
    return found


def meets(value: float, error: float, level: float, higher: bool) -> bool:
    return value >= level - 4 * error if higher else value <= level + 4 * error


def misses(value: float, error: float, level: float, higher: bool) -> bool:
    return value < level - 4 * error if higher else value > level + 4 * error


LEVELS = {"service_level": (0.8, True), "abandonment": (0.05, False), "asa": (30.0, False)}


@pytest.mark.parametrize(
    ("model", "objectives", "patience"),
    [("c", "", None), ("a", ABANDON_AND_ASA, 240.0)],
    ids=["erlang-c", "erlang-a"],
)
def test_the_plan_meets_the_contract_in_simulation_and_one_agent_less_misses(
    model: str, objectives: str, patience: float | None
) -> None:
    plan = slalang.compile(slalang.check(CONTRACT + objectives))
    forecast = month_of(forecasts(10_000, seed=21, days=1, start="2026-02-01",
                                  queues=("north", "south")))  # fmt: skip
    staffing = api.staff(plan, forecast=forecast, model=model, patience=patience)
    assert {v.status for v in staffing.evaluation.verdicts} == {"met"}
    found = simulated(plan, staffing, staffing.agents, seed=1)
    for name, (value, error) in found.items():
        level, higher = LEVELS[name]
        assert 0 < error < 0.02 * level  # enough volume that the check is not noise
        assert meets(value, error, level, higher), (name, value, error)
    bound = {name for entry in staffing.bound_by for name in entry.split(", ")} & set(LEVELS)
    assert bound  # at least one objective binds
    for name in sorted(bound):
        fewer = staffing.agents - np.asarray(
            [name in entry.split(", ") for entry in staffing.bound_by], dtype=np.int64
        )
        value, error = simulated(plan, staffing, fewer, seed=2)[name]
        level, higher = LEVELS[name]
        assert misses(value, error, level, higher), (name, value, error)
