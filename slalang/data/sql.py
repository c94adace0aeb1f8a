"""Loading stage, SQL plumbing: statements with bound parameters, identifiers, temporary names.

Every statement of the loading stage goes through :func:`execute`: its text is
built from fixed keywords, generated names (``c0``, ``_slalang_raw_3``) and
validated identifiers, and every value from a profile or a file arrives as a
bound parameter.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Sequence
from pathlib import Path

import duckdb

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_counter = itertools.count()


def execute(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object]
) -> duckdb.DuckDBPyConnection:
    """Run one query; every value from a profile or a file arrives as a parameter.

    The caller fetches the result; statements without rows go through :func:`run`.
    """
    return con.execute(sql, list(params))


def run(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object]) -> None:
    """Run one statement to its end."""
    execute(con, sql, params).complete()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> int:
    """The integer in the first column of the first row (0 when there is no row)."""
    rows = execute(con, sql, params).fetchall()
    return int(rows[0][0]) if rows else 0


def identifier(name: str) -> str:
    """``name`` itself, if it is a plain SQL identifier.

    Raises:
        ValueError: it is not.
    """
    if _IDENTIFIER.match(name) is None:
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


def quote(name: str) -> str:
    """Quote a validated identifier."""
    return '"' + identifier(name).replace('"', '""') + '"'


def file_pattern(path: Path) -> str:
    """A file's path as DuckDB's readers take it: a pattern matching that one file.

    DuckDB expands ``*``, ``?`` and ``[...]`` in a path as a glob; each becomes a
    one-character class, so ``c[1].parquet`` reads that file and not ``c1.parquet``.
    """
    return re.sub(r"[*?\[]", lambda m: f"[{m.group()}]", str(path))


def literal(value: object) -> str:
    """A value as a DuckDB literal, for the one place a parameter cannot go: a view.

    Strings are quoted with every ``'`` doubled (DuckDB's standard strings have no
    other escape), so no value can end its literal; numbers are written back from
    their Python value, times in ISO 8601, lists element by element.

    Raises:
        TypeError: a value of another type, which has no literal here.
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return repr(value)
        return f"CAST('{value!r}' AS DOUBLE)"
    if isinstance(value, str):
        if "\x00" in value:
            raise TypeError("a string with a NUL character has no literal")
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    raise TypeError(f"no literal for a {type(value).__name__}")


def inline(sql: str, params: Sequence[object]) -> str:
    """``sql`` with each ``?`` placeholder replaced by its parameter as a :func:`literal`.

    A ``?`` inside a quoted string or identifier of ``sql`` (a regular expression's
    ``[+-]?``) is text, not a placeholder.

    Raises:
        ValueError: the placeholders and the parameters do not match one to one.
    """
    out: list[str] = []
    values = iter(params)
    count, start, quoting = 0, 0, ""
    for index, char in enumerate(sql):
        if quoting:
            if char == quoting:
                quoting = ""  # a doubled quote closes and reopens: the same text
        elif char in "'\"":
            quoting = char
        elif char == "?":
            out.append(sql[start:index])
            try:
                out.append(literal(next(values)))
            except StopIteration:
                raise ValueError(f"more placeholders than the {len(params)} parameters") from None
            count += 1
            start = index + 1
    if quoting or count != len(params):
        raise ValueError(f"{count} placeholders for {len(params)} parameters")
    out.append(sql[start:])
    return "".join(out)


def temp_name(what: str) -> str:
    """A fresh name for a temporary table or view, ``_slalang_<what>_<n>``."""
    return f"_slalang_{what}_{next(_counter)}"


def drop_relation(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a table or view of this name, whichever it is, if there is one."""
    found = execute(
        con,
        "SELECT table_type FROM information_schema.tables "
        "WHERE lower(table_name) = lower(?) AND table_catalog = current_database() "
        "AND table_schema = current_schema()",
        [name],
    ).fetchall()
    for (type_,) in found:
        run(con, f"DROP {'VIEW' if type_ == 'VIEW' else 'TABLE'} {quote(name)}", [])
