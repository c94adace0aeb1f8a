"""Synthetic data: volume forecasts per queue and interval, with handle times.

:func:`forecasts` spreads a number of contacts over the days, the minutes and the queues
exactly as :func:`slalang.synth.contacts.contacts` draws them (the same weekday weights,
hour-of-day profile, queue shares and, for the same seed, the same day-to-day variation), so
the forecast of a seed is the expected traffic of that seed's contacts. Each interval also
gets an average handle time: the queue's own, a little longer in the afternoon.
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
    assemble,
    check_size,
    random_stream,
    start_day,
    take,
    timestamps,
    weekdays,
)
from slalang.synth.contacts import DEFAULT_QUEUES, WEEKDAYS, hour_profile

_AHT_BY_QUEUE = (1.0, 0.9, 1.15)
"""Relative handle time of the first, second and third queue (then again)."""


def forecasts(
    n: float,
    *,
    seed: int = 0,
    start: str = "2026-01-01",
    days: int = 31,
    queues: Sequence[str] = DEFAULT_QUEUES,
    channel: str = "voice",
    minutes: int = 30,
    aht: float = 300.0,
) -> pa.Table:
    """A forecast of ``n`` contacts in all, per queue and interval of ``minutes`` minutes.

    Args:
        n: contacts forecast over the whole period and every queue.
        seed: the seed whose day-to-day variation the forecast follows.
        start: first day (ISO date).
        days: days covered.
        queues: queue names; the first ones get more traffic (shares ``0.7^k``).
        channel: the channel of every row; its hours decide which intervals are open.
        minutes: the interval length, a divisor of a day.
        aht: the first queue's average handle time, seconds.

    Returns:
        The fields of :data:`slalang.lang.canonical.FORECASTS`, one row per queue and interval
        in which the channel is open (``forecast_offered`` > 0), sorted by queue then time.

    Raises:
        ValueError: a negative ``n``, ``days`` < 1, a bad ``start``, no queues, an unknown
            channel, or ``minutes`` that do not divide a day.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    check_size(0, days)
    day0 = start_day(start)
    if not queues or len(set(queues)) != len(queues):
        raise ValueError("queues must be one or more distinct names")
    if channel not in canonical.CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(canonical.CHANNELS)}")
    if minutes <= 0 or 1440 % minutes:
        raise ValueError("minutes must divide a day (15, 30, 60, ...)")
    # the first draws of contacts(): the same day factors for the same seed
    rng = random_stream(seed, 1)
    day_factor = np.asarray(WEEKDAYS)[weekdays(day0, days)] * np.exp(rng.normal(0.0, 0.06, days))
    per_minute = day_factor[:, None] * hour_profile(channel)[None, :]  # (days, 1440)
    blocks = per_minute.reshape(days, 1440 // minutes, minutes).sum(axis=2).ravel()
    share = np.asarray([0.7**k for k in range(len(queues))])
    volume = n * (share / share.sum())[:, None] * (blocks / blocks.sum())[None, :]
    queue, block = np.nonzero(volume > 0)
    offered = volume[queue, block]
    start_s = day0 * DAY_S + block * minutes * 60
    hour = (block % (1440 // minutes)) * minutes / 60.0
    by_queue = np.asarray([_AHT_BY_QUEUE[k % len(_AHT_BY_QUEUE)] for k in range(len(queues))])
    handle = aht * by_queue[queue] * (1.0 + 0.06 * np.cos(2 * math.pi * (hour - 15.0) / 24.0))
    count = offered.size
    builders: dict[str, Callable[[], pa.Array]] = {
        "queue": lambda: take(queues, queue.astype(np.int32)),
        "channel": lambda: take([channel], np.zeros(count, dtype=np.int32)),
        "interval_start": lambda: timestamps(start_s.astype(np.int64) * US),
        "forecast_offered": lambda: pa.array(offered),
        "forecast_aht": lambda: pa.array(np.round(handle, 1)),
    }
    return assemble(canonical.FORECASTS, builders)
