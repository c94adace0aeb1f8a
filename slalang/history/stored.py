"""Evaluation through the history store: each data file counted once, the account judged on
everything the store holds.

A run with a store (``slalang evaluate ... --store PATH``) judges the contract on every file
the store has seen together with the files given now. A file given again unchanged (same
path, same bytes) is not read; a new file is counted and kept; a file whose bytes changed is
counted again and replaces what the store held. When the contract, one of its data profiles
or slalang changed since the figures were computed (:func:`~slalang.history.store.fingerprint`),
every stored file is counted again from its path, whose bytes must still be the ones the store
saw (``E832`` otherwise: old figures are never mixed with new ones). :class:`StoreRun` says
what was added, changed, recomputed and reused.

Figures add up per bucket (sums and counts), so a file's figures are its own: the verdicts of
a stored history are those of one run over all its files. Two kinds of figures do not add up
file by file: ``fcr`` by repeat contacts looks for a customer's next contact across files,
and a relief's forecast volumes come from another source. For those the store keeps the
records of the sources concerned (:func:`record_sources`) and computes the figures over all
of them at each run, with the evaluator asked for.
"""

from __future__ import annotations

import datetime as dt
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs
import duckdb

from slalang.codes import diag
from slalang.data.load import LoadReport
from slalang.data.profiles import DEFAULT_PROFILES, is_path, profile_path
from slalang.diagnostics import Diagnostic
from slalang.engine import ENGINES, reference
from slalang.engine import duckdb_engine as engine
from slalang.engine.figures import Buckets, EvaluationFigures, Figures
from slalang.engine.plan import Plan
from slalang.history import store as st
from slalang.judge import evaluation as ev
from slalang.judge.as_of import end_of, latest_end, up_to
from slalang.judge.results import Evaluation, EvaluationError
from slalang.progress import Progress


@attrs.frozen
class StoreRun:
    """An evaluation through the store, and what the run did to it.

    Attributes:
        evaluation: the verdicts over every file the store holds.
        added: files counted for the first time, as ``source:path``.
        changed: files whose bytes changed since they were stored, counted again.
        recomputed: stored files counted again because the contract, a profile or slalang
            changed (``reason`` says which).
        reused: files whose stored figures were used as they were.
        reason: why files were recomputed, or ``""``.
    """

    evaluation: Evaluation
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    recomputed: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()
    reason: str = ""
    files: int = 0
    """How many files the store holds, all judged by this run."""

    def summary(self) -> str:
        """One line for people: what the run did to the store."""
        parts = [f"{len(self.added)} file(s) added", f"{len(self.changed)} changed",
                 f"{len(self.recomputed)} recomputed", f"{len(self.reused)} reused"]  # fmt: skip
        line = f"history store: {self.files} file(s) judged; " + ", ".join(parts)
        return line + (f" ({self.reason})" if self.reason else "")


def evaluate_stored(
    plan: Plan,
    *,
    data: Any,
    store: str | Path,
    strict: bool = False,
    evaluator: str = "duckdb",
    base: Path | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
    progress: Progress | None = None,
    memory_limit: str | int | None = None,
    temp_dir: str | Path | None = None,
    wait: float = st.WAIT_SECONDS,
    as_of: dt.date | str | None = None,
    trend_over: str | None = None,
) -> StoreRun:
    """Evaluate ``plan`` over the files of ``data`` and every file ``store`` already holds;
    see the module's text. ``data`` is as for :func:`slalang.judge.evaluation.evaluate`, with
    files only (the store keeps where figures came from), and may leave out sources whose
    files the store has; ``None`` judges the store alone. With ``as_of``, every file is
    counted and stored whole and the evaluation is judged on the figures (and, for repeat
    contacts, the records) up to the end of that day.

    Raises:
        EvaluationError: as :func:`~slalang.judge.evaluation.evaluate`, and ``E830`` to
            ``E833`` for the store.
    """
    if evaluator not in ENGINES:
        raise ValueError(f"unknown evaluator {evaluator!r}; expected one of {ENGINES}")
    given = _given_files(plan, data)
    path = Path(store)
    current = st.fingerprint(plan, _profile_texts(plan, base), _version())
    with st.locked(path, wait):
        db, stored_with = st.open_store(path, plan, current)
        try:
            return _run(plan, db, given, current, stored_with, path, strict=strict,
                        evaluator=evaluator, base=base, connection=connection,
                        progress=progress, memory_limit=memory_limit,
                        temp_dir=temp_dir,
                        until=end_of(as_of) if isinstance(as_of, dt.date) else as_of,
                        trend_over=trend_over)  # fmt: skip
        finally:
            db.close()


def _run(
    plan: Plan,
    db: duckdb.DuckDBPyConnection,
    given: list[tuple[str, Path]],
    current: str,
    stored_with: str,
    store: Path,
    *,
    strict: bool,
    evaluator: str,
    base: Path | None,
    connection: duckdb.DuckDBPyConnection | None,
    progress: Progress | None,
    memory_limit: str | int | None,
    temp_dir: str | Path | None,
    until: dt.datetime | str | None,
    trend_over: str | None,
) -> StoreRun:
    stored = st.stored_files(db)
    contract_changed = stored_with != current
    work: list[st.StoredFile] = []
    added: list[str] = []
    changed: list[str] = []
    recomputed: list[str] = []
    reused: list[str] = []
    seen: set[tuple[str, str]] = set()
    for source, file in given:
        key = (source, str(file))
        if key in seen:
            continue  # a file listed twice is one file
        seen.add(key)
        digest, size = _digest(file)
        entry = st.StoredFile(source, str(file), digest, size)
        before = stored.get(key)
        if before is None:
            added.append(f"{source}:{file}")
        elif before.sha256 != digest:
            changed.append(f"{source}:{file}")
        elif contract_changed:
            recomputed.append(f"{source}:{file}")
        else:
            reused.append(f"{source}:{file}")
            continue
        work.append(entry)
    problems: list[Diagnostic] = []
    if contract_changed:
        for key, before in sorted(stored.items()):
            if key in seen:
                continue
            file = Path(before.path)
            found: str | None = _digest(file)[0] if file.is_file() else None
            if found != before.sha256:
                what = "no longer exists" if found is None else "has changed since it was stored"
                problems.append(diag(
                    "E832", f"stored file `{before.path}` of source `{before.source}` {what}, "
                    "and the contract changed: its figures must be counted again", None,
                    help="give the file's current version with --data, or start a new "
                    "store"))  # fmt: skip
                continue
            recomputed.append(f"{before.source}:{before.path}")
            work.append(before)
    if problems:
        raise EvaluationError(problems, io=True)
    having = {source for source, _ in stored} | {source for source, _ in given}
    missing = [s for s in ev.used_sources(plan) if s not in having]
    if missing:
        raise EvaluationError([
            diag("E820", f"no data given for source `{s}`, and the store has none", None,
                 help=f"add `--data {s}=PATH`") for s in missing], io=True)  # fmt: skip
    db.execute("BEGIN TRANSACTION")  # all of the run's files, or none of them
    try:
        for entry in work:
            buckets, report = _count(plan, db, entry, strict=strict, evaluator=evaluator,
                                     base=base, connection=connection, progress=progress,
                                     memory_limit=memory_limit, temp_dir=temp_dir)  # fmt: skip
            st.write_file(db, entry, buckets, report)
        if contract_changed:
            db.execute("UPDATE store SET fingerprint = ?", [current])
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    evaluation = _judge(plan, db, evaluator, progress, until, trend_over)
    reason = ""
    if contract_changed and recomputed:
        reason = "the contract, one of its data profiles or slalang changed since they were stored"
    return StoreRun(evaluation, tuple(added), tuple(changed), tuple(recomputed),
                    tuple(reused), reason, len(st.stored_files(db)))  # fmt: skip


def record_sources(plan: Plan) -> set[str]:
    """The sources whose records the store keeps: those of ``fcr`` objectives by repeat
    contacts, and the forecast sources of reliefs."""
    kept = {o.source for o in plan.objectives if o.repeats_contacts}
    kept.update(r.forecast_source for o in plan.objectives for r in o.reliefs)
    return kept


def _count(
    plan: Plan,
    db: duckdb.DuckDBPyConnection,
    entry: st.StoredFile,
    *,
    strict: bool,
    evaluator: str,
    base: Path | None,
    connection: duckdb.DuckDBPyConnection | None,
    progress: Progress | None,
    memory_limit: str | int | None,
    temp_dir: str | Path | None,
) -> tuple[dict[str, Buckets], LoadReport]:
    """One file's figures, for the objectives of its source whose figures add up file by file
    (without the reliefs' forecasts, computed over the stored forecasts), and its load
    report; the file's records are copied into the store when :func:`record_sources` says."""
    own = attrs.evolve(
        plan,
        objectives=tuple(
            o for o in plan.objectives if o.source == entry.source and not o.repeats_contacts
        ),
    )
    with ev.session(connection, memory_limit, temp_dir) as (con, step):
        figures, loads = ev.count(own, {entry.source: Path(entry.path)}, con, strict=strict,
                                  evaluator=evaluator, base=base, progress=progress,
                                  step=step, forecasts=False)  # fmt: skip
        report = loads[entry.source]
        if entry.source in record_sources(plan):
            st.write_records(db, entry, con, report.table)
    return figures.buckets, report


def _judge(
    plan: Plan,
    db: duckdb.DuckDBPyConnection,
    evaluator: str,
    progress: Progress | None,
    until: dt.datetime | str | None,
    trend_over: str | None,
) -> Evaluation:
    """The verdicts over every file the store holds, summed in the store's order."""
    buckets: dict[str, Buckets] = {o.id: {} for o in plan.objectives}
    for _, _, objective, bucket, figures in st.read_figures(db):
        if objective in buckets:
            buckets[objective].setdefault(bucket, Figures()).add(figures)
    if until == "latest":
        until = latest_end(EvaluationFigures(buckets, {}))
    assert not isinstance(until, str)
    repeated, forecasts = _over_records(db, plan, evaluator, until)
    buckets.update(repeated)
    per_source: dict[str, list[LoadReport]] = {}
    paths: dict[str, list[str]] = {}
    for source, path, report in st.read_reports(db):
        per_source.setdefault(source, []).append(report)
        paths.setdefault(source, []).append(path)
    loads = {
        s: ev.merged_reports(s, reports, strict=any(r.strict for r in reports))
        for s, reports in per_source.items()
    }
    shown = {s: ", ".join(paths[s]) for s in plan.sources if s in paths}  # contract order
    return ev.judged(plan, EvaluationFigures(buckets, forecasts), loads, shown,
                     progress=progress, until=until, trend_over=trend_over)  # fmt: skip


def _over_records(
    db: duckdb.DuckDBPyConnection, plan: Plan, evaluator: str, until: dt.datetime | None
) -> tuple[dict[str, Buckets], dict[str, dict[str, dict[dt.datetime, float]]]]:
    """Over every stored record (up to ``until``, forecasts whole): the figures of the
    objectives by repeat contacts, and the forecast volumes of every relief."""
    views = {s: v for s in record_sources(plan) if (v := st.records_view(db, s)) is not None}
    if until is not None:
        views = {s: up_to(db, plan, s, v, until)[0] for s, v in views.items()}
    repeating = attrs.evolve(plan, objectives=tuple(o for o in plan.objectives
                                                    if o.repeats_contacts))  # fmt: skip
    relieved = attrs.evolve(plan, objectives=tuple(o for o in plan.objectives if o.reliefs))
    if evaluator == "duckdb":
        buckets = engine.evaluate(db, repeating, views, forecasts=False).buckets
        return buckets, engine.forecast_figures(db, relieved, views)
    rows: dict[str, list[dict[str, Any]]] = {}
    for source, view in views.items():
        cursor = db.execute(f"SELECT * FROM {engine.quote(view)}")
        names = [d[0] for d in cursor.description]
        rows[source] = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    return reference.evaluate(repeating, rows).buckets, reference.forecast_figures(relieved, rows)


def _given_files(plan: Plan, data: Any) -> list[tuple[str, Path]]:
    """The files of ``data``, by source, absolute, patterns expanded."""
    if data is None:
        return []
    bound = ev.expand_patterns(ev.bind(plan, data, complete=False))  # the store may have them
    files: list[tuple[str, Path]] = []
    for source, value in bound.items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if not isinstance(item, str | Path):
                raise EvaluationError([diag(
                    "E830", f"the data of source `{source}` is a table in memory; the history "
                    "store keeps figures of files", None,
                    help="write the table to a file (Parquet or CSV) and give its path")],
                    io=True)  # fmt: skip
            files.append((source, Path(item).absolute()))
    return files


def _digest(path: Path) -> tuple[str, int]:
    try:
        return st.file_digest(path)
    except OSError as error:
        raise EvaluationError(
            [diag("E810", f"cannot read `{path}`: {error.strerror or error}", None)], io=True
        ) from error


def _profile_texts(plan: Plan, base: Path | None) -> list[bytes]:
    """The bytes of every profile file the sources read (built-in profiles are part of
    slalang's version)."""
    texts = []
    for source in plan.sources.values():
        name = source.profile or DEFAULT_PROFILES.get(source.kind)
        if name is None:
            continue
        path = profile_path(name, base)
        texts.append(path.read_bytes() if is_path(name) and path.is_file() else name.encode())
    return texts


def _version() -> str:
    try:
        return metadata.version("slalang")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"
