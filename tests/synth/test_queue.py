"""Synthetic forecasts and the queue simulator: shapes, determinism, the rules of first come
first served, and agreement with Erlang C and Erlang A in a steady state.

Statistical checks compare a simulated share with the model's within four standard errors,
the standard error estimated by batch means: the simulated days are independent enough to
be batches (a queue forgets its state within minutes when it is not overloaded), so the
spread of the daily shares over the square root of the number of days estimates the error
of their mean. A correct simulator fails such a check about once in 16,000 runs; the seeds
are fixed, so a run is repeatable.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from slalang import synth
from slalang.lang import canonical
from slalang.staff.erlang import erlang_c
from slalang.staff.erlang_a import erlang_a


def flat_forecast(days: int, calls: float, aht: float, queue: str = "q") -> pa.Table:
    n = days * 48
    starts = [dt.datetime(2026, 3, 2) + dt.timedelta(minutes=30 * i) for i in range(n)]
    return pa.table({
        "queue": [queue] * n,
        "interval_start": pa.array(starts, pa.timestamp("us")),
        "forecast_offered": [calls] * n,
        "forecast_aht": [aht] * n,
    })  # fmt: skip


def daily_shares(records: pa.Table, within: float) -> tuple[float, float]:
    """The share answered within ``within`` seconds and its batch-means standard error."""
    day = pc.cast(records.column("queued_at"), pa.int64()).to_numpy() // (86_400 * 10**6)
    good = pc.and_(
        pc.equal(records.column("outcome"), "answered"),
        pc.less_equal(records.column("wait"), within),
    ).to_numpy(zero_copy_only=False)
    shares = np.asarray([good[day == d].mean() for d in np.unique(day)])
    return float(good.mean()), float(shares.std(ddof=1) / np.sqrt(shares.size))


def test_forecasts_spread_the_contacts_like_the_generator() -> None:
    forecast = synth.forecasts(60_000, seed=4, days=14)
    assert [(f.name, f.type) for f in forecast.schema] == [
        (f.name, pa.float64() if f.type == "number" else
         pa.timestamp("us") if f.type == "timestamp" else pa.string())
        for f in canonical.FORECASTS.fields
    ]  # fmt: skip
    assert sum(forecast.column("forecast_offered").to_pylist()) == pytest.approx(60_000)
    contacts = synth.contacts(60_000, seed=4, days=14)
    per_hour = Counter(t.hour for t in contacts.column("queued_at").to_pylist())
    expected: Counter[int] = Counter()
    starts = forecast.column("interval_start").to_pylist()
    for start, offered in zip(starts, forecast.column("forecast_offered").to_pylist(), strict=True):
        expected[start.hour] += offered
    assert set(per_hour) == set(expected)  # the same opening hours
    for hour, count in expected.items():  # Poisson-sized differences only
        assert abs(per_hour[hour] - count) < 5 * np.sqrt(count) + 5, hour
    queues = forecast.column("queue").to_pylist()
    assert queues == sorted(queues, key=("billing", "sales", "support").index)
    aht = forecast.column("forecast_aht").to_numpy()
    assert 250 < aht.min() < aht.max() < 370
    assert synth.forecasts(1_000, seed=1).equals(synth.forecasts(1_000, seed=1))


@pytest.mark.parametrize(
    "call",
    [
        lambda: synth.forecasts(-1),
        lambda: synth.forecasts(10, minutes=7),
        lambda: synth.forecasts(10, channel="fax"),
        lambda: synth.simulate(flat_forecast(1, 10, 100), [1]),
        lambda: synth.simulate(flat_forecast(1, 10, 100), [-1] * 48),
        lambda: synth.simulate(flat_forecast(1, 10, 100), [1] * 48, handle_times="gamma"),
        lambda: synth.simulate(flat_forecast(1, 10, 100), [1] * 48, patience=0.0),
    ],
)
def test_bad_arguments_raise_value_error(call: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        call()  # type: ignore[operator]


def test_simulated_records_are_canonical_and_repeatable() -> None:
    forecast = synth.forecasts(8_000, seed=2, days=3)
    agents = np.maximum(1, np.ceil(forecast.column("forecast_offered").to_numpy() * 300 / 1800 + 2))
    records = synth.simulate(forecast, agents.astype(int), patience=120.0, seed=9)
    assert [f.name for f in records.schema] == [f.name for f in canonical.CONTACTS.fields]
    assert records.equals(synth.simulate(forecast, agents.astype(int), patience=120.0, seed=9))
    assert not records.equals(synth.simulate(forecast, agents.astype(int), patience=120.0, seed=8))
    rows = records.to_pylist()
    assert [r["queued_at"] for r in rows] == sorted(r["queued_at"] for r in rows)
    assert {r["outcome"] for r in rows} == {"answered", "abandoned"}
    for row in rows:
        if row["outcome"] == "answered":
            assert row["answered_at"] == row["queued_at"] + dt.timedelta(seconds=row["wait"])
            assert row["ended_at"] == row["answered_at"] + dt.timedelta(seconds=row["talk"])
            assert row["agent"].startswith(row["queue"] + "-ag")
        else:
            assert row["answered_at"] is None
            assert row["agent"] is None
            assert row["ended_at"] == row["queued_at"] + dt.timedelta(seconds=row["wait"])


def test_first_come_first_served_over_the_planned_agents() -> None:
    """No agent takes two calls at once, every call starts while its agent is on shift (or,
    just after the plan closes, is one of those who stay for the calls already queued), and a
    caller never waits while an agent of the interval is idle."""
    forecast = flat_forecast(2, 60.0, 240.0)
    plan = np.tile([3, 3, 5, 8, 8, 2, 0, 4], 12)
    records = synth.simulate(forecast, plan, patience=90.0, seed=3)
    origin = dt.datetime(2026, 3, 2)
    answered = [r for r in records.to_pylist() if r["outcome"] == "answered"]
    by_agent: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    stayed = 0
    for row in answered:
        by_agent.setdefault(row["agent"], []).append((row["answered_at"], row["ended_at"]))
        slot = int((row["answered_at"] - origin).total_seconds() // 1800)
        agent = int(row["agent"].rsplit("ag", 1)[1])
        if slot >= plan.size or plan[slot] == 0:  # closed: the last open interval's agents
            arrived = int((row["queued_at"] - origin).total_seconds() // 1800)  # stay for
            assert arrived < slot  # the calls that came in before the close
            assert agent < plan[min(slot, plan.size) - 1]
            stayed += 1
        else:
            assert agent < plan[slot]
    assert stayed > 0
    for spans in by_agent.values():
        spans.sort()
        assert all(end <= start for (_, end), (start, _) in itertools.pairwise(spans))
    # a caller who waited saw every agent on shift busy at each moment of the wait: check the
    # moment of arrival against the calls in progress then
    busy = sorted((r["answered_at"], r["ended_at"], r["agent"]) for r in answered)
    for row in answered[::7]:
        if row["wait"] > 0:
            slot = int((row["queued_at"] - origin).total_seconds() // 1800)
            at = row["queued_at"]
            working = {a for s, e, a in busy if s <= at < e}
            on_shift = {f"q-ag{j:04d}" for j in range(plan[slot])}
            assert on_shift <= working or plan[slot] == 0


@pytest.mark.parametrize("patience", [None, 150.0])
def test_a_steady_queue_agrees_with_its_erlang_model(patience: float | None) -> None:
    days, calls, aht, agents = 12, 200.0, 300.0, 37
    records = synth.simulate(flat_forecast(days, calls, aht), [agents] * (48 * days),
                             patience=patience, seed=17)  # fmt: skip
    load = calls * aht / 1800
    if patience is None:
        model = erlang_c(agents, load, aht=aht, threshold=20)
    else:
        model = erlang_a(agents, load, aht=aht, patience=patience, threshold=20)
    share, error = daily_shares(records, 20.0)
    assert abs(share - float(model.answered_within)) < 4 * error
    abandoned = pc.mean(pc.cast(pc.equal(records.column("outcome"), "abandoned"), pa.int8()))
    # abandonment: binomial-sized error inflated by the same factor as the service level
    assert abs(abandoned.as_py() - float(model.p_abandon)) < 0.005


def test_lognormal_handle_times_keep_their_mean_and_spread() -> None:
    records = synth.simulate(flat_forecast(2, 300.0, 240.0), [60] * 96, seed=1,
                             handle_times="lognormal", handle_cv=0.5)  # fmt: skip
    talk = records.column("talk").to_numpy()
    assert talk.mean() == pytest.approx(240.0, rel=0.02)
    assert talk.std() / talk.mean() == pytest.approx(0.5, rel=0.05)


def test_simulated_records_evaluate_like_real_ones() -> None:
    import slalang

    plan = slalang.compile(
        slalang.check("""
contract demo {
  client "A"
  vendor "B"
  timezone "UTC"
}
source calls: contacts
objective speed {
  key
  metric service_level
  threshold <= 20 s
  window month
  expected >= 80%
}
""")
    )
    records = synth.simulate(flat_forecast(3, 120.0, 240.0), [20] * 144, patience=100.0, seed=2)
    (verdict,) = slalang.evaluate(plan, data=records).verdicts
    answered = pc.and_(pc.equal(records.column("outcome"), "answered"),
                       pc.less_equal(records.column("wait"), 20.0))  # fmt: skip
    assert verdict.denominator == records.num_rows
    assert verdict.numerator == pc.sum(pc.cast(answered, pa.int64())).as_py()
