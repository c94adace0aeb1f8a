"""Loading stage, what a load reports: :class:`LoadReport`, :class:`DataProblem` and the
reasons a row is malformed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import attrs

from slalang.diagnostics import Diagnostic, Severity

WRONG_FIELD_COUNT = "wrong field count"
UNREADABLE_LINE = "unreadable line"
UNPARSABLE = "unparsable value"
NEGATIVE_DURATION = "negative duration"
NEGATIVE_COUNT = "negative count"
IMPOSSIBLE_TIMESTAMP = "impossible timestamp"
MISSING_VALUE = "missing required value"
NOT_ALLOWED = "value not allowed"
"""Reasons of :class:`DataProblem`; a failing ``validate`` rule uses its own reason."""


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
class AmbiguousTimes:
    """Loaded rows whose local clock time occurred twice, in the hour repeated when clocks
    went back (``2026-11-01 01:30`` in ``America/New_York``). The rows are kept: a time
    converted to another zone is read as the second occurrence (standard time).

    Attributes:
        count: how many loaded rows have such a time in some timestamp field.
        zone: the zone the clock times are read in (the profile's, else the contract's).
        path: the data file.
        line: the first such row (as :attr:`DataProblem.line`).
        field: its timestamp field that is ambiguous.
        value: that field's local clock time, ISO 8601.
    """

    count: int
    zone: str
    path: str
    line: int
    field: str
    value: str


@attrs.frozen
class Pending:
    """A load whose counting waits for the first query that reads every record.

    Attributes:
        relation: the view of every record read: the canonical columns, ``_excl`` (the
            ``exclude`` rule a record matches, or null) and ``_problems`` (the checks it
            fails).
        columns: the columns to count the records of ``relation`` by.
        finish: called with the number of records of each combination of ``columns``
            (their values, then the count), or with ``None`` when no query counted them;
            completes the load and returns its report, or ``None`` when the file must be
            read by the line-by-line reader after all.
    """

    relation: str
    columns: tuple[str, ...]
    finish: Callable[[list[tuple[object, ...]] | None], LoadReport | None]

    @staticmethod
    def counted(key: tuple[object, ...]) -> bool:
        """Whether records with these values of :attr:`columns` are loaded: no rule
        excludes them and they fail no check."""
        excl, problems = key
        return excl is None and not problems


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
        malformed_at: when there are malformed rows, all of them counted by the minute of
            their record time (``None`` for rows whose time cannot be read), in the
            contract's time zone.
        loaded_at: when there are malformed rows, the loaded rows counted the same way.
        ambiguous: loaded rows with a clock time that occurred twice, if any.
        pending: for a load asked to defer its counting (``defer``), what completes it;
            the other counts are then zero until :attr:`Pending.finish` gives the report.
    """

    table: str
    rows_read: int
    rows_loaded: int
    problems: tuple[DataProblem, ...]
    problem_counts: dict[str, int]
    excluded: dict[str, int]
    diagnostics: tuple[Diagnostic, ...] = ()
    strict: bool = False
    malformed_at: tuple[tuple[dt.datetime | None, int], ...] = ()
    loaded_at: tuple[tuple[dt.datetime, int], ...] = ()
    ambiguous: AmbiguousTimes | None = None
    pending: Pending | None = None

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


def failed(table: str, found: Sequence[Diagnostic], strict: bool) -> LoadReport:
    """The report of a load that created no table because of ``found``."""
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


@attrs.frozen
class Reading:
    """What a reader read.

    Attributes:
        columns: the export's column names, in order (``c0, c1, ...`` of the raw table).
        rows_read: data rows read, the rejected ones included.
        rejected: the lines that could not be read, by line.
    """

    columns: tuple[str, ...]
    rows_read: int
    rejected: tuple[DataProblem, ...] = ()
