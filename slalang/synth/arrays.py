"""Synthetic data: the numpy and Arrow building blocks every generator uses.

Seeded random streams and fast draws (uniform, weighted picks), argument checks and the
calendar (days since the epoch, weekdays), and Arrow columns built straight from numpy
arrays: strings picked from a list, zero-padded identifiers, timestamps, and whole tables
assembled in canonical order with the columns built in threads.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from slalang.lang import canonical

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Ints32 = npt.NDArray[np.int32]
Bools = npt.NDArray[np.bool_]

ARROW_TYPES = {
    "text": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
}
"""The Arrow type of each canonical field type."""

US = 1_000_000
"""Microseconds in a second: timestamps are microseconds since the epoch, local time."""

DAY_S = 86_400
"""Seconds in a day."""


def random_stream(seed: int, stream: int) -> np.random.Generator:
    """The random generator of one ``stream`` of a ``seed``: each data set draws its own."""
    return np.random.default_rng([seed, stream])


def check_size(n: int, days: int, what: str = "n") -> None:
    """Raise ValueError for a negative ``n`` (called ``what``) or fewer than one day."""
    if n < 0:
        raise ValueError(f"{what} must not be negative")
    if days < 1:
        raise ValueError("days must be at least 1")


def start_day(start: str) -> int:
    """Days since 1970-01-01 of an ISO date; ValueError if it is not one."""
    try:
        return int(np.datetime64(start, "D").astype(np.int64))
    except ValueError as exc:
        raise ValueError(f"start must be an ISO date such as 2026-01-01, not {start!r}") from exc


def weekdays(day0: int, days: int) -> Ints:
    """The weekday (Monday = 0) of each of ``days`` days from day ``day0`` since the epoch."""
    return (day0 + np.arange(days) + 3) % 7  # 1970-01-01 was a Thursday


def uniform(rng: np.random.Generator, n: int) -> npt.NDArray[np.float32]:
    """``n`` uniform draws from [0, 1), in single precision (they are fast)."""
    return rng.random(n, dtype=np.float32)


def pick(rng: np.random.Generator, weights: Sequence[float], n: int) -> Ints32:
    """Draw ``n`` indices into ``weights`` with probability proportional to the weights."""
    cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
    u = uniform(rng, n) * np.float32(cdf[-1])
    if cdf.size > 8:
        found = np.searchsorted(cdf[:-1].astype(np.float32), u, side="right")
        return found.astype(np.int32)
    index = np.zeros(n, dtype=np.int32)
    for bound in cdf[:-1]:  # a few comparisons beat a binary search for short lists
        index += u >= np.float32(bound)
    return index


def take(values: Sequence[str], index: Ints | Ints32, valid: Bools | None = None) -> pa.Array:
    """A string column holding ``values[index]``, null where ``valid`` is false."""
    mask = None if valid is None else ~valid
    small = index.astype(np.int32, copy=False)
    return pa.array(list(values), pa.string()).take(pa.array(small, mask=mask))


def _schema(table: canonical.Table, extra: Sequence[str] = ()) -> pa.Schema:
    fields = [pa.field(f.name, ARROW_TYPES[f.type]) for f in table.fields if "<" not in f.name]
    fields += [pa.field(name, pa.string()) for name in extra]
    return pa.schema(fields)


def assemble(table: canonical.Table, builders: dict[str, Callable[[], pa.Array]]) -> pa.Table:
    """Build the columns (Arrow releases the GIL, so in threads) and put them in order."""
    schema = _schema(table, [name for name in builders if table.field(name) is None])
    workers = min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(build) for name, build in builders.items()}
        arrays = [futures[name].result() for name in schema.names]
    return pa.Table.from_arrays(arrays, schema=schema)


_DIGITS4 = np.array([int.from_bytes(b"%04d" % i, "little") for i in range(10_000)], dtype=np.uint32)


def ids(prefix: str, numbers: Ints, width: int, valid: Bools | None = None) -> pa.Array:
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


def id_width(count: int) -> int:
    """Digits (a multiple of 4, at least 4) needed to number ``count`` things from 0."""
    return 4 * max(1, math.ceil(len(str(max(count - 1, 0))) / 4))


def serial_ids(prefix: str, n: int) -> pa.Array:
    """Identifiers ``prefix`` + 0, 1, ... ``n - 1``, zero-padded to the same width."""
    return ids(prefix, np.arange(n, dtype=np.int64), id_width(n))


def timestamps(us: Ints, valid: Bools | None = None) -> pa.Array:
    """A timestamp column of microseconds ``us``, null where ``valid`` is false."""
    mask = None if valid is None else ~valid
    return pa.array(us.view("datetime64[us]"), pa.timestamp("us"), mask=mask)
