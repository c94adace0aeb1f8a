"""The history store: a DuckDB file keeping the figures of every data file a contract has
been evaluated over, so that a new day's export adds its buckets without the year before it
being read again.

Format 1 (``FORMAT``), one contract per store; every table is plain SQL, readable with any
DuckDB client:

``store``
    one row: ``format`` (1), ``contract`` (the contract's id), ``fingerprint`` (what the
    figures were computed with, see :func:`fingerprint`).
``files``
    one row per data file: ``source`` (the contract's source id), ``path`` (as given, made
    absolute), ``sha256`` (of the file's bytes), ``size`` (bytes), ``rows_read``,
    ``rows_loaded``, ``report`` (the file's load report, JSON: :func:`report_json`).
``figures``
    the file's figures: ``source``, ``path``, ``objective``, ``bucket`` (the start of the
    objective's finest time bucket), ``num``, ``den``, ``volume``, ``excluded`` and ``noted``
    (JSON objects of counts by reason).
``records_<source>``
    for a source whose figures do not add up file by file (the contacts of a first-contact
    resolution by repeat contacts, the forecasts of a relief), its loaded records in canonical
    columns, with ``_source`` and ``_path``: those figures are computed over every stored
    record at each run.

A store is written by one process at a time: :func:`locked` holds the lock file ``PATH.lock``
for the whole run, and a second writer waits for it (``E833`` when the wait is over).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import duckdb
import filelock

from slalang.codes import diag
from slalang.data.report import AmbiguousTimes, DataProblem, LoadReport
from slalang.diagnostics import Diagnostic, Severity
from slalang.engine.figures import Figures
from slalang.engine.plan import Plan
from slalang.judge.results import EvaluationError

FORMAT = 1
"""The store format this version of slalang reads and writes."""

WAIT_SECONDS = 60.0
"""How long a run waits for another run writing the same store before giving up (E833)."""

_SCHEMA = (
    "CREATE TABLE store (format INTEGER NOT NULL, contract VARCHAR NOT NULL, "
    "fingerprint VARCHAR NOT NULL)",
    "CREATE TABLE files (source VARCHAR NOT NULL, path VARCHAR NOT NULL, "
    "sha256 VARCHAR NOT NULL, size BIGINT NOT NULL, rows_read BIGINT NOT NULL, "
    "rows_loaded BIGINT NOT NULL, report VARCHAR NOT NULL, PRIMARY KEY (source, path))",
    "CREATE TABLE figures (source VARCHAR NOT NULL, path VARCHAR NOT NULL, "
    "objective VARCHAR NOT NULL, bucket TIMESTAMP NOT NULL, num DOUBLE NOT NULL, "
    "den DOUBLE NOT NULL, volume BIGINT NOT NULL, excluded VARCHAR NOT NULL, "
    "noted VARCHAR NOT NULL)",
)


@attrs.frozen
class StoredFile:
    """A data file the store holds figures of."""

    source: str
    path: str
    sha256: str
    size: int


def file_digest(path: Path) -> tuple[str, int]:
    """The SHA-256 of a file's bytes (hex) and its size, read in blocks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def fingerprint(plan: Plan, profiles: Sequence[bytes], version: str) -> str:
    """What a file's figures depend on besides the file: the compiled contract (not where its
    file is), the text of the data profiles its sources read, and slalang's version (a fix
    in the evaluator changes figures). Any change recomputes every stored file."""
    text = json.dumps(
        [_canonical(attrs.evolve(plan, path="")), [p.hex() for p in profiles], version],
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(value: Any) -> Any:
    """A JSON form of a plan that is the same in every process (sets sorted, no hashes)."""
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return {"@": type(value).__name__, **{f.name: _canonical(getattr(value, f.name))
                                               for f in fields}}  # fmt: skip
    if isinstance(value, dict):
        return [[_canonical(k), _canonical(v)] for k, v in sorted(value.items(), key=repr)]
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_canonical(v) for v in value), key=repr)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)


@contextlib.contextmanager
def locked(path: Path, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the store's lock file for a run; another run waits up to ``wait`` seconds.

    Raises:
        EvaluationError: ``E833`` when another run holds the store longer.
    """
    lock = filelock.FileLock(str(path) + ".lock")
    try:
        lock.acquire(timeout=wait)
    except filelock.Timeout as error:
        raise EvaluationError(
            [diag("E833", f"the history store `{path}` is being written by another run", None,
                  help=f"waited {wait:g} s; run again when the other run is done")],
            io=True,
        ) from error  # fmt: skip
    try:
        yield
    finally:
        lock.release()


def open_store(path: Path, plan: Plan, current: str) -> tuple[duckdb.DuckDBPyConnection, str]:
    """The store's connection, created with the schema if the file is new, and the fingerprint
    its figures were computed with (``current`` for a new store).

    Raises:
        EvaluationError: ``E830`` when the file is not a history store or has another format,
            ``E831`` when it holds another contract's history.
    """
    new = not path.exists()
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as error:
        raise EvaluationError([_not_a_store(path, str(error).splitlines()[0])], io=True) from error
    try:
        if new:
            for statement in _SCHEMA:
                con.execute(statement)
            con.execute("INSERT INTO store VALUES (?, ?, ?)", [FORMAT, plan.contract_id, current])
            return con, current
        try:
            rows = con.execute("SELECT format, contract, fingerprint FROM store").fetchall()
        except duckdb.Error:
            rows = []
        if len(rows) != 1:
            raise EvaluationError([_not_a_store(path, "it has no `store` table of one row")])
        format_, contract, stored = rows[0]
        if format_ != FORMAT:
            raise EvaluationError([diag(
                "E830", f"the history store `{path}` has format {format_}; this slalang "
                f"reads format {FORMAT}", None,
                help="use the slalang version that wrote it, or start a new store")])  # fmt: skip
        if contract != plan.contract_id:
            raise EvaluationError([diag(
                "E831", f"the history store `{path}` holds the history of contract "
                f"`{contract}`, not `{plan.contract_id}`", None,
                help="give each contract a store of its own")])  # fmt: skip
    except BaseException:
        con.close()
        raise
    return con, str(stored)


def _not_a_store(path: Path, why: str) -> Diagnostic:
    return diag("E830", f"`{path}` is not a slalang history store: {why}", None,
                help="name a new file, or a store an earlier `--store` run wrote")  # fmt: skip


def stored_files(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], StoredFile]:
    """Every file of the store, by source and path."""
    rows = con.execute("SELECT source, path, sha256, size FROM files").fetchall()
    return {(r[0], r[1]): StoredFile(r[0], r[1], r[2], int(r[3])) for r in rows}


def write_file(
    con: duckdb.DuckDBPyConnection,
    file: StoredFile,
    buckets: dict[str, dict[dt.datetime, Figures]],
    report: LoadReport,
) -> None:
    """Replace what the store holds of a file by its new figures and report (inside the
    caller's transaction)."""
    con.execute("DELETE FROM figures WHERE source = ? AND path = ?", [file.source, file.path])
    con.execute("DELETE FROM files WHERE source = ? AND path = ?", [file.source, file.path])
    con.execute(
        "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
        [file.source, file.path, file.sha256, file.size, report.rows_read, report.rows_loaded,
         report_json(report)],
    )  # fmt: skip
    rows = [
        [file.source, file.path, objective, bucket, f.num, f.den, f.volume,
         json.dumps(f.excluded, sort_keys=True), json.dumps(f.noted, sort_keys=True)]
        for objective, per_bucket in sorted(buckets.items())
        for bucket, f in sorted(per_bucket.items())
    ]  # fmt: skip
    if rows:
        con.executemany("INSERT INTO figures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def records_table(source: str) -> str:
    """The store's table of a source's records (source ids are identifiers)."""
    return f"records_{source}"


def write_records(
    db: duckdb.DuckDBPyConnection,
    file: StoredFile,
    con: duckdb.DuckDBPyConnection,
    loaded: str,
) -> None:
    """Copy the records of the loaded table ``loaded`` (on the evaluation's connection
    ``con``) into the store's records table of the file's source, in batches, replacing the
    file's earlier records; new columns are added to the table."""
    table = _quote(records_table(file.source))
    select = f"SELECT * EXCLUDE (_line) FROM {_quote(loaded)}"
    columns = [(str(r[0]), str(r[1])) for r in con.execute(f"DESCRIBE {select}").fetchall()]
    db.execute(f"CREATE TABLE IF NOT EXISTS {table} (_source VARCHAR, _path VARCHAR)")
    have = {str(r[0]) for r in db.execute(f"DESCRIBE {table}").fetchall()}
    for name, type_ in columns:
        if name not in have:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {_quote(name)} {type_}")
    db.execute(f"DELETE FROM {table} WHERE _source = ? AND _path = ?", [file.source, file.path])
    reader = con.sql(select).to_arrow_reader(100_000)
    assert reader is not None
    for batch in reader:
        db.register("_slalang_incoming", batch)
        try:
            db.execute(
                f"INSERT INTO {table} BY NAME SELECT ? AS _source, ? AS _path, * "
                "FROM _slalang_incoming",
                [file.source, file.path],
            )
        finally:
            db.unregister("_slalang_incoming")


def records_view(db: duckdb.DuckDBPyConnection, source: str) -> str | None:
    """A temporary view of every stored record of ``source``, numbered in ``_line`` (unique
    across files), or ``None`` when the store keeps none."""
    table = records_table(source)
    tables = {str(r[0]) for r in db.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if table not in tables:
        return None
    view = f"_slalang_records_{source}"
    db.execute(
        f"CREATE OR REPLACE TEMP VIEW {_quote(view)} AS SELECT * EXCLUDE (_source, _path), "
        f"row_number() OVER (ORDER BY _path) AS _line FROM {_quote(table)}"
    )
    return view


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_figures(
    con: duckdb.DuckDBPyConnection,
) -> Iterator[tuple[str, str, str, dt.datetime, Figures]]:
    """Every stored figure as (source, path, objective, bucket, figures), in one order that
    is the same on every run (so the sums, and the report, are too)."""
    cursor = con.execute(
        "SELECT source, path, objective, bucket, num, den, volume, excluded, noted "
        "FROM figures ORDER BY source, path, objective, bucket"
    )
    while batch := cursor.fetchmany(10_000):
        for source, path, objective, bucket, num, den, volume, excluded, noted in batch:
            yield (
                source,
                path,
                objective,
                bucket,
                Figures(
                    float(num), float(den), int(volume), json.loads(excluded), json.loads(noted)
                ),
            )


def read_reports(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, LoadReport]]:
    """Every stored file's load report as (source, path, report), by source and path."""
    rows = con.execute("SELECT source, path, report FROM files ORDER BY source, path").fetchall()
    return [(str(s), str(p), report_from_json(str(r))) for s, p, r in rows]


def report_json(report: LoadReport) -> str:
    """A file's load report as JSON (its table name and pending state are not kept)."""

    def moment(value: dt.datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return json.dumps(
        {
            "rows_read": report.rows_read,
            "rows_loaded": report.rows_loaded,
            "problems": [attrs.asdict(p) for p in report.problems],
            "problem_counts": report.problem_counts,
            "excluded": report.excluded,
            "diagnostics": [
                [d.code, d.severity.value, d.message, d.help] for d in report.diagnostics
            ],
            "strict": report.strict,
            "malformed_at": [[moment(t), n] for t, n in report.malformed_at],
            "loaded_at": [[moment(t), n] for t, n in report.loaded_at],
            "ambiguous": None if report.ambiguous is None else attrs.asdict(report.ambiguous),
        },
        sort_keys=True,
    )


def report_from_json(text: str) -> LoadReport:
    """The load report :func:`report_json` wrote."""
    data = json.loads(text)

    def moment(value: str | None) -> dt.datetime | None:
        return None if value is None else dt.datetime.fromisoformat(value)

    loaded_at = []
    for t, n in data["loaded_at"]:
        when = moment(t)
        assert when is not None
        loaded_at.append((when, int(n)))
    return LoadReport(
        table="",
        rows_read=int(data["rows_read"]),
        rows_loaded=int(data["rows_loaded"]),
        problems=tuple(DataProblem(**p) for p in data["problems"]),
        problem_counts={str(k): int(v) for k, v in data["problem_counts"].items()},
        excluded={str(k): int(v) for k, v in data["excluded"].items()},
        diagnostics=tuple(
            Diagnostic(code, Severity(severity), message, None, help=help_)
            for code, severity, message, help_ in data["diagnostics"]
        ),
        strict=bool(data["strict"]),
        malformed_at=tuple((moment(t), int(n)) for t, n in data["malformed_at"]),
        loaded_at=tuple(loaded_at),
        ambiguous=None if data["ambiguous"] is None else AmbiguousTimes(**data["ambiguous"]),
    )
