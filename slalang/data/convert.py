"""Loading stage, applying a profile: a raw text table into a canonical table and a report.

:func:`apply_profile` compiles a :class:`~slalang.data.profiles.Profile` into one SQL
``SELECT`` over the raw table of :mod:`slalang.data.readers`: every field's value is
converted to its canonical type, every row is checked (unparsable values,
negative durations or counts, impossible timestamps, values not allowed,
missing required values, ``validate`` rules) and matched against the
``exclude`` rules. The rows with neither a problem nor an exclusion become the
canonical table; the others are counted by reason, and the problems listed by
line with the raw values involved. Every literal of a profile is a bound
parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

import attrs
import duckdb

from slalang.data.profile_model import BOOLEAN_SPELLINGS
from slalang.data.profiles import ALLOWED_VALUES, FieldMap, Profile, canonical_names, field_type
from slalang.data.report import (
    IMPOSSIBLE_TIMESTAMP,
    MISSING_VALUE,
    NEGATIVE_COUNT,
    NEGATIVE_DURATION,
    NOT_ALLOWED,
    UNPARSABLE,
    AmbiguousTimes,
    DataProblem,
    LoadReport,
    Reading,
)
from slalang.data.sql import drop_relation, execute, quote, run, scalar, temp_name
from slalang.data.zones import Span, fixed, folds, gaps
from slalang.expr import to_sql
from slalang.lang.canonical import TABLES, TIME_FIELDS

YEARS = (1900, 2199)
"""Timestamps and dates outside these years are impossible."""

SQL_TYPES = {
    "text": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
}
"""The DuckDB type of each canonical field type."""


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
        self.aliases: list[str] = []
        self.params: list[object] = []

    def add(self, sql: str, alias: str, params: Sequence[object] = ()) -> None:
        self.items.append(f"{sql} AS {alias}")
        self.aliases.append(alias)
        self.params.extend(params)

    def text(self) -> str:
        return ", ".join(self.items)


@attrs.frozen
class Staging:
    """The ``SELECT`` that converts and checks the rows of a raw relation, and what it means.

    Attributes:
        sql: the query; ``?`` placeholders for :attr:`params`.
        params: the bound values, in textual order.
        profile: the profile with only its active fields (an optional field whose
            column is absent is left out).
        checks: every kind of problem, numbered as in ``_problems``.
        skipped: ``(local time column, check number)`` of each timestamp field whose
            clock times the wall zone may skip (judged later unless ``gaps`` were given).
        stamps: ``(local time column, field)`` of each timestamp, for repeated clock times.
        wall_zone: the zone the data's clock times are read in, if any.
    """

    sql: str
    params: tuple[object, ...]
    profile: Profile
    checks: tuple[_Check, ...]
    skipped: tuple[tuple[str, int], ...]
    stamps: tuple[tuple[str, str], ...]
    wall_zone: str | None


def staging(
    profile: Profile,
    names: Sequence[str],
    *,
    raw: str,
    timezone: str | None,
    gaps: Mapping[str, Sequence[Span]] | None = None,
    keep_raw: bool = False,
) -> Staging:
    """Compile ``profile`` into one ``SELECT`` over ``raw``, whose columns ``c0, c1, ...``
    hold the export's columns ``names`` as text, plus ``_line`` unless ``keep_raw``.

    The result has the converted fields ``_f0, _f1, ...``, ``_excl`` (the first
    ``exclude`` rule that matches) and ``_problems`` (the numbers of the checks that
    fail). With ``gaps`` (local time column -> the spans the wall zone skips), the
    skipped clock times are judged in the query itself; otherwise a check that is
    always false stands for them and :func:`apply_profile` marks them afterwards.
    With ``keep_raw`` the raw columns and the record number ``_row`` of ``raw`` are
    kept (for a view, where they cost nothing unless read) instead of ``_line``.
    """
    columns: dict[str, str] = {}
    for index, name in enumerate(names):
        columns.setdefault(name, f"c{index}")
    active = [f for f in profile.fields if not (f.optional and f.column not in columns)]
    profile = attrs.evolve(profile, fields=tuple(active))
    first, second, third = _Select(), _Select(), _Select()
    if keep_raw:
        first.items.append(", ".join([*(f"c{i}" for i in range(len(names))), "_row"]))
    else:
        first.add("_line", "_line")
    checks: list[_Check] = []
    convert_zone = (
        timezone is not None and profile.timezone is not None and timezone != profile.timezone
    )
    wall_zone = profile.timezone or timezone  # the zone the data's clock times are read in
    # a zone of one offset (UTC) never skips or repeats a clock time: nothing to check
    clock_changes = wall_zone is not None and not fixed(wall_zone)
    skipped: list[tuple[str, int]] = []  # (local time column, check number) for DST gaps
    outcome = next((f"_f{i}" for i, f in enumerate(profile.fields) if f.name == "outcome"), None)
    stamps: list[tuple[str, str]] = []  # (local time column, field) for repeated clock times
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
        sql, params = _convert(field, value, wall_zone)
        local = flag
        if convert_zone and field.type == "timestamp":
            local = f"_l{index}"
            second.add(sql, local, params)
            sql, params = f"timezone(?, timezone(?, {sql}))", [timezone, profile.timezone, *params]
        second.add(sql, flag, params)
        checks.extend(_field_checks(index, field, profile.kind, outcome))
        if clock_changes and field.type == "timestamp":
            skipped.append((local, len(checks)))
            stamps.append((local, field.name))
            condition: str = "FALSE"
            values: tuple[object, ...] = ()
            if gaps is not None and gaps.get(local):
                found, bound = within_spans(local, gaps[local])
                condition, values = found, tuple(bound)
            checks.append(_Check(condition, values, IMPOSSIBLE_TIMESTAMP, field.name,
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
    # the raw values and the rules' results are only needed to compute the checks
    scratch = ", ".join(a for a in first.aliases if a != "_line")
    exclude = f" EXCLUDE ({scratch})" if scratch else ""
    query = (
        f"SELECT *{exclude}, {third.text()} FROM "
        f"(SELECT *, {second.text()} FROM (SELECT {first.text()} FROM {raw}))"
    )
    return Staging(
        sql=query,
        params=(*third.params, *second.params, *first.params),
        profile=profile,
        checks=tuple(checks),
        skipped=tuple(skipped),
        stamps=tuple(stamps),
        wall_zone=wall_zone,
    )


def apply_profile(
    con: duckdb.DuckDBPyConnection,
    *,
    raw: str,
    reading: Reading,
    profile: Profile,
    table: str,
    shown: str,
    strict: bool,
    timezone: str | None,
    max_problems: int,
) -> LoadReport:
    """Convert and check the rows of ``raw`` through ``profile`` into the table ``table``.

    Args:
        con: the connection holding ``raw``.
        raw: the raw text table a reader stored, with ``_line``.
        reading: what the reader read (column names, rows, lines rejected).
        profile: the profile; optional fields whose column is absent are left out.
        table: the table to create (a table or view of that name is replaced).
        shown: the data's name in the problems listed.
        strict: recorded in the report.
        timezone: the contract's zone (see :func:`slalang.data.load.load`).
        max_problems: how many problems to list (all are counted).
    """
    staged = staging(profile, reading.columns, raw=raw, timezone=timezone)
    stage = temp_name("stage")
    try:
        run(con, f"CREATE TEMP TABLE {stage} AS {staged.sql}", staged.params)
        ambiguous = None
        if staged.wall_zone is not None:
            for local, number in staged.skipped:
                _mark_skipped(con, stage, local, number, staged.wall_zone)
            loaded = "_excl IS NULL AND len(_problems) = 0"
            ambiguous = ambiguous_times(
                con, relation=stage, stamps=staged.stamps, zone=staged.wall_zone, shown=shown,
                where=loaded,
            )  # fmt: skip
        return _report(
            con,
            raw=raw,
            stage=stage,
            reading=reading,
            profile=staged.profile,
            checks=staged.checks,
            table=table,
            shown=shown,
            strict=strict,
            max_problems=max_problems,
            ambiguous=ambiguous,
        )
    finally:
        run(con, f"DROP TABLE IF EXISTS {stage}", [])


def _mark_skipped(
    con: duckdb.DuckDBPyConnection, stage: str, local: str, number: int, zone: str
) -> None:
    """Add problem ``number`` to the staged rows whose local time ``zone`` skips."""
    # in the years that load: DuckDB hands a time past the year 9999 to Python as text
    bounds = execute(con, f"SELECT min({local}), max({local}) FROM {stage} "
                          f"WHERE year({local}) BETWEEN ? AND ?", YEARS).fetchone()  # fmt: skip
    low, high = bounds or (None, None)
    spans = skipped_spans(zone, low, high)
    if spans:
        condition, params = within_spans(local, spans)
        run(con, f"UPDATE {stage} SET _problems = list_append(_problems, {number}) "
                  f"WHERE {condition}", params)  # fmt: skip


def skipped_spans(zone: str, low: object, high: object) -> list[Span]:
    """The local times ``zone`` skips between two timestamps (none for a missing bound)."""
    return _spans(gaps, zone, low, high)


def repeated_spans(zone: str, low: object, high: object) -> list[Span]:
    """The local times ``zone`` repeats between two timestamps (none for a missing bound)."""
    return _spans(folds, zone, low, high)


def _spans(
    find: Callable[[str, dt.datetime, dt.datetime], list[Span]],
    zone: str,
    low: object,
    high: object,
) -> list[Span]:
    if not isinstance(low, dt.datetime) or not isinstance(high, dt.datetime):
        return []
    first, last = YEARS
    low = max(low, dt.datetime(first, 1, 1))
    high = min(high, dt.datetime(last, 12, 31, 23, 59, 59))
    return find(zone, low, high) if low <= high else []


def ambiguous_times(
    con: duckdb.DuckDBPyConnection,
    *,
    relation: str,
    stamps: Sequence[tuple[str, str]],
    zone: str,
    shown: str,
    where: str = "TRUE",
    bounds: Sequence[object] | None = None,
) -> AmbiguousTimes | None:
    """Count the rows of ``relation`` (those ``where`` holds for) with a local clock time
    that ``zone`` repeats, and name the first.

    Args:
        con: the connection holding ``relation``, which has a ``_line`` column.
        relation: the table or view to count in.
        stamps: ``(column, field)`` for each timestamp column, in local clock time.
        zone: the zone the clock times are read in.
        shown: the data's name, for the example.
        where: an SQL condition on the rows that count (no parameters).
        bounds: the least and greatest value of each column over those rows, when
            the caller knows them (saves a pass over the rows).
    """
    if not stamps:
        return None
    if bounds is None:
        ranges = ", ".join(f"min({column}), max({column})" for column, _ in stamps)
        (bounds,) = execute(con, f"SELECT {ranges} FROM {relation} WHERE {where}", []).fetchall()
    tests: list[tuple[str, str, str, list[object]]] = []
    for number, (column, name) in enumerate(stamps):
        spans = repeated_spans(zone, *bounds[2 * number : 2 * number + 2])
        if spans:
            tests.append((column, name, *within_spans(column, spans)))
    if not tests:
        return None
    either = " OR ".join(f"({condition})" for _, _, condition, _ in tests)
    params = [value for *_, values in tests for value in values]
    ((count, line),) = execute(
        con, f"SELECT count(*), min(_line) FROM {relation} WHERE ({where}) AND ({either})", params
    ).fetchall()
    if not count:
        return None
    for column, name, condition, values in tests:
        found = execute(
            con, f"SELECT {column} FROM {relation} WHERE _line = ? AND ({condition})",
            [line, *values],
        ).fetchall()  # fmt: skip
        if found:
            return AmbiguousTimes(int(count), zone, shown, int(line), name, str(found[0][0]))
    raise AssertionError("the first ambiguous row has no ambiguous field")  # pragma: no cover


def within_spans(
    column: str, spans: Sequence[tuple[dt.datetime, dt.datetime]]
) -> tuple[str, list[object]]:
    """SQL true when ``column`` falls in one of the half-open spans, and its parameters."""
    condition = " OR ".join(
        f"({column} >= CAST(? AS TIMESTAMP) AND {column} < CAST(? AS TIMESTAMP))" for _ in spans
    )
    return condition, [value for span in spans for value in span]


def _literal_text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


OFFSET = "[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?[ ]*(Z|UTC|[+-][0-9]{2}(:?[0-9]{2})?)$"
"""A clock time followed by a UTC offset (``+02:00``, ``-0530``, ``Z``, ``UTC``)."""


def _lenient(text: str, type_: str) -> str:
    """A text cast to ``type_``, blanks around it allowed: DuckDB's cast allows ASCII
    blanks itself, and ``trim`` (which also removes no-break spaces) is only needed, and
    only run, when the plain cast fails; a cast that succeeds agrees with the trimmed one."""
    return f"coalesce(TRY_CAST({text} AS {type_}), TRY_CAST(trim({text}) AS {type_}))"


def _offset_possible(text: str) -> str:
    """False only for a text that cannot end with a UTC offset as :data:`OFFSET` spells one
    (``Z``, ``UTC``, ``+hh``, ``-hh:mm``, ...): such an offset holds a ``Z``, ``UTC`` or
    ``+``, or a ``-`` after the ``:`` of the time it follows. Cheaper than the pattern."""
    return (
        f"(contains({text}, '+') OR contains({text}, 'Z') OR contains({text}, 'UTC') "
        f"OR {text} LIKE '%:%-%')"
    )


def _convert(field: FieldMap, value: str, zone: str | None = None) -> tuple[str, list[object]]:
    """SQL converting a staged value to the field's canonical type, null when it cannot.

    A timestamp written with a UTC offset names an instant: it becomes the clock time in
    ``zone`` (the zone the data's clock times are read in; UTC when there is none) at
    that instant, where a plain cast would drop the offset.
    """
    text = f"CAST({value} AS VARCHAR)"

    if field.type == "timestamp":
        stamp = _lenient(text, "TIMESTAMP")
        trimmed = f"trim({text})"
        return (
            f"CASE WHEN NOT {_offset_possible(text)} THEN {stamp} "
            f"WHEN regexp_matches({trimmed}, ?) "
            f"THEN timezone(?, TRY_CAST({trimmed} AS TIMESTAMPTZ)) ELSE {stamp} END",
            [OFFSET, zone or "UTC"],
        )
    if field.type == "text":
        return f"nullif({text}, '')", []
    if field.type == "integer":
        # an integer is a number with no fraction: 12 and 12.0, not 12.5 (which the
        # integer cast would round)
        whole, number = _lenient(text, "BIGINT"), _lenient(text, "DOUBLE")
        return f"CASE WHEN {number} = {whole} THEN {whole} END", []
    if field.type == "number":
        number = _lenient(text, "DOUBLE")
        return f"CASE WHEN isfinite({number}) THEN {number} END", []
    if field.type == "boolean":
        spelt = f"lower(trim({text}))"
        return (
            f"CASE WHEN list_contains(?, {spelt}) THEN true "
            f"WHEN list_contains(?, {spelt}) THEN false END",
            [list(BOOLEAN_SPELLINGS[True]), list(BOOLEAN_SPELLINGS[False])],
        )
    return _lenient(text, SQL_TYPES[field.type]), []


def _field_checks(index: int, field: FieldMap, kind: str, outcome: str | None) -> list[_Check]:
    value, flag = f"_v{index}", f"_f{index}"
    inputs = tuple(sorted(field.columns))
    checks: list[_Check] = []
    unparsable = ""
    if field.kind == "column" and field.type == "text":
        pass  # text is never unparsable (an empty value is no value)
    elif field.kind == "column":
        # (a CASE, so that only the values that did not convert are trimmed)
        unparsable = f"CASE WHEN {flag} IS NULL THEN trim(CAST({value} AS VARCHAR)) <> '' END"
    elif field.kind == "expr":
        unparsable = f"{flag} IS NULL AND ({value} IS NOT NULL AND CAST({value} AS VARCHAR) <> ''"
        if field.type != "text" and not field.nullable:
            unparsable += f" OR _n{index}"
        unparsable += ")"
    if unparsable:
        checks.append(_Check(unparsable, (), UNPARSABLE, field.name, inputs))
    canonical = TABLES[kind].field(field.name)
    negative = negative_reason(field, kind)
    if negative is not None:
        checks.append(_Check(f"{flag} < 0", (), negative, field.name, inputs))
    if field.type in ("timestamp", "date"):
        low, high = YEARS
        type_ = SQL_TYPES[field.type]
        checks.append(
            _Check(
                f"({flag} < {type_} '{low:04d}-01-01' OR {flag} >= {type_} '{high + 1:04d}-01-01')",
                (),
                IMPOSSIBLE_TIMESTAMP,
                field.name,
                inputs,
            )
        )
    allowed = ALLOWED_VALUES.get(field.name)
    mapped_to_nothing = ""  # an expression that maps non-empty inputs to no allowed value
    if allowed is not None:
        checks.append(
            _Check(
                f"NOT list_contains(?, {flag})", (list(allowed),), NOT_ALLOWED, field.name, inputs
            )
        )
        if field.kind == "expr" and not field.nullable:
            mapped_to_nothing = f"{flag} IS NULL AND _n{index}"
            checks.append(_Check(mapped_to_nothing, (), NOT_ALLOWED, field.name, inputs))
    if canonical is not None and canonical.required:
        missing = f"{flag} IS NULL"
        if mapped_to_nothing:
            missing += f" AND NOT coalesce({mapped_to_nothing}, false)"
        if canonical.required_for and outcome is not None:
            wanted = ", ".join(f"'{o}'" for o in canonical.required_for)
            missing += f" AND {outcome} IN ({wanted})"
        if unparsable:
            missing += f" AND NOT coalesce({unparsable}, false)"
        checks.append(_Check(missing, (), MISSING_VALUE, field.name, inputs))
    return checks


def negative_reason(field: FieldMap, kind: str) -> str | None:
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
    reading: Reading,
    profile: Profile,
    checks: Sequence[_Check],
    table: str,
    shown: str,
    strict: bool,
    max_problems: int,
    ambiguous: AmbiguousTimes | None,
) -> LoadReport:
    excluded: dict[str, int] = {}
    for index, count in execute(
        con, f"SELECT _excl, count(*) FROM {stage} WHERE _excl IS NOT NULL GROUP BY _excl", []
    ).fetchall():
        reason = profile.exclude[int(index)].reason
        excluded[reason] = excluded.get(reason, 0) + int(count)
    counts: dict[str, int] = {}
    for problem in reading.rejected:
        counts[problem.reason] = counts.get(problem.reason, 0) + 1
    for index, count in execute(
        con,
        f"SELECT _p, count(*) FROM (SELECT unnest(_problems) AS _p FROM {stage} "
        f"WHERE _excl IS NULL) GROUP BY _p",
        [],
    ).fetchall():
        reason = checks[int(index)].reason
        counts[reason] = counts.get(reason, 0) + int(count)
    listed = execute(
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
    selected = [f"{column_sql(profile, name)} AS {quote(name)}" for name in output_names(profile)]
    drop_relation(con, table)
    run(
        con,
        f"CREATE TABLE {quote(table)} AS SELECT {', '.join(selected)}, _line "
        f"FROM {stage} WHERE _excl IS NULL AND len(_problems) = 0 ORDER BY _line",
        [],
    )
    loaded = scalar(con, f"SELECT count(*) FROM {quote(table)}")
    malformed_at: list[tuple[dt.datetime | None, int]] = []
    loaded_at: list[tuple[dt.datetime, int]] = []
    if counts:
        time = _time_flag(profile)
        malformed_at = [(None, len(reading.rejected))] if reading.rejected else []
        malformed_at += minute_counts(
            con, stage, time, "_excl IS NULL AND len(_problems) > 0", keep_null=True
        )
        loaded_at = [
            (moment, count)
            for moment, count in minute_counts(
                con, quote(table), time and quote(time_name(profile))
            )
            if moment is not None
        ]
    return LoadReport(
        table=table,
        rows_read=reading.rows_read,
        rows_loaded=loaded,
        problems=tuple(found[:max_problems]),
        problem_counts=counts,
        excluded=excluded,
        strict=strict,
        malformed_at=tuple(malformed_at),
        loaded_at=tuple(loaded_at),
        ambiguous=ambiguous,
    )


def time_name(profile: Profile) -> str:
    """The canonical field a profile's records are placed in time by."""
    return TIME_FIELDS[profile.kind]


def _time_flag(profile: Profile) -> str | None:
    """The staged column of the time field, or ``None`` when the profile does not map it."""
    name = time_name(profile)
    return next((f"_f{i}" for i, f in enumerate(profile.fields) if f.name == name), None)


def minute_counts(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    time: str | None,
    where: str = "true",
    *,
    keep_null: bool = False,
) -> list[tuple[dt.datetime | None, int]]:
    """Rows of ``relation`` counted by the minute of the column ``time`` (all ``None``
    when there is no such column; rows with no time dropped unless ``keep_null``)."""
    if time is None:
        total = scalar(con, f"SELECT count(*) FROM {relation} WHERE {where}")
        return [(None, total)] if total and keep_null else []
    rows = execute(
        con,
        f"SELECT date_trunc('minute', CAST({time} AS TIMESTAMP)) AS _m, count(*) "
        f"FROM {relation} WHERE {where} GROUP BY _m ORDER BY _m NULLS FIRST",
        [],
    ).fetchall()
    return [(m, int(n)) for m, n in rows if m is not None or keep_null]


def _raw_values(
    con: duckdb.DuckDBPyConnection, raw: str, names: Sequence[str], lines: Sequence[int]
) -> dict[int, dict[str, str | None]]:
    if not lines or not names:
        return {}
    sql = f"SELECT * FROM {raw} WHERE list_contains(?, _line)"
    rows = execute(con, sql, [list(lines)]).fetchall()
    result: dict[int, dict[str, str | None]] = {}
    for row in rows:
        *cells, line = row
        named: dict[str, str | None] = {}
        for name, cell in zip(names, cells, strict=True):
            named.setdefault(name, cell)
        result[int(line)] = named
    return result


def output_names(profile: Profile) -> list[str]:
    """The columns of the canonical table: the kind's fields, then the profile's others."""
    names = list(canonical_names(profile.kind))
    names += [f.name for f in profile.fields if f.name not in names]
    return names


def column_sql(profile: Profile, name: str) -> str:
    """The staged column of output ``name``, or a typed null when no field maps it."""
    for index, field in enumerate(profile.fields):
        if field.name == name:
            return f"_f{index}"
    type_ = field_type(profile.kind, name) or "text"
    return f"CAST(NULL AS {SQL_TYPES[type_]})"


def convert_sql(type_: str, value: str) -> tuple[str, list[object]]:
    """SQL converting the text ``value`` to the canonical type ``type_`` as every loaded text
    is converted (null when it cannot be), and its parameters."""
    return _convert(FieldMap(name=type_, type=type_), value)
