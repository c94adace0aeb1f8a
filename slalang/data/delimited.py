"""Loading stage, delimited text: CSV and TSV read by DuckDB line by line.

DuckDB reads the file and splits it into lines (``\\r\\n``, ``\\n`` or ``\\r``; a file
may mix them), numbered from 1, so every row keeps the line it starts on; the
text is never held in Python, but DuckDB holds it whole while it splits it.
The raw relation is a view that splits the lines into fields as it is read. A line
is a record of its own unless a quoted value carries a line break. Most lines are
split into fields in SQL: those without the quote character, and those whose
quotes only wrap whole values with no delimiter inside. The other lines (a
delimiter or a doubled quote inside quotes, a quoted line break, a stray quote)
are parsed one record at a time here, following RFC 4180 leniently:

* a quote opens a quoted value only at the start of a field; elsewhere
  (``O"NEIL``) it is an ordinary character;
* a quoted value may span lines, up to :data:`MAX_QUOTED_LINES`, as long as no
  line it takes in whole has the header's number of fields by itself (more than
  two); the record then starts on the line of its first field;
* a quote that is never closed, a record spanning lines that does not have the
  header's number of fields, or text after a closing quote make the line
  where the record starts an ``unreadable line``, and reading goes on with the
  next line, so one broken quote never swallows the rows after it.

A line with more or fewer fields than the header is a ``wrong field count``.
Files in ``latin-1`` or ``utf-16``, or UTF-8 files with bytes that are not UTF-8
(read as U+FFFD), are decoded in Python and written to a temporary UTF-8 file
that DuckDB reads the same way.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb

from slalang.data.profiles import Profile
from slalang.data.report import UNREADABLE_LINE, WRONG_FIELD_COUNT, DataProblem, Reading
from slalang.data.sql import execute, file_pattern, run, scalar

MAX_QUOTED_LINES = 1000
"""How many line breaks one quoted value may hold; past that its quote is unclosed."""

_LINE_BREAKS = "\\r\\n|\\n|\\r"
_BATCH = 256  # lines fetched at a time while a quoted value spans lines

Fields = list[str | None]


def read_delimited(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    profile: Profile,
    raw: str,
) -> Reading:
    """Read a CSV or TSV export into ``raw``: a view over :func:`helper_tables`, all
    dropped by :func:`drop_raw`.

    Raises:
        duckdb.Error, OSError: the file cannot be read.
    """
    lines, parsed = helper_tables(raw)
    try:
        _read_lines(con, path, profile, lines)
        return _split(con, lines, parsed, path, profile, raw)
    except BaseException:
        drop_raw(con, raw)
        raise


def helper_tables(raw: str) -> tuple[str, str]:
    """The tables the view ``raw`` reads: the file's lines, and the records parsed here."""
    return f"{raw}_lines", f"{raw}_parsed"


def drop_raw(con: duckdb.DuckDBPyConnection, raw: str) -> None:
    """Drop a raw relation of any reader: a table, or this reader's view and its tables."""
    views = "SELECT count(*) FROM duckdb_views() WHERE temporary AND view_name = ?"
    if scalar(con, views, [raw]):
        run(con, f"DROP VIEW {raw}", [])
    for table in (raw, *helper_tables(raw)):
        run(con, f"DROP TABLE IF EXISTS {table}", [])


def _read_lines(con: duckdb.DuckDBPyConnection, path: Path, profile: Profile, lines: str) -> None:
    """Store the file's lines as ``lines(n, l)``, ``n`` from 1, without their breaks."""
    if profile.encoding == "utf-8":
        try:
            _store_lines(con, file_pattern(path), lines)
            return
        except duckdb.InvalidInputException:
            pass  # not valid UTF-8: decoded below, bad bytes replaced
    encoding = {"utf-8": "utf-8-sig", "utf-16": "utf-16", "latin-1": "latin-1"}[profile.encoding]
    text = path.read_bytes().decode(encoding, errors="replace")
    with tempfile.TemporaryDirectory(prefix="slalang-") as folder:
        copy = Path(folder) / "data.txt"
        copy.write_text(text, encoding="utf-8", newline="")
        del text
        _store_lines(con, file_pattern(copy), lines)


def _store_lines(con: duckdb.DuckDBPyConnection, pattern: str, lines: str) -> None:
    """Split at ``\\n`` and drop a ``\\r`` before it; split again at every kind of line
    break only when a ``\\r`` is left (a line ending with ``\\r`` alone), which is slower."""

    def store(split: str, text: str, params: list[object]) -> None:
        line = f"CASE WHEN n = 1 THEN ltrim({text}, chr(65279)) ELSE {text} END"
        run(
            con,
            f"CREATE OR REPLACE TEMP TABLE {lines} AS SELECT n, {line} AS l FROM "
            f"(SELECT generate_subscripts(_p, 1) AS n, unnest(_p) AS l "
            f"FROM (SELECT {split} AS _p FROM read_text(?)))",
            params,
        )

    store("string_split(content, chr(10))",
          "CASE WHEN suffix(l, chr(13)) THEN l[:-2] ELSE l END", [pattern])  # fmt: skip
    if scalar(con, f"SELECT count(*) FROM {lines} WHERE contains(l, chr(13))"):
        store("regexp_split_to_array(content, ?)", "l", [_LINE_BREAKS, pattern])


class _Lines:
    """The lines of the table ``lines``, fetched in batches as a record needs them."""

    def __init__(self, con: duckdb.DuckDBPyConnection, lines: str) -> None:
        self.con, self.lines = con, lines
        self.cache: dict[int, str] = {}

    def get(self, number: int) -> str | None:
        if number not in self.cache:
            rows = execute(
                self.con,
                f"SELECT n, l FROM {self.lines} WHERE n BETWEEN ? AND ? ORDER BY n",
                [number, number + _BATCH - 1],
            ).fetchall()
            self.cache.update((int(n), str(text)) for n, text in rows)
        return self.cache.get(number)

    def after(self, number: int) -> Callable[[int], str | None]:
        """The k-th line after line ``number``."""
        return lambda k: self.get(number + k)


def parse_record(
    first: str, more: Callable[[int], str | None], delimiter: str, quote: str, width: int = 0
) -> tuple[Fields, int, str | None]:
    """Parse the record that starts with the line ``first``.

    ``more(k)`` is the k-th line after it (``None`` past the end). With ``width`` (the
    header's number of fields) above 2, a quoted value never takes in a whole line
    that has that many fields by itself: its quote is not closed. Returns the fields
    (empty ones as ``None``), how many more lines the record spans, and what is
    wrong with its first line (then the fields are not to be used), or ``None``.
    """
    text, pos, extra = first, 0, 0
    fields: Fields = []
    while True:
        if quote and text.startswith(quote, pos):
            pos += len(quote)
            parts: list[str] = []
            while True:
                end = text.find(quote, pos)
                if end >= 0:
                    parts.append(text[pos:end])
                    if text.startswith(quote, end + len(quote)):
                        parts.append(quote)
                        pos = end + 2 * len(quote)
                        continue
                    pos = end + len(quote)
                    break
                if extra and width > 2 and text.count(delimiter) == width - 1:
                    following = None  # a whole record inside a quoted value: a stray quote
                else:
                    parts.append(text[pos:])
                    following = more(extra + 1) if extra < MAX_QUOTED_LINES else None
                if following is None:
                    return fields, 0, f"the quote opening field {len(fields) + 1} is not closed"
                parts.append("\n")
                text, pos, extra = following, 0, extra + 1
            fields.append("".join(parts) or None)
            if pos == len(text):
                return fields, extra, None
            if not text.startswith(delimiter, pos):
                return fields, 0, f"text after the quote closing field {len(fields)}"
            pos += len(delimiter)
        else:
            end = text.find(delimiter, pos)
            if end < 0:
                fields.append(text[pos:] or None)
                return fields, extra, None
            fields.append(text[pos:end] or None)
            pos = end + len(delimiter)


def _split(
    con: duckdb.DuckDBPyConnection,
    lines: str,
    parsed_table: str,
    path: Path,
    profile: Profile,
    raw: str,
) -> Reading:
    shown = str(path)
    source = _Lines(con, lines)
    head = execute(con, f"SELECT min(n) FROM {lines} WHERE l <> ''", []).fetchone()
    if head is None or head[0] is None:
        run(con, f"CREATE TEMP VIEW {raw} AS SELECT CAST(NULL AS BIGINT) AS _line WHERE false", [])
        return Reading((), 0)
    start = int(head[0])
    header, extra, wrong = parse_record(
        source.get(start) or "", source.after(start), profile.delimiter, profile.quote
    )
    if wrong is not None:
        raise OSError(f"cannot read the header line {start}: {wrong}")
    width = len(header)
    names = (
        tuple(name or "" for name in header)
        if profile.header
        else tuple(f"column{i + 1}" for i in range(width))
    )
    first_data = start + extra + 1 if profile.header else start
    rejected: list[DataProblem] = []
    records: list[tuple[int, Fields]] = []
    handled: list[int] = []  # lines parsed here: left out of the split in SQL
    if profile.quote:
        complex_lines = execute(
            con,
            f"SELECT n, l FROM {lines} WHERE n >= ? AND contains(l, ?) "
            f"AND NOT regexp_full_match(l, ?) ORDER BY n",
            [first_data, profile.quote, _simple_pattern(profile)],
        ).fetchall()
        done = 0  # the last line a record took
        for number, text in complex_lines:
            number = int(number)
            if number <= done:
                continue
            fields, extra, wrong = parse_record(
                str(text), source.after(number), profile.delimiter, profile.quote, width
            )
            if extra and len(fields) != width:
                wrong = (
                    f"a quoted value spans lines {number}-{number + extra} and the record "
                    f"has {len(fields)} fields instead of {width}"
                )
                extra = 0
            if wrong is not None:
                rejected.append(DataProblem(shown, number, UNREADABLE_LINE, None, wrong))
            elif len(fields) != width:
                rejected.append(_wrong_count(shown, number, len(fields), width))
            else:
                records.append((number, fields))
            handled.extend(range(number, number + extra + 1))
            done = number + extra
    if handled:
        run(con, f"DELETE FROM {lines} WHERE n IN (SELECT unnest(CAST(? AS BIGINT[])))", [handled])
    parsed = len(rejected) + len(records)
    # a view cannot take parameters: the delimiter and the quote (single characters)
    # are written as chr(code), the first data line as an integer
    delimiter = f"chr({ord(profile.delimiter)})"
    simple = (
        f"SELECT n, string_split(l, {delimiter}) AS _f FROM {lines} "
        f"WHERE n >= {int(first_data)} AND l <> ''"
    )
    for number, found in execute(
        con, f"SELECT n, len(_f) FROM ({simple}) WHERE len(_f) <> ? ORDER BY n", [width]
    ).fetchall():
        rejected.append(_wrong_count(shown, int(number), int(found), width))
    if profile.quote:
        quote = f"chr({ord(profile.quote)})"
        value = f"CASE WHEN starts_with(_f[{{i}}], {quote}) THEN _f[{{i}}][2:-2] ELSE _f[{{i}}] END"
    else:
        value = "_f[{i}]"
    columns = ", ".join(f"nullif({value.format(i=i + 1)}, '') AS c{i}" for i in range(width))
    listed = ", ".join(f"_r[{i + 1}]" for i in range(width))
    run(
        con,
        f"CREATE TEMP TABLE {parsed_table} AS SELECT unnest(CAST(? AS BIGINT[])) AS _line, "
        f"unnest(CAST(? AS VARCHAR[][])) AS _r",
        [[n for n, _ in records], [f for _, f in records]],
    )
    run(
        con,
        f"CREATE TEMP VIEW {raw} AS SELECT {columns}, n AS _line FROM ({simple}) "
        f"WHERE len(_f) = {width} UNION ALL SELECT {listed}, _line FROM {parsed_table}",
        [],
    )
    rows = scalar(con, f"SELECT count(*) FROM {lines} WHERE n >= ? AND l <> ''", [first_data])
    rejected.sort(key=lambda p: p.line)
    return Reading(names, rows + parsed, tuple(rejected))


def _simple_pattern(profile: Profile) -> str:
    """A line whose quotes only wrap whole values without a delimiter or quote inside."""
    quote, delimiter = (f"\\x{{{ord(c):x}}}" for c in (profile.quote, profile.delimiter))
    field = f"(?:{quote}[^{quote}{delimiter}]*{quote}|[^{quote}{delimiter}]*)"
    return f"{field}(?:{delimiter}{field})*"


def _wrong_count(shown: str, line: int, found: int, width: int) -> DataProblem:
    return DataProblem(shown, line, WRONG_FIELD_COUNT, None, f"{found} fields instead of {width}")
