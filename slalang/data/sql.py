"""Loading stage, SQL plumbing: statements with bound parameters, identifiers, temporary names.

Every statement of the loading stage goes through :func:`execute`: its text is
built from fixed keywords, generated names (``c0``, ``_slalang_raw_3``) and
validated identifiers, and every value from a profile or a file arrives as a
bound parameter.
"""

from __future__ import annotations

import itertools
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
