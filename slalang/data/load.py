"""Loading stage: a vendor export read into a canonical DuckDB table through a data profile.

:func:`load` reads one export file with DuckDB (delimited text, Parquet, JSON
lines) or PyYAML (YAML), applies a :class:`~slalang.data.profiles.Profile` with one
SQL ``SELECT`` compiled from its field mappings and rules, converts every value
to its canonical type, and stores the result as a table with the canonical
columns plus ``_line`` (the source line of text formats, the row ordinal
otherwise). :func:`load_arrow` does the same for pandas, polars or pyarrow
tables that already have canonical columns. A Parquet file or an in-memory table
whose columns the profile only renames, with types that convert to the canonical
ones without loss (:mod:`slalang.data.source_types`), becomes a view over the data
instead of a copy; its rows are checked all the same.

Rows are never dropped silently. Rows matching an ``exclude`` rule are counted
by reason; malformed rows (wrong field count, unparsable values, negative
durations or counts, impossible timestamps, missing required values, failing
``validate`` rules) are reported as :class:`DataProblem` records with their real
line numbers, counted, and kept out of the table. Every other row is loaded.

SQL safety: raw columns are renamed to generated identifiers ``c0, c1, ...``
before any profile text is involved, table names are validated, and every
literal of a profile (values, formats, expression constants) is a bound
parameter; no profile or contract text is ever part of the SQL text. The
exceptions are the file path of a Parquet view and the time zone a view reads
time-zone-aware timestamps in, which a view cannot take as parameters: they are
written as escaped string literals (the zone once it is known to be a zone's name).

This module is the stage's entry point; the work is split by job.
:mod:`slalang.data.native` streams CSV and TSV through DuckDB's own reader as a
view over the file (a file it cannot vouch for is read by
:mod:`slalang.data.delimited` instead), :mod:`slalang.data.readers` reads each
other format into a raw table of text numbered by line,
:mod:`slalang.data.convert` applies the profile (conversion, checks, exclusions,
the problem report), :mod:`slalang.data.parquet_view` is the fast path for Parquet
files and in-memory tables, :mod:`slalang.data.source_types` the column types it
reads, :mod:`slalang.data.report` holds the report types and reasons, and
:mod:`slalang.data.sql` runs every statement. The public names of those
modules that callers use are re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import duckdb
import yaml

from slalang.codes import diag
from slalang.data.convert import YEARS, apply_profile, skipped_spans
from slalang.data.delimited import drop_raw
from slalang.data.native import load_native
from slalang.data.parquet_view import direct_profile as _direct_profile  # a test replaces it
from slalang.data.parquet_view import (
    load_view,
    parquet_scan,
    parquet_schema,
    register_arrow,
    unregister_arrow,
)
from slalang.data.profiles import (
    FORMATS,
    FieldMap,
    Profile,
    check_columns,
    check_data_path,
    field_type,
)
from slalang.data.readers import first_line, read_arrow, read_file, to_arrow
from slalang.data.report import (
    IMPOSSIBLE_TIMESTAMP,
    MISSING_VALUE,
    NEGATIVE_COUNT,
    NEGATIVE_DURATION,
    NOT_ALLOWED,
    UNPARSABLE,
    UNREADABLE_LINE,
    WRONG_FIELD_COUNT,
    DataProblem,
    LoadReport,
    Reading,
    failed,
)
from slalang.data.sql import identifier, temp_name
from slalang.diagnostics import Diagnostic
from slalang.lang.canonical import TABLES

__all__ = [
    "IMPOSSIBLE_TIMESTAMP",
    "MAX_PROBLEMS",
    "MISSING_VALUE",
    "NEGATIVE_COUNT",
    "NEGATIVE_DURATION",
    "NOT_ALLOWED",
    "UNPARSABLE",
    "UNREADABLE_LINE",
    "WRONG_FIELD_COUNT",
    "YEARS",
    "DataProblem",
    "LoadReport",
    "load",
    "load_arrow",
    "skipped_spans",
]

MAX_PROBLEMS = 1000
"""How many problems a report lists by default; ``problem_counts`` counts them all."""


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
    defer: bool = False,
) -> LoadReport:
    """Read a data file through a profile into a canonical table.

    Args:
        con: the DuckDB connection that receives the table.
        path: the export file.
        profile: a checked profile (see :func:`slalang.data.profiles.load_profile`).
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
        defer: a CSV or TSV file may leave its counting to the first query that reads
            every record (its report is then :attr:`LoadReport.pending`), so that the
            file is read once for both; other files are loaded as usual.

    Returns:
        The report. A missing file or a column the profile reads but the file
        lacks gives ``E8xx`` diagnostics and no table.

    Raises:
        ValueError: ``table`` is not a plain identifier, or ``format`` is unknown.
    """
    identifier(table)
    if format is not None:
        if format not in FORMATS:
            raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
        profile = attrs.evolve(profile, format=format)
    path = Path(path)
    shown = str(path)
    found = check_data_path(path)
    if found:
        return failed(table, found, strict)
    if profile.format == "parquet":
        try:
            described = parquet_schema(con, path)
        except (duckdb.Error, OSError) as error:
            return failed(table, [_unreadable(shown, error)], strict)
        names = tuple(name for name, _ in described)
        missing = check_columns(profile, names)
        if missing:
            return failed(table, missing, strict)
        direct = _direct_profile(profile, described, timezone)
        if direct is not None:
            return load_view(
                con,
                scan=parquet_scan(con, path),
                described=described,
                profile=direct,
                table=table,
                shown=shown,
                strict=strict,
                timezone=timezone,
                max_problems=max_problems,
            )

    if profile.format in ("csv", "tsv"):
        try:
            native = load_native(
                con,
                path=path,
                profile=profile,
                table=table,
                shown=shown,
                strict=strict,
                timezone=timezone,
                max_problems=max_problems,
                defer=defer,
            )
        except (duckdb.Error, OSError, UnicodeError) as error:
            return failed(table, [_unreadable(shown, error)], strict)
        if native is not None:
            return native

    def read(raw: str) -> Reading | list[Diagnostic]:
        try:
            reading = read_file(con, path, profile, raw, timezone=timezone)
        except (duckdb.Error, OSError, UnicodeError, yaml.YAMLError) as error:
            return [_unreadable(shown, error)]
        return check_columns(profile, reading.columns) or reading

    return _read_and_apply(
        con,
        read,
        profile=profile,
        table=table,
        shown=shown,
        strict=strict,
        timezone=timezone,
        max_problems=max_problems,
    )


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
    clock time the zone skips is an impossible timestamp, and time-zone-aware
    timestamps are read as clock times there (else in UTC).

    When every column converts to its field's type in the scan, the table is
    registered with ``con`` (as ``_slalang_arrow_<table>``, kept until the next load
    of ``table``) and ``table`` is a view over it, like a Parquet file; otherwise its
    values are copied as text and converted like a file's.

    Raises:
        ValueError: ``table`` is not a plain identifier, ``kind`` is not a
            canonical table, or ``data`` is not a table.
    """
    identifier(table)
    if kind not in TABLES:
        raise ValueError(f"unknown table kind {kind!r}")
    arrow = to_arrow(data)
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
        return failed(table, found, strict)
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
    scan, described = register_arrow(con, arrow, table)
    direct = _direct_profile(profile, described, timezone)
    if direct is not None:
        return load_view(
            con,
            scan=scan,
            described=described,
            profile=direct,
            table=table,
            shown=name,
            strict=strict,
            timezone=timezone,
            max_problems=max_problems,
        )
    unregister_arrow(con, table)
    return _read_and_apply(
        con,
        lambda raw: read_arrow(con, arrow, raw, timezone=timezone),
        profile=profile,
        table=table,
        shown=name,
        strict=strict,
        timezone=timezone,
        max_problems=max_problems,
    )


def _read_and_apply(
    con: duckdb.DuckDBPyConnection,
    read: Callable[[str], Reading | Sequence[Diagnostic]],
    *,
    profile: Profile,
    table: str,
    shown: str,
    strict: bool,
    timezone: str | None,
    max_problems: int,
) -> LoadReport:
    """Read rows into a fresh raw table, apply the profile, and drop the raw table.

    ``read`` stores the rows in the raw table it is given and returns what it
    read, or the diagnostics that stop the load (then no table is created).
    """
    raw = temp_name("raw")
    try:
        reading = read(raw)
        if not isinstance(reading, Reading):
            return failed(table, reading, strict)
        return apply_profile(
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
        drop_raw(con, raw)


def _unreadable(shown: str, error: Exception) -> Diagnostic:
    """The ``E812`` diagnostic of a data file that cannot be read."""
    return diag("E812", f"cannot read data file `{shown}`: {first_line(error)}", None)
