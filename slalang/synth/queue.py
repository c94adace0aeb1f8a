"""Synthetic data: contact records from a queue simulation of a forecast and a staffing plan.

:func:`simulate` draws each interval's calls (a Poisson number of them, the forecast's mean,
at uniform times: a Poisson process whose rate follows the forecast interval by interval),
their handle times and their callers' patience (exponential, or lognormal with a given
coefficient of variation), and serves them first come, first served by the agents the plan
gives each interval. The result is canonical contact records, which evaluate like real ones.

The queue itself is one pass over the calls in arrival order with a heap of agents keyed by
the time each is next free (the Kiefer-Wolfowitz recursion, with abandonment): a call takes
the agent free soonest, unless its caller's patience runs out first. Agent ``j`` of a queue
works the intervals whose plan has more than ``j`` agents; an agent whose interval ends
mid-call finishes the call, and when the plan closes (no agents in the next interval) the
last interval's agents stay until the calls queued before the close are answered (or their
callers give up). Everything else, the draws and the records, is numpy.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from slalang.lang import canonical
from slalang.synth.arrays import (
    US,
    Bools,
    Floats,
    Ints,
    assemble,
    id_width,
    ids,
    random_stream,
    serial_ids,
    take,
    timestamps,
)

DISTRIBUTIONS = ("exponential", "lognormal")
"""The shapes handle times and patience can be drawn from."""


def _draw(rng: np.random.Generator, mean: Floats, shape: str, cv: float) -> npt.NDArray[np.float64]:
    """Durations with the given means: exponential, or lognormal with coefficient ``cv``."""
    if shape == "exponential":
        return rng.standard_exponential(mean.size) * mean
    if shape == "lognormal":
        sigma2 = math.log1p(cv * cv)
        return mean * np.exp(rng.standard_normal(mean.size) * math.sqrt(sigma2) - sigma2 / 2)
    raise ValueError(f"unknown distribution {shape!r}; expected one of {', '.join(DISTRIBUTIONS)}")


def _serve(
    arrival: list[float],
    handle: list[float],
    patience: list[float],
    staffed: Ints,
    length: float,
) -> tuple[list[float], list[int]]:
    """First come, first served over agents per interval: each call's start and agent.

    ``arrival`` is in seconds from the start of interval 0, sorted; interval ``k`` has
    ``staffed[k]`` agents. When the plan closes (an interval without agents after intervals
    with them), the last open interval's agents stay on for the calls that came in before
    the close, as a contact center closes its queue rather than its phones. A call whose
    caller's patience runs out before an agent is free gets agent -1 and the start
    ``arrival + patience`` (when the caller hangs up).
    """
    grid = staffed.size
    counts = staffed.tolist()
    # per interval without agents: when its closed stretch began, and the agents before it
    closed_at = [0.0] * (grid + 1)
    before = [0] * (grid + 1)
    for k in range(1, grid + 1):
        if k < grid and counts[k] > 0:
            continue
        if counts[k - 1] > 0:  # a closed stretch begins here
            closed_at[k], before[k] = k * length, counts[k - 1]
        else:
            closed_at[k], before[k] = closed_at[k - 1], before[k - 1]
    shifts = [np.flatnonzero(staffed > j).tolist() for j in range(int(staffed.max(initial=0)))]

    def next_on(agent: int, moment: float) -> float:
        """The first moment from ``moment`` on when ``agent`` is on shift."""
        k = int(moment // length)
        if 0 <= k < grid and counts[k] > agent:
            return moment
        later = shifts[agent]
        found = bisect.bisect_right(later, k)
        return later[found] * length if found < len(later) else math.inf

    horizon = grid * length  # callers who would wait for ever hang up when the plan ends
    heap = [(next_on(j, 0.0), j) for j in range(len(shifts))]
    heapq.heapify(heap)
    starts: list[float] = []
    agents: list[int] = []
    replace = heapq.heapreplace
    inf = math.inf
    for a, s, p in zip(arrival, handle, patience, strict=True):
        while heap:
            key, j = heap[0]
            t = key if key > a else a
            if t == inf:
                break
            k = min(int(t // length), grid)
            if k < grid and counts[k] > j:
                break
            if (k == grid or counts[k] == 0) and a < closed_at[k] and j < before[k]:
                break  # the queue has closed, the call came in before: agents stay for it
            replace(heap, (next_on(j, t), j))
        else:
            t = inf
        if t == inf:
            starts.append(min(a + p, max(horizon, a)))
            agents.append(-1)
        elif t - a <= p:
            starts.append(t)
            agents.append(j)
            replace(heap, (t + s, j))
        else:
            starts.append(a + p)
            agents.append(-1)
    return starts, agents


def simulate(
    forecast: pa.Table,
    agents: Sequence[int] | Ints,
    *,
    minutes: int = 30,
    patience: float | Mapping[str, float] | None = None,
    seed: int = 0,
    handle_times: str = "exponential",
    handle_cv: float = 1.0,
    patience_times: str = "exponential",
    patience_cv: float = 1.0,
) -> pa.Table:
    """Simulate a staffing plan over a forecast and return the contact records.

    Args:
        forecast: rows with the forecasts fields ``queue``, ``interval_start``,
            ``forecast_offered`` and ``forecast_aht`` (``channel`` is kept if present);
            a queue's rows need not be contiguous (closed hours have none).
        agents: agents on the phones in each row's interval.
        minutes: the interval length.
        patience: callers' mean patience in seconds, for every queue or per queue name;
            None: nobody abandons.
        seed: random seed; the same arguments give the same records.
        handle_times: ``exponential`` or ``lognormal`` (with mean the row's
            ``forecast_aht`` and coefficient of variation ``handle_cv``).
        handle_cv: the lognormal handle times' standard deviation over their mean.
        patience_times: ``exponential`` or ``lognormal`` (coefficient ``patience_cv``).
        patience_cv: the lognormal patience's standard deviation over its mean.

    Returns:
        Canonical contact records (:data:`slalang.lang.canonical.CONTACTS`), sorted by
        ``queued_at``: ``answered`` or ``abandoned``, ``wait`` the queue wait to the
        microsecond, ``talk`` the handle time, ``agent`` named ``QUEUE-agJ``; arrival and
        queue entry are one moment, and ring, hold and after-call work are 0.

    Raises:
        ValueError: rows and agents of different lengths, negative agents or volumes, a
            row without a handle time, or an unknown distribution.
    """
    planned = np.asarray(agents, dtype=np.int64)
    if planned.size != forecast.num_rows:
        raise ValueError("give one number of agents per forecast row")
    if planned.size and planned.min() < 0:
        raise ValueError("agents must not be negative")
    for shape in (handle_times, patience_times):
        if shape not in DISTRIBUTIONS:
            raise ValueError(f"unknown distribution {shape!r}")
    queues = forecast.column("queue").to_pylist()
    starts = pc.cast(forecast.column("interval_start"), pa.int64()).to_numpy()
    offered = forecast.column("forecast_offered").to_numpy(zero_copy_only=False)
    aht = forecast.column("forecast_aht").to_numpy(zero_copy_only=False).astype(np.float64)
    if np.any(offered < 0) or np.any(np.isnan(aht[offered > 0])):
        raise ValueError("forecast volumes must be at least 0, with a handle time where > 0")
    channel_of = (
        np.asarray([canonical.CHANNELS.index(c) if c in canonical.CHANNELS else 0
                    for c in forecast.column("channel").to_pylist()], dtype=np.int32)
        if "channel" in forecast.column_names
        else np.zeros(forecast.num_rows, dtype=np.int32)
    )  # fmt: skip
    rng = random_stream(seed, 20)
    length = minutes * 60.0
    parts: list[dict[str, npt.NDArray[np.generic]]] = []
    labels: list[pa.Array] = []
    names = sorted(set(queues))
    for queue_index, name in enumerate(names):
        rows = np.flatnonzero(np.asarray([q == name for q in queues]))
        rows = rows[np.argsort(starts[rows], kind="stable")]
        origin = int(starts[rows[0]])
        slot = (starts[rows] - origin) // (int(length) * US)
        staffed = np.zeros(int(slot[-1]) + 1, dtype=np.int64)
        staffed[slot] = planned[rows]
        counts = rng.poisson(offered[rows])
        row_of = np.repeat(np.arange(rows.size), counts)
        arrival = (slot[row_of] + rng.random(row_of.size)) * length
        order = np.argsort(arrival, kind="stable")
        arrival, row_of = arrival[order], row_of[order]
        handle = _draw(rng, aht[rows][row_of], handle_times, handle_cv)
        mean_patience = _patience_of(patience, name)
        wait_limit = (
            np.full(arrival.size, np.inf)
            if mean_patience is None
            else _draw(rng, np.full(arrival.size, mean_patience), patience_times, patience_cv)
        )
        begin, agent = _serve(arrival.tolist(), handle.tolist(), wait_limit.tolist(), staffed,
                              length)  # fmt: skip
        served = np.asarray(agent, dtype=np.int64) >= 0
        queued_us = origin + np.rint(arrival * US).astype(np.int64)
        begin_s = np.asarray(begin)
        begin_us = origin + np.rint(begin_s * US).astype(np.int64)
        # the end as the agent's next free moment, rounded once: a call taken at that moment
        # by the same agent starts at the very microsecond this one ends
        end_us = origin + np.rint((begin_s + handle) * US).astype(np.int64)
        talk_us = np.where(served, end_us - begin_us, 0)
        number = np.asarray(agent, dtype=np.int64)
        labels.append(ids(f"{name}-ag", np.maximum(number, 0), id_width(staffed.max(initial=1)),
                          served))  # fmt: skip
        parts.append({
            "queue": np.full(arrival.size, queue_index, dtype=np.int32),
            "channel": channel_of[rows[row_of]],
            "queued": queued_us,
            "begin": begin_us,
            "talk": talk_us,
            "served": served,
        })  # fmt: skip
    return _records(parts, labels, names)


def _patience_of(patience: float | Mapping[str, float] | None, queue: str) -> float | None:
    if patience is None:
        return None
    value = patience.get(queue) if isinstance(patience, Mapping) else patience
    if value is None:
        return None
    if not value > 0:
        raise ValueError("patience must be above 0 seconds")
    return float(value)


def _records(
    parts: list[dict[str, npt.NDArray[np.generic]]], labels: list[pa.Array], names: list[str]
) -> pa.Table:
    """The simulated calls of every queue as canonical contact records, in time order."""

    def joined(key: str) -> npt.NDArray[np.generic]:
        arrays = [p[key] for p in parts]
        return np.concatenate(arrays) if arrays else np.zeros(0)

    queued = joined("queued").astype(np.int64)
    order = np.argsort(queued, kind="stable")
    queued = queued[order]
    begin = joined("begin").astype(np.int64)[order]
    talk = joined("talk").astype(np.int64)[order]
    served: Bools = joined("served").astype(np.bool_)[order]
    queue = joined("queue").astype(np.int32)[order]
    channel = joined("channel").astype(np.int32)[order]
    n = queued.size
    wait = (begin - queued) / US
    taken = pa.array(order.astype(np.int64))
    agent_names = pa.concat_arrays(labels).take(taken) if labels else pa.array([], pa.string())
    zeros = pa.array(np.zeros(n))
    builders: dict[str, Callable[[], pa.Array]] = {
        "contact_id": lambda: serial_ids("sim", n),
        "channel": lambda: take(canonical.CHANNELS, channel),
        "queue": lambda: take(names, queue),
        "call_type": lambda: pa.nulls(n, pa.string()),
        "site": lambda: pa.nulls(n, pa.string()),
        "priority": lambda: pa.nulls(n, pa.int64()),
        "customer_id": lambda: pa.nulls(n, pa.string()),
        "agent": lambda: agent_names,
        "direction": lambda: take(["inbound"], np.zeros(n, dtype=np.int32)),
        "reason": lambda: pa.nulls(n, pa.string()),
        "arrived_at": lambda: timestamps(queued),
        "queued_at": lambda: timestamps(queued),
        "answered_at": lambda: timestamps(begin, served),
        "ended_at": lambda: timestamps(begin + talk),
        "outcome": lambda: take(canonical.OUTCOMES, np.where(served, 0, 1).astype(np.int32)),
        "wait": lambda: pa.array(wait),
        "ring": lambda: zeros,
        "talk": lambda: pa.array(talk / US),
        "hold": lambda: zeros,
        "acw": lambda: zeros,
        "resolved": lambda: pa.nulls(n, pa.bool_()),
        "csat": lambda: pa.nulls(n, pa.int64()),
        "nps": lambda: pa.nulls(n, pa.int64()),
    }
    return assemble(canonical.CONTACTS, builders)
