"""Marginal allocation against brute force on small cases.

Each case is a few intervals with random calls, tabulated with Erlang C or Erlang A from the
smallest stable queue (or 1 agent) for a few columns; every combination of columns is tried
and the fewest agents meeting the constraints is the optimum the allocation must reach.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from slalang.staff.allocate import Constraint, binding, meet_group, satisfy, trim
from slalang.staff.erlang import erlang_c
from slalang.staff.erlang_a import erlang_a

WIDTH = 8


def tables(seed: int, intervals: int, model: str) -> tuple[np.ndarray, np.ndarray]:
    """Calls per interval and the share answered within 20 s per interval and column."""
    rng = np.random.default_rng(seed)
    calls = rng.uniform(5, 150, intervals)
    load = calls * 180 / 1800
    if model == "c":
        agents = np.floor(load).astype(int)[:, None] + 1 + np.arange(WIDTH)[None, :]
        outcome = erlang_c(agents, load[:, None], aht=180, threshold=20)
    else:
        low = np.maximum(1, np.floor(load - 2 * np.sqrt(load))).astype(int)
        agents = low[:, None] + np.arange(WIDTH)[None, :]
        outcome = erlang_a(agents, load[:, None], aht=180, patience=120, threshold=20)
    return calls, outcome.answered_within


def every(intervals: int) -> np.ndarray:
    """All column choices of ``intervals`` intervals, one per row."""
    return np.asarray(list(itertools.product(range(WIDTH), repeat=intervals)))


def pooled(calls: np.ndarray, level: np.ndarray, target: float) -> Constraint:
    n = calls.size
    gap = calls[:, None] * (level - target)
    return Constraint("pooled", np.arange(n), gap, np.zeros(n, dtype=np.int64),
                      np.array([1e-9]), np.array([0]))  # fmt: skip


@pytest.mark.parametrize("model", ["c", "a"])
@pytest.mark.parametrize("seed", range(40))
def test_a_pooled_objective_gets_the_fewest_agents(model: str, seed: int) -> None:
    intervals = 2 + seed % 3
    calls, level = tables(seed, intervals, model)
    target = 0.6 + 0.3 * ((seed * 7) % 10) / 10
    constraint = pooled(calls, level, target)
    cols = np.zeros(intervals, dtype=np.int64)
    choices = every(intervals)
    met = (calls[None, :] * (level[np.arange(intervals), choices] - target)).sum(axis=1) >= 1e-9
    if satisfy(constraint, cols) is None:
        assert not met.any()
        return
    trim([constraint], cols, np.zeros(intervals, dtype=np.int64))
    assert constraint.holds(cols)
    assert cols.sum() == choices[met].sum(axis=1).min()


@pytest.mark.parametrize("seed", range(25))
def test_a_share_and_a_pooled_objective_together(seed: int) -> None:
    """At least two of four intervals at 70 % and 80 % pooled: the cheaper of the two orders
    of solving (the planner tries both) is the brute-force optimum."""
    intervals = 4
    calls, level = tables(100 + seed, intervals, "c")
    n = np.arange(intervals)
    share = Constraint("share", n, calls[:, None] * (level - 0.7), n, np.full(4, 1e-9),
                       np.zeros(4, dtype=np.int64), np.array([2]))  # fmt: skip
    both = [share, pooled(calls, level, 0.8)]
    results = []
    for order in (both, both[::-1]):
        cols = np.zeros(intervals, dtype=np.int64)
        assert all(satisfy(c, cols) is not None for c in order)
        trim(both, cols, np.zeros(intervals, dtype=np.int64))
        assert all(c.holds(cols) for c in both)
        results.append(int(cols.sum()))
    choices = every(intervals)
    picked = level[n, choices]
    ok = ((picked >= 0.7 + 1e-12).sum(axis=1) >= 2) & ((calls * (picked - 0.8)).sum(axis=1) >= 1e-9)
    best = int(choices[ok].sum(axis=1).min())
    assert min(results) == best


def test_meet_group_reports_a_lower_bound_and_refuses_the_impossible() -> None:
    calls, level = tables(5, 3, "c")
    gap = calls[:, None] * (level - 0.8)
    cols = np.zeros(3, dtype=np.int64)
    found = meet_group(gap, cols, -gap[:, 0].sum())
    assert found is not None
    new, bound = found
    assert bound <= new.sum() < bound + WIDTH
    assert meet_group(gap, cols, 1e9) is None


def test_binding_names_the_constraint_one_agent_less_would_break() -> None:
    calls, level = tables(9, 3, "c")
    constraint = pooled(calls, level, 0.8)
    cols = np.zeros(3, dtype=np.int64)
    assert satisfy(constraint, cols) is not None
    trim([constraint], cols, np.zeros(3, dtype=np.int64))
    held = binding([constraint], cols)
    for row in range(3):
        fewer = cols.copy()
        fewer[row] -= 1
        breaks = cols[row] > 0 and not constraint.holds(fewer)
        assert ("pooled" in held[row]) == breaks
