"""Synthetic data: contact records, and the traffic and staff shared with other data sets.

Arrivals follow a weekday and hour-of-day profile, waits come from a per-interval
congestion level (most half hours are fine, some are much worse), callers abandon when
their patience runs out, and some customers call again within a few days. Durations are
whole seconds, so ``answered_at = queued_at + wait`` holds exactly. The weekday weights,
opening hours and agents here are also those of :mod:`slalang.synth.sources`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa

from slalang.lang import canonical
from slalang.synth.arrays import (
    DAY_S,
    US,
    Bools,
    Floats,
    Ints,
    Ints32,
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

DEFAULT_QUEUES = ("billing", "sales", "support")
"""The queues when none are given; the other data sets' agents work these."""

WEEKDAYS = (1.12, 1.04, 1.0, 0.98, 0.94, 0.42, 0.22)  # Monday .. Sunday
"""Relative traffic per weekday, Monday first."""

_BLOCK_S = 1_800  # congestion is drawn per queue, channel and half hour

# Relative arrivals per hour of day (0..23); zero means closed. Voice is closed 22:00-07:00.
_HOURS: dict[str, tuple[float, ...]] = {
    "voice": (0, 0, 0, 0, 0, 0, 0, 0.30, 0.65, 1.0, 1.0, 0.95,
              0.70, 0.72, 0.95, 0.95, 0.90, 0.70, 0.50, 0.38, 0.28, 0.18, 0, 0),
    "chat": (0, 0, 0, 0, 0, 0, 0, 0, 0.45, 0.80, 0.95, 1.0,
             0.85, 0.85, 0.95, 1.0, 0.95, 0.80, 0.70, 0.65, 0.55, 0.40, 0, 0),
    "async": (0.04, 0.03, 0.02, 0.02, 0.03, 0.05, 0.12, 0.30, 0.60, 0.90, 1.0, 1.0,
              0.90, 0.90, 0.95, 0.95, 0.90, 0.75, 0.60, 0.50, 0.40, 0.30, 0.15, 0.08),
}  # fmt: skip
_CHANNEL_SHARE = {"voice": 1.0, "chat": 0.40, "email": 0.25, "sms": 0.06, "social": 0.05}
# Multiplies queue waits and caller patience; email is never abandoned.
_CHANNEL_WAIT = {"voice": 1.0, "chat": 1.6, "email": 240.0, "sms": 20.0, "social": 30.0}

_SITES = ("north", "south")
_CALL_TYPES = ("standard", "priority")
_REASONS = ("account", "billing", "order", "technical", "complaint", "cancellation", "information")
_REASON_SHARE = (0.22, 0.20, 0.16, 0.18, 0.06, 0.05, 0.13)
_DIRECTIONS = ("inbound", "outbound")

# Tuned so that, with the defaults, outcomes are about 85/10/2/1/2 % (answered, abandoned,
# flow_out, callback, not_offered), the service level at 20 s is about 80 % and
# repeat-contact FCR within 7 days about 75 %.
_P_NOT_OFFERED = 0.02
_P_OUTBOUND = 0.01
_P_REPEAT = 0.24
_P_UNIDENTIFIED = 0.03
_WAIT_LOGIT = (-0.9, 1.5)  # probability of waiting at all: logistic(a + b * z)
_WAIT_MEAN = (26.0, 0.8)  # mean wait of those who wait: m * exp(c * z) seconds
_PATIENCE_MEAN = 100.0
_P_SHORT_PATIENCE = 0.03  # callers who give up within 5 s
_P_FLOW_OUT = 0.055  # of those who wait
_P_CALLBACK = 0.028


def hour_profile(channel: str) -> Floats:
    """Relative arrivals per minute of the day (1440 values), zero when closed."""
    key = channel if channel in ("voice", "chat") else "async"
    hours = np.asarray(_HOURS[key], dtype=np.float64)
    minutes = (np.arange(1440) + 0.5) / 60.0
    centres = np.arange(24) + 0.5
    smooth = np.interp(minutes, centres, hours, period=24.0)
    return np.where(hours[np.arange(1440) // 60] > 0, smooth, 0.0)


def agents_for(count: int, queues: Sequence[str]) -> tuple[pa.Array, Ints, Ints]:
    """Agent names, their queue index and site index: agent ``a`` works queue ``a % Q``."""
    index = np.arange(count, dtype=np.int64)
    names = ids("ag", index, id_width(count))
    queue = index % max(len(queues), 1)
    site = ((index // max(len(queues), 1)) % 5 >= 3).astype(np.int64)
    return names, queue, site


def _lognormal(rng: np.random.Generator, mu: float, sigma: float, n: int) -> Floats:
    normal = rng.standard_normal(n, dtype=np.float32)
    normal *= np.float32(sigma)
    normal += np.float32(mu)
    return np.exp(normal).astype(np.float64)


def _take_from(values: pa.Array, index: Ints | Ints32, valid: Bools) -> pa.Array:
    return values.take(pa.array(index.astype(np.int32, copy=False), mask=~valid))


def _flags(names: Sequence[str], name: str) -> Bools:
    return np.asarray([x == name for x in names], dtype=np.bool_)


def contacts(
    n: int,
    *,
    seed: int = 0,
    start: str = "2026-01-01",
    days: int = 31,
    queues: Sequence[str] = DEFAULT_QUEUES,
    channels: Sequence[str] = ("voice",),
) -> pa.Table:
    """Generate ``n`` canonical contact records.

    Args:
        n: number of rows.
        seed: random seed; the same arguments and seed give an identical table.
        start: first day (ISO date); arrivals fall on ``days`` days from there.
        days: length of the period in days.
        queues: queue names; the first ones get more traffic.
        channels: channel names from :data:`slalang.lang.canonical.CHANNELS`.

    Returns:
        A table with the fields of :data:`slalang.lang.canonical.CONTACTS`, sorted by ``queued_at``.
        Durations are whole seconds; ``talk``, ``hold`` and ``acw`` are 0 and ``answered_at``
        and ``agent`` are null unless the contact was answered; ``csat`` and ``nps`` are
        null (the generated contacts carry no ratings).

    Raises:
        ValueError: for a negative ``n``, ``days`` < 1, a bad ``start``, no queues, or an
            unknown channel.
    """
    check_size(n, days)
    day0 = start_day(start)
    if not queues or len(set(queues)) != len(queues):
        raise ValueError("queues must be one or more distinct names")
    if not channels or len(set(channels)) != len(channels):
        raise ValueError("channels must be one or more distinct names")
    if any(c not in canonical.CHANNELS for c in channels):
        raise ValueError(f"channels must be among {', '.join(canonical.CHANNELS)}")
    n_q, n_c = len(queues), len(channels)

    # Arrivals: a multinomial draw over (minute, channel) cells, a random second in the minute,
    # then one sort of the encoded (second, channel) keys puts the rows in time order.
    rng = random_stream(seed, 1)
    weekday = weekdays(day0, days)
    day_factor = np.asarray(WEEKDAYS)[weekday] * np.exp(rng.normal(0.0, 0.06, days))
    minute = np.stack([hour_profile(c) for c in channels], axis=1)  # (1440, C)
    share = np.asarray([_CHANNEL_SHARE[c] for c in channels])
    minute = minute / minute.sum(axis=0) * share
    per_minute = day_factor[:, None, None] * minute[None, :, :]  # (days, 1440, C)
    counts = rng.multinomial(n, per_minute.ravel() / per_minute.sum())
    key = np.repeat(np.arange(counts.size, dtype=np.int64), counts)  # minute * C + channel
    key += (key - key % n_c) * 59 + rng.integers(0, 60, n) * n_c  # (minute*60 + s) * C + ch
    key.sort()
    second = key // n_c
    chan = (key % n_c).astype(np.int32)
    first_row = np.concatenate(([0], np.cumsum(counts.reshape(-1, n_c).sum(axis=1))))
    queued = (day0 * DAY_S + second) * US

    # Congestion per (half hour, queue, channel): load of the hour, noise, rare incidents.
    blocks = days * DAY_S // _BLOCK_S
    load = per_minute.reshape(blocks, _BLOCK_S // 60, n_c).mean(axis=1)
    load = load / np.maximum(load.max(axis=0), 1e-12)  # (blocks, C) in 0..1
    queue_bias = np.asarray([(0.0, -0.15, 0.15)[k % 3] for k in range(n_q)])
    z = (
        rng.normal(0.0, 0.75, (blocks, n_q, n_c))
        + 1.1 * (load[:, None, :] - 0.6)
        + queue_bias[None, :, None]
        + np.where(rng.random((blocks, n_q, n_c)) < 0.04, 1.8, 0.0)
    )
    p_wait_block = 1.0 / (1.0 + np.exp(-(_WAIT_LOGIT[0] + _WAIT_LOGIT[1] * z)))
    scale = np.asarray([_CHANNEL_WAIT[c] for c in channels])
    mean_block = _WAIT_MEAN[0] * np.exp(_WAIT_MEAN[1] * z) * scale[None, None, :]

    rng = random_stream(seed, 2)
    queue = pick(rng, [0.7**k for k in range(n_q)], n)
    block = ((second // _BLOCK_S) * n_q + queue) * n_c + chan
    p_wait = p_wait_block.ravel()[block]
    priority_call = uniform(rng, n) < 0.12
    outbound = uniform(rng, n) < _P_OUTBOUND
    not_offered = ~outbound & (uniform(rng, n) < _P_NOT_OFFERED)

    # Waits: an Erlang-like potential wait against the caller's patience.
    u = uniform(rng, n)
    waiting = ~outbound & ~not_offered & (u < p_wait)
    potential = rng.standard_exponential(n, dtype=np.float32) * mean_block.ravel()[block]
    potential[priority_call] *= 0.5
    patience = rng.standard_exponential(n, dtype=np.float32) * (_PATIENCE_MEAN * scale)[chan]
    short = np.flatnonzero(uniform(rng, n) < _P_SHORT_PATIENCE)
    patience[short] = uniform(rng, short.size) * 5.0
    patience[_flags(channels, "email")[chan]] = np.inf
    # Flow-outs and callbacks reuse u: given u < p_wait, u / p_wait is uniform on [0, 1).
    v = np.divide(u, p_wait, out=np.ones(n), where=waiting)
    flow_out = v < _P_FLOW_OUT
    callback = ~flow_out & (v < _P_FLOW_OUT + _P_CALLBACK)
    abandoned = waiting & ~flow_out & ~callback & (patience < potential)
    answered = ~not_offered & ~flow_out & ~callback & ~abandoned
    outcome = np.zeros(n, dtype=np.int32)  # index into canonical.OUTCOMES
    outcome[abandoned] = 1
    outcome[flow_out] = 2
    outcome[callback] = 3
    outcome[not_offered] = 4

    wait = np.where(waiting, potential, 0.0)
    wait[abandoned] = patience[abandoned]
    wait[flow_out] = 30.0 + 90.0 * (v[flow_out] / _P_FLOW_OUT)
    wait[callback] = 10.0 + 80.0 * ((v[callback] - _P_FLOW_OUT) / _P_CALLBACK)
    wait = np.rint(wait)

    # Handle times of answered contacts: lognormal, AHT about 300 s.
    talk_mean = 240.0 * np.asarray([(1.0, 0.9, 1.15)[k % 3] for k in range(n_q)])
    talk = np.rint(talk_mean[queue] * _lognormal(rng, -0.18, 0.6, n))
    hold = np.zeros(n)
    held = np.flatnonzero(uniform(rng, n) < 0.25)
    hold[held] = np.rint(_lognormal(rng, 4.2, 0.7, held.size))
    acw = np.rint(_lognormal(rng, 3.55, 0.5, n))
    talk = np.where(answered, np.maximum(talk, 5.0), 0.0)
    hold[~answered] = 0.0
    acw[~answered] = 0.0

    answered_at = queued + wait.astype(np.int64) * US
    ended = answered_at + (talk + hold).astype(np.int64) * US
    ivr = np.where(_flags(channels, "voice")[chan], rng.integers(5, 90, n), 0)
    arrived = queued - ivr * US

    # Agents: each belongs to one queue and one site; the routed one handles answered contacts.
    per_queue = max(4, math.ceil(n / days / 60 / n_q))
    agent = queue + n_q * rng.integers(0, per_queue, n)
    agent_names, _, agent_site = agents_for(per_queue * n_q, queues)

    # Customers: a share of contacts repeat an earlier one of the same customer, mostly within
    # a few days; the earlier contact is the first one in (or after) the drawn minute.
    rng = random_stream(seed, 3)
    repeat = np.flatnonzero(uniform(rng, n) < _P_REPEAT)
    lag = np.rint(_lognormal(rng, 10.8, 1.1, repeat.size)).astype(np.int64)  # ~1.5 days
    target = (second[repeat] - lag) // 60  # the minute of the earlier contact
    repeat, target = repeat[target >= 0], target[target >= 0]
    earlier = first_row[target]  # the first row in or after that minute
    repeat, earlier = repeat[earlier < repeat], earlier[earlier < repeat]
    root = np.arange(n, dtype=np.int64)
    root[repeat] = earlier
    while repeat.size:  # pointer jumping: chains are short, a few rounds suffice
        nxt = root[root[repeat]]
        if np.array_equal(nxt, root[repeat]):
            break
        root[repeat] = nxt
    has_repeat = np.zeros(n, dtype=np.bool_)
    has_repeat[earlier] = True
    identified = uniform(rng, n) >= _P_UNIDENTIFIED
    customer_width = id_width(n)
    customer = (root * 7919 + seed * 104_729) % (10**customer_width)
    first_reason = pick(rng, _REASON_SHARE, n)
    reason = np.where(uniform(rng, n) < 0.8, first_reason[root], first_reason)
    resolved = answered & (uniform(rng, n) < np.where(has_repeat, 0.55, 0.93))

    ring = np.round(2.0 + 6.0 * uniform(rng, n))  # whole seconds, 2 to 8
    call_types = [f"{q}_{t}" for q in queues for t in _CALL_TYPES]
    builders: dict[str, Callable[[], pa.Array]] = {
        "contact_id": lambda: serial_ids("ct", n),
        "channel": lambda: take(channels, chan),
        "queue": lambda: take(queues, queue),
        "call_type": lambda: take(call_types, queue * 2 + priority_call),
        "site": lambda: take(_SITES, agent_site[agent]),
        "priority": lambda: pa.array(np.where(priority_call, 1, 2).astype(np.int64)),
        "customer_id": lambda: ids("cu", customer, customer_width, identified),
        "agent": lambda: _take_from(agent_names, agent, answered),
        "direction": lambda: take(_DIRECTIONS, outbound.astype(np.int32)),
        "reason": lambda: take(_REASONS, reason),
        "arrived_at": lambda: timestamps(arrived),
        "queued_at": lambda: timestamps(queued),
        "answered_at": lambda: timestamps(answered_at, answered),
        "ended_at": lambda: timestamps(ended),
        "outcome": lambda: take(canonical.OUTCOMES, outcome),
        "wait": lambda: pa.array(wait),
        "ring": lambda: pa.array(np.where(answered, np.minimum(wait, ring), 0.0)),
        "talk": lambda: pa.array(talk),
        "hold": lambda: pa.array(hold),
        "acw": lambda: pa.array(acw),
        "resolved": lambda: pa.array(resolved),
        "csat": lambda: pa.nulls(n, pa.int64()),
        "nps": lambda: pa.nulls(n, pa.int64()),
    }
    return assemble(canonical.CONTACTS, builders)
