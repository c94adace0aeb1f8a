"""History store benchmark: one more day added to a stored year, against the whole year.

Generates seeded synthetic contacts as one Parquet file per day (``--days`` days from
2026-01-01, ``--rows-per-day`` contacts each, ``slalang.synth.contacts`` with ``start`` and
``days=1``), then times, each run in a fresh child process (so that its peak memory,
``ru_maxrss`` from ``os.wait4``, is its own), the ten objectives of ``ten-objectives.sla``:

1. the full-year run: ``slalang.evaluate_stored(plan, data={"calls": every day}, store=NEW)``,
   a fresh store counting every file;
2. one more day: a copy of a store holding every day but the last (built once, before the
   rounds) and ``evaluate_stored`` given the last day alone, which reads that file and judges
   the contract on the figures of the whole year;
3. for reference, ``slalang.evaluate(plan, data={"calls": every day})`` without a store.

After building the store of all days but the last (which also warms the file cache), it
times ``--repeat`` rounds; each round runs the three once, in a rotating order, and copies
the stored days anew before the incremental run, so every round adds the same day. The
time of a run is that of ``compile_file`` and the evaluation inside the child (contract and
files in, verdicts out); the table also gives the wall clock of the whole child process
(start-up and imports included). The verdicts of the three must agree: the full-year and the
incremental run exactly (statuses, values, numerators, denominators, volumes), the run
without a store to 1e-9 relative. Every run is given ``--memory-limit`` (DuckDB's) and a
spill folder beside the stores.

Targets (the acceptance of the history store): one more day at most 5 % of the full-year
run (median over median), and the full-year run's peak memory under 2 GiB. Prints Markdown
tables and PASS or FAIL per target; exits 1 on a FAIL with ``--check``. ``--profile`` runs
the incremental run once more under cProfile and prints where its time goes. See
docs/performance.md.

Usage::

    python benchmarks/history.py [--days N] [--rows-per-day N] [--repeat N] [--keep DIR]
                                 [--memory-limit SIZE] [--profile] [--check]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TEN = HERE / "ten-objectives.sla"
SEED = 20260101
FIRST_DAY = dt.date(2026, 1, 1)
REL_TOL = 1e-9
RATIO_TARGET = 0.05
"""One more day takes at most this share of the full-year run."""
PEAK_TARGET_MIB = 2048.0
"""The full-year run's peak memory stays under this."""

RUNS = ("full", "incremental", "plain")
LABELS = {
    "full": "full-year run (fresh store)",
    "incremental": "one more day (stored days + 1 file)",
    "plain": "`evaluate`, no store",
    "base": "store of all days but the last (once)",
}


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


def data_folder(root: Path, days: int, rows_per_day: int, seed: int = SEED) -> Path:
    """Where the day files of these parameters live: their name carries the parameters, so a
    kept folder is reused only by a run that asks for the same data."""
    return root / f"history-{days}d-{rows_per_day}r-{seed}"


def day_files(folder: Path, days: int) -> list[Path]:
    """The day files, in date order: ``calls-YYYY-MM-DD.parquet``."""
    return [folder / f"calls-{FIRST_DAY + dt.timedelta(days=i)}.parquet" for i in range(days)]


def make_days(folder: Path, days: int, rows_per_day: int, seed: int = SEED) -> int:
    """Write the day files that are missing (or whose row count is wrong); how many were
    written. Day ``i`` has seed ``seed + i`` and contact ids prefixed with its date, so ids
    are unique over the year. Each file is written under a partial name and renamed once
    complete, so a file of the final name is whole."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from slalang import synth

    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for index, path in enumerate(day_files(folder, days)):
        if path.exists() and pq.ParquetFile(path).metadata.num_rows == rows_per_day:
            continue
        day = (FIRST_DAY + dt.timedelta(days=index)).isoformat()
        table = synth.contacts(rows_per_day, seed=seed + index, start=day, days=1)
        ids = table.column("contact_id")
        unique = pc.binary_join_element_wise(f"{day}-", ids, "")
        table = table.set_column(table.schema.get_field_index("contact_id"), "contact_id", unique)
        partial = folder / f"partial-{path.name}"
        synth.write(table, partial)
        partial.replace(path)
        written += 1
    return written


# ---------------------------------------------------------------------------
# The runs, each in a child process
# ---------------------------------------------------------------------------

Verdicts = list[list[Any]]
"""[objective, period, status, actual, numerator, denominator, volume], sorted."""


def _verdicts(evaluation: Any) -> Verdicts:
    return sorted(
        [v.objective, v.period, v.status, v.actual, v.numerator, v.denominator, v.volume]
        for v in evaluation.verdicts
    )


def run_once(kind: str, files: list[Path], store: Path | None, args: argparse.Namespace) -> dict:
    """One timed run in this process: compile the contract and evaluate it over ``files``,
    through ``store`` (``full``, ``base``, ``incremental``) or without (``plain``)."""
    import slalang

    options = {"memory_limit": args.memory_limit, "temp_dir": args.temp_dir}
    start = time.perf_counter()
    plan = slalang.compile_file(TEN)
    if kind == "plain":
        evaluation = slalang.evaluate(plan, data={"calls": files}, **options)
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "verdicts": _verdicts(evaluation)}
    assert store is not None
    run = slalang.evaluate_stored(plan, data={"calls": files}, store=store, **options)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "verdicts": _verdicts(run.evaluation),
        "added": len(run.added),
        "changed": len(run.changed),
        "recomputed": len(run.recomputed),
        "reused": len(run.reused),
        "files": run.files,
        "summary": run.summary(),
        "store_bytes": store.stat().st_size,
    }


def worker(args: argparse.Namespace) -> dict:
    """What a child process does: generate the data, one run, or one profiled run."""
    if args.worker == "generate":
        start = time.perf_counter()
        written = make_days(args.data, args.days, args.rows_per_day)
        return {"written": written, "seconds": time.perf_counter() - start}
    # the modules the evaluations run, imported before the clock starts: imports are the
    # process's start-up, in the wall clock of the whole process but not in the run's time
    import slalang.api
    import slalang.data.load
    import slalang.history.stored
    import slalang.judge.evaluation  # noqa: F401

    files = day_files(args.data, args.days)
    chosen = {"full": files, "plain": files, "base": files[:-1], "incremental": files[-1:]}
    if args.worker == "profile":
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        answer = profiler.runcall(run_once, "incremental", chosen["incremental"], args.store, args)
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).strip_dirs()
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(20)
        answer["profile"] = text.getvalue()
        return answer
    return run_once(args.worker, chosen[args.worker], args.store, args)


def _peak_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # kilobytes on Linux


def child(worker_name: str, args: argparse.Namespace, folder: Path, store: Path | None) -> dict:
    """Run this script as a fresh process for one answer; adds the process's wall-clock
    seconds and peak memory in KiB (its own ``ru_maxrss``, from ``os.wait4``: Linux starts a
    child's peak at its parent's, so this script itself stays small, importing no slalang)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", worker_name,
               "--data", str(folder), "--days", str(args.days), "--rows-per-day",
               str(args.rows_per_day), "--memory-limit", args.memory_limit,
               "--temp-dir", str(args.temp_dir)]  # fmt: skip
    if store is not None:
        command += ["--store", str(store)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            message = err.read().decode(errors="replace")
            raise RuntimeError(f"{worker_name} failed (exit code {code}):\n{message}")
        out.seek(0)
        answer: dict = json.loads(out.read().decode().strip().splitlines()[-1])
    answer.update(process_seconds=wall, peak_kib=int(usage.ru_maxrss))
    return answer


# ---------------------------------------------------------------------------
# Agreement
# ---------------------------------------------------------------------------


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)
    return bool(a == b)


def disagreements(expected: Verdicts, actual: Verdicts, *, name: str, exact: bool) -> list[str]:
    """Every verdict field on which ``actual`` differs from ``expected``, as readable lines."""
    if [v[:2] for v in expected] != [v[:2] for v in actual]:
        return [f"{name}: other objectives or periods than the full-year run"]
    fields = ("status", "actual", "numerator", "denominator", "volume")
    found = []
    for want, got in zip(expected, actual, strict=True):
        for field, a, b in zip(fields, want[2:], got[2:], strict=True):
            if not (a == b if exact else _close(a, b)):
                found.append(f"{name}: {want[0]} {want[1]} {field}: full {a!r}, {name} {b!r}")
    return found


def check_run(kind: str, answer: Mapping[str, Any], days: int) -> list[str]:
    """What the store says it did must be what the run is meant to measure."""
    wanted = {"full": days, "base": days - 1, "incremental": 1}[kind]
    problems = []
    if answer["added"] != wanted or answer["changed"] or answer["recomputed"]:
        problems.append(f"{kind}: expected {wanted} file(s) added, none changed or "
                        f"recomputed; {answer['summary']}")  # fmt: skip
    if answer["files"] != days - (kind == "base"):
        problems.append(f"{kind}: the store holds {answer['files']} file(s); {answer['summary']}")
    return problems


# ---------------------------------------------------------------------------
# Measuring and reporting
# ---------------------------------------------------------------------------


def measure(args: argparse.Namespace, folder: Path, work: Path) -> dict[str, dict[str, Any]]:
    """Build the store of all days but the last, then ``--repeat`` rounds of the three runs
    in a rotating order, one child process at a time."""
    results: dict[str, dict[str, Any]] = {
        name: {"times": [], "process": [], "peaks": [], "answers": []} for name in RUNS
    }
    base = work / "base.duckdb"
    print(f"building the store of {args.days - 1} days ...", flush=True)
    results["base"] = child("base", args, folder, base)
    for round_ in range(args.repeat):
        print(f"round {round_ + 1} of {args.repeat} ...", flush=True)
        names = list(RUNS)[round_ % len(RUNS) :] + list(RUNS)[: round_ % len(RUNS)]
        for name in names:
            store = None
            if name == "full":
                store = work / f"full-{round_}.duckdb"
            elif name == "incremental":
                store = work / f"incremental-{round_}.duckdb"
                shutil.copyfile(base, store)  # untimed: every round adds the same day
            answer = child(name, args, folder, store)
            if store is not None:
                store.unlink()
                Path(str(store) + ".lock").unlink(missing_ok=True)
            result = results[name]
            result["times"].append(answer["seconds"])
            result["process"].append(answer["process_seconds"])
            result["peaks"].append(answer["peak_kib"] / 1024)
            result["answers"].append(answer)
    return results


def print_table(header: list[str], rows: list[list[str]], align: str) -> None:
    """A Markdown table; ``align`` has one letter per column, ``l`` or ``r``."""
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join("---:" if a == "r" else "---" for a in align) + " |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def report(args: argparse.Namespace, results: Mapping[str, Mapping[str, Any]]) -> bool:
    """Print the runs and the targets; True when every target passes."""
    rows_total = args.days * args.rows_per_day
    print(f"\n{args.days} days x {args.rows_per_day:,} contacts ({rows_total:,} rows), ten "
          f"objectives, {args.repeat} rounds, memory limit {args.memory_limit}; seconds of "
          "compile and evaluation in the child, and wall clock of the whole child "
          "process\n")  # fmt: skip
    table = []
    for name in RUNS:
        result = results[name]
        times = result["times"]
        table.append([LABELS[name], f"{statistics.median(times):.3f}", f"{min(times):.3f}",
                      f"{max(times):.3f}", f"{statistics.median(result['process']):.3f}",
                      f"{max(result['peaks']):.0f}"])  # fmt: skip
    base = results["base"]
    table.append([LABELS["base"], f"{base['seconds']:.3f}", "", "",
                  f"{base['process_seconds']:.3f}", f"{base['peak_kib'] / 1024:.0f}"])  # fmt: skip
    print_table(["run", "median s", "min s", "max s", "process s", "peak MiB"], table, "lrrrrr")
    size = results["full"]["answers"][0]["store_bytes"] / 1024**2
    print(f"\nstore of the year: {size:.1f} MiB; peak MiB: the largest ru_maxrss of the run's "
          f"children (this script's own peak is {_peak_kib() / 1024:.0f} MiB)\n")  # fmt: skip
    full = statistics.median(results["full"]["times"])
    one = statistics.median(results["incremental"]["times"])
    ratio = one / full
    process = statistics.median(results["incremental"]["process"]) / statistics.median(
        results["full"]["process"]
    )
    plain = full / statistics.median(results["plain"]["times"])
    peak = max(results["full"]["peaks"])
    targets = [
        ["one more day / full-year run", f"{100 * ratio:.2f} %",
         f"at most {100 * RATIO_TARGET:g} %", "PASS" if ratio <= RATIO_TARGET else "FAIL"],
        ["full-year run peak memory", f"{peak:.0f} MiB", f"under {PEAK_TARGET_MIB:.0f} MiB",
         "PASS" if peak < PEAK_TARGET_MIB else "FAIL"],
        ["the same, whole processes", f"{100 * process:.2f} %", "no target", "-"],
        ["full-year run / no store", f"{plain:.2f}x", "no target", "-"],
    ]  # fmt: skip
    print_table(["target", "measured", "wanted", "result"], targets, "lrll")
    return all(row[3] != "FAIL" for row in targets)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365, help="day files (default 365)")
    parser.add_argument("--rows-per-day", type=int, default=300_000,
                        help="contacts per day file (default 300000)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds (median)")
    parser.add_argument("--keep", type=Path, help="folder to keep (and reuse) the day files in")
    parser.add_argument("--memory-limit", default="1.5GB",
                        help="DuckDB's memory limit for every run (default 1.5GB)")  # fmt: skip
    parser.add_argument("--profile", action="store_true",
                        help="profile one more incremental run with cProfile")  # fmt: skip
    parser.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--temp-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.days < 2 or args.rows_per_day < 1 or args.repeat < 1:
        parser.error("--days must be at least 2, --rows-per-day and --repeat at least 1")
    if args.worker:
        print(json.dumps(worker(args)), flush=True)
        return 0
    with tempfile.TemporaryDirectory(prefix="slalang-history-") as temporary:
        work = Path(temporary)
        args.temp_dir = work / "spill"
        folder = data_folder(args.keep or work, args.days, args.rows_per_day)
        made = child("generate", args, folder, None)
        print(f"data: {folder}, {made['written']} of {args.days} day file(s) written "
              f"({made['process_seconds']:.1f} s)", flush=True)  # fmt: skip
        results = measure(args, folder, work)
        problems = check_run("base", results["base"], args.days)
        expected = results["full"]["answers"][0]["verdicts"]
        for name in RUNS:
            for answer in results[name]["answers"]:
                if name != "plain":
                    problems += check_run(name, answer, args.days)
                problems += disagreements(expected, answer["verdicts"], name=name,
                                          exact=name != "plain")  # fmt: skip
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
        print(f"agreement: the {len(expected)} verdicts of every run agree (the stored runs "
              f"exactly, the run without a store to {REL_TOL:g} relative)")  # fmt: skip
        passed = report(args, results)
        if args.profile:
            store = work / "profiled.duckdb"
            shutil.copyfile(work / "base.duckdb", store)
            answer = child("profile", args, folder, store)
            print(f"\ncProfile of one more day ({answer['seconds']:.3f} s under the profiler)")
            print(answer["profile"])
    return 1 if args.check and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
