"""Staffing stage: the forecast a plan is made for, and callers' patience from contact records.

A forecast is a canonical ``forecasts`` data set (queue, channel, interval start, offered
contacts, handle time), read through a data profile like every other data set: the profile
of the contract's ``forecasts`` source when it has one, else ``generic-forecasts``. Its rows
become arrays grouped by *line* (a queue and channel the forecast names), in time order.

Patience for Erlang A is estimated per queue from contact records by the maximum-likelihood
estimator of an exponential patience observed under censoring: the mean patience is the
total time callers waited (answered and abandoned, a wait of 0 included) over the number of
abandons. An answered caller's wait is a lower bound of their patience, an abandoning
caller's wait is their patience; with exponential patience, abandons over the time spent
waiting is the rate ``theta``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from slalang.codes import diag
from slalang.diagnostics import Diagnostic, Severity
from slalang.engine.plan import Plan, SourcePlan
from slalang.judge.evaluation import load_data
from slalang.judge.results import EvaluationError
from slalang.staff.erlang import Floats, Ints

US = 1_000_000
"""Forecast times are microseconds since the epoch, wall clock in the contract's zone."""


@attrs.frozen(eq=False)
class Forecast:
    """Forecast rows grouped by line, in time order within each line.

    Attributes:
        minutes: the interval length.
        lines: each line's (queue, channel); either may be None when the forecast has none.
        line: each row's line (an index into ``lines``).
        start: each row's interval start, microseconds since the epoch (local clock).
        calls: forecast offered contacts.
        aht: forecast average handle time, seconds.
    """

    minutes: int
    lines: tuple[tuple[str | None, str | None], ...]
    line: Ints
    start: Ints
    calls: Floats
    aht: Floats

    @property
    def rows(self) -> int:
        """The number of forecast rows."""
        return int(self.line.size)

    def label(self, line: int) -> str:
        """A line's name in reports: the queue, with the channel when there are several."""
        queue, channel = self.lines[line]
        channels = {c for _, c in self.lines}
        name = queue if queue is not None else "(all)"
        return f"{name} ({channel})" if len(channels) > 1 and channel is not None else name


def forecast_source(plan: Plan, profile: str | None) -> SourcePlan:
    """The source a forecast file is read as: the contract's ``forecasts`` source, with
    ``profile`` instead of its own when given, else one reading ``generic-forecasts``."""
    declared = next((s for s in plan.sources.values() if s.kind == "forecasts"), None)
    if declared is None:
        return SourcePlan("forecast", "forecasts", profile, {})
    return attrs.evolve(declared, profile=profile) if profile else declared


def _loaded(
    source: SourcePlan, value: Any, *, plan: Plan, base: Path | None, what: str
) -> duckdb.DuckDBPyConnection:
    """A connection holding ``value`` loaded as table ``t``, or the problems that stopped it."""
    con = duckdb.connect()
    report = load_data(con, source, value, table="t", strict=True, base=base,
                         timezone=plan.timezone)  # fmt: skip
    errors = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    if errors:
        con.close()
        raise EvaluationError(errors, io=any(d.code in ("E810", "E811", "E812") for d in errors))
    if report.problem_counts:
        con.close()
        first = report.problems[0] if report.problems else None
        where = f" (first: {first.path}:{first.line}: {first.reason})" if first else ""
        count = sum(report.problem_counts.values())
        raise EvaluationError([diag(
            "E822", f"{count} malformed row(s) in the {what}{where}", None,
            help=f"fix the rows: every row of the {what} counts in a plan")])  # fmt: skip
    return con


def _minutes(
    explicit: float | None, source: SourcePlan, starts: Ints, line: Ints
) -> int | Diagnostic:
    """The interval length: given, else the source's ``interval``, else the shortest step
    between two intervals of a line (30 minutes for a forecast of single intervals)."""
    setting = source.settings.get("interval")
    if explicit is not None:
        seconds = Fraction(explicit)
    elif isinstance(setting, Fraction):
        seconds = setting
    else:
        steps = np.diff(starts)[np.diff(line) == 0]
        steps = steps[steps > 0]
        seconds = Fraction(int(steps.min()), US) if steps.size else Fraction(1800)
    if seconds <= 0 or seconds % 60 or 86_400 % seconds:
        return diag("E905", f"forecast intervals of {float(seconds):g} s do not divide a day "
                    "into whole minutes", None,
                    help="forecast in intervals of 15, 30 or 60 minutes")  # fmt: skip
    return int(seconds // 60)


def read_forecast(
    plan: Plan,
    value: Any,
    *,
    profile: str | None = None,
    base: Path | None = None,
    minutes: float | None = None,
    aht: float | None = None,
) -> Forecast:
    """Read a forecast file (or a table of canonical columns) into a :class:`Forecast`.

    Args:
        plan: the compiled contract (its time zone, its ``forecasts`` source).
        value: a path, or a pandas, polars or pyarrow table with the forecasts fields.
        profile: a data profile to read the file with instead of the source's.
        base: the folder profile paths are relative to.
        minutes: the interval length in seconds, when the forecast does not say.
        aht: the handle time (seconds) of rows without one.

    Raises:
        EvaluationError: the file cannot be read (``io``), malformed rows (E822), intervals
            that do not fit (E905), or calls without a handle time (E902).
    """
    source = forecast_source(plan, profile)
    con = _loaded(source, value, plan=plan, base=base, what="forecast")
    try:
        columns = {str(r[0]) for r in con.execute("DESCRIBE t").fetchall()}
        pick = [
            (f'"{name}"' if name in columns else f"NULL::{kind}") + f" AS {name}"
            for name, kind in (("queue", "VARCHAR"), ("channel", "VARCHAR"),
                               ("forecast_aht", "DOUBLE"))
        ]  # fmt: skip
        table = con.sql(
            f"SELECT {', '.join(pick)}, epoch_us(interval_start) AS start, forecast_offered "
            "FROM t ORDER BY queue NULLS FIRST, channel NULLS FIRST, start"
        ).to_arrow_table()
    finally:
        con.close()
    return _from_table(table, source, minutes=minutes, aht=aht)


def _from_table(
    table: pa.Table, source: SourcePlan, *, minutes: float | None, aht: float | None
) -> Forecast:
    queues = table.column("queue").to_pylist()
    channels = table.column("channel").to_pylist()
    keys = list(zip(queues, channels, strict=True))
    lines = tuple(dict.fromkeys(keys))
    index = {key: i for i, key in enumerate(lines)}
    line = np.asarray([index[k] for k in keys], dtype=np.int64)
    start = table.column("start").to_numpy().astype(np.int64)
    calls = table.column("forecast_offered").to_numpy(zero_copy_only=False).astype(np.float64)
    handle = pc.fill_null(table.column("forecast_aht"), math.nan).to_numpy(zero_copy_only=False)
    handle = handle.astype(np.float64)
    length = _minutes(minutes, source, start, line)
    if isinstance(length, Diagnostic):
        raise EvaluationError([length])
    problems = _interval_problems(lines, line, start, length)
    if aht is not None:
        handle = np.where(np.isnan(handle), aht, handle)
    missing = np.flatnonzero((calls > 0) & ~(handle > 0))
    if missing.size:
        first = int(missing[0])
        problems.append(diag(
            "E902", f"{missing.size} forecast interval(s) have calls but no handle time (first: "
            f"{_shown(lines[int(line[first])])} at {_moment(int(start[first]))})", None,
            help="add forecast_aht to the forecast, or give --aht"))  # fmt: skip
    if problems:
        raise EvaluationError(problems)
    return Forecast(length, lines, line, start, calls, np.where(handle > 0, handle, 0.0))


def _interval_problems(
    lines: Sequence[tuple[str | None, str | None]], line: Ints, start: Ints, minutes: int
) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    off = np.flatnonzero(start % (minutes * 60 * US) != 0)
    if off.size:
        problems.append(diag(
            "E905", f"{off.size} forecast interval(s) do not start on a multiple of "
            f"{minutes} min (first: {_moment(int(start[off[0]]))})", None,
            help="give --interval with the forecast's interval length"))  # fmt: skip
    twice = np.flatnonzero((np.diff(line) == 0) & (np.diff(start) == 0))
    if twice.size:
        first = int(twice[0])
        problems.append(diag(
            "E905", f"{twice.size} forecast interval(s) appear twice (first: "
            f"{_shown(lines[int(line[first])])} at {_moment(int(start[first]))})", None,
            help="give each queue and interval one row"))  # fmt: skip
    return problems


def _moment(us: int) -> str:
    return str(np.datetime64(us, "us").astype("datetime64[m]")).replace("T", " ")


def _shown(key: tuple[str | None, str | None]) -> str:
    queue, channel = key
    return f"`{queue}`" + (f" ({channel})" if channel else "")


def estimate_patience(
    plan: Plan, value: Any, *, base: Path | None = None, profile: str | None = None
) -> dict[str | None, float]:
    """Mean patience per queue (seconds) from contact records: total wait over abandons.

    Records are read through the profile of the contract's contacts source (the first), or
    ``profile``, or ``generic-contacts``.

    Raises:
        EvaluationError: the records cannot be read, or a queue with no abandon or no
            waiting (E906).
    """
    declared = next((s for s in plan.sources.values() if s.kind == "contacts"), None)
    source = declared or SourcePlan("contacts", "contacts", profile, {})
    if profile is not None:
        source = attrs.evolve(source, profile=profile)
    con = _loaded(source, value, plan=plan, base=base, what="contact records")
    try:
        rows = con.execute(
            "SELECT queue, count(*) FILTER (outcome = 'abandoned'), "
            "coalesce(sum(wait) FILTER (outcome IN ('answered', 'abandoned')), 0) "
            "FROM t GROUP BY queue ORDER BY queue NULLS FIRST"
        ).fetchall()
    finally:
        con.close()
    found: dict[str | None, float] = {}
    problems = []
    for queue, abandons, waited in rows:
        if abandons and waited > 0:
            found[queue] = float(waited) / int(abandons)
        else:
            problems.append(diag(
                "E906", f"the contact records of queue `{queue}` have "
                + ("no abandon" if not abandons else "no waiting time")
                + ", so they give no patience", None,
                help="give --patience, or records of that queue with abandons"))  # fmt: skip
    if problems:
        raise EvaluationError(problems)
    return found


def read_agents(forecast: Forecast, path: str | Path) -> Ints:
    """Agents per forecast row from a plan file: CSV with ``queue``, ``interval_start`` (ISO
    local time), ``agents`` and optionally ``channel``, as ``slalang staff --format csv``
    writes it.

    Raises:
        EvaluationError: the file cannot be read (``io``), lacks a column, or does not cover
            the forecast's intervals with calls one row each (E905).
    """
    con = duckdb.connect()
    try:
        columns = [str(r[0]) for r in con.execute(
            "DESCRIBE SELECT * FROM read_csv($p, header = true, all_varchar = true)",
            {"p": str(path)}).fetchall()]  # fmt: skip
        missing = [c for c in ("queue", "interval_start", "agents") if c not in columns]
        if missing:
            raise EvaluationError([diag("E905", f"the plan `{path}` has no column "
                                        + ", ".join(f"`{c}`" for c in missing), None,
                                        help="write a plan as slalang staff --format csv "
                                        "does")])  # fmt: skip
        channel = "channel" if "channel" in columns else "NULL"
        rows = con.execute(
            f"SELECT queue, {channel}, epoch_us(CAST(interval_start AS TIMESTAMP)), "
            "CAST(agents AS BIGINT) FROM read_csv($p, header = true, all_varchar = true)",
            {"p": str(path)},
        ).fetchall()
    except duckdb.IOException as error:
        raise EvaluationError([diag("E812", f"cannot read the plan `{path}`: {error}", None)],
                              io=True) from error  # fmt: skip
    except duckdb.Error as error:
        raise EvaluationError([diag("E905", f"the plan `{path}` cannot be read as a plan: "
                                    f"{error}", None)]) from error  # fmt: skip
    finally:
        con.close()
    index = {
        (forecast.lines[int(line)][0], int(start)): row
        for row, (line, start) in enumerate(zip(forecast.line, forecast.start, strict=True))
    }
    agents = np.zeros(forecast.rows, dtype=np.int64)
    seen = np.zeros(forecast.rows, dtype=np.bool_)
    unknown = 0
    for queue, _, start, count in rows:
        row = index.get((queue or None, int(start)))
        if row is None or count is None or count < 0:
            unknown += 1
            continue
        agents[row] = count
        seen[row] = True
    uncovered = int(np.sum(~seen & (forecast.calls > 0)))
    if unknown or uncovered:
        raise EvaluationError([diag(
            "E905", f"the plan `{path}` does not fit the forecast: {unknown} row(s) name no "
            f"forecast interval (or no agents), {uncovered} forecast interval(s) with calls "
            "have no row", None, help="one row per forecast interval with calls")])  # fmt: skip
    return agents
