"""Loading stage: a vendor export read into a canonical DuckDB table through a data profile.

:func:`load` reads one export file with DuckDB (delimited text, Parquet, JSON
lines) or PyYAML (YAML), applies a :class:`~slalang.profiles.Profile` with one
SQL ``SELECT`` compiled from its field mappings and rules, converts every value
to its canonical type, and stores the result as a table with the canonical
columns plus ``_line`` (the source line of text formats, the row ordinal
otherwise). :func:`load_arrow` does the same for pandas, polars or pyarrow
tables that already have canonical columns. A Parquet file whose columns the
profile only renames, with the canonical types already, becomes a view over
the file instead of a copy; its rows are checked all the same.

Rows are never dropped silently. Rows matching an ``exclude`` rule are counted
by reason; malformed rows (wrong field count, unparsable values, negative
durations or counts, impossible timestamps, missing required values, failing
``validate`` rules) are reported as :class:`DataProblem` records with their real
line numbers, counted, and kept out of the table. Every other row is loaded.

SQL safety: raw columns are renamed to generated identifiers ``c0, c1, ...``
before any profile text is involved, table names are validated, and every
literal of a profile (values, formats, expression constants) is a bound
parameter; no profile or contract text is ever part of the SQL text. The one
exception is the file path of a Parquet view, which a view cannot take as a
parameter: it is written as an escaped string literal.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import duckdb
import pyarrow as pa
import yaml

from slalang.canonical import TABLES
from slalang.codes import diag
from slalang.diagnostics import Diagnostic, Severity
from slalang.exprs import to_sql
from slalang.profiles import (
    ALLOWED_VALUES,
    FORMATS,
    FieldMap,
    Profile,
    canonical_names,
    check_columns,
    check_data_path,
    field_type,
)
from slalang.zones import gaps

WRONG_FIELD_COUNT = "wrong field count"
UNREADABLE_LINE = "unreadable line"
UNPARSABLE = "unparsable value"
NEGATIVE_DURATION = "negative duration"
NEGATIVE_COUNT = "negative count"
IMPOSSIBLE_TIMESTAMP = "impossible timestamp"
MISSING_VALUE = "missing required value"
NOT_ALLOWED = "value not allowed"
"""Reasons of :class:`DataProblem`; a failing ``validate`` rule uses its own reason."""

MAX_PROBLEMS = 1000
"""How many problems a report lists by default; ``problem_counts`` counts them all."""

YEARS = (1900, 2199)
"""Timestamps and dates outside these years are impossible."""

_SQL_TYPES = {
    "text": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_counter = itertools.count()


@attrs.frozen
class DataProblem:
    """A malformed row of a data file.

    Attributes:
        path: the data file.
        line: the line the row starts on (header = line 1) for text formats, the
            1-based row ordinal otherwise.
        reason: what is wrong (one of the reason constants of this module, or
            the ``reason`` of a ``validate`` rule).
        field: the canonical field concerned, if any.
        detail: the raw values involved, or the reader's message.
    """

    path: str
    line: int
    reason: str
    field: str | None = None
    detail: str = ""


@attrs.frozen
class LoadReport:
    """What a load did.

    Attributes:
        table: the table created.
        rows_read: data rows in the file (wrong-length lines included, header and
            empty lines not).
        rows_loaded: rows stored in the table.
        problems: malformed rows, by line (at most ``max_problems`` of them).
        problem_counts: every problem counted by reason.
        excluded: rows set aside by ``exclude`` rules, counted by reason.
        diagnostics: problems with the profile or the file as a whole (``E8xx``);
            when there are errors, no table is created.
        strict: whether any data problem fails the load.
    """

    table: str
    rows_read: int
    rows_loaded: int
    problems: tuple[DataProblem, ...]
    problem_counts: dict[str, int]
    excluded: dict[str, int]
    diagnostics: tuple[Diagnostic, ...] = ()
    strict: bool = False

    @property
    def ok(self) -> bool:
        """No error diagnostics, and with ``strict`` no data problems either."""
        if any(d.severity is Severity.ERROR for d in self.diagnostics):
            return False
        return not (self.strict and self.problem_counts)

    @property
    def rows_malformed(self) -> int:
        """Rows kept out of the table because they are malformed."""
        return self.rows_read - self.rows_loaded - sum(self.excluded.values())


def load(
    con: duckdb.DuckDBPyConnection,
    *,
    path: str | Path,
    profile: Profile,
    table: str,
    strict: bool = False,
    timezone: str | None = None,
    format: str | None = None,
    max_problems: int = MAX_PROBLEMS,
) -> LoadReport:
    """Read a data file through a profile into a canonical table.

    Args:
        con: the DuckDB connection that receives the table.
        path: the export file.
        profile: a checked profile (see :func:`slalang.profiles.load_profile`).
        table: the name of the table to create (replaced if it exists); a plain
            identifier.
        strict: make any data problem fail the report (``LoadReport.ok``).
        timezone: the contract's IANA time zone; when given and the profile names
            another zone, timestamps are converted to it. Clock times that the
            data's zone (the profile's, else this one) skips when clocks go
            forward are impossible timestamps.
        format: read the file in this format instead of the profile's (for
            example ``parquet`` with the ``generic-contacts`` profile).
        max_problems: how many problems to list (all are counted).

    Returns:
        The report. A missing file or a column the profile reads but the file
        lacks gives ``E8xx`` diagnostics and no table.

    Raises:
        ValueError: ``table`` is not a plain identifier, or ``format`` is unknown.
    """
    _identifier(table)
    if format is not None:
        if format not in FORMATS:
            raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
        profile = attrs.evolve(profile, format=format)
    path = Path(path)
    shown = str(path)
    found = check_data_path(path)
    if found:
        return _failed(table, found, strict)
    if profile.format == "parquet":
        try:
            described = _parquet_schema(con, path)
        except (duckdb.Error, OSError) as error:
            message = f"cannot read data file `{shown}`: {_first_line(error)}"
            return _failed(table, [diag("E812", message, None)], strict)
        names = tuple(name for name, _ in described)
        missing = check_columns(profile, names)
        if missing:
            return _failed(table, missing, strict)
        direct = _direct_profile(profile, described, timezone)
        if direct is not None:
            return _load_parquet_view(
                con,
                path=path,
                names=names,
                profile=direct,
                table=table,
                shown=shown,
                strict=strict,
                timezone=timezone,
                max_problems=max_problems,
            )
    raw = _temp_name("raw")
    try:
        try:
            reading = _read(con, path, profile, raw)
        except (duckdb.Error, OSError, UnicodeError, yaml.YAMLError) as error:
            message = f"cannot read data file `{shown}`: {_first_line(error)}"
            return _failed(table, [diag("E812", message, None)], strict)
        missing = check_columns(profile, reading.columns)
        if missing:
            return _failed(table, missing, strict)
        return _apply(
            con,
            raw=raw,
            reading=reading,
            profile=profile,
            table=table,
            shown=shown,
            strict=strict,
            timezone=timezone,
            max_problems=max_problems,
        )
    finally:
        _run(con, f"DROP TABLE IF EXISTS {raw}", [])


def load_arrow(
    con: duckdb.DuckDBPyConnection,
    data: Any,
    *,
    table: str,
    kind: str,
    strict: bool = False,
    name: str = "<data>",
    timezone: str | None = None,
    max_problems: int = MAX_PROBLEMS,
) -> LoadReport:
    """Load a table that already has canonical columns (pandas, polars or pyarrow).

    Columns are matched by name to the fields of the canonical table ``kind``
    (pattern fields such as ``answered_within_20`` included), converted and
    checked like a file load; ``_line`` is the 1-based row ordinal. With
    ``timezone`` (the contract's zone, which the clock times are read in), a
    clock time the zone skips is an impossible timestamp.

    Raises:
        ValueError: ``table`` is not a plain identifier, ``kind`` is not a
            canonical table, or ``data`` is not a table.
    """
    _identifier(table)
    if kind not in TABLES:
        raise ValueError(f"unknown table kind {kind!r}")
    arrow = _to_arrow(data)
    columns = [str(c) for c in arrow.column_names]
    fields: list[FieldMap] = []
    found: list[Diagnostic] = []
    for column in columns:
        type_ = field_type(kind, column)
        if type_ is None:
            found.append(diag("E806", f"`{column}` is not a field of the {kind} table", None))
        else:
            fields.append(FieldMap(name=column, type=type_, column=column))
    for required in TABLES[kind].fields:
        if required.required and required.name not in columns:
            message = f"required field `{required.name}` is missing from the data"
            found.append(diag("E810", message, None))
    if found:
        return _failed(table, found, strict)
    from slalang.source import Source

    profile = Profile(
        name="canonical",
        description="",
        kind=kind,
        format="parquet",
        delimiter=",",
        header=True,
        quote='"',
        encoding="utf-8",
        timezone=None,
        fields=tuple(fields),
        exclude=(),
        validate=(),
        source=Source(name, ""),
    )
    raw = _temp_name("raw")
    try:
        reading = _from_arrow(con, arrow, raw)
        return _apply(
            con,
            raw=raw,
            reading=reading,
            profile=profile,
            table=table,
            shown=name,
            strict=strict,
            timezone=timezone,
            max_problems=max_problems,
        )
    finally:
        _run(con, f"DROP TABLE IF EXISTS {raw}", [])


# ---------------------------------------------------------------------------
# Reading raw rows: every value as text, columns renamed c0, c1, ...
# ---------------------------------------------------------------------------


@attrs.frozen
class _Reading:
    columns: tuple[str, ...]
    rows_read: int
    rejected: tuple[DataProblem, ...] = ()


def _read(con: duckdb.DuckDBPyConnection, path: Path, profile: Profile, raw: str) -> _Reading:
    if profile.format in ("csv", "tsv"):
        return _read_delimited(con, path, profile, raw)
    if profile.format == "yaml":
        return _read_yaml(con, path, raw)
    if profile.format == "jsonl":
        return _read_json_lines(con, path, raw, profile)
    source = "read_parquet(?)"
    names = _describe(con, f"SELECT * FROM {source} LIMIT 0", [str(path)])
    _store_raw(con, raw, f"SELECT * FROM {source}", [str(path)], len(names))
    count = _scalar(con, f"SELECT count(*) FROM {raw}")
    _number_rows(con, raw, list(range(1, count + 1)))
    return _Reading(tuple(names), count)


_JSON_LINES = "read_json(?, format = 'newline_delimited', sample_size = -1)"


def _read_json_lines(
    con: duckdb.DuckDBPyConnection, path: Path, raw: str, profile: Profile
) -> _Reading:
    """JSON Lines: one object per non-blank line; a line that is not one is a problem of
    its own (reason ``unreadable line``) and every other line is still read."""
    text = path.read_text(encoding="utf-8")
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    rejected: list[DataProblem] = []
    try:
        names = _describe(con, f"SELECT * FROM {_JSON_LINES} LIMIT 0", [str(path)])
        _store_raw(con, raw, f"SELECT * FROM {_JSON_LINES}", [str(path)], len(names))
    except duckdb.Error:
        # find the broken lines, then read the others from a file of their own
        good = []
        for number, line in lines:
            reason = _json_object_problem(line)
            if reason is None:
                good.append((number, line))
            else:
                rejected.append(DataProblem(str(path), number, UNREADABLE_LINE, None, reason))
        if not rejected:
            raise
        if not good:  # nothing to read: the profile's columns, no rows
            columns = list(dict.fromkeys(f.column for f in profile.fields if f.column))
            _empty(con, raw, columns)
            return _Reading(tuple(columns), len(lines), tuple(rejected))
        with tempfile.TemporaryDirectory(prefix="slalang-") as folder:
            kept = Path(folder) / "lines.jsonl"
            kept.write_text("".join(line + "\n" for _, line in good), encoding="utf-8")
            names = _describe(con, f"SELECT * FROM {_JSON_LINES} LIMIT 0", [str(kept)])
            _store_raw(con, raw, f"SELECT * FROM {_JSON_LINES}", [str(kept)], len(names))
        lines = good
    count = _scalar(con, f"SELECT count(*) FROM {raw}")
    if count != len(lines):
        raise OSError(f"read {count} records but counted {len(lines)} lines")
    _number_rows(con, raw, [number for number, _ in lines])
    return _Reading(tuple(names), len(lines) + len(rejected), tuple(rejected))


def _json_object_problem(line: str) -> str | None:
    """Why a line is not one JSON object, or None."""
    try:
        value = json.loads(line)
    except ValueError as error:
        return f"not valid JSON: {error}"
    if not isinstance(value, dict):
        return f"a JSON {type(value).__name__} where an object was expected"
    return None


def _read_delimited(
    con: duckdb.DuckDBPyConnection, path: Path, profile: Profile, raw: str
) -> _Reading:
    text = path.read_bytes().decode(_python_encoding(profile.encoding), errors="replace")
    records = list(_records(text, profile.quote))
    if not any(body for _, body in records):
        return _empty(con, raw, [])
    first = next(body for _, body in records if body)
    fields = _split(first, profile)
    names = fields if profile.header else [f"column{i + 1}" for i in range(len(fields))]
    data = records[1:] if profile.header else records
    rows_read = sum(1 for _, body in data if body)
    if rows_read == 0:
        return _empty(con, raw, names)
    rejects, scans = _temp_name("rejects"), _temp_name("scans")
    options = [
        str(path),
        profile.delimiter,
        profile.quote,
        profile.quote,
        profile.header,
        {f"c{i}": "VARCHAR" for i in range(len(names))},
        rejects,
        scans,
        profile.encoding,
    ]
    reader = (
        "read_csv(?, delim = ?, quote = ?, escape = ?, header = ?, columns = ?, "
        "rejects_table = ?, rejects_scan = ?, encoding = ?, all_varchar = true, "
        "auto_detect = false, store_rejects = true)"
    )
    try:
        _run(con, f"CREATE TEMP TABLE {raw} AS SELECT * FROM {reader}", options)
        bad = _execute(
            con,
            f"SELECT line, min(csv_line), min(error_type::VARCHAR), min(error_message) "
            f"FROM {rejects} GROUP BY line ORDER BY line",
            [],
        ).fetchall()
    finally:
        _run(con, f"DROP TABLE IF EXISTS {rejects}", [])
        _run(con, f"DROP TABLE IF EXISTS {scans}", [])
    record_lines = [line for line, _ in records]
    rejected_records = {int(row[0]) for row in bad}
    rejected = tuple(
        _reject(str(path), record_lines[int(number) - 1], csv_line, kind, message, profile, names)
        for number, csv_line, kind, message in bad
    )
    kept = [
        line
        for number, (line, body) in enumerate(records, start=1)
        if body and number not in rejected_records and (number > 1 or not profile.header)
    ]
    count = _scalar(con, f"SELECT count(*) FROM {raw}")
    if count != len(kept):
        raise OSError(f"read {count} rows but counted {len(kept)} lines")
    _number_rows(con, raw, kept)
    return _Reading(tuple(names), rows_read, rejected)


def _reject(
    path: str,
    line: int,
    csv_line: str | None,
    kind: str | None,
    message: str | None,
    profile: Profile,
    names: Sequence[str],
) -> DataProblem:
    if kind in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
        found = len(_split((csv_line or "").strip("\r\n"), profile))
        return DataProblem(
            path, line, WRONG_FIELD_COUNT, None, f"{found} fields instead of {len(names)}"
        )
    return DataProblem(path, line, UNREADABLE_LINE, None, _first_line(message or ""))


def _records(text: str, quote: str) -> Iterator[tuple[int, str]]:
    """Yield ``(first line, text)`` of each record; quoted line breaks stay inside."""
    pattern = re.compile("\r\n|\n|\r" + (f"|{re.escape(quote)}" if quote else ""))
    line, start, quoted = 1, 0, False
    first = 1
    for match in pattern.finditer(text):
        token = match.group()
        if token == quote:
            quoted = not quoted
            continue
        if not quoted:
            yield first, text[start : match.start()]
            start = match.end()
            first = line + 1
        line += 1
    if start < len(text):
        yield first, text[start:]


def _split(record: str, profile: Profile) -> list[str]:
    if profile.quote:
        reader = csv.reader([record], delimiter=profile.delimiter, quotechar=profile.quote)
    else:
        reader = csv.reader([record], delimiter=profile.delimiter, quoting=csv.QUOTE_NONE)
    return next(reader, [])


def _python_encoding(encoding: str) -> str:
    return {"utf-8": "utf-8-sig", "utf-16": "utf-16", "latin-1": "latin-1"}[encoding]


def _read_yaml(con: duckdb.DuckDBPyConnection, path: Path, raw: str) -> _Reading:
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    items = root.value if isinstance(root, yaml.SequenceNode) else []
    if root is not None and not isinstance(root, yaml.SequenceNode):
        raise yaml.YAMLError("a YAML data file must be a list of records")
    names: dict[str, None] = {}
    rows: list[tuple[int, dict[str, str | None]]] = []
    for item in items:
        row: dict[str, str | None] = {}
        if isinstance(item, yaml.MappingNode):
            for key, value in item.value:
                name = str(key.value)
                names.setdefault(name)
                row[name] = _yaml_text(value)
        rows.append((item.start_mark.line + 1, row))
    columns = list(names)
    arrays = [pa.array([row.get(name) for _, row in rows], pa.string()) for name in columns]
    arrays.append(pa.array([line for line, _ in rows], pa.int64()))
    arrow = pa.table(arrays, names=[*(f"c{i}" for i in range(len(columns))), "_line"])
    view = _temp_name("view")
    con.register(view, arrow)
    try:
        _run(con, f"CREATE TEMP TABLE {raw} AS SELECT * FROM {view}", [])
    finally:
        con.unregister(view)
    return _Reading(tuple(columns), len(rows))


def _yaml_text(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:null":
            return None
        return str(node.value)
    return yaml.serialize(node).strip()


def _from_arrow(con: duckdb.DuckDBPyConnection, arrow: pa.Table, raw: str) -> _Reading:
    view = _temp_name("view")
    con.register(view, arrow)
    try:
        _store_raw(con, raw, f"SELECT * FROM {view}", [], arrow.num_columns)
    finally:
        con.unregister(view)
    _number_rows(con, raw, list(range(1, arrow.num_rows + 1)))
    return _Reading(tuple(str(c) for c in arrow.column_names), arrow.num_rows)


def _to_arrow(data: Any) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    to_arrow = getattr(data, "to_arrow", None)
    if callable(to_arrow):  # polars
        result = to_arrow()
        if isinstance(result, pa.Table):
            return result
    if type(data).__module__.startswith("pandas"):
        return pa.Table.from_pandas(data, preserve_index=False)
    raise ValueError(
        f"cannot load a {type(data).__name__}; expected a pyarrow, pandas or polars table"
    )


def _store_raw(
    con: duckdb.DuckDBPyConnection, raw: str, select: str, params: list[object], width: int
) -> None:
    """Store ``select`` as ``raw`` with columns renamed by position and cast to text."""
    if width == 0:
        _run(con, f"CREATE TEMP TABLE {raw} AS SELECT 1 AS _dummy FROM ({select})", params)
        _run(con, f"ALTER TABLE {raw} DROP COLUMN _dummy", [])
        return
    aliases = ", ".join(f"c{i}" for i in range(width))
    _run(
        con,
        f"CREATE TEMP TABLE {raw} AS SELECT CAST(COLUMNS(*) AS VARCHAR) "
        f"FROM ({select}) AS _t({aliases})",
        params,
    )


def _number_rows(con: duckdb.DuckDBPyConnection, raw: str, lines: Sequence[int]) -> None:
    """Add ``_line`` to ``raw`` from a list of line numbers in row order."""
    numbers = pa.table(
        {"_k": pa.array(range(len(lines)), pa.int64()), "_line": pa.array(lines, pa.int64())}
    )
    view, numbered = _temp_name("lines"), _temp_name("numbered")
    con.register(view, numbers)
    try:
        _run(
            con,
            f"CREATE TEMP TABLE {numbered} AS SELECT r.*, n._line FROM "
            f"(SELECT *, rowid AS _k FROM {raw}) AS r JOIN {view} AS n USING (_k)",
            [],
        )
    finally:
        con.unregister(view)
    _run(con, f"ALTER TABLE {numbered} DROP COLUMN _k", [])
    _run(con, f"DROP TABLE {raw}", [])
    _run(con, f"ALTER TABLE {numbered} RENAME TO {raw}", [])


def _empty(con: duckdb.DuckDBPyConnection, raw: str, names: Sequence[str]) -> _Reading:
    columns = "".join(f"c{i} VARCHAR, " for i in range(len(names)))
    _run(con, f"CREATE TEMP TABLE {raw} ({columns}_line BIGINT)", [])
    return _Reading(tuple(names), 0)


def _describe(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> list[str]:
    result = _execute(con, sql, params)
    description = result.description or []
    result.fetchall()
    return [str(column[0]) for column in description]


# ---------------------------------------------------------------------------
# Parquet with canonical types: a view over the file instead of a copy
# ---------------------------------------------------------------------------


def _parquet_schema(con: duckdb.DuckDBPyConnection, path: Path) -> list[tuple[str, str]]:
    """Names and DuckDB types of the columns of a Parquet file."""
    rows = _execute(con, "DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    return [(str(row[0]), str(row[1])) for row in rows]


def _direct_profile(
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
        if types[field.column] != _SQL_TYPES[field.type]:
            return None
        if field.name in ALLOWED_VALUES and field.type != "text":
            return None
        active.append(field)
    return attrs.evolve(profile, fields=tuple(active))


def _literal(text: str) -> str:
    """A string as an SQL literal; only for a view's file path, which cannot be a parameter."""
    return "'" + text.replace("'", "''") + "'"


def _suspect_sql(field: FieldMap, column: str, kind: str) -> tuple[str, list[object]]:
    """A cheap condition true for every row that any check of :func:`_field_checks` can fail.

    Each part is a plain filter on one column, so DuckDB evaluates it during the
    Parquet scan and skips row groups by their statistics where it can.
    """
    parts: list[str] = []
    params: list[object] = []
    if _required(field, kind):
        parts.append(f"{column} IS NULL" + (f" OR {column} = ''" if field.type == "text" else ""))
    if field.type == "number":
        parts.append(f"NOT isfinite({column})")
    if _negative_reason(field, kind) is not None:
        parts.append(f"{column} < 0")
    if field.type in ("timestamp", "date"):
        low, high = YEARS
        type_ = _SQL_TYPES[field.type]
        parts.append(f"{column} < CAST(? AS {type_}) OR {column} >= CAST(? AS {type_})")
        params += [f"{low}-01-01", f"{high + 1}-01-01"]
    allowed = ALLOWED_VALUES.get(field.name)
    if allowed is not None:
        parts.append(f"{column} NOT IN ({', '.join('?' for _ in allowed)})")
        params += list(allowed)
    return " OR ".join(f"({part})" for part in parts), params


def _load_parquet_view(
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
    :func:`_apply`, so problems are found and reported exactly as for any other
    file; the rows among them with problems are left out of the view.
    """
    columns: dict[str, str] = {}
    for index, name in enumerate(names):
        columns.setdefault(name, f"c{index}")
    aliases = ", ".join([*(f"c{i}" for i in range(len(names))), "_rn"])
    scan = "read_parquet({}, file_row_number = true) AS _t({})"
    rows_read = _scalar_params(con, "SELECT count(*) FROM read_parquet(?)", [str(path)])
    branches: list[str] = []
    params: list[object] = []
    for field in profile.fields:
        assert field.column is not None
        condition, values = _suspect_sql(field, columns[field.column], profile.kind)
        if condition:
            branches.append(f"SELECT _rn FROM {scan.format('?', aliases)} WHERE {condition}")
            params += [str(path), *values]
    wall_zone = profile.timezone or timezone
    stamps = [columns[f.column] for f in profile.fields if f.type == "timestamp" and f.column]
    if wall_zone is not None and stamps:
        # local times the zone skips (Parquet statistics give the range without a scan)
        ranges = ", ".join(f"min({c}), max({c})" for c in stamps)
        bounds = _execute(con, f"SELECT {ranges} FROM {scan.format('?', aliases)}",
                          [str(path)]).fetchone() or ()  # fmt: skip
        for number, column in enumerate(stamps):
            spans = skipped_spans(wall_zone, *bounds[2 * number : 2 * number + 2])
            if spans:
                condition, values = _within_spans(column, spans)
                branches.append(f"SELECT _rn FROM {scan.format('?', aliases)} WHERE {condition}")
                params += [str(path), *values]
    suspects, raw, checked = _temp_name("suspects"), _temp_name("raw"), _temp_name("checked")
    rejected = f"_slalang_rejected_{_identifier(table)}"
    report: LoadReport | None = None
    try:
        if branches:
            union = " UNION ".join(branches)
            _run(con, f"CREATE TEMP TABLE {suspects} AS SELECT _rn FROM ({union})", params)
        count = _scalar(con, f"SELECT count(*) FROM {suspects}") if branches else 0
        if count:
            texts = ", ".join(f"CAST(c{i} AS VARCHAR) AS c{i}" for i in range(len(names)))
            _run(
                con,
                f"CREATE TEMP TABLE {raw} AS SELECT {texts}, _rn + 1 AS _line "
                f"FROM {scan.format('?', aliases)} "
                f"WHERE _rn IN (SELECT _rn FROM {suspects}) ORDER BY _rn",
                [str(path)],
            )
            report = _apply(
                con,
                raw=raw,
                reading=_Reading(tuple(names), count),
                profile=profile,
                table=checked,
                shown=shown,
                strict=strict,
                timezone=timezone,
                max_problems=max_problems,
            )
            _run(
                con,
                f"CREATE OR REPLACE TEMP TABLE {rejected} AS SELECT _line - 1 AS _rn FROM {raw} "
                f"WHERE _line NOT IN (SELECT _line FROM {checked})",
                [],
            )
    finally:
        _run(con, f"DROP TABLE IF EXISTS {suspects}", [])
        _run(con, f"DROP TABLE IF EXISTS {raw}", [])
        _drop_relation(con, checked)
    bad = report.rows_read - report.rows_loaded if report is not None else 0
    where = f" WHERE _rn NOT IN (SELECT _rn FROM {rejected})" if bad else ""
    if not bad:
        _run(con, f"DROP TABLE IF EXISTS {rejected}", [])
    blank = _blank_columns(con, path, aliases, profile, columns)
    selected = []
    for name in _output_names(profile):
        mapped = next((f for f in profile.fields if f.name == name), None)
        if mapped is None:
            sql = _column_sql(profile, name)
        else:
            assert mapped.column is not None
            sql = columns[mapped.column]
            if sql in blank:
                sql = f"nullif({sql}, '')"
        selected.append(f"{sql} AS {_quote(name)}")
    _drop_relation(con, table)
    _run(
        con,
        f"CREATE VIEW {_quote(table)} AS SELECT {', '.join(selected)}, _rn + 1 AS _line "
        f"FROM {scan.format(_literal(str(path.absolute())), aliases)}{where}",
        [],
    )
    return LoadReport(
        table=table,
        rows_read=rows_read,
        rows_loaded=rows_read - bad,
        problems=report.problems if report is not None else (),
        problem_counts=dict(report.problem_counts) if report is not None else {},
        excluded={},
        strict=strict,
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
    found = _execute(con, f"SELECT {tests}", [str(path)] * len(texts)).fetchone() or ()
    return {column for column, blank in zip(texts, found, strict=True) if blank}


def _required(field: FieldMap, kind: str) -> bool:
    canonical = TABLES[kind].field(field.name)
    return canonical is not None and canonical.required


def _drop_relation(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a table or view of this name, whichever it is, if there is one."""
    found = _execute(
        con,
        "SELECT table_type FROM information_schema.tables "
        "WHERE lower(table_name) = lower(?) AND table_catalog = current_database() "
        "AND table_schema = current_schema()",
        [name],
    ).fetchall()
    for (type_,) in found:
        _run(con, f"DROP {'VIEW' if type_ == 'VIEW' else 'TABLE'} {_quote(name)}", [])


# ---------------------------------------------------------------------------
# Applying the profile
# ---------------------------------------------------------------------------


@attrs.frozen
class _Check:
    """One kind of problem: the SQL condition over a staged row and what it means."""

    sql: str
    params: tuple[object, ...]
    reason: str
    field: str | None
    columns: tuple[str, ...]


class _Select:
    """A select list whose bound parameters are kept in textual order."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.params: list[object] = []

    def add(self, sql: str, alias: str, params: Sequence[object] = ()) -> None:
        self.items.append(f"{sql} AS {alias}")
        self.params.extend(params)

    def text(self) -> str:
        return ", ".join(self.items)


def _apply(
    con: duckdb.DuckDBPyConnection,
    *,
    raw: str,
    reading: _Reading,
    profile: Profile,
    table: str,
    shown: str,
    strict: bool,
    timezone: str | None,
    max_problems: int,
) -> LoadReport:
    columns: dict[str, str] = {}
    for index, name in enumerate(reading.columns):
        columns.setdefault(name, f"c{index}")
    active = [f for f in profile.fields if not (f.optional and f.column not in columns)]
    profile = attrs.evolve(profile, fields=tuple(active))
    stage = _temp_name("stage")
    first, second, third = _Select(), _Select(), _Select()
    first.add("_line", "_line")
    checks: list[_Check] = []
    convert_zone = (
        timezone is not None and profile.timezone is not None and timezone != profile.timezone
    )
    wall_zone = profile.timezone or timezone  # the zone the data's clock times are read in
    skipped: list[tuple[str, int]] = []  # (local time column, check number) for DST gaps
    for index, field in enumerate(profile.fields):
        value, flag = f"_v{index}", f"_f{index}"
        if field.column is not None:
            first.add(columns[field.column], value)
        elif field.expr is not None:
            compiled = to_sql(field.expr, columns=columns)
            first.add(f"({compiled.sql})", value, compiled.params)
            inputs = [f"(trim({columns[c]}) <> '')" for c in sorted(field.columns)]
            first.add(" AND ".join(inputs) or "true", f"_n{index}")
        else:
            literal = None if field.value is None else _literal_text(field.value)
            first.add("CAST(? AS VARCHAR)", value, [literal])
        sql, params = _convert(field, value)
        local = flag
        if convert_zone and field.type == "timestamp":
            local = f"_l{index}"
            second.add(sql, local, params)
            sql, params = f"timezone(?, timezone(?, {sql}))", [timezone, profile.timezone, *params]
        second.add(sql, flag, params)
        checks.extend(_field_checks(index, field, profile.kind))
        if wall_zone is not None and field.type == "timestamp":
            # judged once the stage exists and its time range is known (_mark_skipped)
            skipped.append((local, len(checks)))
            checks.append(_Check("FALSE", (), IMPOSSIBLE_TIMESTAMP, field.name,
                                 tuple(sorted(field.columns))))  # fmt: skip
    for index, rule in enumerate(profile.exclude):
        compiled = to_sql(rule.when, columns=columns)
        first.add(f"({compiled.sql})", f"_x{index}", compiled.params)
    for index, rule in enumerate(profile.validate):
        compiled = to_sql(rule.when, columns=columns)
        first.add(f"({compiled.sql})", f"_y{index}", compiled.params)
        checks.append(_Check(f"_y{index}", (), rule.reason, None, tuple(sorted(rule.columns))))
    cases = " ".join(
        f"WHEN coalesce(_x{index}, false) THEN {index}" for index in range(len(profile.exclude))
    )
    third.add(f"CASE {cases} END" if cases else "CAST(NULL AS INTEGER)", "_excl")
    problem_items: list[str] = []
    problem_params: list[object] = []
    for number, check in enumerate(checks):
        problem_items.append(f"CASE WHEN coalesce({check.sql}, false) THEN {number} END")
        problem_params.extend(check.params)
    third.add(
        f"list_filter([{', '.join(problem_items)}]::INTEGER[], lambda _p: _p IS NOT NULL)",
        "_problems",
        problem_params,
    )
    query = (
        f"CREATE TEMP TABLE {stage} AS SELECT *, {third.text()} FROM "
        f"(SELECT *, {second.text()} FROM (SELECT {first.text()} FROM {raw}))"
    )
    try:
        _run(con, query, [*third.params, *second.params, *first.params])
        if wall_zone is not None:
            for local, number in skipped:
                _mark_skipped(con, stage, local, number, wall_zone)
        return _report(
            con,
            raw=raw,
            stage=stage,
            reading=reading,
            profile=profile,
            checks=checks,
            table=table,
            shown=shown,
            strict=strict,
            max_problems=max_problems,
        )
    finally:
        _run(con, f"DROP TABLE IF EXISTS {stage}", [])


def _mark_skipped(
    con: duckdb.DuckDBPyConnection, stage: str, local: str, number: int, zone: str
) -> None:
    """Add problem ``number`` to the staged rows whose local time ``zone`` skips."""
    bounds = _execute(con, f"SELECT min({local}), max({local}) FROM {stage}", []).fetchone()
    low, high = bounds or (None, None)
    spans = skipped_spans(zone, low, high)
    if spans:
        condition, params = _within_spans(local, spans)
        _run(con, f"UPDATE {stage} SET _problems = list_append(_problems, {number}) "
                  f"WHERE {condition}", params)  # fmt: skip


def skipped_spans(zone: str, low: object, high: object) -> list[tuple[dt.datetime, dt.datetime]]:
    """The local times ``zone`` skips between two timestamps (none for a missing bound)."""
    if not isinstance(low, dt.datetime) or not isinstance(high, dt.datetime):
        return []
    first, last = YEARS
    low = max(low, dt.datetime(first, 1, 1))
    high = min(high, dt.datetime(last, 12, 31, 23, 59, 59))
    return gaps(zone, low, high) if low <= high else []


def _within_spans(
    column: str, spans: Sequence[tuple[dt.datetime, dt.datetime]]
) -> tuple[str, list[object]]:
    condition = " OR ".join(
        f"({column} >= CAST(? AS TIMESTAMP) AND {column} < CAST(? AS TIMESTAMP))" for _ in spans
    )
    return condition, [value for span in spans for value in span]


def _literal_text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _convert(field: FieldMap, value: str) -> tuple[str, list[object]]:
    """SQL converting a staged value to the field's canonical type, null when it cannot."""
    text = f"trim(CAST({value} AS VARCHAR))"
    if field.type == "text":
        return f"nullif(CAST({value} AS VARCHAR), '')", []
    if field.type == "integer":
        return (
            f"CASE WHEN TRY_CAST({text} AS DOUBLE) = TRY_CAST({text} AS BIGINT) "
            f"THEN TRY_CAST({text} AS BIGINT) END",
            [],
        )
    if field.type == "number":
        return (
            f"CASE WHEN isfinite(TRY_CAST({text} AS DOUBLE)) THEN TRY_CAST({text} AS DOUBLE) END",
            [],
        )
    if field.type == "boolean":
        return f"TRY_CAST({text} AS BOOLEAN)", []
    return f"TRY_CAST({text} AS {_SQL_TYPES[field.type]})", []


def _field_checks(index: int, field: FieldMap, kind: str) -> list[_Check]:
    value, flag = f"_v{index}", f"_f{index}"
    inputs = tuple(sorted(field.columns))
    checks: list[_Check] = []
    unparsable = ""
    if field.kind == "column":
        unparsable = f"{flag} IS NULL AND trim(CAST({value} AS VARCHAR)) <> ''"
    elif field.kind == "expr":
        unparsable = f"{flag} IS NULL AND ({value} IS NOT NULL AND CAST({value} AS VARCHAR) <> ''"
        if field.type != "text" and not field.nullable:
            unparsable += f" OR _n{index}"
        unparsable += ")"
    if unparsable:
        checks.append(_Check(unparsable, (), UNPARSABLE, field.name, inputs))
    canonical = TABLES[kind].field(field.name)
    negative = _negative_reason(field, kind)
    if negative is not None:
        checks.append(_Check(f"{flag} < 0", (), negative, field.name, inputs))
    if field.type in ("timestamp", "date"):
        low, high = YEARS
        checks.append(
            _Check(
                f"year({flag}) NOT BETWEEN {low} AND {high}",
                (),
                IMPOSSIBLE_TIMESTAMP,
                field.name,
                inputs,
            )
        )
    allowed = ALLOWED_VALUES.get(field.name)
    if allowed is not None:
        checks.append(
            _Check(
                f"NOT list_contains(?, {flag})", (list(allowed),), NOT_ALLOWED, field.name, inputs
            )
        )
    if canonical is not None and canonical.required:
        missing = f"{flag} IS NULL"
        if unparsable:
            missing += f" AND NOT coalesce({unparsable}, false)"
        checks.append(_Check(missing, (), MISSING_VALUE, field.name, inputs))
    return checks


def _negative_reason(field: FieldMap, kind: str) -> str | None:
    """The problem a negative value of this field is, if negative values are wrong."""
    canonical = TABLES[kind].field(field.name)
    unit = canonical.unit if canonical is not None else ""
    if unit == "contacts" or (kind == "intervals" and field.type == "integer"):
        return NEGATIVE_COUNT
    if unit in ("s", "min"):
        return NEGATIVE_DURATION
    return None


def _report(
    con: duckdb.DuckDBPyConnection,
    *,
    raw: str,
    stage: str,
    reading: _Reading,
    profile: Profile,
    checks: Sequence[_Check],
    table: str,
    shown: str,
    strict: bool,
    max_problems: int,
) -> LoadReport:
    excluded: dict[str, int] = {}
    for index, count in _execute(
        con, f"SELECT _excl, count(*) FROM {stage} WHERE _excl IS NOT NULL GROUP BY _excl", []
    ).fetchall():
        reason = profile.exclude[int(index)].reason
        excluded[reason] = excluded.get(reason, 0) + int(count)
    counts: dict[str, int] = {}
    for problem in reading.rejected:
        counts[problem.reason] = counts.get(problem.reason, 0) + 1
    for index, count in _execute(
        con,
        f"SELECT _p, count(*) FROM (SELECT unnest(_problems) AS _p FROM {stage} "
        f"WHERE _excl IS NULL) GROUP BY _p",
        [],
    ).fetchall():
        reason = checks[int(index)].reason
        counts[reason] = counts.get(reason, 0) + int(count)
    listed = _execute(
        con,
        f"SELECT _line, _p FROM (SELECT _line, unnest(_problems) AS _p FROM {stage} "
        f"WHERE _excl IS NULL) ORDER BY _line, _p LIMIT ?",
        [max_problems],
    ).fetchall()
    values = _raw_values(con, raw, reading.columns, sorted({int(line) for line, _ in listed}))
    found = [*reading.rejected]
    for line, index in listed:
        check = checks[int(index)]
        row = values.get(int(line), {})
        detail = ", ".join(f"{c}={row.get(c)!r}" for c in check.columns)
        found.append(DataProblem(shown, int(line), check.reason, check.field, detail))
    found.sort(key=lambda p: p.line)
    selected = [
        f"{_column_sql(profile, name)} AS {_quote(name)}" for name in _output_names(profile)
    ]
    _drop_relation(con, table)
    _run(
        con,
        f"CREATE TABLE {_quote(table)} AS SELECT {', '.join(selected)}, _line "
        f"FROM {stage} WHERE _excl IS NULL AND len(_problems) = 0 ORDER BY _line",
        [],
    )
    loaded = _scalar(con, f"SELECT count(*) FROM {_quote(table)}")
    return LoadReport(
        table=table,
        rows_read=reading.rows_read,
        rows_loaded=loaded,
        problems=tuple(found[:max_problems]),
        problem_counts=counts,
        excluded=excluded,
        strict=strict,
    )


def _raw_values(
    con: duckdb.DuckDBPyConnection, raw: str, names: Sequence[str], lines: Sequence[int]
) -> dict[int, dict[str, str | None]]:
    if not lines or not names:
        return {}
    sql = f"SELECT * FROM {raw} WHERE list_contains(?, _line)"
    rows = _execute(con, sql, [list(lines)]).fetchall()
    result: dict[int, dict[str, str | None]] = {}
    for row in rows:
        *cells, line = row
        named: dict[str, str | None] = {}
        for name, cell in zip(names, cells, strict=True):
            named.setdefault(name, cell)
        result[int(line)] = named
    return result


def _output_names(profile: Profile) -> list[str]:
    names = list(canonical_names(profile.kind))
    names += [f.name for f in profile.fields if f.name not in names]
    return names


def _column_sql(profile: Profile, name: str) -> str:
    for index, field in enumerate(profile.fields):
        if field.name == name:
            return f"_f{index}"
    type_ = field_type(profile.kind, name) or "text"
    return f"CAST(NULL AS {_SQL_TYPES[type_]})"


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _execute(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object]
) -> duckdb.DuckDBPyConnection:
    """Run one query; every value from a profile or a file arrives as a parameter.

    The caller fetches the result; statements without rows go through :func:`_run`.
    """
    return con.execute(sql, list(params))


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object]) -> None:
    """Run one statement to its end."""
    _execute(con, sql, params).complete()


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return _scalar_params(con, sql, [])


def _scalar_params(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object]) -> int:
    rows = _execute(con, sql, params).fetchall()
    return int(rows[0][0]) if rows else 0


def _identifier(name: str) -> str:
    if _IDENTIFIER.match(name) is None:
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


def _quote(name: str) -> str:
    """Quote a validated identifier."""
    return '"' + _identifier(name).replace('"', '""') + '"'


def _temp_name(what: str) -> str:
    return f"_slalang_{what}_{next(_counter)}"


def _first_line(error: object) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _failed(table: str, found: Sequence[Diagnostic], strict: bool) -> LoadReport:
    return LoadReport(
        table=table,
        rows_read=0,
        rows_loaded=0,
        problems=(),
        problem_counts={},
        excluded={},
        diagnostics=tuple(found),
        strict=strict,
    )
