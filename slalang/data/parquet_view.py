"""Loading stage, the fast path: typed data read through a view, not copied.

A Parquet file or an in-memory table (pyarrow, pandas, polars) registered with the
connection has typed columns. When every field of a profile copies one column whose type
converts to the field's canonical type (:func:`direct_profile`, with the conversions of
:mod:`slalang.data.source_types`), the canonical table is a view over the source that
converts each column in the scan. Only the rows a cheap per-column filter flags are
copied as text and go through :func:`~slalang.data.convert.apply_profile`, so their
problems are found and reported exactly as for any other file; the view leaves them out.

The file's path and the time zone of time-zone-aware columns are the texts a view cannot
take as parameters: they are written as escaped string literals (the zone only once it is
known to be a zone's name).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import duckdb

if TYPE_CHECKING:
    import pyarrow as pa

from slalang.data.convert import (
    SQL_TYPES,
    YEARS,
    ambiguous_times,
    apply_profile,
    column_sql,
    minute_counts,
    negative_reason,
    output_names,
    repeated_spans,
    skipped_spans,
    time_name,
    within_spans,
)
from slalang.data.profiles import ALLOWED_VALUES, FieldMap, Profile
from slalang.data.report import LoadReport, Reading
from slalang.data.source_types import (
    Conversion,
    base_type,
    cast_sql,
    conversion,
    text_sql,
    wall_zone,
)
from slalang.data.sql import (
    drop_relation,
    execute,
    file_pattern,
    identifier,
    quote,
    run,
    scalar,
    temp_name,
)
from slalang.lang.canonical import TABLES


@attrs.frozen
class Scan:
    """Where the fast path reads: a relation whose last column is each row's 0-based ordinal.

    Attributes:
        relation: the relation in a query, with ``?`` for its parameters.
        params: those parameters.
        fixed: the same relation without parameters, for a view.
        rows: how many rows it has.
        statistics: it has row-group statistics (Parquet), so a filter on one column often
            skips most of the data, and one scan per filter is cheap; otherwise each filter
            reads every row, and the filters are best asked in one scan.
    """

    relation: str
    params: tuple[object, ...]
    fixed: str
    rows: int
    statistics: bool

    def from_(self, aliases: str, *, fixed: bool = False) -> str:
        """The relation with its columns renamed to ``aliases``."""
        return f"{self.fixed if fixed else self.relation} AS _t({aliases})"


def parquet_schema(con: duckdb.DuckDBPyConnection, path: Path) -> list[tuple[str, str]]:
    """Names and DuckDB types of the columns of a Parquet file."""
    rows = execute(con, "DESCRIBE SELECT * FROM read_parquet(?)", [file_pattern(path)]).fetchall()
    return [(str(row[0]), str(row[1])) for row in rows]


def parquet_scan(con: duckdb.DuckDBPyConnection, path: Path) -> Scan:
    """A Parquet file as a scan, numbered by DuckDB's ``file_row_number``."""
    rows = scalar(con, "SELECT count(*) FROM read_parquet(?)", [file_pattern(path)])
    return Scan(
        relation="read_parquet(?, file_row_number = true)",
        params=(file_pattern(path),),
        fixed=f"read_parquet({_literal(file_pattern(path.absolute()))}, file_row_number = true)",
        rows=rows,
        statistics=True,
    )


def register_arrow(
    con: duckdb.DuckDBPyConnection, arrow: pa.Table, table: str
) -> tuple[Scan, list[tuple[str, str]]]:
    """Register an arrow table, numbered, with the connection as ``_slalang_arrow_<table>``,
    and return it as a scan with the names and DuckDB types of its columns.

    The connection keeps the table alive while it is registered: until a table of the same
    name is registered again (the next load of ``table``) or the connection is closed.
    """
    import numpy as np  # here, not at the top: reading a file needs neither
    import pyarrow as pa

    name = f"_slalang_arrow_{identifier(table)}"
    rows = arrow.num_rows
    # built from a numpy buffer: pyarrow.array() would import pandas to look at its input
    numbers = pa.py_buffer(np.arange(rows, dtype=np.int64))
    ordinals = pa.Array.from_buffers(pa.int64(), rows, [None, numbers])
    con.register(name, arrow.append_column("_slalang_rn", ordinals))
    described = execute(con, f"DESCRIBE SELECT * FROM {quote(name)}", []).fetchall()
    types = [
        (str(n), str(row[1])) for n, row in zip(arrow.column_names, described[:-1], strict=True)
    ]
    scan = Scan(relation=quote(name), params=(), fixed=quote(name), rows=rows, statistics=False)
    return scan, types


def unregister_arrow(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Undo :func:`register_arrow`."""
    con.unregister(f"_slalang_arrow_{identifier(table)}")


def direct_profile(
    profile: Profile, described: Sequence[tuple[str, str]], timezone: str | None
) -> Profile | None:
    """The profile's active fields when the data can be read through a view, else ``None``.

    That is when every field copies one column whose type converts to the field's
    canonical type (:data:`slalang.data.source_types.ACCEPTED`), and the profile has no
    ``exclude`` or ``validate`` rule and no time zone to convert from. Each value of the
    view is then the one the full conversion gives (text: empty becomes null).
    """
    if profile.exclude or profile.validate:
        return None
    if timezone is not None and profile.timezone is not None and timezone != profile.timezone:
        return None
    types: dict[str, str] = {}
    for name, type_ in described:
        types.setdefault(name, type_)
    active = []
    for field in profile.fields:
        if field.column is None:
            return None
        if field.column not in types:
            if field.optional:
                continue
            return None
        if conversion(field.type, types[field.column]) is None:
            return None
        if field.name in ALLOWED_VALUES and field.type != "text":
            return None
        active.append(field)
    return attrs.evolve(profile, fields=tuple(active))


def _literal(text: str) -> str:
    """A string as an SQL literal; only for a view's file path, which cannot be a parameter."""
    return "'" + text.replace("'", "''") + "'"


@attrs.frozen
class _Field:
    """A field of the view: the column it reads (``c0``...), that column's DuckDB type, how
    it converts, and the converted value (SQL)."""

    field: FieldMap
    column: str
    type: str
    conversion: Conversion
    value: str


def _suspect_sql(item: _Field, kind: str) -> tuple[str, list[object]]:
    """A cheap condition true for every row that any check of :mod:`slalang.data.convert` can fail.

    It may flag more rows than fail (those are checked and kept). Where the conversion
    keeps the column's order, the comparisons are made on the column itself, so that
    DuckDB evaluates them during the scan and, in a Parquet file, skips row groups by
    their statistics where it can.
    """
    field, value, column, how = item.field, item.value, item.column, item.conversion
    compared = column if how.ordered else value

    def constant(canonical: str) -> str:
        return f"CAST(? AS {item.type if how.ordered else canonical})"

    parts: list[str] = []
    params: list[object] = []
    if how.fails:  # a value the text path cannot read
        parts.append(f"{column} IS NOT NULL AND {value} IS NULL")
    if _required(field, kind):  # a null value is a null column, or a conversion that fails
        parts.append(f"{column} IS NULL" + (f" OR {value} = ''" if field.type == "text" else ""))
    if field.type == "number" and base_type(item.type) in ("DOUBLE", "FLOAT"):
        parts.append(f"NOT isfinite({value})")
    if negative_reason(field, kind) is not None:
        parts.append(f"{compared} < {constant(SQL_TYPES[field.type])}")
        params.append(0)
    if field.type in ("timestamp", "date"):
        low, high = YEARS
        type_ = SQL_TYPES[field.type]
        parts.append(f"{compared} < {constant(type_)} OR {compared} >= {constant(type_)}")
        params += [f"{low}-01-01", f"{high + 1}-01-01"]
    allowed = ALLOWED_VALUES.get(field.name)
    if allowed is not None:
        parts.append(f"{value} NOT IN ({', '.join('?' for _ in allowed)})")
        params += list(allowed)
    return " OR ".join(f"({part})" for part in parts), params


def _time_bounds(
    con: duckdb.DuckDBPyConnection, scan: Scan, aliases: str, stamps: Sequence[_Field], zone: str
) -> list[tuple[object, object]]:
    """A range of local times holding every value of each timestamp field that can be loaded.

    Taken from the columns' own bounds (Parquet statistics give them without a scan),
    converted, widened by two days (the local time of an instant steps back when clocks go
    back, by a day at most), and kept to the years that load (DuckDB hands a time past
    the year 9999 to Python as text). Where a bound does not convert, the field's values
    are scanned.
    """
    scan_sql = scan.from_(aliases)
    ranges = ", ".join(f"min({i.column}) AS _lo{n}, max({i.column}) AS _hi{n}"
                       for n, i in enumerate(stamps))  # fmt: skip
    first, last = YEARS
    params: list[object] = []
    selected = []
    for n, item in enumerate(stamps):
        for bound in (f"_lo{n}", f"_hi{n}"):
            value = cast_sql("timestamp", item.type, bound, zone)
            kept = "least(greatest({}, CAST(? AS TIMESTAMP)), CAST(? AS TIMESTAMP))"
            selected += [kept.format(value), f"{value} IS NULL", f"{bound} IS NULL"]
            params += [f"{first}-01-01", f"{last}-12-31 23:59:59"]
    (row,) = execute(
        con,
        f"SELECT {', '.join(selected)} FROM (SELECT {ranges} FROM {scan_sql})",
        [*params, *scan.params],
    ).fetchall()
    found: list[tuple[object, object]] = []
    for number, item in enumerate(stamps):
        low, low_failed, no_low, high, high_failed, no_high = row[6 * number : 6 * number + 6]
        if no_low or no_high:
            low = high = None  # no values
        elif low_failed or high_failed:  # the values that convert
            kept = "least(greatest({}, CAST(? AS TIMESTAMP)), CAST(? AS TIMESTAMP))"
            sql = (
                f"SELECT {kept.format(f'min({item.value})')}, {kept.format(f'max({item.value})')} "
                f"FROM {scan_sql}"
            )
            ((low, high),) = execute(con, sql, [*params[:2], *params[:2], *scan.params]).fetchall()
        found.append((_earlier(low), _later(high)))
    return found


def _earlier(moment: object) -> object:
    return moment - dt.timedelta(days=2) if isinstance(moment, dt.datetime) else moment


def _later(moment: object) -> object:
    return moment + dt.timedelta(days=2) if isinstance(moment, dt.datetime) else moment


def load_view(
    con: duckdb.DuckDBPyConnection,
    *,
    scan: Scan,
    described: Sequence[tuple[str, str]],
    profile: Profile,
    table: str,
    shown: str,
    strict: bool,
    timezone: str | None,
    max_problems: int,
) -> LoadReport:
    """Load data whose columns convert in the scan as a view over it.

    Only the rows a cheap filter flags (:func:`_suspect_sql`) are copied as
    text and go through the full conversion and checks of
    :func:`~slalang.data.convert.apply_profile`, so problems are found and reported
    exactly as for any other file; the rows among them with problems are left out of the
    view.

    Args:
        scan: the data, numbered.
        described: the names and DuckDB types of its columns (the ordinal not included).
        profile: what :func:`direct_profile` gave.
    """
    names = [name for name, _ in described]
    columns: dict[str, str] = {}
    types: dict[str, str] = {}
    for index, (name, type_) in enumerate(described):
        columns.setdefault(name, f"c{index}")
        types.setdefault(name, type_)
    zone = wall_zone(profile.timezone, timezone)
    items: list[_Field] = []
    for field in profile.fields:
        assert field.column is not None
        column, type_ = columns[field.column], types[field.column]
        found = conversion(field.type, type_)
        assert found is not None
        items.append(_Field(field, column, type_, found, cast_sql(field.type, type_, column, zone)))
    values = {item.field.name: item.value for item in items}
    aliases = ", ".join([*(f"c{i}" for i in range(len(names))), "_rn"])
    scan_sql = scan.from_(aliases)
    conditions: list[tuple[str, list[object]]] = []
    for item in items:
        condition, more = _suspect_sql(item, profile.kind)
        if condition:
            conditions.append((condition, more))
    gap_zone = profile.timezone or timezone  # the zone whose skipped clock times are checked
    stamps = [item for item in items if item.field.type == "timestamp"]
    bounds = _time_bounds(con, scan, aliases, stamps, zone) if gap_zone and stamps else []
    for item, (low, high) in zip(stamps, bounds, strict=False):
        spans = skipped_spans(gap_zone or "", low, high)
        if spans:  # local times the zone skips
            conditions.append(within_spans(item.value, spans))
    branches: list[str] = []
    params: list[object] = []
    if scan.statistics:  # a scan per condition, each skipping what the statistics rule out
        for condition, more in conditions:
            branches.append(f"SELECT _rn FROM {scan_sql} WHERE {condition}")
            params += [*scan.params, *more]
    elif conditions:  # a single scan
        either = " OR ".join(f"({condition})" for condition, _ in conditions)
        branches.append(f"SELECT _rn FROM {scan_sql} WHERE {either}")
        params += [*scan.params, *(value for _, more in conditions for value in more)]
    suspects, raw, checked = temp_name("suspects"), temp_name("raw"), temp_name("checked")
    rejected = f"_slalang_rejected_{identifier(table)}"
    report: LoadReport | None = None
    try:
        if branches:
            union = " UNION ".join(branches)
            run(con, f"CREATE TEMP TABLE {suspects} AS SELECT _rn FROM ({union})", params)
        count = scalar(con, f"SELECT count(*) FROM {suspects}") if branches else 0
        if count:
            texts = ", ".join(
                f"{text_sql(type_, f'c{i}', zone)} AS c{i}"
                for i, (_, type_) in enumerate(described)
            )
            run(
                con,
                f"CREATE TEMP TABLE {raw} AS SELECT {texts}, _rn + 1 AS _line FROM {scan_sql} "
                f"WHERE _rn IN (SELECT _rn FROM {suspects}) ORDER BY _rn",
                scan.params,
            )
            report = apply_profile(
                con,
                raw=raw,
                reading=Reading(tuple(names), count),
                profile=profile,
                table=checked,
                shown=shown,
                strict=strict,
                timezone=timezone,
                max_problems=max_problems,
            )
            run(
                con,
                f"CREATE OR REPLACE TEMP TABLE {rejected} AS SELECT _line - 1 AS _rn FROM {raw} "
                f"WHERE _line NOT IN (SELECT _line FROM {checked})",
                [],
            )
    finally:
        run(con, f"DROP TABLE IF EXISTS {suspects}", [])
        run(con, f"DROP TABLE IF EXISTS {raw}", [])
        drop_relation(con, checked)
    bad = report.rows_read - report.rows_loaded if report is not None else 0
    where = f" WHERE _rn NOT IN (SELECT _rn FROM {rejected})" if bad else ""
    if not bad:
        run(con, f"DROP TABLE IF EXISTS {rejected}", [])
    blank = _blank_values(con, scan, aliases, profile, values)
    selected = []
    for name in output_names(profile):
        if name in values:
            sql = f"nullif({values[name]}, '')" if name in blank else values[name]
        else:
            sql = column_sql(profile, name)
        selected.append(f"{sql} AS {quote(name)}")
    drop_relation(con, table)
    run(
        con,
        f"CREATE VIEW {quote(table)} AS SELECT {', '.join(selected)}, _rn + 1 AS _line "
        f"FROM {scan.from_(aliases, fixed=True)}{where}",
        [],
    )
    loaded_at: list[tuple[dt.datetime, int]] = []
    if report is not None and report.problem_counts:
        time = quote(time_name(profile))
        loaded_at = [(m, n) for m, n in minute_counts(con, quote(table), time) if m is not None]
    ambiguous = None
    if gap_zone is not None and any(repeated_spans(gap_zone, *pair) for pair in bounds):
        # counted over the view, whose times are the data's (a view never converts zones)
        times = [(quote(f.name), f.name) for f in profile.fields if f.type == "timestamp"]
        ambiguous = ambiguous_times(
            con, relation=quote(table), stamps=times, zone=gap_zone, shown=shown
        )
    return LoadReport(
        table=table,
        rows_read=scan.rows,
        rows_loaded=scan.rows - bad,
        problems=report.problems if report is not None else (),
        problem_counts=dict(report.problem_counts) if report is not None else {},
        excluded={},
        strict=strict,
        malformed_at=report.malformed_at if report is not None else (),
        loaded_at=tuple(loaded_at),
        ambiguous=ambiguous,
    )


def _blank_values(
    con: duckdb.DuckDBPyConnection,
    scan: Scan,
    aliases: str,
    profile: Profile,
    values: dict[str, str],
) -> set[str]:
    """The optional text fields that may hold an empty string, which reads as no value.

    Required text fields need no such care: their empty values are malformed rows,
    left out of the view. Parquet statistics usually answer without reading a row; for
    other data every optional text field is taken to.
    """
    texts = [f.name for f in profile.fields if f.type == "text" and not _required(f, profile.kind)]
    if not texts:
        return set()
    if not scan.statistics:
        # without statistics, looking costs a scan of every text column: nullif costs less
        return set(texts)
    scan_sql = scan.from_(aliases)
    tests = ", ".join(f"EXISTS (SELECT 1 FROM {scan_sql} WHERE {values[n]} = '')" for n in texts)
    (found,) = execute(con, f"SELECT {tests}", list(scan.params) * len(texts)).fetchall()
    return {name for name, blank in zip(texts, found, strict=True) if blank}


def _required(field: FieldMap, kind: str) -> bool:
    canonical = TABLES[kind].field(field.name)
    return canonical is not None and canonical.required
