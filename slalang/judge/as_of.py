"""Judging as of a day: records up to the end of a day only, as on the morning after it.

``as_of`` is a day in the contract's time zone; its end (midnight after it) is the moment
records are judged up to. A loaded source is cut by a view on its time field (forecasts are
kept whole: they are what is expected), and the records left out are counted in its load
report as set aside, ``after the as-of day``. Figures kept whole (the history store) are
judged on their buckets before the moment.
"""

from __future__ import annotations

import datetime as dt

import attrs
import duckdb

from slalang.data.load import LoadReport
from slalang.engine import duckdb_engine as engine
from slalang.engine.figures import EvaluationFigures
from slalang.engine.plan import Plan
from slalang.lang.canonical import TIME_FIELDS

AFTER_AS_OF = "after the as-of day"
"""Why a record dated after ``as_of`` is set aside."""


def end_of(day: dt.date | None) -> dt.datetime | None:
    """The moment a day ends (midnight after it, in the contract's zone), or None."""
    return None if day is None else dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def latest_end(figures: EvaluationFigures) -> dt.datetime | None:
    """The end of the last day that has figures, or None when there are none."""
    starts = [start for buckets in figures.buckets.values() for start in buckets]
    return end_of(max(starts).date()) if starts else None


def up_to(
    con: duckdb.DuckDBPyConnection, plan: Plan, source_id: str, table: str, until: dt.datetime
) -> tuple[str, int]:
    """A view of a loaded source without its records from ``until`` on, and how many records
    it leaves out. A forecast is kept whole: it is what is expected."""
    kind = plan.sources[source_id].kind
    if kind == "forecasts":
        return table, 0
    ts = f"CAST({engine.quote(TIME_FIELDS[kind])} AS TIMESTAMP)"
    moment = f"TIMESTAMP '{until.isoformat(sep=' ')}'"  # a datetime of ours, not text given
    row = con.execute(
        f"SELECT count(*) FILTER (WHERE {ts} >= {moment}) FROM {engine.quote(table)}"
    ).fetchone()
    view = f"{table}_as_of"
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {engine.quote(view)} AS SELECT * FROM "
        f"{engine.quote(table)} WHERE {ts} < {moment}"
    )
    return view, int(row[0]) if row else 0


def before(report: LoadReport, until: dt.datetime) -> LoadReport:
    """A load report whose rows per minute (malformed, loaded) stop at ``until``; malformed
    rows whose time cannot be read are kept."""
    if not report.malformed_at:
        return report
    malformed = tuple((m, n) for m, n in report.malformed_at if m is None or m < until)
    loaded = tuple((m, n) for m, n in report.loaded_at if m < until)
    return attrs.evolve(report, malformed_at=malformed, loaded_at=loaded)


def set_aside(report: LoadReport, later: int) -> LoadReport:
    """A load report counting ``later`` loaded records as set aside after the as-of day."""
    if not later:
        return report
    excluded = {**report.excluded, AFTER_AS_OF: later}
    return attrs.evolve(report, rows_loaded=report.rows_loaded - later, excluded=excluded)
