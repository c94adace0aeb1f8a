"""Loading stage, reading: an export's raw rows into a table of text numbered by line.

Each reader stores the rows of one format (delimited text, JSON Lines, YAML,
Parquet, or a pyarrow table) as a temporary table whose columns are renamed
``c0, c1, ...`` by position and hold every value as text, plus ``_line``: the
line a row starts on for text formats (header = line 1), the 1-based row
ordinal otherwise. The column names of the export come back in a
:class:`Reading`, with the lines a reader could not read as
:class:`~slalang.data.report.DataProblem` records; every other line is read. Typed
columns (Parquet, arrow) are written as :func:`~slalang.data.source_types.text_sql` writes
them, time-zone-aware timestamps as wall-clock times in the data's zone.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import yaml

from slalang.data.delimited import read_delimited
from slalang.data.native import plain_lines
from slalang.data.profiles import Profile
from slalang.data.report import UNREADABLE_LINE, DataProblem, Reading
from slalang.data.source_types import text_sql, wall_zone
from slalang.data.sql import execute, file_pattern, run, scalar, temp_name

if TYPE_CHECKING:  # imported where a table is converted: reading a file needs no pyarrow
    import pyarrow as pa


def read_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    profile: Profile,
    raw: str,
    *,
    timezone: str | None = None,
) -> Reading:
    """Read an export in the profile's format into the raw table ``raw``.

    ``timezone`` is the contract's zone: with the profile's, it says which zone the
    time-zone-aware timestamps of a Parquet file are read in
    (:func:`~slalang.data.source_types.wall_zone`).

    Raises:
        duckdb.Error, OSError, UnicodeError, yaml.YAMLError: the file cannot be read.
    """
    if profile.format in ("csv", "tsv"):
        return read_delimited(con, path, profile, raw)
    if profile.format == "yaml":
        return _read_yaml(con, path, raw)
    if profile.format == "jsonl":
        return _read_json_lines(con, path, raw, profile)
    select = "SELECT * FROM read_parquet(?)"
    zone = wall_zone(profile.timezone, timezone)
    names = _store_typed(con, raw, select, [file_pattern(path)], zone)
    _number_in_order(con, raw)
    return Reading(tuple(names), scalar(con, f"SELECT count(*) FROM {raw}"))


def _read_json_lines(
    con: duckdb.DuckDBPyConnection, path: Path, raw: str, profile: Profile
) -> Reading:
    """JSON Lines, read by DuckDB line by line: one object per non-blank line; a line that is
    not one is a problem of its own (reason ``unreadable line``) and every other line is
    still read. Each value is the JSON text of its key (a string without its quotes).

    The file is never held in Python: DuckDB numbers its lines as it reads them, lists
    the keys in one pass and copies the values out in another.
    """
    lines = temp_name("jsonl")
    numbered = f"(SELECT row_number() OVER () AS n, l FROM {plain_lines(path, 'utf-8')})"
    blank = "regexp_full_match(coalesce(l, ''), '\\s*')"
    run(con, f"CREATE TEMP VIEW {lines} AS SELECT n, l, {blank} AS _blank, "
             f"CASE WHEN NOT {blank} AND json_valid(l) THEN json_type(CAST(l AS JSON)) = 'OBJECT' "
             "ELSE false END AS _ok "
             f"FROM {numbered}", [])  # fmt: skip
    try:
        keys = [
            str(key)
            for (key,) in execute(
                con,
                f"SELECT k FROM (SELECT n, generate_subscripts(json_keys(l), 1) AS i, "
                f"unnest(json_keys(l)) AS k FROM {lines} WHERE _ok) "
                "GROUP BY k ORDER BY min(n * 1000000 + i)",
                [],
            ).fetchall()
        ]
        bad = execute(
            con, f"SELECT n, l FROM {lines} WHERE NOT _blank AND NOT _ok ORDER BY n", []
        ).fetchall()
        rejected = tuple(
            DataProblem(str(path), int(n), UNREADABLE_LINE, None, _json_object_problem(text))
            for n, text in bad
        )
        if not keys:  # nothing to read: the profile's columns, no rows
            keys = list(dict.fromkeys(f.column for f in profile.fields if f.column))
        pointers = ["/" + key.replace("~", "~0").replace("/", "~1") for key in keys]
        values = "".join(f"json_extract_string(l, ?) AS c{i}, " for i in range(len(keys)))
        run(con, f"CREATE TEMP TABLE {raw} AS SELECT {values}n AS _line FROM {lines} "
                 "WHERE _ok ORDER BY n", pointers)  # fmt: skip
        count = scalar(con, f"SELECT count(*) FROM {raw}")
    finally:
        run(con, f"DROP VIEW IF EXISTS {lines}", [])
    return Reading(tuple(keys), count + len(rejected), rejected)


def _json_object_problem(line: str) -> str:
    """Why a line is not one JSON object."""
    try:
        value = json.loads(line)
    except ValueError as error:
        return f"not valid JSON: {error}"
    if not isinstance(value, dict):
        return f"a JSON {type(value).__name__} where an object was expected"
    return "not valid JSON for DuckDB's JSON reader"


def _read_yaml(con: duckdb.DuckDBPyConnection, path: Path, raw: str) -> Reading:
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
    selected = "".join(f"_r[{i + 1}] AS c{i}, " for i in range(len(columns)))
    run(
        con,
        f"CREATE TEMP TABLE {raw} AS SELECT {selected}_line FROM (SELECT "
        f"unnest(CAST(? AS BIGINT[])) AS _line, unnest(CAST(? AS VARCHAR[][])) AS _r)",
        [[line for line, _ in rows], [[row.get(name) for name in columns] for _, row in rows]],
    )
    return Reading(tuple(columns), len(rows))


def _yaml_text(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:null":
            return None
        return str(node.value)
    return yaml.serialize(node).strip()


def read_arrow(
    con: duckdb.DuckDBPyConnection, arrow: pa.Table, raw: str, *, timezone: str | None = None
) -> Reading:
    """Read a pyarrow table into the raw table ``raw``; ``_line`` is the row ordinal.

    Time-zone-aware timestamps are read in ``timezone`` (the contract's zone), else UTC.
    """
    view = temp_name("view")
    con.register(view, arrow)
    try:
        _store_typed(con, raw, f"SELECT * FROM {view}", [], wall_zone(None, timezone))
    finally:
        con.unregister(view)
    _number_in_order(con, raw)
    return Reading(tuple(str(c) for c in arrow.column_names), arrow.num_rows)


def to_arrow(data: Any) -> pa.Table:
    """A pyarrow, pandas or polars table (or a pyarrow record batch) as a pyarrow table.

    Raises:
        ValueError: ``data`` is none of these.
    """
    import pyarrow as pa

    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    to_arrow = getattr(data, "to_arrow", None)
    if callable(to_arrow):  # polars
        result = to_arrow(**_polars_level(data))
        if isinstance(result, pa.Table):
            return result
    if type(data).__module__.startswith("pandas"):
        return pa.Table.from_pandas(data, preserve_index=False)
    raise ValueError(
        f"cannot load a {type(data).__name__}; expected a pyarrow, pandas or polars table"
    )


def _polars_level(data: Any) -> dict[str, Any]:
    """For a polars table, the newest Arrow layout, which hands its text over without a copy
    (string views; older layouts copy every text into a large string)."""
    module = sys.modules.get(type(data).__module__.split(".")[0])
    level = getattr(getattr(module, "CompatLevel", None), "newest", None)
    return {"compat_level": level()} if callable(level) else {}


def _store_raw(
    con: duckdb.DuckDBPyConnection, raw: str, select: str, params: list[object], width: int
) -> None:
    """Store ``select`` as ``raw`` with columns renamed by position and cast to text."""
    if width == 0:
        run(con, f"CREATE TEMP TABLE {raw} AS SELECT 1 AS _dummy FROM ({select})", params)
        run(con, f"ALTER TABLE {raw} DROP COLUMN _dummy", [])
        return
    aliases = ", ".join(f"c{i}" for i in range(width))
    run(
        con,
        f"CREATE TEMP TABLE {raw} AS SELECT CAST(COLUMNS(*) AS VARCHAR) "
        f"FROM ({select}) AS _t({aliases})",
        params,
    )


def _store_typed(
    con: duckdb.DuckDBPyConnection, raw: str, select: str, params: list[object], zone: str
) -> list[str]:
    """Store the typed ``select`` as ``raw`` with columns renamed by position and written
    as text (:func:`~slalang.data.source_types.text_sql`); return its column names."""
    result = execute(con, f"DESCRIBE {select}", params).fetchall()
    names, types = [str(row[0]) for row in result], [str(row[1]) for row in result]
    if not names:
        _store_raw(con, raw, select, params, 0)
        return names
    aliases = ", ".join(f"c{i}" for i in range(len(names)))
    texts = ", ".join(f"{text_sql(t, f'c{i}', zone)} AS c{i}" for i, t in enumerate(types))
    run(con, f"CREATE TEMP TABLE {raw} AS SELECT {texts} FROM ({select}) AS _t({aliases})",
        params)  # fmt: skip
    return names


def _number_in_order(con: duckdb.DuckDBPyConnection, raw: str) -> None:
    """Add ``_line`` to ``raw``: the 1-based ordinal of each row."""
    _renumber(con, raw, f"SELECT *, rowid + 1 AS _line FROM {raw}", [])


def _renumber(
    con: duckdb.DuckDBPyConnection, raw: str, select: str, params: Sequence[object]
) -> None:
    """Replace ``raw`` by the result of ``select`` over it, in the same row order."""
    numbered = temp_name("numbered")
    run(con, f"CREATE TEMP TABLE {numbered} AS {select} ORDER BY _line", params)
    run(con, f"DROP TABLE {raw}", [])
    run(con, f"ALTER TABLE {numbered} RENAME TO {raw}", [])


def _describe(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> list[str]:
    result = execute(con, sql, params)
    description = result.description or []
    result.fetchall()
    return [str(column[0]) for column in description]


def first_line(error: object) -> str:
    """The first line of a reader's error message (its type's name when it has none)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
