"""The history store: incremental runs equal one full run, re-runs are byte-identical, and a
store is never silently mixed with another contract, another version or another writer."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import subprocess
import sys
from pathlib import Path

import duckdb
import filelock
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slalang
from slalang.history.stored import evaluate_stored
from slalang.report import render_evaluation
from slalang.synth import contacts, write
from slalang.synth.forecasts import forecasts
from slalang.synth.sources import adherence, audits, surveys

ROOT = Path(__file__).resolve().parents[2]
TEN = ROOT / "benchmarks" / "ten-objectives.sla"
ACME = ROOT / "contracts" / "acme-care.sla"
DAYS = 6


@pytest.fixture(scope="module")
def day_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Six days of contacts, one CSV file per day."""
    folder = tmp_path_factory.mktemp("days")
    table = contacts(2400, seed=11, days=DAYS)
    files = []
    for day in range(DAYS):
        start = dt.datetime(2026, 1, 1 + day)
        end = start + dt.timedelta(days=1)
        part = table.filter(
            pc.and_(pc.greater_equal(table["queued_at"], start), pc.less(table["queued_at"], end))
        )
        path = folder / f"day{day}.csv"
        write(part, path)
        files.append(path)
    return files


def _essentials(evaluation: slalang.Evaluation) -> list[tuple[object, ...]]:
    """Per verdict: what must be equal, then the sums (equal up to the order of addition)."""
    return [
        (
            (v.objective, v.period, v.status, v.volume, v.judged, v.meeting, v.excluded,
             v.noted, v.malformed, v.rows),
            (v.numerator, v.denominator, v.actual),
        )
        for v in evaluation.verdicts
    ]  # fmt: skip


def _same(a: slalang.Evaluation, b: slalang.Evaluation) -> None:
    left, right = _essentials(a), _essentials(b)
    assert [x[0] for x in left] == [y[0] for y in right]
    for x, y in zip(left, right, strict=True):
        for p, q in zip(x[1], y[1], strict=True):
            assert (p is None) == (q is None)
            if p is not None and q is not None:
                assert math.isclose(float(p), float(q), rel_tol=1e-12, abs_tol=1e-9), (x, y)
    assert [(c.period, c.due, c.earned) for c in a.credits] == [
        (c.period, c.due, c.earned) for c in b.credits
    ]
    assert a.risk == b.risk
    assert [(s.rows_read, s.rows_loaded, s.excluded) for s in a.sources] == [
        (s.rows_read, s.rows_loaded, s.excluded) for s in b.sources
    ]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    order=st.permutations(range(DAYS)),
    cuts=st.sets(st.integers(1, DAYS - 1), max_size=DAYS - 1),
    evaluator=st.sampled_from(["duckdb", "reference"]),
)
def test_incremental_runs_equal_one_full_run(
    day_files: list[Path],
    tmp_path_factory: pytest.TempPathFactory,
    order: list[int],
    cuts: set[int],
    evaluator: str,
) -> None:
    plan = slalang.compile_file(TEN)
    full = slalang.evaluate(plan, data=day_files, evaluator=evaluator)
    store = tmp_path_factory.mktemp("store") / "history.duckdb"
    bounds = [0, *sorted(cuts), DAYS]
    run = None
    for low, high in itertools.pairwise(bounds):
        batch = [day_files[i] for i in order[low:high]]
        run = evaluate_stored(plan, data=batch, store=store, evaluator=evaluator)
        assert len(run.added) == len(batch)
    assert run is not None
    _same(full, run.evaluation)


def test_a_rerun_reads_nothing_and_gives_the_same_bytes(
    day_files: list[Path], tmp_path: Path
) -> None:
    plan = slalang.compile_file(TEN)
    store = tmp_path / "h.duckdb"
    first = evaluate_stored(plan, data=day_files, store=store)
    again = evaluate_stored(plan, data=day_files, store=store)
    alone = evaluate_stored(plan, data=None, store=store)
    assert again.added == again.changed == again.recomputed == ()
    assert len(again.reused) == DAYS
    assert again.files == alone.files == DAYS
    assert alone.summary().startswith(f"history store: {DAYS} file(s) judged; 0 file(s) added")
    for fmt in ("json", "csv", "markdown"):
        text = render_evaluation(first.evaluation, format=fmt)
        assert render_evaluation(again.evaluation, format=fmt) == text
        assert render_evaluation(alone.evaluation, format=fmt) == text


def test_the_command_line_twice_prints_the_same(day_files: list[Path], tmp_path: Path) -> None:
    store = tmp_path / "h.duckdb"
    outputs = []
    for files in (day_files[:2], day_files[2:], day_files):
        argv = [sys.executable, "-m", "slalang", "evaluate", str(TEN), "--store", str(store),
                "--format", "json"]  # fmt: skip
        for file in files:
            argv += ["--data", f"calls={file}"]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "history store:" in done.stderr
        outputs.append(done.stdout)
    assert outputs[1] == outputs[2]
    assert "6 file(s) judged; 0 file(s) added, 0 changed, 0 recomputed, 6 reused" in done.stderr


def test_a_changed_file_is_counted_again(day_files: list[Path], tmp_path: Path) -> None:
    plan = slalang.compile_file(TEN)
    copies = []
    for file in day_files[:3]:
        copy = tmp_path / file.name
        copy.write_bytes(file.read_bytes())
        copies.append(copy)
    store = tmp_path / "h.duckdb"
    evaluate_stored(plan, data=copies, store=store)
    lines = copies[1].read_text().splitlines()
    copies[1].write_text("\n".join(lines[: len(lines) // 2]) + "\n")  # half the day re-exported
    run = evaluate_stored(plan, data=copies, store=store)
    assert run.changed == (f"calls:{copies[1]}",)
    assert len(run.reused) == 2
    _same(slalang.evaluate(plan, data=copies), run.evaluation)


def test_a_contract_change_recomputes_every_stored_file(
    day_files: list[Path], tmp_path: Path
) -> None:
    text = TEN.read_text()
    store = tmp_path / "h.duckdb"
    before = slalang.compile(slalang.check(text))
    evaluate_stored(before, data=day_files[:4], store=store)
    amended = text.replace("80%", "85%", 1)
    assert amended != text
    after = slalang.compile(slalang.check(amended))
    run = evaluate_stored(after, data=day_files[4:], store=store)
    assert len(run.recomputed) == 4
    assert len(run.added) == 2
    assert "contract" in run.reason
    _same(slalang.evaluate(after, data=day_files), run.evaluation)


def test_a_contract_change_with_a_stored_file_gone_stops(
    day_files: list[Path], tmp_path: Path
) -> None:
    text = TEN.read_text()
    store = tmp_path / "h.duckdb"
    gone = tmp_path / "gone.csv"
    gone.write_bytes(day_files[0].read_bytes())
    evaluate_stored(slalang.compile(slalang.check(text)), data=[gone], store=store)
    gone.unlink()
    amended = slalang.compile(slalang.check(text.replace("80%", "85%", 1)))
    with pytest.raises(slalang.EvaluationError) as raised:
        evaluate_stored(amended, data=day_files[1:2], store=store)
    assert [d.code for d in raised.value.diagnostics] == ["E832"]
    # nothing was written: the old contract still judges its history as before
    run = evaluate_stored(slalang.compile(slalang.check(text)), data=None, store=store)
    assert len(run.reused) == 0
    assert run.evaluation.sources[0].rows_read > 0


def test_another_contracts_store_and_other_files_are_refused(
    day_files: list[Path], tmp_path: Path
) -> None:
    store = tmp_path / "h.duckdb"
    evaluate_stored(slalang.compile_file(TEN), data=day_files[:1], store=store)
    other = slalang.compile(slalang.check(TEN.read_text().replace("benchmark_ten", "other", 1)))
    with pytest.raises(slalang.EvaluationError) as raised:
        evaluate_stored(other, data=day_files[:1], store=store)
    assert [d.code for d in raised.value.diagnostics] == ["E831"]
    plain = tmp_path / "plain.duckdb"
    duckdb.connect(str(plain)).execute("CREATE TABLE t (x INTEGER)").close()
    newer = tmp_path / "newer.duckdb"
    evaluate_stored(slalang.compile_file(TEN), data=day_files[:1], store=newer)
    duckdb.connect(str(newer)).execute("UPDATE store SET format = 2").close()
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    for path in (plain, newer, text):
        with pytest.raises(slalang.EvaluationError) as raised:
            evaluate_stored(slalang.compile_file(TEN), data=day_files[:1], store=path)
        assert [d.code for d in raised.value.diagnostics] == ["E830"], path


def test_tables_in_memory_are_refused(tmp_path: Path) -> None:
    store = tmp_path / "h.duckdb"
    with pytest.raises(slalang.EvaluationError) as raised:
        evaluate_stored(slalang.compile_file(TEN), data=contacts(10, seed=1, days=1), store=store)
    assert [d.code for d in raised.value.diagnostics] == ["E830"]
    assert not store.exists()


@pytest.fixture(scope="module")
def acme_files(
    day_files: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    """Data for every source of acme-care.sla: the contacts by day, the other sources whole."""
    folder = tmp_path_factory.mktemp("acme")
    data: dict[str, object] = {"contacts": day_files}
    for name, table in (
        ("qa", audits(240, seed=1, days=DAYS)),
        ("surveys", surveys(300, seed=2, days=DAYS)),
        ("adherence", adherence(20, seed=3, days=DAYS)),
        ("forecast", forecasts(2400, seed=4, days=DAYS)),
    ):
        path = folder / f"{name}.parquet"
        write(table, path)
        data[name] = path
    return data


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    order=st.permutations(range(DAYS)),
    cut=st.integers(1, DAYS - 1),
    evaluator=st.sampled_from(["duckdb", "reference"]),
)
def test_repeat_contacts_and_reliefs_are_judged_over_every_stored_file(
    acme_files: dict[str, object],
    tmp_path_factory: pytest.TempPathFactory,
    order: list[int],
    cut: int,
    evaluator: str,
) -> None:
    """acme-care's first-contact resolution looks for repeat contacts across days, and its
    reliefs compare volumes with a forecast source: a history fed in two batches in any
    order gives what one run over everything gives."""
    plan = slalang.compile_file(ACME)
    base = ACME.parent
    full = slalang.evaluate(plan, data=acme_files, evaluator=evaluator, base=base)
    assert "met" in {v.status for v in full.verdicts}
    days = acme_files["contacts"]
    assert isinstance(days, list)
    store = tmp_path_factory.mktemp("store") / "history.duckdb"
    others = {k: v for k, v in acme_files.items() if k != "contacts"}
    first = {"contacts": [days[i] for i in order[:cut]], **others}
    evaluate_stored(plan, data=first, store=store, evaluator=evaluator, base=base)
    second = {"contacts": [days[i] for i in order[cut:]]}
    run = evaluate_stored(plan, data=second, store=store, evaluator=evaluator, base=base)
    _same(full, run.evaluation)


def test_a_second_writer_waits_then_fails_cleanly(day_files: list[Path], tmp_path: Path) -> None:
    store = tmp_path / "h.duckdb"
    plan = slalang.compile_file(TEN)
    with filelock.FileLock(str(store) + ".lock"), pytest.raises(slalang.EvaluationError) as raised:
        evaluate_stored(plan, data=day_files[:1], store=store, wait=0.3)
    assert [d.code for d in raised.value.diagnostics] == ["E833"]
    assert not store.exists()


def test_two_writers_at_once_both_land(day_files: list[Path], tmp_path: Path) -> None:
    store = tmp_path / "h.duckdb"
    runs = []
    for files in (day_files[:3], day_files[3:]):
        argv = [sys.executable, "-m", "slalang", "evaluate", str(TEN), "--store", str(store),
                "--format", "json"]  # fmt: skip
        for file in files:
            argv += ["--data", f"calls={file}"]
        runs.append(subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    for process in runs:
        _, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
    plan = slalang.compile_file(TEN)
    run = evaluate_stored(plan, data=None, store=store)
    assert len(run.reused) == 0
    _same(slalang.evaluate(plan, data=day_files), run.evaluation)


def test_stored_reports_keep_malformed_rows(day_files: list[Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    lines = day_files[0].read_text().splitlines()
    lines[4] = lines[4].replace(",", ",,", 1)
    broken.write_text("\n".join(lines) + "\n")
    plan = slalang.compile_file(TEN)
    store = tmp_path / "h.duckdb"
    evaluate_stored(plan, data=[broken], store=store)
    run = evaluate_stored(plan, data=None, store=store)
    full = slalang.evaluate(plan, data=broken)
    assert run.evaluation.sources[0].problems == full.sources[0].problems
    assert run.evaluation.sources[0].problem_counts == full.sources[0].problem_counts
    _same(full, run.evaluation)
