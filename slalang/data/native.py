"""Loading stage, delimited text at DuckDB's speed: CSV and TSV read by DuckDB's own reader.

The canonical table of a CSV or TSV export is a view: DuckDB's CSV reader parses
the file as a query reads it, streaming, and the profile's conversion and checks
(:func:`~slalang.data.convert.staging`) run on each record as it goes by. The file
is never held in memory, in Python or in DuckDB, and nothing is copied.

One pass over the file (:func:`_status`) counts everything the report needs: the
rows by minute of their record time, by ``exclude`` rule and by the checks they
fail, and the time range of each timestamp field. Lines DuckDB rejects (a wrong
number of fields, text after a closing quote) are stored by DuckDB with their line
number and raw text, and judged again here the way :mod:`slalang.data.delimited`
judges them, so the reasons and details are the same. Only when rows are malformed
is the file read a second time, to list them with their lines and raw values; only
when the data's time range holds clock times its zone skips is the status pass run
again with those times among the checks.

DuckDB's reading is used only where it provably agrees with the line-by-line
reader of :mod:`slalang.data.delimited`, which keeps every case of its own: a file
is read here when every record is on a line of its own. That is checked, not
assumed: the file's physical lines, counted by DuckDB as plain text
(:func:`_line_facts`), must add up to the header, the records read, the lines
rejected and the blank lines at its end. A quoted line break, an unclosed quote, two
stray quotes, mixed line endings, a blank line among the records, bytes that are not
in the profile's encoding, a header DuckDB would read otherwise, a line with
hundreds of fields more than the header (whose rejection DuckDB reports once per extra
field), or any disagreement about a rejected line: :func:`load_native` returns
``None`` and the file is read by :mod:`slalang.data.delimited`.

Line numbers: DuckDB numbers rejected lines but not the records it reads, so each
record's line is its ordinal (``row_number() OVER ()``, in file order) plus the
header and the blank or rejected lines before it (:func:`_line_sql`). A query that
does not read ``_line`` does not compute it.

A view cannot take parameters: its values (the file's path, the delimiter, the
profile's literals) are written as literals by :func:`~slalang.data.sql.literal`.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import attrs
import duckdb

from slalang.data.convert import (
    Staging,
    ambiguous_times,
    column_sql,
    output_names,
    skipped_spans,
    staging,
    time_name,
)
from slalang.data.delimited import parse_record
from slalang.data.profiles import Profile, check_columns
from slalang.data.report import (
    UNREADABLE_LINE,
    WRONG_FIELD_COUNT,
    DataProblem,
    LoadReport,
    Pending,
    failed,
)
from slalang.data.sql import (
    drop_relation,
    execute,
    file_pattern,
    inline,
    literal,
    quote,
    run,
    temp_name,
)

MAX_LINE_BYTES = 1 << 21
"""The longest line DuckDB is asked to read (2 MiB, its default; its buffers grow with it);
a file with a longer one is read line by line."""

EXTRA_FIELDS = 256
"""A line longer than 4 KiB with more delimiters than the header's fields plus this is
left to the line-by-line reader (DuckDB reports such a line once per extra field)."""

SHIFT_CASES = 64
"""Up to this many blank or rejected lines, a record's line is computed with a CASE; past
it, with a join on blocks of records."""

_BLOCK = 4096
_SCAN = "_slalang_scan_"
_HEAD_BYTES = 1 << 16
_DECODERS = {"utf-8": "utf-8-sig", "utf-16": "utf-16", "latin-1": "latin-1"}
_REJECTED = {"MISSING COLUMNS", "TOO MANY COLUMNS", "UNQUOTED VALUE"}


@attrs.frozen
class _Header:
    names: tuple[str, ...]
    lines: int  # lines before the first record: 1 with a header, 0 without


@attrs.frozen
class _Lines:
    total: int
    blank: tuple[int, ...]  # the blank lines, by number


def load_native(
    con: duckdb.DuckDBPyConnection,
    *,
    path: Path,
    profile: Profile,
    table: str,
    shown: str,
    strict: bool,
    timezone: str | None,
    max_problems: int,
    defer: bool = False,
) -> LoadReport | None:
    """Load a CSV or TSV export as a view over the file, or return ``None`` when the file
    needs the line-by-line reader of :mod:`slalang.data.delimited` (see the module's text).

    With ``defer``, the counting pass may be left to the first query that reads the
    records: the report then is :attr:`LoadReport.pending` (see :func:`_deferred`).

    Raises:
        duckdb.Error, OSError: the file cannot be read.
    """
    header = _header(path, profile)
    if header is None:
        return None
    missing = check_columns(profile, header.names)
    if missing:
        return failed(table, missing, strict)
    width = len(header.names)
    facts = _line_facts(con, path, profile, width)
    if facts is None:
        return None
    trailing = 0  # blank lines after the last record do not move any record's line
    while trailing < len(facts.blank) and facts.blank[-1 - trailing] == facts.total - trailing:
        trailing += 1
    if trailing < len(facts.blank):
        # DuckDB reads a "\r\n" inside a file of "\n" line ends as two line ends, where
        # the line-by-line reader sees one: a blank line among the records may be such a
        # pair, so the line-by-line reader numbers this file's lines
        return None
    file = _File(path, profile, header, facts, timezone, shown, table, strict, max_problems)
    if defer:
        deferred = _deferred(con, file)
        if deferred is not None:
            return deferred
    return _counted(con, file)


@attrs.frozen
class _File:
    """A file to load, and how: what :func:`load_native` found before the counting pass."""

    path: Path
    profile: Profile
    header: _Header
    facts: _Lines
    timezone: str | None
    shown: str
    table: str
    strict: bool
    max_problems: int


def _counted(con: duckdb.DuckDBPyConnection, file: _File) -> LoadReport | None:
    """The load, with a pass over the file of its own to count what its checks find."""
    path, profile, header, table = file.path, file.profile, file.header, file.table
    status = _Status.run(con, path, profile, header, file.timezone, file.shown, table, gaps=None)
    if status is None:
        return None
    gaps = status.gaps()
    if gaps:
        status = _Status.run(
            con, path, profile, header, file.timezone, file.shown, table, gaps=gaps
        )
        if status is None:
            return None
    return _complete(con, file, status)


def _complete(con: duckdb.DuckDBPyConnection, file: _File, status: _Status) -> LoadReport | None:
    skipped = sorted([*file.facts.blank, *status.rejected])
    if file.facts.total != file.header.lines + status.records + len(skipped):
        return None  # a record spans lines somewhere, or DuckDB split lines otherwise
    breaks = [line - file.header.lines - 1 - rank for rank, line in enumerate(skipped)]
    return _finish(
        con,
        status=status,
        breaks=breaks,
        table=file.table,
        shown=file.shown,
        strict=file.strict,
        max_problems=file.max_problems,
    )


def _deferred(con: duckdb.DuckDBPyConnection, file: _File) -> LoadReport | None:
    """The load with its counting left to the first query that reads every record.

    The table is for now a view of the records that pass the checks; a second view,
    :attr:`~slalang.data.report.Pending.relation`, holds every record with the
    ``_excl`` and ``_problems`` of the checks. A query over it that counts its records
    by those two columns (the engine's first scan, see
    :class:`slalang.engine.duckdb_engine.Screen`) hands the counts to
    :meth:`~slalang.data.report.Pending.finish`, which completes the load from them
    (the lines DuckDB rejected meanwhile are in the view's rejects tables): the file
    is read once for both. Files whose records fail checks are counted again by minute
    (the report places them in time), as are files whose zone skips clock times (the
    skipped ones are found from the data's time range). ``None`` when the checks need
    such a count first.
    """
    path, profile, header, table = file.path, file.profile, file.header, file.table
    rejects = (f"_slalang_rejects_{table}", f"_slalang_rejects_scan_{table}")
    staged, checked = _checked(path, profile, header, file.timezone, None, rejects, numbered=True)
    if staged.skipped:
        return None
    every = f"_slalang_all_{table}"
    names = output_names(staged.profile)
    selected = ", ".join(f"{column_sql(staged.profile, n)} AS {quote(n)}" for n in names)
    drop_relation(con, every)
    run(con, f"CREATE VIEW {quote(every)} AS SELECT {selected}, _excl, _problems "
             f"FROM ({checked})", [])  # fmt: skip
    drop_relation(con, table)
    shown = ", ".join(quote(n) for n in names)
    run(con, f"CREATE VIEW {quote(table)} AS SELECT {shown}, CAST(NULL AS BIGINT) AS _line "
             f"FROM {quote(every)} WHERE _excl IS NULL AND len(_problems) = 0", [])  # fmt: skip

    def finish(counts: list[tuple[object, ...]] | None) -> LoadReport | None:
        if counts is None:
            return _counted(con, file)
        found = _rejects(con, rejects)
        if found is None or found or any(excl is None and problems for excl, problems, _ in counts):
            return _counted(con, file)  # problems are counted by minute, rejects judged
        status = _Status(
            staged=staged,
            checked=checked,
            header=header,
            path=path,
            profile=profile,
            groups=tuple(_group(key) for key in counts),
            bounds=(),
            rejected=(),
            rejected_problems=(),
        )
        return _complete(con, file, status)

    return LoadReport(
        table=table,
        rows_read=0,
        rows_loaded=0,
        problems=(),
        problem_counts={},
        excluded={},
        strict=file.strict,
        pending=Pending(every, ("_excl", "_problems"), finish),
    )


def _header(path: Path, profile: Profile) -> _Header | None:
    """The export's column names from its first line, or ``None`` when that line is empty,
    holds a quote that spans lines, or cannot be read (the line-by-line reader decides)."""
    size = _HEAD_BYTES
    with path.open("rb") as file:
        while True:
            head = file.read(size)
            text = head.decode(_DECODERS[profile.encoding], errors="replace")
            cut = min((i for i in (text.find("\n"), text.find("\r")) if i >= 0), default=-1)
            if cut >= 0 or len(head) < size:
                break
            file.seek(0)
            size *= 4
    if not text:
        return None
    first = text[:cut] if cut >= 0 else text
    if not first or "\ufffd" in first:
        return None
    fields, extra, wrong = parse_record(first, lambda _: None, profile.delimiter, profile.quote)
    if wrong is not None or extra:
        return None
    if profile.header:
        return _Header(tuple(name or "" for name in fields), 1)
    return _Header(tuple(f"column{i + 1}" for i in range(len(fields))), 0)


def _options(delimiter: str, encoding: str) -> list[str]:
    """The options every reading of a file here shares (the profile's encoding names are
    DuckDB's)."""
    return [
        "auto_detect = false",
        f"delim = {literal(delimiter)}",
        f"encoding = {literal(encoding)}",
        f"max_line_size = {MAX_LINE_BYTES}",
    ]


def _scan(
    path: Path,
    profile: Profile,
    header: _Header,
    rejects: tuple[str, str],
) -> str:
    """DuckDB's reader over the file: columns ``c0, c1, ...`` as text; rejected lines stored
    in the two ``rejects`` tables.

    Every column is read as text: DuckDB converts only the columns a query reads, so a
    value it could not convert would reject its line in some queries and not in others.
    The lines it rejects for their shape (a wrong number of fields, a quote) are the same
    whatever a query reads. Rejected lines are always stored: DuckDB 2.0's reader, told
    only to skip them (``ignore_errors``), stops reading at the first line with text
    after a closing quote when it reads the file in parallel.
    """
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header.names)))
    options = [
        f"columns = {{{columns}}}",
        f"header = {'true' if header.lines else 'false'}",
        f"quote = {literal(profile.quote)}",
        f"escape = {literal(profile.quote)}",
        "strict_mode = true",
        "null_padding = false",
        *_options(profile.delimiter, profile.encoding),
    ]
    errors, scans = rejects
    options += [
        "store_rejects = true",
        f"rejects_table = {literal(errors)}",
        f"rejects_scan = {literal(scans)}",
    ]
    return f"read_csv({literal(file_pattern(path.absolute()))}, {', '.join(options)})"


def plain_lines(path: Path, encoding: str) -> str:
    """DuckDB's reader over the file as plain lines, one column ``l``, in file order (a
    blank line is null); the path is written as a literal, so a view can hold it."""
    return (
        f"read_csv({literal(file_pattern(path.absolute()))}, columns = {{'l': 'VARCHAR'}}, "
        "header = false, quote = '', escape = '', strict_mode = false, "
        f"{', '.join(_options(chr(1), encoding))})"
    )


def _line_facts(
    con: duckdb.DuckDBPyConnection, path: Path, profile: Profile, width: int
) -> _Lines | None:
    """The file's physical lines, counted by DuckDB as plain text, and its blank lines; or
    ``None`` when the text cannot be read so or a long line has far too many fields."""
    lines = plain_lines(path, profile.encoding)
    delimiter = literal(profile.delimiter)
    # a CASE, so that only the long lines are counted through
    crowded = (
        f"CASE WHEN strlen(l) > 4096 THEN length(l) - length(replace(l, {delimiter}, '')) "
        f"> {int(width) + EXTRA_FIELDS} ELSE false END"
    )
    blank = "coalesce(l, '') IN ('', chr(13))"
    try:
        total, blanks, wide = execute(
            con,
            f"SELECT count(*), count(*) FILTER ({blank}), bool_or({crowded}) FROM {lines}",
            [],
        ).fetchone() or (0, 0, False)
        if wide:
            return None
        numbers: list[int] = []
        if blanks:
            numbers = [
                int(n)
                for (n,) in execute(
                    con,
                    f"SELECT n FROM (SELECT row_number() OVER () AS n, l FROM {lines}) "
                    f"WHERE {blank} ORDER BY n",
                    [],
                ).fetchall()
            ]
    except duckdb.Error:
        return None
    return _Lines(int(total), tuple(numbers))


@attrs.frozen
class _Status:
    """What one pass over the file found."""

    staged: Staging
    checked: str  # the SELECT of converted and checked records (no parameters)
    header: _Header
    path: Path
    profile: Profile
    groups: tuple[tuple[dt.datetime | None, int | None, tuple[int, ...], int], ...]
    bounds: tuple[tuple[object, object, object, object], ...]  # per stamp: all, loaded
    rejected: tuple[int, ...]  # lines
    rejected_problems: tuple[DataProblem, ...]

    @property
    def records(self) -> int:
        return sum(n for *_, n in self.groups)

    @staticmethod
    def run(
        con: duckdb.DuckDBPyConnection,
        path: Path,
        profile: Profile,
        header: _Header,
        timezone: str | None,
        shown: str,
        table: str,
        gaps: dict[str, list[tuple[dt.datetime, dt.datetime]]] | None,
    ) -> _Status | None:
        rejects = (temp_name("rejects"), temp_name("rejects_scan"))
        staged, counting = _checked(path, profile, header, timezone, gaps, rejects, numbered=False)
        time = _time_flag(staged)
        minute = f"date_trunc('minute', CAST({time} AS TIMESTAMP))" if time else "NULL"
        loaded = "_excl IS NULL AND len(_problems) = 0"
        ranges = "".join(
            f", min({c}), max({c}), min({c}) FILTER ({loaded}), max({c}) FILTER ({loaded})"
            for c, _ in staged.stamps
        )
        try:
            rows = execute(
                con,
                f"SELECT {minute} AS _m, _excl, _problems, count(*){ranges} "
                f"FROM ({counting}) GROUP BY ALL",
                [],
            ).fetchall()
        except duckdb.Error:
            _rejects(con, rejects)  # dropped
            return None  # DuckDB cannot read the file so (mixed line endings, ...)
        found = _rejects(con, rejects)
        if found is None:
            return None
        problems: list[DataProblem] = []
        for line, kinds, text in found:
            if not set(kinds) <= _REJECTED:
                return None  # bytes not in the encoding, a line too long: read line by line
            problem = _rejected_line(shown, int(line), str(text), profile, len(header.names))
            if problem is None:
                return None  # DuckDB rejects a line the line-by-line reader reads
            problems.append(problem)
        stamps = len(staged.stamps)
        bounds = []
        for number in range(stamps):
            values = [row[4 + 4 * number : 8 + 4 * number] for row in rows]
            bounds.append(
                (
                    min((v[0] for v in values if v[0] is not None), default=None),
                    max((v[1] for v in values if v[1] is not None), default=None),
                    min((v[2] for v in values if v[2] is not None), default=None),
                    max((v[3] for v in values if v[3] is not None), default=None),
                )
            )
        # the view's own reading stores its rejected lines in tables of its own, each time
        # it is read
        own = (f"_slalang_rejects_{table}", f"_slalang_rejects_scan_{table}")
        _, view = _checked(path, profile, header, timezone, gaps, own, numbered=True)
        return _Status(
            staged=staged,
            checked=view,
            header=header,
            path=path,
            profile=profile,
            groups=tuple(
                (m, None if e is None else int(e), tuple(int(p) for p in problems_), int(n))
                for m, e, problems_, n, *_ in rows
            ),
            bounds=tuple(bounds),
            rejected=tuple(p.line for p in problems),
            rejected_problems=tuple(problems),
        )

    def gaps(self) -> dict[str, list[tuple[dt.datetime, dt.datetime]]]:
        """The clock times the wall zone skips within each timestamp's range, if any."""
        zone = self.staged.wall_zone
        if zone is None:
            return {}
        found = {}
        for (local, _), (low, high, _, _) in zip(self.staged.stamps, self.bounds, strict=True):
            spans = skipped_spans(zone, low, high)
            if spans:
                found[local] = spans
        return found


def _group(key: tuple[object, ...]) -> tuple[None, int | None, tuple[int, ...], int]:
    """A count of the engine's screen as a group of the counting pass (no minute)."""
    excl, problems, n = key
    assert isinstance(problems, tuple | list)
    return (None, None if excl is None else int(str(excl)), tuple(int(p) for p in problems),
            int(str(n)))  # fmt: skip


def _checked(
    path: Path,
    profile: Profile,
    header: _Header,
    timezone: str | None,
    gaps: dict[str, list[tuple[dt.datetime, dt.datetime]]] | None,
    rejects: tuple[str, str],
    *,
    numbered: bool,
) -> tuple[Staging, str]:
    """The profile's conversion and checks over DuckDB's reading of the file (no
    parameters: the scan's literals are written in after the placeholders are filled in).

    Records are numbered as DuckDB reads them, in file order, right over the reader
    (``_row``); a query that does not read the number does not compute it, but a window
    under a grouping is computed, and makes the reading serial: a counting pass takes
    ``numbered=False``.
    """
    staged = staging(profile, header.names, raw=_SCAN, timezone=timezone, gaps=gaps,
                     keep_raw=True)  # fmt: skip
    text = inline(staged.sql, staged.params)
    assert text.count(_SCAN) == 1
    scan = _scan(path, profile, header, rejects)
    row = "row_number() OVER ()" if numbered else "CAST(NULL AS BIGINT)"
    return staged, text.replace(_SCAN, f"(SELECT *, {row} AS _row FROM {scan}) AS _r")


def _rejects(
    con: duckdb.DuckDBPyConnection, rejects: tuple[str, str]
) -> list[tuple[int, list[str], str]] | None:
    """The lines DuckDB rejected in the last reading that stored them in ``rejects``
    (line, kinds of error, text), which are then dropped; ``None`` if they cannot be read."""
    errors, scans = rejects
    try:
        return [
            (int(line), list(kinds), str(text))
            for line, kinds, text in execute(
                con,
                f"SELECT line, list(DISTINCT error_type), any_value(csv_line) FROM {errors} "
                "GROUP BY line ORDER BY line",
                [],
            ).fetchall()
        ]
    except duckdb.Error:
        return None
    finally:
        run(con, f"DROP TABLE IF EXISTS {errors}", [])
        run(con, f"DROP TABLE IF EXISTS {scans}", [])


def _time_flag(staged: Staging) -> str | None:
    name = time_name(staged.profile)
    return next((f"_f{i}" for i, f in enumerate(staged.profile.fields) if f.name == name), None)


def _rejected_line(
    path: str, line: int, text: str, profile: Profile, width: int
) -> DataProblem | None:
    """A line DuckDB rejected, judged as :mod:`slalang.data.delimited` judges it, or ``None``
    when that reader would read it (or the text is not one line)."""
    text = text.lstrip("\r\n")
    if "\n" in text or "\r" in text:
        return None
    fields, _, wrong = parse_record(text, lambda _: None, profile.delimiter, profile.quote, width)
    if wrong is not None:
        return DataProblem(path, line, UNREADABLE_LINE, None, wrong)
    if len(fields) != width:
        detail = f"{len(fields)} fields instead of {width}"
        return DataProblem(path, line, WRONG_FIELD_COUNT, None, detail)
    return None


def _line_sql(header_lines: int, breaks: Sequence[int], blocks: str | None) -> str:
    """The line of the record numbered ``_row``: its ordinal, plus the lines before the
    first record, plus the blank or rejected lines before it (``breaks[i]`` records come
    before the i-th of them)."""
    base = f"_row + {int(header_lines)}"
    if not breaks:
        return base
    if blocks is None:
        cases = " ".join(
            f"WHEN _row > {int(g)} THEN {i + 1}" for i, g in reversed(list(enumerate(breaks)))
        )
        return f"{base} + CASE {cases} ELSE 0 END"
    return f"{base} + _k._base + len(list_filter(_k._breaks, lambda _b: _b < _row))"


def _finish(
    con: duckdb.DuckDBPyConnection,
    *,
    status: _Status,
    breaks: list[int],
    table: str,
    shown: str,
    strict: bool,
    max_problems: int,
) -> LoadReport | None:
    staged = status.staged
    blocks = None
    if len(breaks) > SHIFT_CASES:
        blocks = f"_slalang_lines_{table}"
        _store_blocks(con, blocks, breaks, status.records)
    join = f" LEFT JOIN {blocks} AS _k ON _k._block = (_c._row - 1) // {_BLOCK}" if blocks else ""
    line = _line_sql(status.header.lines, breaks, blocks)
    numbered = f"(SELECT _c.*, {line} AS _line FROM ({status.checked}) AS _c{join})"
    loaded = "_excl IS NULL AND len(_problems) = 0"
    # the view tests only what the pass found: a file whose every record is fine is read
    # without the checks, and without the columns no query asks for
    filters = []
    if any(excl is not None for _, excl, _, _ in status.groups):
        filters.append("_excl IS NULL")
    if any(excl is None and problems for _, excl, problems, _ in status.groups):
        filters.append("len(_problems) = 0")
    where = f" WHERE {' AND '.join(filters)}" if filters else ""
    selected = [f"{column_sql(staged.profile, name)} AS {quote(name)}"
                for name in output_names(staged.profile)]  # fmt: skip
    drop_relation(con, table)
    run(
        con,
        f"CREATE VIEW {quote(table)} AS SELECT {', '.join(selected)}, _line FROM {numbered}"
        + where,
        [],
    )
    counts: dict[str, int] = {}
    excluded: dict[str, int] = {}
    for problem in status.rejected_problems:
        counts[problem.reason] = counts.get(problem.reason, 0) + 1
    malformed: dict[dt.datetime | None, int] = {}
    if status.rejected_problems:
        malformed[None] = malformed.get(None, 0) + len(status.rejected_problems)
    loaded_at: dict[dt.datetime, int] = {}
    rows_loaded = 0
    listing = False
    for minute, excl, problems, n in status.groups:
        if excl is not None:
            reason = staged.profile.exclude[excl].reason
            excluded[reason] = excluded.get(reason, 0) + n
        elif problems:
            for number in problems:
                reason = staged.checks[number].reason
                counts[reason] = counts.get(reason, 0) + n
            malformed[minute] = malformed.get(minute, 0) + n
            listing = True
        else:
            rows_loaded += n
            if minute is not None:
                loaded_at[minute] = loaded_at.get(minute, 0) + n
    found = list(status.rejected_problems[:max_problems])
    if listing:
        found += _listed(con, status, breaks, shown, max_problems)
        found.sort(key=lambda p: p.line)
    ambiguous = None
    zone = staged.wall_zone
    if zone is not None and staged.stamps:
        ambiguous = ambiguous_times(
            con, relation=numbered, stamps=staged.stamps, zone=zone, shown=shown, where=loaded,
            bounds=[value for _, _, low, high in status.bounds for value in (low, high)],
        )  # fmt: skip
    return LoadReport(
        table=table,
        rows_read=status.records + len(status.rejected),
        rows_loaded=rows_loaded,
        problems=tuple(found[:max_problems]),
        problem_counts=counts,
        excluded=excluded,
        strict=strict,
        malformed_at=tuple(sorted(malformed.items(), key=_moment)) if counts else (),
        loaded_at=tuple(sorted(loaded_at.items())) if counts else (),
        ambiguous=ambiguous,
    )


def _moment(item: tuple[dt.datetime | None, int]) -> tuple[bool, dt.datetime]:
    return (item[0] is not None, item[0] or dt.datetime.min)


def _store_blocks(
    con: duckdb.DuckDBPyConnection, name: str, breaks: Sequence[int], records: int
) -> None:
    """For each block of records, the breaks before it and those inside it."""
    bases, inside = [], []
    for block in range(records // _BLOCK + 1):
        first = block * _BLOCK + 1
        bases.append(bisect.bisect_left(breaks, first))
        inside.append(list(breaks[bases[-1] : bisect.bisect_left(breaks, first + _BLOCK)]))
    run(con, f"DROP TABLE IF EXISTS {name}", [])
    run(
        con,
        f"CREATE TEMP TABLE {name} AS SELECT generate_subscripts(_b, 1) - 1 AS _block, "
        "unnest(_b) AS _base, unnest(_i) AS _breaks "
        "FROM (SELECT CAST(? AS BIGINT[]) AS _b, CAST(? AS BIGINT[][]) AS _i)",
        [bases, inside],
    )


def _listed(
    con: duckdb.DuckDBPyConnection,
    status: _Status,
    breaks: Sequence[int],
    shown: str,
    limit: int,
) -> list[DataProblem]:
    """The first ``limit`` malformed records (not excluded), each problem with the raw
    values involved, as the file spells them (its lines are read again for them).

    Records are numbered in file order, so the first by number are the first by line;
    only their lines are worked out (as :func:`_line_sql` does, here in Python).
    """
    rows = execute(
        con,
        f"SELECT _row, _problems FROM ({status.checked}) "
        "WHERE _excl IS NULL AND len(_problems) > 0 ORDER BY _row LIMIT ?",
        [limit],
    ).fetchall()
    numbered = [
        (int(row) + status.header.lines + bisect.bisect_left(breaks, int(row)), problems)
        for row, problems in rows
    ]
    texts = _raw_lines(con, status.path, status.profile, [line for line, _ in numbered])
    names = status.header.names
    found = []
    for line, problems in numbered:
        fields, _, _ = parse_record(
            texts.get(line, ""), lambda _: None, status.profile.delimiter,
            status.profile.quote,
        )  # fmt: skip
        values: dict[str, str | None] = {}
        for name, cell in zip(names, fields, strict=False):
            values.setdefault(name, cell)
        for number in problems:
            check = status.staged.checks[int(number)]
            detail = ", ".join(f"{c}={values.get(c)!r}" for c in check.columns)
            found.append(DataProblem(shown, line, check.reason, check.field, detail))
    return found


def _raw_lines(
    con: duckdb.DuckDBPyConnection, path: Path, profile: Profile, numbers: Sequence[int]
) -> dict[int, str]:
    """The text of some lines of the file, by number."""
    if not numbers:
        return {}
    lines = plain_lines(path, profile.encoding)
    rows = execute(
        con,
        f"SELECT n, l FROM (SELECT row_number() OVER () AS n, l FROM {lines}) "
        "WHERE list_contains(?, n)",
        [list(numbers)],
    ).fetchall()
    return {int(n): (text or "").removesuffix("\r") for n, text in rows}
