"""Staffing stage: the fewest agents per interval that meet a set of linear constraints.

Every objective becomes constraints on a table of per-interval figures: ``gap[r, c]`` is
what row ``r`` (an interval) brings with column ``c`` of agents (``base[r] + c``), and a
*group* of rows meets its constraint when the sum of its rows' gaps is at least 0 (see
:meth:`slalang.staff.requirements.Requirement.gap`). Gaps grow with agents. A constraint
either asks every group to meet (an interval, floor or pooled objective) or, per window, a
number of groups (a share-of-intervals objective).

A group is met by *marginal allocation*: agents go where they add most gap per agent. For
a row whose gap is concave in agents, one more agent at a time is its best sequence; where
it is not (just above the load, Erlang C's service level first grows slowly, then fast), the
row's steps are the segments of its upper concave hull, each a jump of one or more agents
at the slope of the hull. All rows' segments, sorted by slope, are taken until the group
meets, the last one only as far as needed. With concave gaps this is exactly optimal for a
single group (the classic result on separable concave resource allocation: the greedy
choice is optimal at every budget); otherwise the answer is at most one hull segment from
the optimum, whose lower bound :func:`meet_group` also reports.

A share constraint is met by bringing the cheapest groups that do not meet up to their
level. After every constraint holds, :func:`trim` takes back agents no constraint needs.
"""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from slalang.staff.erlang import Floats, Ints

Bools = npt.NDArray[np.bool_]

EPSILON = 1e-9
"""Relative margin a group's gap keeps above 0, so that sums in another order agree."""


@attrs.frozen(eq=False)
class Constraint:
    """Groups of table rows whose summed gaps must be at least 0.

    Attributes:
        objective: the objective's id.
        rows: the table rows it reads, one entry per (row, group) membership.
        gap: ``(len(rows), width)``: each entry's gap per column of agents.
        group: each entry's group, numbered from 0.
        margin: per group, the gap that counts as 0 (a small share of its size).
        window: per group, its window (for ``needed``), numbered from 0.
        needed: per window, how many of its groups must meet; None when every group must.
    """

    objective: str
    rows: Ints
    gap: Floats
    group: Ints
    margin: Floats
    window: Ints
    needed: Ints | None = None

    @property
    def groups(self) -> int:
        """The number of groups."""
        return int(self.margin.size)

    def sums(self, cols: Ints) -> Floats:
        """Each group's summed gap at the columns ``cols`` (indexed by table row)."""
        values = self.gap[np.arange(self.rows.size), cols[self.rows]]
        return np.asarray(np.bincount(self.group, weights=values, minlength=self.groups),
                          dtype=np.float64)  # fmt: skip

    def meeting(self, cols: Ints) -> Bools:
        """Which groups meet at ``cols``."""
        return np.asarray(self.sums(cols) >= self.margin)

    def holds(self, cols: Ints) -> bool:
        """True when the constraint holds at ``cols``."""
        meets = self.meeting(cols)
        if self.needed is None:
            return bool(meets.all())
        count = np.bincount(self.window, weights=meets, minlength=self.needed.size)
        return bool(np.all(count >= self.needed))


def _segments(values: Floats, start: Ints) -> tuple[Ints, Ints, Ints, Floats]:
    """The upper concave hull of each row of ``values`` from column ``start[i]`` on.

    Returns the segments as (row, first column, last column, slope), slopes > 0 only,
    in row order and, within a row, left to right.
    """
    width = values.shape[1]
    out_row: list[Ints] = []
    out_from: list[Ints] = []
    out_to: list[Ints] = []
    out_slope: list[Floats] = []
    pos = start.astype(np.int64).copy()
    active = np.flatnonzero(pos < width - 1)
    columns = np.arange(width)
    scale = np.abs(values).max(initial=0.0) * 1e-12 + 1e-300
    while active.size:
        v = values[active]
        p = pos[active]
        step = np.diff(v, axis=1)  # step[:, k]: column k to k + 1
        ahead = columns[None, :-1] >= p[:, None]
        rising = np.where(ahead[:, 1:] & ahead[:, :-1], step[:, 1:] - step[:, :-1], -np.inf)
        concave = np.all(rising <= scale, axis=1)
        if concave.any():  # the rest of these rows are steps of one agent
            sub = np.flatnonzero(concave)
            which, col = np.nonzero(ahead[sub] & (step[sub] > 0))
            out_row.append(active[sub][which])
            out_from.append(col)
            out_to.append(col + 1)
            out_slope.append(step[sub][which, col])
        rest = np.flatnonzero(~concave)
        if not rest.size:
            break
        v, p = v[rest], p[rest]
        here = v[np.arange(rest.size), p]
        distance = columns[None, :] - p[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(distance > 0, (v - here[:, None]) / distance, -np.inf)
        best = slope.max(axis=1)
        # the farthest column at the best slope: collinear points make one segment
        far = width - 1 - np.argmax((slope >= best[:, None] - scale)[:, ::-1], axis=1)
        good = best > 0
        out_row.append(active[rest][good])
        out_from.append(p[good])
        out_to.append(far[good])
        out_slope.append(best[good])
        pos[active[rest]] = np.where(good, far, width - 1)
        active = active[rest][good & (far < width - 1)]
    if not out_row:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0)
    row = np.concatenate(out_row)
    first = np.concatenate(out_from)
    order = np.lexsort((first, row))
    return row[order], first[order], np.concatenate(out_to)[order], np.concatenate(out_slope)[order]


def meet_group(values: Floats, cols: Ints, deficit: float) -> tuple[Ints, float] | None:
    """Columns for rows whose gaps are ``values`` (rows x columns), starting at ``cols``, so
    that the summed gap rises by at least ``deficit`` with the fewest agents added.

    Returns the new columns and a lower bound on the agents any choice must add (the
    concave hulls' continuous optimum), or None when the whole table cannot rise that much.
    """
    new = cols.copy()
    if deficit <= 0:
        return new, 0.0
    row, first, last, slope = _segments(values, cols)
    order = np.lexsort((first, -slope))
    row, first, last, slope = row[order], first[order], last[order], slope[order]
    gain = slope * (last - first)
    total = np.cumsum(gain)
    if not total.size or total[-1] < deficit:
        return None
    cut = int(np.searchsorted(total, deficit))
    taken = total[cut - 1] if cut else 0.0
    before = row[:cut]
    np.maximum.at(new, before, last[:cut])
    r, a = int(row[cut]), int(first[cut])
    need = deficit - taken
    reach = values[r, a + 1 : int(last[cut]) + 1] - values[r, a]
    enough = reach >= need
    new[r] = a + 1 + int(np.argmax(enough)) if enough.any() else int(last[cut])
    bound = float(np.sum(last[:cut] - first[:cut]) + need / slope[cut])
    return new, bound


def first_meeting(values: Floats, margin: Floats, cols: Ints) -> Ints:
    """Per row, the first column from ``cols`` whose gap reaches its margin (the table's
    width when none does)."""
    width = values.shape[1]
    ok = (values >= margin[:, None]) & (np.arange(width)[None, :] >= cols[:, None])
    return np.asarray(np.where(ok.any(axis=1), np.argmax(ok, axis=1), width), dtype=np.int64)


def _group_members(constraint: Constraint) -> list[Ints]:
    order = np.argsort(constraint.group, kind="stable")
    bounds = np.searchsorted(constraint.group[order], np.arange(constraint.groups + 1))
    return [order[bounds[g] : bounds[g + 1]] for g in range(constraint.groups)]


def _raise_group(constraint: Constraint, members: Ints, cols: Ints, *, apply: bool) -> int | None:
    """Agents to add so that one group meets (applied to ``cols`` if ``apply``)."""
    rows = constraint.rows[members]
    values = constraint.gap[members]
    group = int(constraint.group[members[0]])
    here = cols[rows]
    deficit = float(constraint.margin[group] - values[np.arange(rows.size), here].sum())
    if rows.size == 1:
        col = first_meeting(values, constraint.margin[[group]], here)
        if int(col[0]) >= values.shape[1]:
            return None
        added = int(col[0] - here[0])
        if apply:
            cols[rows[0]] = col[0]
        return added
    found = meet_group(values, here, deficit)
    if found is None:
        return None
    if apply:
        cols[rows] = np.maximum(cols[rows], found[0])
    return int(np.sum(found[0] - here))


def satisfy(constraint: Constraint, cols: Ints) -> list[int] | None:
    """Raise ``cols`` in place until the constraint holds; None when the table is too small.

    Returns the groups raised, for the record.
    """
    members = _group_members(constraint)
    meets = constraint.meeting(cols)
    if constraint.needed is None:
        single = np.bincount(constraint.group, minlength=constraint.groups) == 1
        lone = np.flatnonzero(single & ~meets)
        if lone.size:  # one interval per group: every one at once
            index = np.asarray([members[g][0] for g in lone])
            rows = constraint.rows[index]
            col = first_meeting(constraint.gap[index], constraint.margin[lone], cols[rows])
            if np.any(col >= constraint.gap.shape[1]):
                return None
            cols[rows] = np.maximum(cols[rows], col)
        raised = [int(g) for g in lone]
        for g in np.flatnonzero(~single & ~meets):
            if _raise_group(constraint, members[g], cols, apply=True) is None:
                return None
            raised.append(int(g))
        return raised
    raised = []
    for window in range(constraint.needed.size):
        groups = np.flatnonzero(constraint.window == window)
        short = int(constraint.needed[window] - meets[groups].sum())
        if short <= 0:
            continue
        waiting = [g for g in groups if not meets[g]]
        costs = [_raise_group(constraint, members[g], cols, apply=False) for g in waiting]
        ranked = sorted((c, g) for c, g in zip(costs, waiting, strict=True) if c is not None)
        if len(ranked) < short:
            return None
        for _, g in ranked[:short]:
            _raise_group(constraint, members[g], cols, apply=True)
            raised.append(int(g))
    return raised


def trim(constraints: list[Constraint], cols: Ints, floor: Ints) -> int:
    """Take agents back, one at a time, wherever every constraint still holds without them.

    Rows are tried in order of the least they lose relative to their constraints' slack;
    returns how many agents were taken back.
    """
    taken = 0
    for _ in range(3):
        removed = _trim_pass(constraints, cols, floor)
        taken += removed
        if not removed:
            break
    return taken


def _trim_pass(constraints: list[Constraint], cols: Ints, floor: Ints) -> int:
    sums = [c.sums(cols) for c in constraints]
    meets = [s >= c.margin for s, c in zip(sums, constraints, strict=True)]
    counts = [
        None if c.needed is None else np.bincount(c.window, weights=m, minlength=c.needed.size)
        for c, m in zip(constraints, meets, strict=True)
    ]
    where: dict[int, list[tuple[int, int]]] = {}
    for index, constraint in enumerate(constraints):
        for entry, row in enumerate(constraint.rows.tolist()):
            where.setdefault(row, []).append((index, entry))
    candidates = np.flatnonzero(cols > floor)
    if not candidates.size:
        return 0
    pressure = np.zeros(cols.size)
    for index, constraint in enumerate(constraints):
        entries = np.arange(constraint.rows.size)
        rows = constraint.rows
        here = cols[rows]
        below = np.maximum(here - 1, 0)
        loss = constraint.gap[entries, here] - constraint.gap[entries, below]
        slack = np.maximum(sums[index][constraint.group] - constraint.margin[constraint.group],
                           1e-300)  # fmt: skip
        np.add.at(pressure, rows, loss / slack)
    removed = 0
    for row in candidates[np.argsort(pressure[candidates], kind="stable")].tolist():
        if cols[row] <= floor[row]:
            continue
        changes = []
        ok = True
        for index, entry in where.get(row, ()):
            constraint = constraints[index]
            col = int(cols[row])
            lost = float(constraint.gap[entry, col] - constraint.gap[entry, col - 1])
            group = int(constraint.group[entry])
            after = sums[index][group] - lost
            margin = constraint.margin[group]
            if meets[index][group] and after < margin:
                count = counts[index]
                if count is None:
                    ok = False
                    break
                window = int(constraint.window[group])
                assert constraint.needed is not None
                if count[window] - 1 < constraint.needed[window]:
                    ok = False
                    break
            changes.append((index, group, after))
        if not ok:
            continue
        for index, group, after in changes:
            constraint = constraints[index]
            was = meets[index][group]
            sums[index][group] = after
            now = after >= constraint.margin[group]
            meets[index][group] = now
            count = counts[index]
            if count is not None and was and not now:
                count[int(constraint.window[group])] -= 1
        cols[row] -= 1
        removed += 1
    return removed


def binding(constraints: list[Constraint], cols: Ints) -> list[list[str]]:
    """Per table row, the objectives one agent less would break."""
    found: list[list[str]] = [[] for _ in range(cols.size)]
    for constraint in constraints:
        sums = constraint.sums(cols)
        meets = sums >= constraint.margin
        counts = (
            None
            if constraint.needed is None
            else np.bincount(constraint.window, weights=meets, minlength=constraint.needed.size)
        )
        entries = np.arange(constraint.rows.size)
        here = cols[constraint.rows]
        loss = np.where(
            here > 0,
            constraint.gap[entries, here] - constraint.gap[entries, np.maximum(here - 1, 0)],
            np.inf,
        )
        group = constraint.group
        breaks = meets[group] & (sums[group] - loss < constraint.margin[group])
        if counts is not None:
            assert constraint.needed is not None
            window = constraint.window[group]
            breaks &= counts[window] - 1 < constraint.needed[window]
        for row in np.unique(constraint.rows[breaks]).tolist():
            if constraint.objective not in found[row]:
                found[row].append(constraint.objective)
    return found
