"""Loading stage, the Parquet fast path: a file with canonical types as a view, not a copy.

When every field of a profile copies one Parquet column that already has the
field's canonical type (:func:`direct_profile`), the canonical table is a view
over the file. Only the rows a cheap per-column filter flags are copied as text
and go through :func:`~slalang.data.convert.apply_profile`, so their problems are
found and reported exactly as for any other file; the view leaves them out.

The file's path is the one text a view cannot take as a parameter: it is
written as an escaped string literal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs
import duckdb

from slalang.data.convert import (
    SQL_TYPES,
    YEARS,
    ambiguous_times,
    apply_profile,
    column_sql,
    minute_counts,
    negative_reason,
    output_names,
    skipped_spans,
    time_name,
    within_spans,
)
from slalang.data.profiles import ALLOWED_VALUES, FieldMap, Profile
from slalang.data.report import LoadReport, Reading
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


def parquet_schema(con: duckdb.DuckDBPyConnection, path: Path) -> list[tuple[str, str]]:
    """Names and DuckDB types of the columns of a Parquet file."""
    rows = execute(con, "DESCRIBE SELECT * FROM read_parquet(?)", [file_pattern(path)]).fetchall()
    return [(str(row[0]), str(row[1])) for row in rows]


def direct_profile(
    profile: Profile, described: Sequence[tuple[str, str]], timezone: str | None
) -> Profile | None:
    """The profile's active fields when the file can be read as it is, else ``None``.

    That is when every field copies one column whose Parquet type already is the
    field's canonical type, and the profile has no ``exclude`` or ``validate``
    rule and no time zone to convert from. Conversion is then the identity
    (text: empty becomes null), so the canonical table can be a view.
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
        if types[field.column] != SQL_TYPES[field.type]:
            return None
        if field.name in ALLOWED_VALUES and field.type != "text":
            return None
        active.append(field)
    return attrs.evolve(profile, fields=tuple(active))


def _literal(text: str) -> str:
    """A string as an SQL literal; only for a view's file path, which cannot be a parameter."""
    return "'" + text.replace("'", "''") + "'"


def _suspect_sql(field: FieldMap, column: str, kind: str) -> tuple[str, list[object]]:
    """A cheap condition true for every row that any check of :mod:`slalang.data.convert` can fail.

    Each part is a plain filter on one column, so DuckDB evaluates it during the
    Parquet scan and skips row groups by their statistics where it can.
    """
    parts: list[str] = []
    params: list[object] = []
    if _required(field, kind):
        parts.append(f"{column} IS NULL" + (f" OR {column} = ''" if field.type == "text" else ""))
    if field.type == "number":
        parts.append(f"NOT isfinite({column})")
    if negative_reason(field, kind) is not None:
        parts.append(f"{column} < 0")
    if field.type in ("timestamp", "date"):
        low, high = YEARS
        type_ = SQL_TYPES[field.type]
        parts.append(f"{column} < CAST(? AS {type_}) OR {column} >= CAST(? AS {type_})")
        params += [f"{low}-01-01", f"{high + 1}-01-01"]
    allowed = ALLOWED_VALUES.get(field.name)
    if allowed is not None:
        parts.append(f"{column} NOT IN ({', '.join('?' for _ in allowed)})")
        params += list(allowed)
    return " OR ".join(f"({part})" for part in parts), params


def load_parquet_view(
    con: duckdb.DuckDBPyConnection,
    *,
    path: Path,
    names: Sequence[str],
    profile: Profile,
    table: str,
    shown: str,
    strict: bool,
    timezone: str | None,
    max_problems: int,
) -> LoadReport:
    """Load a Parquet file whose columns need no conversion as a view over the file.

    Only the rows a cheap per-column filter flags (:func:`_suspect_sql`) are
    copied as text and go through the full conversion and checks of
    :func:`~slalang.data.convert.apply_profile`, so problems are found and reported
    exactly as for any other file; the rows among them with problems are left
    out of the view.
    """
    columns: dict[str, str] = {}
    for index, name in enumerate(names):
        columns.setdefault(name, f"c{index}")
    aliases = ", ".join([*(f"c{i}" for i in range(len(names))), "_rn"])
    scan = "read_parquet({}, file_row_number = true) AS _t({})"
    rows_read = scalar(con, "SELECT count(*) FROM read_parquet(?)", [file_pattern(path)])
    branches: list[str] = []
    params: list[object] = []
    for field in profile.fields:
        assert field.column is not None
        condition, values = _suspect_sql(field, columns[field.column], profile.kind)
        if condition:
            branches.append(f"SELECT _rn FROM {scan.format('?', aliases)} WHERE {condition}")
            params += [file_pattern(path), *values]
    wall_zone = profile.timezone or timezone
    stamps = [columns[f.column] for f in profile.fields if f.type == "timestamp" and f.column]
    if wall_zone is not None and stamps:
        # local times the zone skips (Parquet statistics give the range without a scan)
        ranges = ", ".join(f"min({c}), max({c})" for c in stamps)
        bounds = execute(con, f"SELECT {ranges} FROM {scan.format('?', aliases)}",
                          [file_pattern(path)]).fetchone() or ()  # fmt: skip
        for number, column in enumerate(stamps):
            spans = skipped_spans(wall_zone, *bounds[2 * number : 2 * number + 2])
            if spans:
                condition, values = within_spans(column, spans)
                branches.append(f"SELECT _rn FROM {scan.format('?', aliases)} WHERE {condition}")
                params += [file_pattern(path), *values]
    suspects, raw, checked = temp_name("suspects"), temp_name("raw"), temp_name("checked")
    rejected = f"_slalang_rejected_{identifier(table)}"
    report: LoadReport | None = None
    try:
        if branches:
            union = " UNION ".join(branches)
            run(con, f"CREATE TEMP TABLE {suspects} AS SELECT _rn FROM ({union})", params)
        count = scalar(con, f"SELECT count(*) FROM {suspects}") if branches else 0
        if count:
            texts = ", ".join(f"CAST(c{i} AS VARCHAR) AS c{i}" for i in range(len(names)))
            run(
                con,
                f"CREATE TEMP TABLE {raw} AS SELECT {texts}, _rn + 1 AS _line "
                f"FROM {scan.format('?', aliases)} "
                f"WHERE _rn IN (SELECT _rn FROM {suspects}) ORDER BY _rn",
                [file_pattern(path)],
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
    blank = _blank_columns(con, path, aliases, profile, columns)
    selected = []
    for name in output_names(profile):
        mapped = next((f for f in profile.fields if f.name == name), None)
        if mapped is None:
            sql = column_sql(profile, name)
        else:
            assert mapped.column is not None
            sql = columns[mapped.column]
            if sql in blank:
                sql = f"nullif({sql}, '')"
        selected.append(f"{sql} AS {quote(name)}")
    drop_relation(con, table)
    run(
        con,
        f"CREATE VIEW {quote(table)} AS SELECT {', '.join(selected)}, _rn + 1 AS _line "
        f"FROM {scan.format(_literal(file_pattern(path.absolute())), aliases)}{where}",
        [],
    )
    loaded_at: list[tuple[dt.datetime, int]] = []
    if report is not None and report.problem_counts:
        time = quote(time_name(profile))
        loaded_at = [(m, n) for m, n in minute_counts(con, quote(table), time) if m is not None]
    ambiguous = None
    if wall_zone is not None:
        # counted over the view, whose times are the file's (a view never converts zones)
        times = [(quote(f.name), f.name) for f in profile.fields if f.type == "timestamp"]
        ambiguous = ambiguous_times(
            con, relation=quote(table), stamps=times, zone=wall_zone, shown=shown
        )
    return LoadReport(
        table=table,
        rows_read=rows_read,
        rows_loaded=rows_read - bad,
        problems=report.problems if report is not None else (),
        problem_counts=dict(report.problem_counts) if report is not None else {},
        excluded={},
        strict=strict,
        malformed_at=report.malformed_at if report is not None else (),
        loaded_at=tuple(loaded_at),
        ambiguous=ambiguous,
    )


def _blank_columns(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    aliases: str,
    profile: Profile,
    columns: Mapping[str, str],
) -> set[str]:
    """The optional text columns holding an empty string somewhere, which reads as no value.

    Required text fields need no such care: their empty values are malformed rows,
    left out of the view. Parquet statistics usually answer without reading a row.
    """
    texts = [
        columns[f.column]
        for f in profile.fields
        if f.type == "text" and f.column is not None and not _required(f, profile.kind)
    ]
    if not texts:
        return set()
    scan = f"read_parquet(?, file_row_number = true) AS _t({aliases})"
    tests = ", ".join(f"EXISTS (SELECT 1 FROM {scan} WHERE {c} = '')" for c in texts)
    found = execute(con, f"SELECT {tests}", [file_pattern(path)] * len(texts)).fetchone() or ()
    return {column for column, blank in zip(texts, found, strict=True) if blank}


def _required(field: FieldMap, kind: str) -> bool:
    canonical = TABLES[kind].field(field.name)
    return canonical is not None and canonical.required
