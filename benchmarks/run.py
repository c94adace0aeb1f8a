"""End-to-end benchmark: slalang against hand-written DuckDB SQL and pandas.

One run generates seeded synthetic contacts as Parquet (or, with ``--format csv``, as CSV),
then times three ways of computing the same ten objectives of ``ten-objectives.sla`` from that
file, each in its own child process (so that each peak memory is its own):

1. slalang: ``slalang.evaluate(slalang.compile_file(contract), data=path)``, for the
   ten-objective contract and for the one-objective contract ``one-objective.sla``;
2. DuckDB SQL written by hand, as an analyst would, straight from the file (``read_parquet``
   or ``read_csv``; see hand.py);
3. pandas: ``read_parquet`` or ``read_csv``, vectorised boolean masks and ``groupby``.

With ``--fresh``, every run is a new process instead, as a user runs each approach: the
``slalang evaluate`` command with ``--format json``, and ``hand.py`` for the SQL and pandas;
the time is the wall clock of the whole process and the peak memory its own ``ru_maxrss``.

It checks that the three agree on every figure (numerator, denominator and value of each
objective and period, values to 1e-9 relative), prints the median times, the ratios and the
peak memory of each approach, and marks each target PASS or FAIL. With several sizes
(``--rows 1000000,3000000``) it does so for each size in turn, then prints how slalang's time
per million rows and peak memory change with the size. See docs/performance.md.

Usage::

    python benchmarks/run.py [--rows N[,N...]] [--repeat N] [--format parquet|csv] [--fresh]
                             [--keep DIR] [--check]
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # hand.py beside this script, also when loaded by path
    sys.path.insert(0, str(HERE))

from hand import FORMATS, Figures, file_format, run_duckdb, run_pandas  # noqa: E402

TEN = HERE / "ten-objectives.sla"
ONE = HERE / "one-objective.sla"
SEED = 20260101
REL_TOL = 1e-9
LABELS = ("numerator", "denominator", "value")

OBJECTIVES = (
    "sl_f1_20",
    "sl_f2_30",
    "sl_f5_20",
    "abandonment",
    "asa",
    "aht",
    "sl_at_all_times",
    "billing_sl",
    "sl_daily_mean",
    "fcr",
)


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


def make_data(rows: int, folder: Path, *, seed: int = SEED, format: str = "parquet") -> Path:
    """Write ``rows`` synthetic contacts (one month) in ``folder``, or reuse them.

    ``format`` is ``parquet`` or ``csv`` (as ``slalang generate`` writes it: a header line,
    timestamps as ``YYYY-MM-DD HH:MM:SS``, nulls as empty fields). A file is written under a
    partial name and renamed once complete, so a file of the final name, which carries the
    rows and the seed, is whole; a Parquet file's row count is checked as well.
    """
    import pyarrow.parquet as pq

    from slalang import synth as generate

    path = folder / f"contacts-{rows}-{seed}.{format}"
    if path.exists() and (format != "parquet" or pq.ParquetFile(path).metadata.num_rows == rows):
        return path
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f"partial-{path.name}"  # renamed once complete
    generate.write(generate.contacts(rows, seed=seed), partial)
    partial.replace(path)
    return path


# ---------------------------------------------------------------------------
# slalang
# ---------------------------------------------------------------------------


def run_slalang(contract: Path, data: Path) -> Figures:
    """File in, verdicts out: compile the contract and evaluate it over the file, Parquet or
    CSV, through the contract's profile (``generic-contacts``)."""
    import slalang

    evaluation = slalang.evaluate(slalang.compile_file(contract), data=data)
    return {
        (v.objective, v.period): (v.numerator, v.denominator, v.actual) for v in evaluation.verdicts
    }


def slalang_stages(contract: Path, data: Path) -> dict[str, float]:
    """Seconds spent in each stage of one slalang evaluation: compile, load, engine, verdicts."""
    import duckdb

    import slalang
    from slalang.data.load import load
    from slalang.data.profiles import load_profile
    from slalang.engine import duckdb_engine as engine
    from slalang.judge import verdicts

    times: dict[str, float] = {}
    start = time.perf_counter()
    plan = slalang.compile_file(contract)
    times["compile"] = time.perf_counter() - start
    profile, _ = load_profile("generic-contacts")
    assert profile is not None
    con = duckdb.connect()
    start = time.perf_counter()
    report = load(con, path=data, profile=profile, table="calls", format=file_format(data))
    times["load"] = time.perf_counter() - start
    assert report.ok
    start = time.perf_counter()
    figures = engine.evaluate(con, plan, {"calls": "calls"})
    times["engine"] = time.perf_counter() - start
    start = time.perf_counter()
    verdicts.verdicts(plan, figures)
    times["verdicts"] = time.perf_counter() - start
    return times


# ---------------------------------------------------------------------------
# Agreement
# ---------------------------------------------------------------------------


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)


def disagreements(expected: Figures, actual: Figures, *, name: str) -> list[str]:
    """Every figure on which ``actual`` differs from ``expected``, as readable lines."""
    found = []
    for key in sorted(set(expected) | set(actual)):
        if key not in actual or key not in expected:
            found.append(f"{name}: {key} only in {'slalang' if key in expected else name}")
            continue
        for label, a, b in zip(LABELS, expected[key], actual[key], strict=True):
            if not _close(a, b):
                found.append(f"{name}: {key} {label}: slalang {a!r}, {name} {b!r}")
    return found


def check_agreement(data: Path) -> Figures:
    """Compute every figure the three ways (in this process) and fail if any differ."""
    ten = run_slalang(TEN, data)
    assert {objective for objective, _ in ten} == set(OBJECTIVES), sorted(ten)
    one = run_slalang(ONE, data)
    problems = [
        *disagreements(ten, run_duckdb(data), name="duckdb-sql"),
        *disagreements(ten, run_pandas(data), name="pandas"),
        *disagreements({k: v for k, v in ten.items() if k[0] in {o for o, _ in one}}, one,
                       name="slalang-one"),
    ]  # fmt: skip
    if problems:
        raise AssertionError("the implementations disagree:\n" + "\n".join(problems))
    return ten


# ---------------------------------------------------------------------------
# Timing, each approach in a child process
# ---------------------------------------------------------------------------

APPROACHES: dict[str, Callable[[Path], Figures]] = {
    "slalang-ten": lambda data: run_slalang(TEN, data),
    "slalang-one": lambda data: run_slalang(ONE, data),
    "duckdb-sql": run_duckdb,
    "pandas": run_pandas,
}


def worker(name: str, data: Path, commands: Iterator[str]) -> Iterator[dict[str, object]]:
    """Serve one approach in this process: each ``run`` times one run; ``quit`` ends.

    The first answer carries the figures; the last (to ``quit``) the peak memory.
    """
    function = APPROACHES[name]
    first = True
    for command in commands:
        if command.strip() != "run":
            break
        start = time.perf_counter()
        figures = function(data)
        answer: dict[str, object] = {"seconds": time.perf_counter() - start}
        if first:
            answer["figures"] = [[*key, *value] for key, value in sorted(figures.items())]
            first = False
        yield answer
    yield {"peak_kib": _peak_kib()}


def stages_worker(data: Path, repeat: int) -> dict[str, object]:
    runs = [slalang_stages(TEN, data) for _ in range(repeat)]
    return {"stages": {key: statistics.median(r[key] for r in runs) for key in runs[0]}}


def _peak_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # kilobytes on Linux


class _Child:
    """One approach served by this script in a fresh process, so that its peak memory is its
    own (Linux keeps ``ru_maxrss`` across fork and exec, so the parent itself stays small)."""

    def __init__(self, name: str, data: Path) -> None:
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", name,
                   "--data", str(data)]  # fmt: skip
        self.name = name
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def ask(self, command: str) -> dict[str, object]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name} failed (exit code {self.process.wait()})")
        answer: dict[str, object] = json.loads(line)
        return answer

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


def measure(data: Path, repeat: int) -> dict[str, dict[str, object]]:
    """Time every approach in interleaved rounds: one untimed warm-up round, then ``repeat``
    rounds, each running every approach once (in a rotating order), so that the machine's
    slow and fast moments fall on all approaches alike."""
    children = {name: _Child(name, data) for name in APPROACHES}
    results: dict[str, dict[str, object]] = {name: {"times": []} for name in APPROACHES}
    try:
        for name, child in children.items():
            print(f"warming up {name} ...", flush=True)
            results[name]["figures"] = child.ask("run")["figures"]
        names = list(APPROACHES)
        for round_ in range(repeat):
            print(f"round {round_ + 1} of {repeat} ...", flush=True)
            for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                seconds = children[name].ask("run")["seconds"]
                times = results[name]["times"]
                assert isinstance(times, list)
                times.append(seconds)
        for name, child in children.items():
            results[name]["peak_kib"] = child.ask("quit")["peak_kib"]
    finally:
        for child in children.values():
            child.close()
    return results


# ---------------------------------------------------------------------------
# Timing, each run a fresh process (--fresh)
# ---------------------------------------------------------------------------


def _slalang_command() -> list[str]:
    """The ``slalang`` command installed beside this Python, else ``python -m slalang``."""
    script = Path(sys.executable).parent / "slalang"
    return [str(script)] if script.exists() else [sys.executable, "-m", "slalang"]


def fresh_commands(data: Path) -> dict[str, list[str]]:
    """The command each approach runs as, in a fresh process, as a user would run it."""
    slalang, hand = _slalang_command(), [sys.executable, str(HERE / "hand.py")]
    return {
        "slalang-ten": [*slalang, "evaluate", str(TEN), "--data", f"calls={data}",
                        "--format", "json"],
        "slalang-one": [*slalang, "evaluate", str(ONE), "--data", f"calls={data}",
                        "--format", "json"],
        "duckdb-sql": [*hand, "duckdb-sql", str(data)],
        "pandas": [*hand, "pandas", str(data)],
    }  # fmt: skip


def run_fresh(command: list[str]) -> tuple[float, int, str]:
    """Run ``command`` as a new process: its wall-clock seconds from start to exit, its peak
    memory in KiB (``ru_maxrss`` of its own resource usage, from ``os.wait4``) and its output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            message = err.read().decode(errors="replace")
            raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{message}")
        out.seek(0)
        return seconds, int(usage.ru_maxrss), out.read().decode()


def fresh_figures(name: str, output: str) -> list[list[object]]:
    """The figures a fresh run printed: slalang's JSON report, or hand.py's figures."""
    payload = json.loads(output)
    if not name.startswith("slalang"):
        figures: list[list[object]] = payload["figures"]
        return figures
    return sorted(
        [r["objective"], r["period"], r["numerator"], r["denominator"], r["actual"]]
        for r in payload["results"]
    )


def measure_fresh(data: Path, repeat: int) -> dict[str, dict[str, object]]:
    """Time every approach as a fresh process per run: one untimed warm-up round (which also
    gives the figures and fills the operating system's file cache and slalang's parser-table
    cache), then ``repeat`` rounds in a rotating order, as :func:`measure` does. slalang's
    modules are byte-compiled first, as an installed wheel's are. The peak memory of an
    approach is the largest over its runs."""
    spec = importlib.util.find_spec("slalang")  # finds the package without importing it
    assert spec is not None
    assert spec.origin is not None
    compileall.compile_dir(str(Path(spec.origin).parent), quiet=1)
    commands = fresh_commands(data)
    results: dict[str, dict[str, object]] = {name: {"times": []} for name in commands}
    for name, command in commands.items():
        print(f"warming up {name} ...", flush=True)
        _, peak, output = run_fresh(command)
        results[name].update(figures=fresh_figures(name, output), peak_kib=peak)
    names = list(commands)
    for round_ in range(repeat):
        print(f"round {round_ + 1} of {repeat} ...", flush=True)
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            seconds, peak, _ = run_fresh(commands[name])
            times, before = results[name]["times"], results[name]["peak_kib"]
            assert isinstance(times, list)
            assert isinstance(before, int)
            times.append(seconds)
            results[name]["peak_kib"] = max(before, peak)
    return results


def _run_child(arguments: list[str]) -> dict[str, object]:
    """Run this script in a fresh process for one answer."""
    command = [sys.executable, str(Path(__file__).resolve()), *arguments]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments)} failed:\n{done.stderr}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _figures(payload: Mapping[str, object]) -> Figures:
    rows = payload["figures"]
    assert isinstance(rows, list)
    return {(str(o), str(p)): (n, d, v) for o, p, n, d, v in rows}


def _mib(kib: object) -> float:
    assert isinstance(kib, int)
    return kib / 1024


def paired_ratio(results: Mapping[str, Mapping[str, object]], top: str, bottom: str) -> float:
    """The median over rounds of ``top``'s time over ``bottom``'s in the same round.

    Both ran within seconds of each other, so a slow spell of the machine weighs on
    both; the median then sets aside the rounds a burst of noise fell on one of them.
    """
    above, below = results[top]["times"], results[bottom]["times"]
    assert isinstance(above, list)
    assert isinstance(below, list)
    return statistics.median(a / b for a, b in zip(above, below, strict=True))


Target = tuple[str, str, str, bool | None]
"""(label, measured, wanted, passed): ``passed`` is None for a figure shown without a target."""


def print_targets(targets: list[Target]) -> bool:
    """Print the targets as a table, each PASS or FAIL; True when none fails."""
    width = max(16, *(len(wanted) for _, _, wanted, _ in targets))
    print(f"{'target':<22} {'measured':>10}  {'wanted':<{width}} result")
    for label, measured, wanted, passed in targets:
        result = "-" if passed is None else "PASS" if passed else "FAIL"
        print(f"{label:<22} {measured:>10}  {wanted:<{width}} {result}")
    return all(passed is not False for *_, passed in targets)


def report(
    rows: int,
    repeat: int,
    results: Mapping[str, Mapping[str, object]],
    format: str = "parquet",
    *,
    fresh: bool = False,
) -> bool:
    """Print the table, ratios and targets; True when every target passes.

    Parquet has four targets; CSV two (slalang at most 1.5 times the hand-written SQL, peak
    memory under 1 GiB), the other two ratios are shown for information. Fresh processes
    have the same two, with slalang at most 1.3 times the SQL, whatever the format."""
    median = {}
    what = f"{rows:,} contacts" if format == "parquet" else f"{rows:,} contacts as CSV"
    if fresh:
        print(f"\n{what}, {repeat} rounds of fresh processes after a warm-up, median wall-clock "
              "times of the whole process (start-up, file in, figures out)")  # fmt: skip
    else:
        print(
            f"\n{what}, {repeat} interleaved runs each after a warm-up, median end-to-end "
            "times (file in, figures out)"
        )
    print(f"{'approach':<14} {'median s':>9} {'min s':>8} {'max s':>8} {'peak MiB':>9}")
    for name in APPROACHES:
        times = results[name]["times"]
        assert isinstance(times, list)
        median[name] = statistics.median(times)
        print(
            f"{name:<14} {median[name]:>9.3f} {min(times):>8.3f} {max(times):>8.3f} "
            f"{_mib(results[name]['peak_kib']):>9.0f}"
        )
    if fresh:
        print(f"\npeak MiB: ru_maxrss of each process (os.wait4), the largest of its runs; it "
              f"counts at least this script's own peak, {_mib(_peak_kib()):.0f} MiB")  # fmt: skip
    else:
        stages = results["slalang-stages"]["stages"]
        assert isinstance(stages, dict)
        print("\nslalang, ten objectives, by stage (median s): " + ", ".join(
            f"{stage} {seconds:.3f}" for stage, seconds in stages.items()))  # fmt: skip
    sql_ratio = paired_ratio(results, "slalang-ten", "duckdb-sql")
    pandas_ratio = paired_ratio(results, "pandas", "slalang-ten")
    ten_one = paired_ratio(results, "slalang-ten", "slalang-one")
    peak = max(_mib(results[name]["peak_kib"]) for name in ("slalang-ten", "slalang-one"))
    full = format == "parquet" and not fresh  # the four targets of the Parquet benchmark
    limit = 1.3 if fresh or format == "parquet" else 1.5
    targets: list[Target] = [
        ("slalang / DuckDB SQL", f"{sql_ratio:.2f}x", f"at most {limit}x", sql_ratio <= limit),
        ("pandas / slalang", f"{pandas_ratio:.2f}x", "at least 3x" if full else "no target",
         pandas_ratio >= 3.0 if full else None),
        ("ten / one objective", f"{ten_one:.2f}x", "at most 2x" if full else "no target",
         ten_one <= 2.0 if full else None),
        ("slalang peak memory", f"{peak:.0f} MiB", "under 1024 MiB", peak < 1024),
    ]  # fmt: skip
    print("\nratios: the median over rounds of the ratio within each round")
    return print_targets(targets)


# ---------------------------------------------------------------------------
# Several sizes
# ---------------------------------------------------------------------------

LINEAR = 1.25
"""Time grows linearly: slalang's seconds per million rows at the largest size are at most
this many times those at the smallest (start-up costs make small sizes dearer per row, so
only growth faster than the rows fails)."""
FLAT = 1.5
"""Memory stays flat: slalang's peak at the largest size is at most this many times its peak
at the smallest, or under the 1 GiB target anyway."""


def summary(rows: int, results: Mapping[str, Mapping[str, object]]) -> dict[str, float]:
    """What the scaling table needs of one size: median seconds and peak MiB of slalang (ten
    objectives) and of the hand-written SQL."""
    found: dict[str, float] = {"rows": rows}
    for key, name in (("slalang", "slalang-ten"), ("sql", "duckdb-sql")):
        times = results[name]["times"]
        assert isinstance(times, list)
        found[f"{key}_s"] = statistics.median(times)
        found[f"{key}_mib"] = _mib(results[name]["peak_kib"])
    return found


def scaling(sizes: list[dict[str, float]]) -> bool:
    """Print time per million rows and peak memory at each size, and the targets for linear
    time and flat memory (smallest size against largest); True when both pass."""
    print("\nscaling: median seconds per million rows and peak memory at each size, of slalang "
          "(ten objectives) and the hand-written DuckDB SQL")  # fmt: skip
    print(f"{'rows':>12} {'slalang s/M':>12} {'SQL s/M':>9} {'slalang MiB':>12} {'SQL MiB':>9}")
    for size in sorted(sizes, key=lambda size: size["rows"]):
        millions = size["rows"] / 1e6
        print(f"{size['rows']:>12,.0f} {size['slalang_s'] / millions:>12.3f} "
              f"{size['sql_s'] / millions:>9.3f} {size['slalang_mib']:>12.0f} "
              f"{size['sql_mib']:>9.0f}")  # fmt: skip
    small = min(sizes, key=lambda size: size["rows"])
    large = max(sizes, key=lambda size: size["rows"])
    per_row = (large["slalang_s"] / large["rows"]) / (small["slalang_s"] / small["rows"])
    memory = large["slalang_mib"] / small["slalang_mib"]
    print(f"\nslalang at {large['rows']:,.0f} rows against {small['rows']:,.0f}: seconds per "
          "million rows, and peak memory")  # fmt: skip
    return print_targets([
        ("slalang time linear", f"{per_row:.2f}x", f"at most {LINEAR}x", per_row <= LINEAR),
        ("slalang memory flat", f"{memory:.2f}x", f"at most {FLAT}x or under 1024 MiB",
         memory <= FLAT or large["slalang_mib"] < 1024),
    ])  # fmt: skip


def sizes(text: str) -> list[int]:
    """``1000000,3000000`` as a list of row counts."""
    try:
        rows = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a list of row counts: {text!r}") from error
    if not rows or min(rows) <= 0:
        raise argparse.ArgumentTypeError(f"not a list of row counts: {text!r}")
    return rows


def run_size(
    rows: int, args: argparse.Namespace, folder: Path
) -> tuple[bool, dict[str, float]] | None:
    """Generate (or reuse) the data of one size, time it and print its table: whether its
    targets pass and its summary for the scaling table, or None when the figures disagree."""
    start = time.perf_counter()
    made = _run_child(["--worker", "generate", "--rows", str(rows), "--data", str(folder),
                       "--format", args.format])  # fmt: skip
    data = Path(str(made["path"]))
    print(f"data: {data} ({time.perf_counter() - start:.1f} s)", flush=True)
    try:
        if args.fresh:
            results = measure_fresh(data, args.repeat)
        else:
            results = measure(data, args.repeat)
            print("timing slalang's stages ...", flush=True)
            results["slalang-stages"] = _run_child(
                ["--worker", "slalang-stages", "--data", str(data), "--repeat", str(args.repeat)]
            )
    finally:
        if args.keep is None:
            data.unlink()  # the next size's file may be large
    expected = _figures(results["slalang-ten"])
    problems = [
        *disagreements(expected, _figures(results["duckdb-sql"]), name="duckdb-sql"),
        *disagreements(expected, _figures(results["pandas"]), name="pandas"),
        *disagreements({k: v for k, v in expected.items() if k[0] == "sl_f1_20"},
                       _figures(results["slalang-one"]), name="slalang-one"),
    ]  # fmt: skip
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return None
    print(f"agreement: all {len(expected)} figures of {len(OBJECTIVES)} objectives agree "
          f"(numerator, denominator, value; relative tolerance {REL_TOL:g})")  # fmt: skip
    passed = report(rows, args.repeat, results, args.format, fresh=args.fresh)
    return passed, summary(rows, results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=sizes, default=[10_000_000],
                        help="contacts to generate; several sizes separated by commas, each "
                        "run in turn, then a scaling table (default 10000000)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds (median)")
    parser.add_argument(
        "--format", choices=FORMATS, default="parquet", help="data file format (default: parquet)"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="run each approach as a new process for every run"
    )
    parser.add_argument("--keep", type=Path, help="folder to keep (and reuse) the data in")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker == "generate":  # in a child, so the parent's memory stays small
        path = make_data(args.rows[0], args.data, format=args.format)
        print(json.dumps({"path": str(path)}))
        return 0
    if args.worker == "slalang-stages":
        print(json.dumps(stages_worker(args.data, args.repeat)))
        return 0
    if args.worker:
        for answer in worker(args.worker, args.data, iter(sys.stdin.readline, "")):
            print(json.dumps(answer), flush=True)
        return 0
    passed, done = True, []
    with tempfile.TemporaryDirectory(prefix="slalang-bench-") as temporary:
        for rows in args.rows:
            found = run_size(rows, args, args.keep or Path(temporary))
            if found is None:
                return 1
            passed = found[0] and passed
            done.append(found[1])
    if len(set(args.rows)) > 1:
        passed = scaling(done) and passed
    return 1 if args.check and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
