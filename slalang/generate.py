"""Synthetic canonical data sets: seeded, vectorised generators for tests, demos and benchmarks.

Every function returns a :class:`pyarrow.Table` whose columns are the fields of one canonical
table of :mod:`slalang.canonical`, in canonical order, with Arrow types ``text -> string``,
``integer -> int64``, ``number -> float64``, ``boolean -> bool``, ``timestamp -> timestamp[us]``
(naive local time) and ``date -> date32``. The same arguments and seed always give the same
table. Rows are built with numpy array operations only, so ten million contacts take seconds.

The shape is meant to be realistic enough that objectives are interesting: arrivals follow a
weekday and hour-of-day profile, waits come from a per-interval congestion level (most half
hours are fine, some are much worse), callers abandon when their patience runs out, and some
customers call again within a few days. Durations are whole seconds, so
``answered_at = queued_at + wait`` holds exactly.

Run ``python -m slalang.generate --help`` for the command line.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from slalang import canonical
from slalang.exitcodes import Exit

__all__ = [
    "FORMATS",
    "KINDS",
    "adherence",
    "audits",
    "contacts",
    "intervals",
    "main",
    "surveys",
    "write",
]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Ints32 = npt.NDArray[np.int32]
Bools = npt.NDArray[np.bool_]

KINDS = ("contacts", "intervals", "audits", "surveys", "adherence")
"""The data sets :func:`main` can write."""

FORMATS = (".parquet", ".csv", ".tsv", ".jsonl")
"""The file types :func:`write` knows, by suffix."""

DEFAULT_QUEUES = ("billing", "sales", "support")
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

_ARROW_TYPES = {
    "text": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
}

_US = 1_000_000
_DAY_S = 86_400
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
_WEEKDAYS = (1.12, 1.04, 1.0, 0.98, 0.94, 0.42, 0.22)  # Monday .. Sunday
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


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


def _schema(table: canonical.Table, extra: Sequence[str] = ()) -> pa.Schema:
    fields = [pa.field(f.name, _ARROW_TYPES[f.type]) for f in table.fields if "<" not in f.name]
    fields += [pa.field(name, pa.string()) for name in extra]
    return pa.schema(fields)


def _start_day(start: str) -> int:
    """Days since 1970-01-01 of an ISO date; ValueError if it is not one."""
    try:
        return int(np.datetime64(start, "D").astype(np.int64))
    except ValueError as exc:
        raise ValueError(f"start must be an ISO date such as 2026-01-01, not {start!r}") from exc


def _check(n: int, days: int, what: str = "n") -> None:
    if n < 0:
        raise ValueError(f"{what} must not be negative")
    if days < 1:
        raise ValueError("days must be at least 1")


def _uniform(rng: np.random.Generator, n: int) -> npt.NDArray[np.float32]:
    return rng.random(n, dtype=np.float32)


def _lognormal(rng: np.random.Generator, mu: float, sigma: float, n: int) -> Floats:
    normal = rng.standard_normal(n, dtype=np.float32)
    normal *= np.float32(sigma)
    normal += np.float32(mu)
    return np.exp(normal).astype(np.float64)


def _pick(rng: np.random.Generator, weights: Sequence[float], n: int) -> Ints32:
    """Draw ``n`` indices into ``weights`` with probability proportional to the weights."""
    cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
    u = _uniform(rng, n) * np.float32(cdf[-1])
    if cdf.size > 8:
        found = np.searchsorted(cdf[:-1].astype(np.float32), u, side="right")
        return found.astype(np.int32)
    index = np.zeros(n, dtype=np.int32)
    for bound in cdf[:-1]:  # a few comparisons beat a binary search for short lists
        index += u >= np.float32(bound)
    return index


def _take(values: Sequence[str], index: Ints | Ints32, valid: Bools | None = None) -> pa.Array:
    """A string column holding ``values[index]``, null where ``valid`` is false."""
    mask = None if valid is None else ~valid
    small = index.astype(np.int32, copy=False)
    return pa.array(list(values), pa.string()).take(pa.array(small, mask=mask))


def _take_from(values: pa.Array, index: Ints | Ints32, valid: Bools) -> pa.Array:
    return values.take(pa.array(index.astype(np.int32, copy=False), mask=~valid))


def _assemble(table: canonical.Table, builders: dict[str, Callable[[], pa.Array]]) -> pa.Table:
    """Build the columns (Arrow releases the GIL, so in threads) and put them in order."""
    schema = _schema(table, [name for name in builders if table.field(name) is None])
    workers = min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(build) for name, build in builders.items()}
        arrays = [futures[name].result() for name in schema.names]
    return pa.Table.from_arrays(arrays, schema=schema)


_DIGITS4 = np.array([int.from_bytes(b"%04d" % i, "little") for i in range(10_000)], dtype=np.uint32)


def _ids(prefix: str, numbers: Ints, width: int, valid: Bools | None = None) -> pa.Array:
    """Strings ``prefix`` + zero-padded ``numbers`` (``width`` digits, a multiple of 4)."""
    n = numbers.size
    words = width // 4
    head = prefix.encode()
    row = len(head) + width
    if n * row >= 2**31:
        raise ValueError(f"too many rows for one string column: {n}")
    digits = np.empty((n, words), dtype=np.uint32)
    rest = numbers.astype(np.int64, copy=True)
    for k in range(words - 1, -1, -1):
        digits[:, k] = _DIGITS4[rest % 10_000]
        rest //= 10_000
    data = np.empty((n, row), dtype=np.uint8)
    data[:, : len(head)] = np.frombuffer(head, dtype=np.uint8)
    data[:, len(head) :] = digits.view(np.uint8).reshape(n, 4 * words)
    offsets = np.arange(0, (n + 1) * row, row, dtype=np.int32)
    bitmap = None if valid is None else pa.array(valid).buffers()[1]
    nulls = 0 if valid is None else int(n - np.count_nonzero(valid))
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data), bitmap, nulls)


def _width(count: int) -> int:
    """Digits (a multiple of 4, at least 4) needed to number ``count`` things from 0."""
    return 4 * max(1, math.ceil(len(str(max(count - 1, 0))) / 4))


def _timestamps(us: Ints, valid: Bools | None = None) -> pa.Array:
    mask = None if valid is None else ~valid
    return pa.array(us.view("datetime64[us]"), pa.timestamp("us"), mask=mask)


def _agents_for(count: int, queues: Sequence[str]) -> tuple[pa.Array, Ints, Ints]:
    """Agent names, their queue index and site index: agent ``a`` works queue ``a % Q``."""
    index = np.arange(count, dtype=np.int64)
    names = _ids("ag", index, _width(count))
    queue = index % max(len(queues), 1)
    site = ((index // max(len(queues), 1)) % 5 >= 3).astype(np.int64)
    return names, queue, site


def _flags(names: Sequence[str], name: str) -> Bools:
    return np.asarray([x == name for x in names], dtype=np.bool_)


def _hour_profile(channel: str) -> Floats:
    """Relative arrivals per minute of the day (1440 values), zero when closed."""
    key = channel if channel in ("voice", "chat") else "async"
    hours = np.asarray(_HOURS[key], dtype=np.float64)
    minutes = (np.arange(1440) + 0.5) / 60.0
    centres = np.arange(24) + 0.5
    smooth = np.interp(minutes, centres, hours, period=24.0)
    return np.where(hours[np.arange(1440) // 60] > 0, smooth, 0.0)


# ---------------------------------------------------------------------------------------------
# contacts


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
        channels: channel names from :data:`slalang.canonical.CHANNELS`.

    Returns:
        A table with the fields of :data:`slalang.canonical.CONTACTS`, sorted by ``queued_at``.
        Durations are whole seconds; ``talk``, ``hold`` and ``acw`` are 0 and ``answered_at``
        and ``agent`` are null unless the contact was answered.

    Raises:
        ValueError: for a negative ``n``, ``days`` < 1, a bad ``start``, no queues, or an
            unknown channel.
    """
    _check(n, days)
    day0 = _start_day(start)
    if not queues or len(set(queues)) != len(queues):
        raise ValueError("queues must be one or more distinct names")
    if not channels or len(set(channels)) != len(channels):
        raise ValueError("channels must be one or more distinct names")
    if any(c not in canonical.CHANNELS for c in channels):
        raise ValueError(f"channels must be among {', '.join(canonical.CHANNELS)}")
    n_q, n_c = len(queues), len(channels)

    # Arrivals: a multinomial draw over (minute, channel) cells, a random second in the minute,
    # then one sort of the encoded (second, channel) keys puts the rows in time order.
    rng = _rng(seed, 1)
    weekday = (day0 + np.arange(days) + 3) % 7  # 1970-01-01 was a Thursday
    day_factor = np.asarray(_WEEKDAYS)[weekday] * np.exp(rng.normal(0.0, 0.06, days))
    minute = np.stack([_hour_profile(c) for c in channels], axis=1)  # (1440, C)
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
    queued = (day0 * _DAY_S + second) * _US

    # Congestion per (half hour, queue, channel): load of the hour, noise, rare incidents.
    blocks = days * _DAY_S // _BLOCK_S
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

    rng = _rng(seed, 2)
    queue = _pick(rng, [0.7**k for k in range(n_q)], n)
    block = ((second // _BLOCK_S) * n_q + queue) * n_c + chan
    p_wait = p_wait_block.ravel()[block]
    priority_call = _uniform(rng, n) < 0.12
    outbound = _uniform(rng, n) < _P_OUTBOUND
    not_offered = ~outbound & (_uniform(rng, n) < _P_NOT_OFFERED)

    # Waits: an Erlang-like potential wait against the caller's patience.
    u = _uniform(rng, n)
    waiting = ~outbound & ~not_offered & (u < p_wait)
    potential = rng.standard_exponential(n, dtype=np.float32) * mean_block.ravel()[block]
    potential[priority_call] *= 0.5
    patience = rng.standard_exponential(n, dtype=np.float32) * (_PATIENCE_MEAN * scale)[chan]
    short = np.flatnonzero(_uniform(rng, n) < _P_SHORT_PATIENCE)
    patience[short] = _uniform(rng, short.size) * 5.0
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
    held = np.flatnonzero(_uniform(rng, n) < 0.25)
    hold[held] = np.rint(_lognormal(rng, 4.2, 0.7, held.size))
    acw = np.rint(_lognormal(rng, 3.55, 0.5, n))
    talk = np.where(answered, np.maximum(talk, 5.0), 0.0)
    hold[~answered] = 0.0
    acw[~answered] = 0.0

    answered_at = queued + wait.astype(np.int64) * _US
    ended = answered_at + (talk + hold).astype(np.int64) * _US
    ivr = np.where(_flags(channels, "voice")[chan], rng.integers(5, 90, n), 0)
    arrived = queued - ivr * _US

    # Agents: each belongs to one queue and one site; the routed one handles answered contacts.
    per_queue = max(4, math.ceil(n / days / 60 / n_q))
    agent = queue + n_q * rng.integers(0, per_queue, n)
    agent_names, _, agent_site = _agents_for(per_queue * n_q, queues)

    # Customers: a share of contacts repeat an earlier one of the same customer, mostly within
    # a few days; the earlier contact is the first one in (or after) the drawn minute.
    rng = _rng(seed, 3)
    repeat = np.flatnonzero(_uniform(rng, n) < _P_REPEAT)
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
    identified = _uniform(rng, n) >= _P_UNIDENTIFIED
    customer_width = _width(n)
    customer = (root * 7919 + seed * 104_729) % (10**customer_width)
    first_reason = _pick(rng, _REASON_SHARE, n)
    reason = np.where(_uniform(rng, n) < 0.8, first_reason[root], first_reason)
    resolved = answered & (_uniform(rng, n) < np.where(has_repeat, 0.55, 0.93))

    ring = np.round(2.0 + 6.0 * _uniform(rng, n))  # whole seconds, 2 to 8
    call_types = [f"{q}_{t}" for q in queues for t in _CALL_TYPES]
    builders: dict[str, Callable[[], pa.Array]] = {
        "contact_id": lambda: _ids("ct", np.arange(n, dtype=np.int64), _width(n)),
        "channel": lambda: _take(channels, chan),
        "queue": lambda: _take(queues, queue),
        "call_type": lambda: _take(call_types, queue * 2 + priority_call),
        "site": lambda: _take(_SITES, agent_site[agent]),
        "priority": lambda: pa.array(np.where(priority_call, 1, 2).astype(np.int64)),
        "customer_id": lambda: _ids("cu", customer, customer_width, identified),
        "agent": lambda: _take_from(agent_names, agent, answered),
        "direction": lambda: _take(_DIRECTIONS, outbound.astype(np.int32)),
        "reason": lambda: _take(_REASONS, reason),
        "arrived_at": lambda: _timestamps(arrived),
        "queued_at": lambda: _timestamps(queued),
        "answered_at": lambda: _timestamps(answered_at, answered),
        "ended_at": lambda: _timestamps(ended),
        "outcome": lambda: _take(canonical.OUTCOMES, outcome),
        "wait": lambda: pa.array(wait),
        "ring": lambda: pa.array(np.where(answered, np.minimum(wait, ring), 0.0)),
        "talk": lambda: pa.array(talk),
        "hold": lambda: pa.array(hold),
        "acw": lambda: pa.array(acw),
        "resolved": lambda: pa.array(resolved),
    }
    return _assemble(canonical.CONTACTS, builders)


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
        The fields of :data:`slalang.canonical.INTERVALS` in canonical order, one bucketed
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
    step = minutes * 60 * _US
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

    rng = _rng(seed, 10)
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
            fields.append(pa.field(f.name, _ARROW_TYPES[f.type]))
    return pa.schema(fields)


# ---------------------------------------------------------------------------------------------
# audits, surveys, adherence


def _sample(rng: np.random.Generator, n: int, population: int) -> Ints:
    """``n`` distinct sorted numbers below ``population`` (audited or surveyed contacts)."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    return np.sort(rng.choice(population, n, replace=False)).astype(np.int64)


def _moments(rng: np.random.Generator, n: int, day0: int, days: int) -> Ints:
    """Sorted local times (microseconds) of ``n`` contacts on weekdays-weighted business hours."""
    weekday = (day0 + np.arange(days) + 3) % 7
    day = _pick(rng, np.asarray(_WEEKDAYS)[weekday].tolist(), n)
    profile = _hour_profile("voice")
    minute = _pick(rng, profile.tolist(), n)
    second = (day0 + day) * _DAY_S + minute * 60 + rng.integers(0, 60, n)
    return np.sort(second) * _US


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
    agent and by criterion. Agents are named as in :func:`contacts` with the default queues.

    Raises:
        ValueError: for a negative ``n``, ``days`` < 1, a bad ``start``, or criteria that are
            empty, repeated or clash with a fixed field.
    """
    _check(n, days)
    day0 = _start_day(start)
    fixed = set(canonical.AUDITS.names)
    if not criteria or len(set(criteria)) != len(criteria) or fixed & set(criteria):
        raise ValueError("criteria must be distinct names other than the fixed audit fields")
    rng = _rng(seed, 20)
    n_agents = max(5, min(999, n // 10))
    names, agent_queue, _ = _agents_for(n_agents, DEFAULT_QUEUES)
    agent = rng.integers(0, n_agents, n)
    error_prone = rng.beta(2.0, 5.0, n_agents)[agent]
    when = _moments(rng, n, day0, days)
    contact = _sample(rng, n, 40 * n)
    evaluator = rng.integers(0, 5, n)
    builders: dict[str, Callable[[], pa.Array]] = {
        "audit_id": lambda: _ids("au", np.arange(n, dtype=np.int64), _width(n)),
        "contact_id": lambda: _ids("ct", contact, _width(40 * n)),
        "agent": lambda: names.take(pa.array(agent)),
        "queue": lambda: _take(DEFAULT_QUEUES, agent_queue[agent]),
        "channel": lambda: _take(("voice",), np.zeros(n, dtype=np.int64)),
        "evaluator": lambda: _take([f"qa{k:02d}" for k in range(1, 6)], evaluator),
        "audited_at": lambda: _timestamps(when),
    }
    for k, name in enumerate(criteria):
        p_na = (0.02, 0.10, 0.05, 0.03, 0.04, 0.02, 0.06, 0.25)[k % 8]
        p_no = (0.4 + 0.8 * error_prone) * (0.04, 0.08, 0.10, 0.07, 0.09, 0.12, 0.05, 0.06)[k % 8]
        u = _uniform(rng, n)
        answer = np.where(u < p_na, 2, np.where(u < p_na + p_no, 1, 0))
        builders[name] = functools.partial(_take, ("yes", "no", "na"), answer)
    return _assemble(canonical.AUDITS, builders)


def surveys(n: int, *, seed: int = 0, start: str = "2026-01-01", days: int = 31) -> pa.Table:
    """Generate ``n`` canonical survey responses.

    ``csat`` is 1..5 (mostly 4 and 5), ``nps`` 0..10 follows it with noise, and ``resolved``
    is more likely the happier the customer.

    Raises:
        ValueError: for a negative ``n``, ``days`` < 1 or a bad ``start``.
    """
    _check(n, days)
    day0 = _start_day(start)
    rng = _rng(seed, 30)
    n_agents = max(5, min(999, n // 20))
    names, agent_queue, _ = _agents_for(n_agents, DEFAULT_QUEUES)
    agent = rng.integers(0, n_agents, n)
    when = _moments(rng, n, day0, days)
    csat = _pick(rng, (0.05, 0.05, 0.12, 0.30, 0.48), n) + 1
    nps = np.clip(np.rint(2.2 * csat - 1.0 + rng.normal(0.0, 1.2, n)), 0, 10).astype(np.int64)
    resolved = _uniform(rng, n) < (0.25 + 0.14 * csat)
    contact = _sample(rng, n, 20 * n)
    builders: dict[str, Callable[[], pa.Array]] = {
        "response_id": lambda: _ids("sv", np.arange(n, dtype=np.int64), _width(n)),
        "contact_id": lambda: _ids("ct", contact, _width(20 * n)),
        "queue": lambda: _take(DEFAULT_QUEUES, agent_queue[agent]),
        "channel": lambda: _take(("voice",), np.zeros(n, dtype=np.int64)),
        "agent": lambda: names.take(pa.array(agent)),
        "responded_at": lambda: _timestamps(when),
        "csat": lambda: pa.array(csat),
        "nps": lambda: pa.array(nps),
        "resolved": lambda: pa.array(resolved),
    }
    return _assemble(canonical.SURVEYS, builders)


def adherence(agents: int, *, seed: int = 0, start: str = "2026-01-01", days: int = 31) -> pa.Table:
    """Generate canonical schedule adherence: one row per agent and scheduled day.

    Agents work five days a week (most have the weekend off), every fifth one part time;
    adherence is about 92 % with a spread per agent, and about 3 % of shifts are absences.

    Raises:
        ValueError: for a negative ``agents``, ``days`` < 1 or a bad ``start``.
    """
    _check(agents, days, "agents")
    day0 = _start_day(start)
    rng = _rng(seed, 40)
    names, agent_queue, _ = _agents_for(agents, DEFAULT_QUEUES)
    index = np.arange(agents, dtype=np.int64)
    off = np.where(index % 4 == 3, index % 5, 5)  # first of two days off (Monday = 0)
    weekday = (day0 + np.arange(days) + 3) % 7
    works = (weekday[None, :] - off[:, None]) % 7 >= 2  # (agents, days)
    agent, day = np.nonzero(works)
    n = agent.size
    scheduled = np.where(index % 5 == 4, 240.0, 450.0)[agent]
    adherence_rate = np.clip(rng.normal(0.92, 0.03, agents)[agent] + rng.normal(0, 0.03, n), 0, 1)
    absent = _uniform(rng, n) < 0.03
    adherent = np.where(absent, 0.0, np.round(scheduled * adherence_rate))
    worked = np.where(absent, 0.0, np.round(scheduled * (1.0 + rng.normal(0.0, 0.04, n))))
    builders: dict[str, Callable[[], pa.Array]] = {
        "agent": lambda: names.take(pa.array(agent)),
        "team": lambda: _take(
            [f"team{k:02d}" for k in range(agents // 12 + 1)], index[agent] // 12
        ),
        "queue": lambda: _take(DEFAULT_QUEUES, agent_queue[agent]),
        "date": lambda: pa.array((day0 + day).astype("datetime64[D]"), pa.date32()),
        "scheduled_minutes": lambda: pa.array(scheduled),
        "adherent_minutes": lambda: pa.array(adherent),
        "worked_minutes": lambda: pa.array(worked),
    }
    return _assemble(canonical.ADHERENCE, builders)


# ---------------------------------------------------------------------------------------------
# files


def write(table: pa.Table, path: str | Path) -> None:
    """Write a table to a file whose format follows from its suffix.

    Missing parent folders are created. ``.parquet``; ``.csv`` and ``.tsv`` with a header
    line and timestamps as ``YYYY-MM-DD HH:MM:SS`` (to the second), nulls as empty fields;
    ``.jsonl`` with one JSON object per line, timestamps as the same text and nulls as
    ``null``.

    Raises:
        ValueError: for any other suffix, or a column type JSON Lines cannot hold.
        OSError: if the file cannot be written.
    """
    path = Path(path)
    suffix = _suffix(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        pq.write_table(table, path)
    elif suffix in (".csv", ".tsv"):
        delimiter = "," if suffix == ".csv" else "\t"
        options = pacsv.WriteOptions(include_header=True, delimiter=delimiter)
        pacsv.write_csv(_text_timestamps(table), path, write_options=options)
    else:
        _write_jsonl(table, path)


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"unknown file type {suffix or '(none)'}: use {', '.join(FORMATS)}")
    return suffix


def _timestamp_text(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    seconds = column.cast(pa.timestamp("s", tz=column.type.tz), safe=False)
    if column.type.tz is None:  # the cast prints naive times as YYYY-MM-DD HH:MM:SS, fast
        return seconds.cast(pa.string())
    return pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")


def _text_timestamps(table: pa.Table) -> pa.Table:
    for k, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(k, field.name, _timestamp_text(table.column(k)))
    return table


def _json_escaped(values: pa.Array) -> pa.Array:
    """Text values escaped for a JSON string, without the quotes."""
    text = values.cast(pa.string())
    data = text.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    if bool(np.any((raw < 32) | (raw == ord('"')) | (raw == ord("\\")))):
        text = pc.replace_substring(text, "\\", "\\\\")
        text = pc.replace_substring(text, '"', '\\"')
        for code in range(32):
            if np.any(raw == code):
                text = pc.replace_substring(text, chr(code), f"\\u{code:04x}")
    return text


def _json_values(values: pa.Array) -> tuple[pa.Array, bool]:
    """Each value as JSON text (null where null), and whether it still needs quotes."""
    kind = values.type
    if pa.types.is_dictionary(kind):
        return _json_values(values.cast(kind.value_type))
    if pa.types.is_timestamp(kind):
        return _timestamp_text(values), True
    if pa.types.is_date(kind) or pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _json_escaped(values), True
    if pa.types.is_boolean(kind) or pa.types.is_integer(kind) or pa.types.is_null(kind):
        return values.cast(pa.string()), False
    if pa.types.is_floating(kind):
        text = values.cast(pa.float64()).cast(pa.string())
        return pc.if_else(pc.is_finite(values), text, None), False  # no NaN or inf in JSON
    raise ValueError(f"JSON Lines cannot hold a column of type {kind}")


def _write_jsonl(table: pa.Table, path: Path) -> None:
    keys = [json.dumps(name) for name in table.column_names]
    with path.open("wb") as out:
        if not keys:
            out.write(b"{}\n" * table.num_rows)
            return
        for batch in table.to_batches(max_chunksize=1 << 18):
            # One join per batch: literal pieces between the columns' texts. Quotes go into the
            # literals unless the column has nulls, which must print as a bare null.
            parts: list[object] = []
            literal = "{"
            for k, key in enumerate(keys):
                text, quoted = _json_values(batch.column(k))
                literal += ("," if k else "") + key + ":"
                if quoted and text.null_count == 0:
                    parts += [literal + '"', text]
                    literal = '"'
                else:
                    if quoted:
                        text = pc.binary_join_element_wise('"', text, '"', "")
                    parts += [literal, pc.fill_null(text, "null")]
                    literal = ""
            parts += [literal + "}\n", ""]
            lines = pc.binary_join_element_wise(*parts).cast(pa.large_string())
            offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
            first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
            out.write(memoryview(lines.buffers()[2])[first:last])


# ---------------------------------------------------------------------------------------------
# command line


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in _names(text))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m slalang.generate",
        description="Write a synthetic canonical data set (seeded: the same arguments give the "
        "same file).",
        epilog="examples:\n"
        "  python -m slalang.generate --kind contacts --rows 1000000 --seed 1 calls.parquet\n"
        "  python -m slalang.generate --kind intervals --rows 200000 --thresholds 20,30 iv.csv\n"
        "  python -m slalang.generate --kind adherence --rows 40 adherence.jsonl\n\n"
        "The format follows the suffix: .parquet, .csv, .tsv or .jsonl.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--kind", choices=KINDS, default="contacts", help="data set to write")
    parser.add_argument(
        "--rows",
        type=int,
        default=100_000,
        help="rows to generate; for intervals the contacts aggregated, for adherence the "
        "agents (default: 100000)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--start", default="2026-01-01", help="first day (default: 2026-01-01)")
    parser.add_argument("--days", type=int, default=31, help="days covered (default: 31)")
    parser.add_argument(
        "--queues", type=_names, default=DEFAULT_QUEUES, help="comma-separated queue names"
    )
    parser.add_argument(
        "--channels", type=_names, default=("voice",), help="comma-separated channels"
    )
    parser.add_argument("--minutes", type=int, default=30, help="interval length (intervals)")
    parser.add_argument(
        "--thresholds",
        type=_numbers,
        default=(20,),
        help="answered_within_T columns, comma-separated seconds (intervals)",
    )
    parser.add_argument(
        "--abandon-thresholds",
        type=_numbers,
        default=(),
        help="abandoned_within_T columns, comma-separated seconds (intervals)",
    )
    parser.add_argument("output", metavar="OUT", help="file to write")
    return parser


def _build(args: argparse.Namespace) -> pa.Table:
    period = {"seed": args.seed, "start": args.start, "days": args.days}
    if args.kind == "audits":
        return audits(args.rows, **period)
    if args.kind == "surveys":
        return surveys(args.rows, **period)
    if args.kind == "adherence":
        return adherence(args.rows, **period)
    table = contacts(args.rows, queues=args.queues, channels=args.channels, **period)
    if args.kind == "intervals":
        return intervals(
            table,
            minutes=args.minutes,
            thresholds=args.thresholds,
            abandon_thresholds=args.abandon_thresholds,
            seed=args.seed,
        )
    return table


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns an exit code from :mod:`slalang.exitcodes`."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return Exit.OK if exc.code == 0 else Exit.USAGE
    began = time.perf_counter()
    try:
        _suffix(Path(args.output))
        table = _build(args)
        built = time.perf_counter()
        write(table, args.output)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return Exit.USAGE
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return Exit.USAGE
    done = time.perf_counter()
    print(
        f"wrote {table.num_rows:,} rows of {args.kind} to {args.output} in {done - began:.2f} s "
        f"(generate {built - began:.2f} s, write {done - built:.2f} s)",
        file=sys.stderr,
    )
    return Exit.OK


if __name__ == "__main__":
    sys.exit(main())
