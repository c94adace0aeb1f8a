"""Staffing benchmark: a month of 30-minute intervals for ten queues, and a million calls.

Generates a seeded forecast of ``--calls`` contacts (default one million) over January 2026
for ten queues (``slalang generate --kind forecasts``, written as CSV), then:

1. staffs ``ten-queues.sla`` (ten monthly pooled 80/20 service levels and ten monthly ASA
   objectives) from the CSV file, end to end (reading the file through its profile, the
   plan, the naive plan, the predicted verdicts), with Erlang C and with Erlang A (mean
   patience ``--patience``), timing ``--repeat`` rounds of each; target under 1 s;
2. prints the saving of the documented example: agent-hours of the plan against staffing
   every interval to 80/20 and 30 s on its own (the naive plan);
3. simulates the Erlang A plan (about a million calls: Poisson arrivals, exponential handle
   times and patience, first come, first served) and evaluates the contract on the
   records; target: the simulation under 10 s;
4. with ``--drift``, simulates the same plan with lognormal handle times of several
   coefficients of variation and prints how far the evaluated service level, ASA and
   abandonment drift from the model's predictions (docs/staffing.md).

Prints each target as PASS or FAIL; exits 1 on a FAIL with ``--check``. See
docs/performance.md.

Usage::

    python benchmarks/staffing.py [--calls N] [--repeat N] [--patience SECONDS] [--drift]
                                  [--check]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import slalang
from slalang import api

HERE = Path(__file__).resolve().parent
CONTRACT = HERE / "ten-queues.sla"
QUEUES = ",".join(f"q{i}" for i in range(10))
SEED = 20260101
STAFF_TARGET = 1.0
SIMULATE_TARGET = 10.0


def make_forecast(calls: int, folder: Path) -> Path:
    """The forecast CSV, written by the command a user would run."""
    path = folder / f"forecast-{calls}.csv"
    command = [sys.executable, "-m", "slalang", "generate", "--kind", "forecasts", "--rows",
               str(calls), "--seed", str(SEED), "--queues", QUEUES, str(path)]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)
    return path


def timed(rounds: int, run: object) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(rounds):
        began = time.perf_counter()
        result = run()  # type: ignore[operator]
        times.append(time.perf_counter() - began)
    return times, result


def pooled(evaluation: object, metric: str) -> float:
    """A metric's value over every queue: summed numerators over summed denominators."""
    verdicts = [v for v in evaluation.verdicts if v.objective.endswith(metric)]  # type: ignore[attr-defined]
    return sum(v.numerator for v in verdicts) / sum(v.denominator for v in verdicts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000, help="contacts forecast")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds of each staffing")
    parser.add_argument("--patience", type=float, default=180.0, help="mean patience, s")
    parser.add_argument("--drift", action="store_true", help="lognormal handle times too")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args(argv)
    plan = slalang.compile_file(CONTRACT)
    verdicts = []
    with tempfile.TemporaryDirectory() as folder:
        forecast = make_forecast(args.calls, Path(folder))
        made = {}
        print(f"staffing {CONTRACT.name} over {args.calls:,} forecast calls, 10 queues, "
              f"January 2026 ({args.repeat} rounds)")  # fmt: skip
        print("model      rows  median s   min s   max s   agent-hours   naive      saving")
        for model, patience in (("c", None), ("a", args.patience)):
            times, staffing = timed(args.repeat + 1, lambda m=model, p=patience: api.staff(
                plan, forecast=str(forecast), model=m, patience=p))  # fmt: skip
            times = times[1:]  # the first round warms up
            made[model] = staffing
            hours, naive = staffing.hours(), staffing.hours(staffing.naive)
            name = "Erlang C" if model == "c" else f"Erlang A ({args.patience:g} s)"
            print(f"{name:<17} {staffing.forecast.rows:>5} {statistics.median(times):>8.3f} "
                  f"{min(times):>7.3f} {max(times):>7.3f} {hours:>13,.1f} {naive:>9,.1f} "
                  f"{naive - hours:>8,.1f} ({100 * (naive - hours) / naive:.1f} %)")  # fmt: skip
            statuses = {v.status for v in staffing.evaluation.verdicts}
            verdicts.append((f"staffing, {name}", statistics.median(times), STAFF_TARGET,
                             statuses == {"met"}))  # fmt: skip
        staffing = made["a"]
        began = time.perf_counter()
        records = api.simulate_plan(staffing, seed=1)
        simulated = time.perf_counter() - began
        evaluation = slalang.evaluate(plan, data=records)
        print(f"\nsimulation of the Erlang A plan: {records.num_rows:,} calls in "
              f"{simulated:.2f} s")  # fmt: skip
        print(f"  service level: predicted {pooled(staffing.evaluation, 'service_level'):.4f}, "
              f"simulated {pooled(evaluation, 'service_level'):.4f}")  # fmt: skip
        print(f"  ASA: predicted {pooled(staffing.evaluation, 'speed'):.2f} s, "
              f"simulated {pooled(evaluation, 'speed'):.2f} s")  # fmt: skip
        verdicts.append(("simulating the plan", simulated, SIMULATE_TARGET, True))
        if args.drift:
            for model in ("c", "a"):
                _drift(plan, made[model])
    print("\ntarget                       measured   wanted      result")
    failed = False
    for label, value, target, sound in verdicts:
        ok = value < target and sound
        failed |= not ok
        print(
            f"{label:<28} {value:>7.3f} s   < {target:g} s    {'PASS' if ok else 'FAIL'}"
            + ("" if sound else " (a predicted verdict not met)")
        )
    return 1 if failed and args.check else 0


def _drift(plan: slalang.Plan, staffing: object) -> None:
    """Simulated against predicted figures with lognormal handle times of the same mean."""
    predicted = staffing.evaluation  # type: ignore[attr-defined]
    model = "Erlang C" if staffing.options.model == "c" else "Erlang A"  # type: ignore[attr-defined]
    print(f"\n{model} plan, handle times   calls  SL pred  SL sim  ASA pred  ASA sim  abandoned")
    shapes = [("exponential", 1.0), ("lognormal", 0.5), ("lognormal", 1.0), ("lognormal", 1.5)]
    for shape, cv in shapes:
        records = api.simulate_plan(staffing, seed=2, handle_times=shape, handle_cv=cv)  # type: ignore[arg-type]
        evaluation = slalang.evaluate(plan, data=records)
        abandoned = float(np.mean(np.asarray(records.column("outcome").to_pylist()) == "abandoned"))
        label = shape if shape == "exponential" else f"lognormal, cv {cv:g}"
        print(f"{label:<27} {records.num_rows:>8,} {pooled(predicted, 'service_level'):>8.4f} "
              f"{pooled(evaluation, 'service_level'):>7.4f} {pooled(predicted, 'speed'):>9.2f} "
              f"{pooled(evaluation, 'speed'):>8.2f} {abandoned:>10.4f}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
