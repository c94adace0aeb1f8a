"""Synthetic data: interval reports, QA audits, surveys and schedule adherence.

:func:`intervals` aggregates contact records (:func:`slalang.synth.contacts.contacts`)
into a canonical interval report; :func:`audits`, :func:`surveys` and :func:`adherence`
draw their rows directly, over the same opening hours and with agents named as in the
contacts of the default queues.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from slalang.lang import canonical
from slalang.synth.arrays import (
    ARROW_TYPES,
    DAY_S,
    US,
    Ints,
    assemble,
    check_size,
    id_width,
    ids,
    pick,
    random_stream,
    serial_ids,
    start_day,
    take,
    timestamps,
    uniform,
    weekdays,
)
from slalang.synth.contacts import DEFAULT_QUEUES, WEEKDAYS, agents_for, hour_profile

DEFAULT_CRITERIA = (
    "greeting",
    "verification",
    "empathy",
    "ownership",
    "resolution_accuracy",
    "documentation",
    "policy",
    "disclosure",
)
"""The audit criteria when none are given."""

# ---------------------------------------------------------------------------------------------
# intervals


def intervals(
    contacts: pa.Table,
    *,
    minutes: int = 30,
    thresholds: Sequence[int] = (20,),
    abandon_thresholds: Sequence[int] = (),
    short_abandon: float = 5.0,
    forecast_noise: float = 0.1,
    seed: int = 0,
) -> pa.Table:
    """Aggregate contact records into a canonical interval report.

    Rows are grouped by queue, channel and the interval of ``queued_at``; ``not_offered``
    contacts count nowhere. ``offered`` counts answered, abandoned, flow-out and callback
    contacts; ``answered_within_T`` / ``abandoned_within_T`` count waits ``<= T``;
    ``short_abandoned`` counts abandons with a wait ``< short_abandon``. ``total_wait`` sums
    the waits of answered contacts and the other totals their handle times. ``available_time``
    is idle agent time for an occupancy that rises as the service level falls, and
    ``forecast_offered`` is ``offered`` times a seeded lognormal noise factor.

    Args:
        contacts: a table with the ``queue``, ``channel``, ``queued_at``, ``outcome``,
            ``wait``, ``talk``, ``hold`` and ``acw`` fields of canonical contacts.
        minutes: interval length; must divide a day.
        thresholds: the ``answered_within_T`` columns, in seconds.
        abandon_thresholds: the ``abandoned_within_T`` columns, in seconds.
        short_abandon: the short-abandon limit in seconds.
        forecast_noise: standard deviation of the log of the forecast factor.
        seed: random seed for the available time and the forecast.

    Returns:
        The fields of :data:`slalang.lang.canonical.INTERVALS` in canonical order, one bucketed
        column per threshold, sorted by ``interval_start``, ``queue`` and ``channel``.

    Raises:
        ValueError: if ``minutes`` does not divide a day or a field is missing.
    """
    if minutes < 1 or 1440 % minutes:
        raise ValueError("minutes must divide a day (1440 minutes)")
    needed = ("queue", "channel", "queued_at", "outcome", "wait", "talk", "hold", "acw")
    missing = [name for name in needed if name not in contacts.column_names]
    if missing:
        raise ValueError(f"contacts lack {', '.join(missing)}")
    thresholds = sorted(set(thresholds))
    abandon_thresholds = sorted(set(abandon_thresholds))

    table = contacts.select(list(needed)).filter(pc.not_equal(contacts["outcome"], "not_offered"))
    outcome = table["outcome"]
    wait = pc.fill_null(table["wait"].cast(pa.float64()), 0.0)
    answered = pc.fill_null(pc.equal(outcome, "answered"), False)
    abandoned = pc.fill_null(pc.equal(outcome, "abandoned"), False)
    if table["queued_at"].null_count:
        raise ValueError("queued_at must not be null")
    step = minutes * 60 * US
    queued = table["queued_at"].cast(pa.timestamp("us")).cast(pa.int64()).to_numpy()
    start_us = pa.array(queued // step * step)

    def count(flag: pa.ChunkedArray) -> pa.ChunkedArray:
        return flag.cast(pa.int64())

    def only(flag: pa.ChunkedArray, values: pa.ChunkedArray) -> pa.ChunkedArray:
        return pc.if_else(flag, pc.fill_null(values.cast(pa.float64()), 0.0), 0.0)

    sums: dict[str, pa.ChunkedArray] = {
        "offered": count(pc.is_valid(outcome)),
        "answered": count(answered),
        "abandoned": count(abandoned),
        "short_abandoned": count(pc.and_(abandoned, pc.less(wait, short_abandon))),
    }
    for t in thresholds:
        sums[f"answered_within_{t}"] = count(pc.and_(answered, pc.less_equal(wait, t)))
    for t in abandon_thresholds:
        sums[f"abandoned_within_{t}"] = count(pc.and_(abandoned, pc.less_equal(wait, t)))
    talk, hold, acw = (only(answered, table[name]) for name in ("talk", "hold", "acw"))
    sums["total_wait"] = only(answered, wait)
    sums["total_talk"] = talk
    sums["total_hold"] = hold
    sums["total_acw"] = acw
    sums["total_handle"] = pc.add(pc.add(talk, hold), acw)

    keyed = pa.table({"queue": table["queue"], "channel": table["channel"], "start": start_us})
    for name, column in sums.items():
        keyed = keyed.append_column(name, column)
    grouped = keyed.group_by(["queue", "channel", "start"], use_threads=False).aggregate(
        [(name, "sum") for name in sums]
    )
    order = [("start", "ascending"), ("queue", "ascending"), ("channel", "ascending")]
    grouped = grouped.sort_by(order)
    n = grouped.num_rows
    total = {name: grouped[f"{name}_sum"] for name in sums}

    rng = random_stream(seed, 10)
    handled = total["answered"].to_numpy().astype(np.float64)
    decided = handled + total["abandoned"].to_numpy()
    served = total[f"answered_within_{thresholds[0]}"].to_numpy() if thresholds else handled
    service = np.divide(served, decided, out=np.ones(n), where=decided > 0)
    occupancy = np.clip(0.70 + 0.22 * (1.0 - service) + rng.normal(0.0, 0.03, n), 0.5, 0.97)
    handle = total["total_handle"].to_numpy()
    available = np.round(handle * (1.0 - occupancy) / occupancy, 1)
    offered = total["offered"].to_numpy().astype(np.float64)
    forecast = np.round(offered * np.exp(rng.normal(0.0, forecast_noise, n)), 1)

    columns: dict[str, pa.Array | pa.ChunkedArray] = {
        "queue": grouped["queue"].cast(pa.string()),
        "channel": grouped["channel"].cast(pa.string()),
        "interval_start": grouped["start"].cast(pa.timestamp("us")),
        **total,
        "available_time": pa.array(available),
        "forecast_offered": pa.array(forecast),
    }
    extra = [name for name in sums if "_within_" in name]
    schema = _interval_schema(extra)
    return pa.Table.from_arrays([columns[name] for name in schema.names], schema=schema)


def _interval_schema(bucketed: Sequence[str]) -> pa.Schema:
    fields: list[pa.Field] = []
    for f in canonical.INTERVALS.fields:
        if f.name.endswith("_within_T"):
            prefix = f.name.removesuffix("T")
            fields += [pa.field(b, pa.int64()) for b in bucketed if b.startswith(prefix)]
        else:
            fields.append(pa.field(f.name, ARROW_TYPES[f.type]))
    return pa.schema(fields)


# ---------------------------------------------------------------------------------------------
# audits, surveys, adherence


def _agent_columns(count: int, agent: Ints) -> dict[str, Callable[[], pa.Array]]:
    """The ``agent`` and ``queue`` builders for rows worked by ``agent`` (of ``count`` agents)."""
    names, agent_queue, _ = agents_for(count, DEFAULT_QUEUES)
    return {
        "agent": lambda: names.take(pa.array(agent)),
        "queue": lambda: take(DEFAULT_QUEUES, agent_queue[agent]),
    }


def _voice(n: int) -> pa.Array:
    """A ``channel`` column of ``n`` rows, all ``voice``."""
    return take(("voice",), np.zeros(n, dtype=np.int64))


def _sample(rng: np.random.Generator, n: int, population: int) -> Ints:
    """``n`` distinct sorted numbers below ``population`` (audited or surveyed contacts)."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    return np.sort(rng.choice(population, n, replace=False)).astype(np.int64)


def _moments(rng: np.random.Generator, n: int, day0: int, days: int) -> Ints:
    """Sorted local times (microseconds) of ``n`` contacts on weekdays-weighted business hours."""
    weekday = weekdays(day0, days)
    day = pick(rng, np.asarray(WEEKDAYS)[weekday].tolist(), n)
    profile = hour_profile("voice")
    minute = pick(rng, profile.tolist(), n)
    second = (day0 + day) * DAY_S + minute * 60 + rng.integers(0, 60, n)
    return np.sort(second) * US


def audits(
    n: int,
    *,
    seed: int = 0,
    start: str = "2026-01-01",
    days: int = 31,
    criteria: Sequence[str] = DEFAULT_CRITERIA,
) -> pa.Table:
    """Generate ``n`` canonical QA audits, one column per criterion.

    Each criterion holds ``yes`` (most), ``no`` or ``na``; how often an agent misses varies by
    agent and by criterion. Agents are named as in contacts of the default queues.

    Raises:
        ValueError: for a negative ``n``, ``days`` < 1, a bad ``start``, or criteria that are
            empty, repeated or clash with a fixed field.
    """
    check_size(n, days)
    day0 = start_day(start)
    fixed = set(canonical.AUDITS.names)
    if not criteria or len(set(criteria)) != len(criteria) or fixed & set(criteria):
        raise ValueError("criteria must be distinct names other than the fixed audit fields")
    rng = random_stream(seed, 20)
    n_agents = max(5, min(999, n // 10))
    agent = rng.integers(0, n_agents, n)
    error_prone = rng.beta(2.0, 5.0, n_agents)[agent]
    when = _moments(rng, n, day0, days)
    contact = _sample(rng, n, 40 * n)
    evaluator = rng.integers(0, 5, n)
    builders: dict[str, Callable[[], pa.Array]] = {
        **_agent_columns(n_agents, agent),
        "audit_id": lambda: serial_ids("au", n),
        "contact_id": lambda: ids("ct", contact, id_width(40 * n)),
        "channel": lambda: _voice(n),
        "evaluator": lambda: take([f"qa{k:02d}" for k in range(1, 6)], evaluator),
        "audited_at": lambda: timestamps(when),
    }
    for k, name in enumerate(criteria):
        p_na = (0.02, 0.10, 0.05, 0.03, 0.04, 0.02, 0.06, 0.25)[k % 8]
        p_no = (0.4 + 0.8 * error_prone) * (0.04, 0.08, 0.10, 0.07, 0.09, 0.12, 0.05, 0.06)[k % 8]
        u = uniform(rng, n)
        answer = np.where(u < p_na, 2, np.where(u < p_na + p_no, 1, 0))
        builders[name] = functools.partial(take, ("yes", "no", "na"), answer)
    return assemble(canonical.AUDITS, builders)


def surveys(n: int, *, seed: int = 0, start: str = "2026-01-01", days: int = 31) -> pa.Table:
    """Generate ``n`` canonical survey responses.

    ``csat`` is 1..5 (mostly 4 and 5), ``nps`` 0..10 follows it with noise, and ``resolved``
    is more likely the happier the customer.

    Raises:
        ValueError: for a negative ``n``, ``days`` < 1 or a bad ``start``.
    """
    check_size(n, days)
    day0 = start_day(start)
    rng = random_stream(seed, 30)
    n_agents = max(5, min(999, n // 20))
    agent = rng.integers(0, n_agents, n)
    when = _moments(rng, n, day0, days)
    csat = pick(rng, (0.05, 0.05, 0.12, 0.30, 0.48), n) + 1
    nps = np.clip(np.rint(2.2 * csat - 1.0 + rng.normal(0.0, 1.2, n)), 0, 10).astype(np.int64)
    resolved = uniform(rng, n) < (0.25 + 0.14 * csat)
    contact = _sample(rng, n, 20 * n)
    builders: dict[str, Callable[[], pa.Array]] = {
        **_agent_columns(n_agents, agent),
        "response_id": lambda: serial_ids("sv", n),
        "contact_id": lambda: ids("ct", contact, id_width(20 * n)),
        "channel": lambda: _voice(n),
        "responded_at": lambda: timestamps(when),
        "csat": lambda: pa.array(csat),
        "nps": lambda: pa.array(nps),
        "resolved": lambda: pa.array(resolved),
    }
    return assemble(canonical.SURVEYS, builders)


def adherence(agents: int, *, seed: int = 0, start: str = "2026-01-01", days: int = 31) -> pa.Table:
    """Generate canonical schedule adherence: one row per agent and scheduled day.

    Agents work five days a week (most have the weekend off), every fifth one part time;
    adherence is about 92 % with a spread per agent, and about 3 % of shifts are absences.

    Raises:
        ValueError: for a negative ``agents``, ``days`` < 1 or a bad ``start``.
    """
    check_size(agents, days, "agents")
    day0 = start_day(start)
    rng = random_stream(seed, 40)
    index = np.arange(agents, dtype=np.int64)
    off = np.where(index % 4 == 3, index % 5, 5)  # first of two days off (Monday = 0)
    weekday = weekdays(day0, days)
    works = (weekday[None, :] - off[:, None]) % 7 >= 2  # (agents, days)
    agent, day = np.nonzero(works)
    n = agent.size
    scheduled = np.where(index % 5 == 4, 240.0, 450.0)[agent]
    adherence_rate = np.clip(rng.normal(0.92, 0.03, agents)[agent] + rng.normal(0, 0.03, n), 0, 1)
    absent = uniform(rng, n) < 0.03
    adherent = np.where(absent, 0.0, np.round(scheduled * adherence_rate))
    worked = np.where(absent, 0.0, np.round(scheduled * (1.0 + rng.normal(0.0, 0.04, n))))
    builders: dict[str, Callable[[], pa.Array]] = {
        **_agent_columns(agents, agent),
        "team": lambda: take([f"team{k:02d}" for k in range(agents // 12 + 1)], index[agent] // 12),
        "date": lambda: pa.array((day0 + day).astype("datetime64[D]"), pa.date32()),
        "scheduled_minutes": lambda: pa.array(scheduled),
        "adherent_minutes": lambda: pa.array(adherent),
        "worked_minutes": lambda: pa.array(worked),
    }
    return assemble(canonical.ADHERENCE, builders)
