"""Staffing stage: the queueing models Erlang B and Erlang C, and what they predict.

Every function works on numpy arrays (scalars broadcast) and returns arrays, so one call
answers a whole month of intervals. Loads are in Erlangs (``A = calls * AHT / interval``);
times are seconds. The formulas, and where they stop being accurate, are in
docs/staffing.md; in short:

- Erlang B by the recursion ``B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1))``: every step
  divides numbers between 0 and 1, no factorial or power is ever formed, and an error in
  ``B(n-1)`` shrinks by the factor ``1 - B(n)`` in ``B(n)``, so loads of thousands of
  Erlangs keep about 14 significant digits;
- Erlang C from it: ``C = N B / (N - A (1 - B))`` for ``N > A`` (1 otherwise), service
  level ``1 - C exp(-(N - A) T / AHT)``, ASA ``C AHT / (N - A)``, occupancy ``A / N``.

:mod:`slalang.staff.erlang_a` adds abandonment (Erlang A) on the same Erlang B values.
"""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

_BLOCK = 4096
"""Loads whose Erlang B recursion runs together."""


def erlang_b_table(load: npt.ArrayLike, top: int) -> Floats:
    """Erlang B for every number of agents from 0 to ``top``: shape ``(len(load), top + 1)``.

    Column ``n`` is the blocking probability of ``n`` agents offered ``load`` Erlangs. A
    load of 0 blocks nothing from one agent on; ``B(0)`` is 1.
    """
    loads = np.atleast_1d(np.asarray(load, dtype=np.float64))
    if loads.ndim != 1:
        raise ValueError("load must be a scalar or a one-dimensional array")
    table = np.empty((loads.size, top + 1))
    b = np.ones(loads.size)
    table[:, 0] = 1.0
    for n in range(1, top + 1):
        ab = loads * b
        b = ab / (n + ab)
        table[:, n] = b
    return table


def erlang_b(agents: npt.ArrayLike, load: npt.ArrayLike) -> Floats:
    """The Erlang B blocking probability of ``agents`` agents offered ``load`` Erlangs.

    Arrays broadcast; the result has their common shape. Agents are whole numbers >= 0.
    """
    n, a = np.broadcast_arrays(np.asarray(agents), np.asarray(load, dtype=np.float64))
    if np.any(n < 0) or np.any(np.asarray(n) != np.floor(n)):
        raise ValueError("agents must be whole numbers, at least 0")
    if np.any(a < 0) or not np.all(np.isfinite(a)):
        raise ValueError("load must be finite and at least 0")
    flat_n = n.astype(np.int64).ravel()
    flat_a = a.ravel()
    out = np.empty(flat_n.size)
    if flat_n.size == 0:
        return out.reshape(n.shape)
    # blocks of loads with similar numbers of agents: each block's recursion stops at its own
    # largest number, so one load with many agents does not make every other one slow
    order = np.argsort(flat_n, kind="stable")
    for start in range(0, order.size, _BLOCK):
        block = order[start : start + _BLOCK]
        wanted = flat_n[block]
        loads = flat_a[block]
        b = np.ones(block.size)
        out[block[wanted == 0]] = 1.0
        for step in range(1, int(wanted.max()) + 1):
            ab = loads * b
            b = ab / (step + ab)
            hit = wanted == step
            if hit.any():
                out[block[hit]] = b[hit]
    return out.reshape(n.shape)


@attrs.frozen
class Outcome:
    """What a queueing model predicts for offered calls, per interval (arrays of one shape).

    Fractions are of all arrivals (offered calls); times are seconds.

    Attributes:
        p_wait: the share of calls that wait at all (Erlang B: 0).
        p_abandon: the share that leave unanswered (Erlang A: abandon; Erlang B: blocked).
        answered_within: the share answered with a wait of at most the threshold (F1).
        abandoned_within: the share that abandon with a wait of at most the threshold.
        abandoned_short: the share that abandon with a wait under the short-abandon time.
        wait_answered: the mean wait of answered calls (ASA); ``inf`` for an unstable queue.
        wait_all: the mean wait over all arrivals, abandoners' waits included.
        occupancy: the share of agent time spent on calls.
    """

    p_wait: Floats
    p_abandon: Floats
    answered_within: Floats
    abandoned_within: Floats
    abandoned_short: Floats
    wait_answered: Floats
    wait_all: Floats
    occupancy: Floats

    def service_level(self, variant: str = "F1") -> Floats:
        """The service level in convention F1, F2 or F3 (DOMAIN.md 1.1).

        F1 counts abandons as failures, F2 leaves abandons within the threshold out of the
        denominator, F3 counts them as successes.
        """
        if variant == "F1":
            return self.answered_within
        if variant == "F2":
            kept = 1.0 - self.abandoned_within
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(kept > 0, self.answered_within / kept, 0.0)
        if variant == "F3":
            return self.answered_within + self.abandoned_within
        raise ValueError(f"unknown service-level convention {variant!r}; expected F1, F2 or F3")


def _shapes(*arrays: npt.ArrayLike) -> list[Floats]:
    return [np.asarray(a, dtype=np.float64) for a in np.broadcast_arrays(*arrays)]


def erlang_c(
    agents: npt.ArrayLike,
    load: npt.ArrayLike,
    *,
    aht: npt.ArrayLike,
    threshold: npt.ArrayLike = 0.0,
    short: npt.ArrayLike = 0.0,
    blocking: npt.ArrayLike | None = None,
) -> Outcome:
    """Erlang C (M/M/N, nobody abandons) for ``agents`` agents offered ``load`` Erlangs.

    Args:
        agents: numbers of agents.
        load: offered loads in Erlangs.
        aht: mean handle times, seconds.
        threshold: the service-level threshold T, seconds.
        short: the short-abandon time; nobody abandons in Erlang C, so it changes nothing.
        blocking: Erlang B of the same agents and loads, when the caller has it.

    Returns:
        The prediction. With ``agents <= load`` the queue grows without bound: every call
        waits, none within any threshold, the ASA is infinite and occupancy is 1.
    """
    n, a, h, t, _ = _shapes(agents, load, aht, threshold, short)
    b = erlang_b(n, a) if blocking is None else np.broadcast_to(blocking, n.shape)
    stable = n > a
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(stable, n * b / (n - a * (1.0 - b)), 1.0)
        c = np.where(a == 0, 0.0, c)
        gap = np.where(stable, n - a, 1.0)
        within = np.where(stable, 1.0 - c * np.exp(-gap * t / h), 0.0)
        asa = np.where(stable, c * h / gap, np.inf)
        occupancy = np.where(stable, np.where(n > 0, a / np.maximum(n, 1.0), 0.0), 1.0)
    zero = np.zeros(n.shape)
    return Outcome(
        p_wait=c,
        p_abandon=zero,
        answered_within=within,
        abandoned_within=zero,
        abandoned_short=zero,
        wait_answered=asa,
        wait_all=asa,
        occupancy=occupancy,
    )


def erlang_b_outcome(
    agents: npt.ArrayLike,
    load: npt.ArrayLike,
    *,
    aht: npt.ArrayLike,
    threshold: npt.ArrayLike = 0.0,
    short: npt.ArrayLike = 0.0,
    blocking: npt.ArrayLike | None = None,
) -> Outcome:
    """Erlang B (M/M/N/N, a call that finds every agent busy is lost) as an :class:`Outcome`.

    Nobody waits: a call is answered at once or blocked, and blocked calls count as
    abandoned with no wait (within every threshold and short-abandon time).
    """
    n, a, _, _, s = _shapes(agents, load, aht, threshold, short)
    b = erlang_b(n, a) if blocking is None else np.broadcast_to(blocking, n.shape)
    zero = np.zeros(n.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        occupancy = np.where(n > 0, a * (1.0 - b) / np.maximum(n, 1.0), 0.0)
    return Outcome(
        p_wait=zero,
        p_abandon=b,
        answered_within=1.0 - b,
        abandoned_within=b,
        abandoned_short=np.where(s > 0, b, 0.0),
        wait_answered=zero,
        wait_all=zero,
        occupancy=occupancy,
    )
