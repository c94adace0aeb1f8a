"""Evaluation: bind data to a compiled plan, load it, run an evaluator, judge.

This module ties the later stages together behind :func:`evaluate`, which the
public API re-exports: data files go through their source's data profile into
canonical DuckDB tables (:mod:`slalang.data.load`), the DuckDB engine (or, on
request, the Python reference evaluator) adds up figures, and
:mod:`slalang.judge.verdicts` and :mod:`slalang.judge.consequences` judge them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import duckdb

from slalang.codes import diag
from slalang.data.contract_profiles import unreadable
from slalang.data.load import MAX_PROBLEMS, LoadReport, load, load_arrow
from slalang.data.paths import data_files, is_pattern
from slalang.data.profiles import DEFAULT_PROFILES, load_profile
from slalang.data.report import Pending
from slalang.data.resources import memory_problem, out_of_memory, resources
from slalang.data.sql import drop_relation
from slalang.diagnostics import Diagnostic, Severity
from slalang.engine import ENGINES, reference
from slalang.engine import duckdb_engine as engine
from slalang.engine.figures import EvaluationFigures
from slalang.engine.periods import span
from slalang.engine.plan import ObjectivePlan, Plan, SourcePlan
from slalang.engine.reference import RATINGS, limit_of
from slalang.judge import completeness, consequences, outlook, trends
from slalang.judge.as_of import before, end_of, latest_end, set_aside, up_to
from slalang.judge.results import (
    DataProblemSummary,
    Evaluation,
    EvaluationError,
    SourceReport,
)
from slalang.judge.verdicts import verdicts
from slalang.lang import model as m
from slalang.lang.canonical import CHANNELS
from slalang.progress import Progress, watching

_SUFFIX_FORMATS = {
    ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".yaml": "yaml",
    ".yml": "yaml", ".csv": "csv", ".tsv": "tsv",
}  # fmt: skip


def used_sources(plan: Plan) -> list[str]:
    """The sources the objectives read (and relief forecasts), in declaration order."""
    used = {o.source for o in plan.objectives}
    used.update(r.forecast_source for o in plan.objectives for r in o.reliefs)
    return [s for s in plan.sources if s in used]


def bind(plan: Plan, data: Any, *, complete: bool = True) -> dict[str, Any]:
    """Match data to sources: a mapping by source id, or one input for a one-source contract;
    without ``complete``, a mapping may leave sources out."""
    sources = used_sources(plan)
    if isinstance(data, Mapping):
        unknown = [name for name in data if name not in plan.sources]
        missing = [name for name in sources if name not in data] if complete else []
        problems = [
            diag("E820", f"the contract has no source `{name}`", None,
                 help="sources: " + ", ".join(plan.sources))
            for name in unknown
        ] + [
            diag("E820", f"no data given for source `{name}`", None,
                 help=f"add `--data {name}=PATH`")
            for name in missing
        ]  # fmt: skip
        if problems:
            raise EvaluationError(problems, io=True)
        return dict(data)
    if not sources:
        raise EvaluationError(
            [diag("E820", "the contract has no objective that reads data", None,
                  help="add an objective, or check the contract: nothing would be judged")],
            io=True,
        )  # fmt: skip
    if len(sources) != 1:
        raise EvaluationError(
            [diag("E820", "the contract reads several sources; name each one", None,
                  help=" ".join(f"--data {name}=PATH" for name in sources))],
            io=True,
        )  # fmt: skip
    return {sources[0]: data}


def _load_one(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    source_id: str,
    value: Any,
    *,
    table: str,
    strict: bool,
    base: Path | None,
    defer: bool = False,
) -> LoadReport:
    return load_data(con, plan.sources[source_id], value, table=table, strict=strict,
                     base=base, timezone=plan.timezone, defer=defer)  # fmt: skip


def load_data(
    con: duckdb.DuckDBPyConnection,
    source: SourcePlan,
    value: Any,
    *,
    table: str,
    strict: bool,
    base: Path | None,
    timezone: str,
    defer: bool = False,
) -> LoadReport:
    """Load one file (through the source's profile, or its kind's default one) or one
    in-memory table of canonical columns into ``table``; ``defer`` as for
    :func:`slalang.data.load.load`.

    Raises:
        EvaluationError: the kind has no default profile and the source names none, the
            profile cannot be read or is broken, or it reads another kind of data.
    """
    source_id = source.id
    if not isinstance(value, str | Path):
        return load_arrow(con, value, table=table, kind=source.kind, strict=strict,
                          name=f"<{source_id}>", timezone=timezone)  # fmt: skip
    path = Path(value)
    profile_name = source.profile or DEFAULT_PROFILES.get(source.kind)
    if profile_name is None:
        raise EvaluationError([diag(
            "E801", f"source `{source_id}` reads {source.kind} and names no profile", None,
            help=f"{source.kind} need a profile of their own (`profile \"qa.yaml\"`), which "
            "lists the QA criteria the export's columns hold; see docs/data.md")])  # fmt: skip
    profile, problems = load_profile(profile_name, base=base)
    if profile is None:
        # A profile file that cannot be read is a file problem (exit 2), as a data file is;
        # a profile that reads but is wrong is a problem found (exit 1).
        raise EvaluationError(problems, io=unreadable(profile_name, base))
    if profile.kind != source.kind:
        raise EvaluationError([diag(
            "E821", f"profile `{profile.name}` reads `{profile.kind}` data, but source "
            f"`{source_id}` is `{source.kind}`", None)])  # fmt: skip
    suffix_format = _SUFFIX_FORMATS.get(path.suffix.lower())
    fmt = suffix_format if suffix_format and suffix_format != profile.format else None
    if fmt in ("csv", "tsv") and profile.format in ("csv", "tsv"):
        fmt = None
    return load(
        con,
        path=path,
        profile=profile,
        table=table,
        strict=strict,
        timezone=timezone,
        format=fmt,
        defer=defer,
    )


def needed_fields(objective: ObjectivePlan) -> list[str]:
    """The canonical fields an objective reads, beyond the ones every record must have."""
    knobs, metric, kind = objective.knobs, objective.metric, objective.source_kind
    fields: list[str] = []
    for expr in objective.filters:
        fields.extend(_filter_fields(expr))
    if metric in RATINGS:
        fields.append(RATINGS[metric])
    elif kind == "contacts":
        if metric == "average_handle_time":
            fields.extend(str(c) for c in knobs["components"])  # type: ignore[attr-defined]
        if metric == "fcr" and knobs["method"] == "agent_flag":
            fields.append("resolved")
        if metric == "fcr" and knobs["method"] == "repeat_contact":
            fields.append(str(knobs["customer_key"]))
            if knobs["same_issue_only"]:
                fields.append("reason")
    elif kind == "surveys":
        fields.append("resolved")
    elif kind == "audits":
        if metric == "qa_criterion":
            fields.append(str(knobs["criterion"]))
        else:
            for part in ("customer_impact", "business_impact"):
                fields.extend(str(c) for c in knobs[part])  # type: ignore[attr-defined]
    elif kind == "intervals":
        fields.extend(_interval_fields(objective))
    return list(dict.fromkeys(fields))


def _filter_fields(expr: m.Expr) -> list[str]:
    if isinstance(expr, m.Compare | m.Member):
        return [expr.field.text]
    if isinstance(expr, m.Not):
        return _filter_fields(expr.operand)
    return [name for operand in expr.operands for name in _filter_fields(operand)]


def _interval_fields(objective: ObjectivePlan) -> list[str]:
    knobs, metric = objective.knobs, objective.metric
    if metric == "service_level":
        t = int(limit_of(knobs["threshold"])[1])
        fields = [f"answered_within_{t}"]
        if knobs["abandons_within_threshold"] != knobs["abandons_after_threshold"]:
            fields.append(f"abandoned_within_{t}")
        if knobs.get("short_abandon"):
            fields.append("short_abandoned")
        return fields
    if metric == "abandonment_rate":
        return ["short_abandoned"] if knobs.get("short_abandon") else []
    if metric == "average_speed_of_answer":
        return ["total_wait"]
    if metric == "average_handle_time":
        components = tuple(str(c) for c in knobs["components"])  # type: ignore[attr-defined]
        if set(components) == {"talk", "hold", "acw"}:
            return ["total_handle"]
        return [f"total_{c}" for c in components]
    if metric == "occupancy":
        return ["total_handle", "available_time"]
    return []


def missing_fields(
    con: duckdb.DuckDBPyConnection, plan: Plan, tables: Mapping[str, str]
) -> list[Diagnostic]:
    """E823 for each field an objective needs that its source's data has no value for."""
    found: list[Diagnostic] = []
    for source_id, table in tables.items():
        objectives = [o for o in plan.objectives if o.source == source_id]
        wanted = list(dict.fromkeys(f for o in objectives for f in needed_fields(o)))
        if not wanted:
            continue
        source = engine.quote(table)
        columns = {str(r[0]) for r in con.execute(f"DESCRIBE {source}").fetchall()}
        present = [f for f in wanted if f in columns]
        has_value = _values_present(con, source, present)
        if has_value is None:
            continue  # no records at all: every objective of the source has no data
        for objective in objectives:
            for field in needed_fields(objective):
                if not has_value.get(field):
                    found.append(diag(
                        "E823",
                        f"objective `{objective.id}` needs `{field}`, which the data of source "
                        f"`{source_id}` does not provide",
                        None,
                        help=_where_it_belongs(field) + "map the field in the source's data "
                        "profile, or change the objective (line " + str(objective.line) + ")",
                    ))  # fmt: skip
    return found


SAMPLE_ROWS = 2048
"""How many records :func:`_values_present` looks at first, in one scan, before asking about
each field still without a value."""


def _values_present(
    con: duckdb.DuckDBPyConnection, source: str, fields: Sequence[str]
) -> dict[str, bool] | None:
    """Whether each field has a value in some record of ``source``; ``None`` when it has no
    records at all.

    The first records answer for most fields in one short scan; each field without a value
    among them is then looked for in every record (EXISTS stops at the first value found;
    on Parquet, often from statistics alone). One EXISTS per field would start one scan of
    the source per field, each paying the reader's start (about 20 ms on a CSV file).
    """
    quoted = [engine.quote(f) for f in fields]
    sample = f"SELECT {', '.join(quoted) or '1'} FROM {source} LIMIT {SAMPLE_ROWS}"
    counts = ", ".join(["count(*)", *(f"count({q})" for q in quoted)])
    found = (con.execute(f"SELECT {counts} FROM ({sample})").fetchall() or [(0,)])[0]
    if not found[0]:
        return None
    has_value = {f: bool(n) for f, n in zip(fields, found[1:], strict=True)}
    unseen = [f for f, seen in has_value.items() if not seen]
    if unseen:
        tests = ", ".join(
            f"EXISTS (SELECT 1 FROM {source} WHERE {engine.quote(f)} IS NOT NULL)" for f in unseen
        )
        exists = (con.execute(f"SELECT {tests}").fetchall() or [()])[0]  # read to the end
        has_value.update(zip(unseen, (bool(e) for e in exists), strict=True))
    return has_value


def _where_it_belongs(field: str) -> str:
    """For a rating, the two places it can come from; otherwise nothing."""
    if field not in RATINGS.values():
        return ""
    return f"ratings can be on contact records or in a surveys source (field `{field}`); "


def _several_files(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str | Path) for v in value)


def expand_patterns(bound: Mapping[str, Any]) -> dict[str, Any]:
    """The data of each source with each path pattern replaced by the files it matches.

    A path that is not a pattern stays as given (see :mod:`slalang.data.paths`); a pattern
    that matches one file becomes that file, one that matches several a list of them, read
    as the files of one source; in a list, each pattern's files take its place.

    Raises:
        EvaluationError: every pattern that matches no file, and every folder (``E812``).
    """
    problems: list[Diagnostic] = []

    def files_of(value: str | Path) -> list[Path]:
        found = data_files(value)
        if isinstance(found, Diagnostic):
            problems.append(found)
            return []
        return found

    expanded: dict[str, Any] = {}
    for source_id, value in bound.items():
        if isinstance(value, str | Path):
            files = files_of(value)
            if is_pattern(value) and len(files) > 1:
                value = files
            elif is_pattern(value) and files:
                value = files[0]
        elif _several_files(value):
            paths: list[str | Path] = []
            for item in value:
                found = files_of(item)
                paths.extend(found if is_pattern(item) else [item])
            value = paths
        expanded[source_id] = value
    if problems:
        raise EvaluationError(problems, io=True)
    return expanded


def _load_files(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    source_id: str,
    paths: list[str | Path] | tuple[str | Path, ...],
    *,
    table: str,
    strict: bool,
    base: Path | None,
) -> LoadReport:
    """Several files of one source, each read through the profile and reported by its own
    path and lines, as one canonical table; the rows are numbered anew across the files."""
    if not paths:
        raise EvaluationError(
            [diag("E820", f"no data file given for source `{source_id}`", None)], io=True
        )
    reports = []
    parts = []
    try:
        for index, path in enumerate(paths):
            part = f"{table}_part{index}"
            report = _load_one(con, plan, source_id, path, table=part, strict=strict, base=base)
            if any(d.severity is Severity.ERROR for d in report.diagnostics):
                return report
            parts.append(part)
            reports.append(report)
        union = " UNION ALL BY NAME ".join(f"SELECT * FROM {engine.quote(p)}" for p in parts)
        drop_relation(con, table)  # a table or a view of an earlier evaluation
        # views over the files (CSV, TSV and most Parquet) stay views: the files are read
        # as the evaluation goes, one after the other, and nothing is copied
        views = {str(name) for (name,) in con.execute("SELECT view_name FROM duckdb_views()")
                 .fetchall()}  # fmt: skip
        lazy = all(part in views for part in parts)
        con.execute(
            f"CREATE {'VIEW' if lazy else 'TABLE'} {engine.quote(table)} AS SELECT * "
            f"EXCLUDE (_line), row_number() OVER () AS _line FROM ({union})"
        )
        if lazy:
            parts = []  # the view reads them
    finally:
        for part in parts:
            drop_relation(con, part)
    return merged_reports(table, reports, strict)


def merged_reports(table: str, reports: list[LoadReport], strict: bool) -> LoadReport:
    """One report for the files of a source: counts added up, problems in file order."""
    counts: dict[str, int] = {}
    excluded: dict[str, int] = {}
    for report in reports:
        for reason, n in report.problem_counts.items():
            counts[reason] = counts.get(reason, 0) + n
        for reason, n in report.excluded.items():
            excluded[reason] = excluded.get(reason, 0) + n
    ambiguous = [r.ambiguous for r in reports if r.ambiguous is not None]
    first = ambiguous[0] if ambiguous else None
    if first is not None:
        first = attrs.evolve(first, count=sum(a.count for a in ambiguous))
    return LoadReport(
        table=table,
        rows_read=sum(r.rows_read for r in reports),
        rows_loaded=sum(r.rows_loaded for r in reports),
        problems=tuple(p for r in reports for p in r.problems)[:MAX_PROBLEMS],
        problem_counts=counts,
        excluded=excluded,
        diagnostics=tuple(d for r in reports for d in r.diagnostics),
        strict=strict,
        malformed_at=tuple(m for r in reports for m in r.malformed_at),
        loaded_at=tuple(m for r in reports for m in r.loaded_at),
        ambiguous=first,
    )


def _with_channel(con: duckdb.DuckDBPyConnection, plan: Plan, source_id: str, table: str) -> str:
    """The table itself, or, when the source states its records' `channel`, a view giving
    that channel to every record without one."""
    channel = plan.sources[source_id].settings.get("channel")
    if not isinstance(channel, str):
        return table
    assert channel in CHANNELS  # a checked name, so it may be written as a literal
    view = f"{table}_channel"
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {engine.quote(view)} AS SELECT * REPLACE "
        f'(COALESCE("channel", \'{channel}\') AS "channel") FROM {engine.quote(table)}'
    )
    return view


def _shown(value: Any) -> str:
    if isinstance(value, str | Path):
        return str(value)
    if _several_files(value):
        return ", ".join(map(str, value))
    return f"<{type(value).__name__}>"


def _report(source_id: str, shown: str, plan: Plan, report: LoadReport) -> SourceReport:
    return SourceReport(
        source=source_id,
        path=shown,
        profile=plan.sources[source_id].profile,
        rows_read=report.rows_read,
        rows_loaded=report.rows_loaded,
        excluded=dict(report.excluded),
        problems=tuple(
            DataProblemSummary(p.path, p.line, p.reason, p.field, p.detail) for p in report.problems
        ),
        problem_counts=dict(report.problem_counts),
        ambiguous=report.ambiguous,
    )


def evaluate(
    plan: Plan,
    *,
    data: Any,
    strict: bool = False,
    evaluator: str = "duckdb",
    base: Path | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
    progress: Progress | None = None,
    memory_limit: str | int | None = None,
    temp_dir: str | Path | None = None,
    as_of: dt.date | str | None = None,
    trend_over: str | None = None,
) -> Evaluation:
    """Evaluate a compiled contract over data.

    Args:
        plan: from :func:`slalang.api.compile`.
        data: a path or table for a one-source contract, or a mapping from source
            id to a path (read through the source's profile) or to a pandas,
            polars or pyarrow table with canonical columns.
        strict: treat malformed rows as an error (:class:`EvaluationError`).
        evaluator: ``duckdb`` (fast) or ``reference`` (slow, obvious Python).
        base: the folder profile paths are relative to (the contract's folder).
        connection: a DuckDB connection to use, whose settings are left as they are
            unless ``memory_limit`` or ``temp_dir`` is given; otherwise a private
            in-memory one, closed when the evaluation ends.
        progress: called with a step label (``loading calls``, ``evaluating``,
            ``judging``) and the fraction done, or None as a step begins; see
            :mod:`slalang.progress`.
        memory_limit: DuckDB's ``memory_limit`` for the evaluation: a size such as
            ``"4GB"``, ``"512MiB"``, a share of the memory such as ``"75%"``, or a
            number of bytes. DuckDB's default is 80 % of the memory.
        temp_dir: the folder DuckDB writes what does not fit in memory to (created if
            needed). DuckDB's default for an in-memory database is ``.tmp`` in the
            current folder.
        as_of: judge with the records up to the end of this day (in the contract's time
            zone) only, as on the morning after it: later records are set aside (counted
            as ``after the as-of day`` in the data report), forecasts are kept, and the
            evaluation has the month-to-date outlook of the periods still open. ``latest``
            is the last day that has data (nothing is set aside).
        trend_over: ``days`` or ``weeks``, the periods trends are followed over, instead
            of the contract's ``trends`` block (days without one).

    Raises:
        EvaluationError: data that cannot be bound or read, a broken profile,
            missing columns, a bad ``memory_limit`` or ``temp_dir`` (``E824``,
            ``E825``), an evaluation that does not fit in memory (``E826``), or, with
            ``strict``, malformed rows.
    """
    if evaluator not in ENGINES:
        raise ValueError(f"unknown evaluator {evaluator!r}; expected one of {ENGINES}")
    if trend_over not in (None, "days", "weeks"):
        raise ValueError(f"unknown trend_over {trend_over!r}; expected 'days' or 'weeks'")
    if isinstance(as_of, str) and as_of != "latest":
        raise ValueError(f"unknown as_of {as_of!r}; expected a date or 'latest'")
    with session(connection, memory_limit, temp_dir) as (con, step):
        bound = expand_patterns(bind(plan, data))
        until = end_of(as_of) if isinstance(as_of, dt.date) else None
        figures, loads = count(plan, bound, con, strict=strict, evaluator=evaluator, base=base,
                               progress=progress, step=step, until=until)  # fmt: skip
        shown = {s: _shown(bound[s]) for s in bound}
        return judged(plan, figures, loads, shown, progress=progress,
                      until="latest" if as_of == "latest" else until,
                      trend_over=trend_over)  # fmt: skip


@contextlib.contextmanager
def session(
    connection: duckdb.DuckDBPyConnection | None,
    memory_limit: str | int | None,
    temp_dir: str | Path | None,
) -> Iterator[tuple[duckdb.DuckDBPyConnection, list[str]]]:
    """The connection an evaluation runs on (``connection``, or a private in-memory one
    closed at the end) with the memory limit and temporary folder applied, and the list
    whose first item names the step running (for ``E826``, out of memory).

    Raises:
        EvaluationError: a bad ``memory_limit`` or ``temp_dir``, or a step that does not fit
            in memory.
    """
    wanted = resources(memory_limit, temp_dir)
    if isinstance(wanted, list):
        raise EvaluationError(wanted, io=True)
    con = duckdb.connect() if connection is None else connection
    step = ["setting up"]
    try:
        problems = wanted.apply(con)
        if problems:
            raise EvaluationError(problems, io=True)
        yield con, step
    except duckdb.OutOfMemoryException as error:
        raise EvaluationError([out_of_memory(con, step[0], error)], io=True) from error
    finally:
        if connection is None:
            con.close()  # DuckDB deletes its temporary files as it closes


class _RereadError(Exception):
    """A deferred source whose file needs the line-by-line reader after all."""


def count(
    plan: Plan,
    bound: dict[str, Any],
    con: duckdb.DuckDBPyConnection,
    *,
    strict: bool,
    evaluator: str,
    base: Path | None,
    progress: Progress | None,
    step: list[str],
    forecasts: bool = True,
    until: dt.datetime | None = None,
) -> tuple[EvaluationFigures, dict[str, LoadReport]]:
    """Load every source of ``bound`` (source id to data) and run the evaluator: the figures
    of every objective of ``plan`` and the load report of every source. Without
    ``forecasts``, the reliefs' forecast volumes are left out; with ``until``, records from
    that moment on are set aside (see :func:`evaluate`'s ``as_of``).

    A CSV or TSV source evaluated by DuckDB is counted by the engine's first scan of it
    (a :class:`~slalang.engine.duckdb_engine.Screen`): its file is read once for the
    loader's counts and the figures, and its report is complete when that scan is done.
    """
    tables: dict[str, str] = {}
    loads: dict[str, LoadReport] = {}
    pending: dict[str, Pending] = {}

    def accept(source_id: str, report: LoadReport) -> None:
        errors = [
            memory_problem(con, step[0], d) for d in report.diagnostics
            if d.severity is Severity.ERROR
        ]  # fmt: skip
        if errors:
            io = any(d.code in ("E810", "E811", "E812", "E826") for d in errors)
            raise EvaluationError(errors, io=io)
        if strict and report.problem_counts:
            first = report.problems[0] if report.problems else None
            where = f" (first: {first.path}:{first.line}: {first.reason})" if first else ""
            raise EvaluationError(
                [
                    diag(
                        "E822",
                        f"{sum(report.problem_counts.values())} malformed row(s) in the data "
                        f"of `{source_id}`{where}",
                        None,
                        help="fix the rows, or run without --strict",
                    )
                ]
            )
        loads[source_id] = report

    def load_source(source_id: str, table: str, *, defer: bool) -> None:
        value = bound[source_id]
        step[0] = f"loading `{source_id}`"
        with watching(con, f"loading {source_id}", progress):
            if _several_files(value):
                report = _load_files(con, plan, source_id, value, table=table, strict=strict,
                                     base=base)  # fmt: skip
            else:
                report = _load_one(con, plan, source_id, value, table=table, strict=strict,
                                   base=base, defer=defer)  # fmt: skip
        if report.pending is not None:
            pending[source_id] = report.pending
        else:
            accept(source_id, report)
        tables[source_id] = _with_channel(con, plan, source_id, table)
        if until is not None:
            tables[source_id], later = up_to(con, plan, source_id, tables[source_id], until)
            loads[source_id] = set_aside(loads[source_id], later)

    names = {source_id: f"slalang_source_{index}" for index, source_id in enumerate(bound)}
    for source_id, table in names.items():
        # a file read by the engine's own scan is counted whole; an as-of cut needs it loaded
        load_source(source_id, table, defer=evaluator == "duckdb" and until is None)

    def screen(source_id: str, waiting: Pending) -> engine.Screen:
        def done(counts: engine.ScreenCounts | None) -> None:
            step[0] = f"loading `{source_id}`"
            report = waiting.finish(counts)
            if report is None:
                raise _RereadError(source_id)
            del pending[source_id]
            accept(source_id, report)
            step[0] = evaluating

        relation = _with_channel(con, plan, source_id, waiting.relation)
        return engine.Screen(relation, waiting.columns, waiting.counted, done)

    evaluating = "evaluating"
    if pending:  # the engine reads these files: say so if it runs out of memory
        evaluating += ", reading " + ", ".join(f"`{bound[s]}`" for s in pending)
    step[0] = evaluating
    with watching(con, "evaluating", progress):
        missing = missing_fields(con, plan, tables)
        if missing:
            raise EvaluationError(missing)
        if evaluator == "duckdb":
            while True:
                screens = {s: screen(s, waiting) for s, waiting in pending.items()}
                try:
                    figures = engine.evaluate(con, plan, tables, screens, forecasts=forecasts)
                    break
                except _RereadError as reread:
                    source_id = str(reread.args[0])
                    del pending[source_id]
                    load_source(source_id, names[source_id], defer=False)
        else:
            rows = {}
            for source_id, table in tables.items():
                cursor = con.execute(f"SELECT * FROM {engine.quote(table)}")
                columns = [d[0] for d in cursor.description]
                rows[source_id] = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
            figures = reference.evaluate(plan, rows)
            if not forecasts:
                figures = EvaluationFigures(figures.buckets, {})
    assert not pending, "every deferred load is finished by the engine"
    return figures, loads


def judged(
    plan: Plan,
    figures: EvaluationFigures,
    loads: Mapping[str, LoadReport],
    shown: Mapping[str, str],
    *,
    progress: Progress | None = None,
    until: dt.datetime | str | None = None,
    trend_over: str | None = None,
) -> Evaluation:
    """The verdicts, credits, account status, trends and (with ``until``, the end of the
    as-of day) outlook of ``figures``; ``loads`` are the sources' load reports and ``shown``
    how each source's data is named in the report. ``until`` ``latest`` is the end of the
    last day that has figures."""
    if until == "latest":
        until = latest_end(figures)
    assert not isinstance(until, str)
    if until is not None:  # malformed and loaded rows per minute, up to the moment
        loads = {s: before(r, until) for s, r in loads.items()}
    reports = [_report(s, shown[s], plan, loads[s]) for s in shown]
    if progress is not None:
        progress("judging", None)
    if until is not None:  # figures kept whole (a store) are judged up to the moment too
        figures = EvaluationFigures(
            {o: {b: f for b, f in bs.items() if b < until} for o, bs in figures.buckets.items()},
            figures.forecasts,
        )
    found = completeness.apply(plan, verdicts(plan, figures), loads)
    order = {o.id: (index, o.window) for index, o in enumerate(plan.objectives)}
    found.sort(key=lambda v: (order[v.objective][0], span(v.period, order[v.objective][1])))
    period_credits = consequences.credits(plan, found)
    risk = consequences.account_risk(plan, found, period_credits, until)
    if progress is not None:
        progress("judging", 1.0)
    history = consequences.account_history(plan, found, period_credits)
    flags = trends.trends(plan, figures, trend_over)
    ahead = outlook.outlook(plan, figures, until) if until is not None else ()
    as_of = None if until is None else (until - dt.timedelta(days=1)).date()
    over = trend_over or plan.trends.over
    return Evaluation(plan, tuple(found), tuple(period_credits), risk, tuple(reports), history,
                      flags, as_of, ahead, over)  # fmt: skip
