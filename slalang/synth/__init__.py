"""Synthetic canonical data sets: seeded, vectorised generators for tests, demos and benchmarks.

Every function returns a :class:`pyarrow.Table` whose columns are the fields of one canonical
table of :mod:`slalang.lang.canonical`, in canonical order, with Arrow types ``text -> string``,
``integer -> int64``, ``number -> float64``, ``boolean -> bool``, ``timestamp -> timestamp[us]``
(naive local time) and ``date -> date32``. The same arguments and seed always give the same
table. Rows are built with numpy array operations only, so ten million contacts take seconds.

The shape is meant to be realistic enough that objectives are interesting: arrivals follow a
weekday and hour-of-day profile, waits come from a per-interval congestion level, callers
abandon when their patience runs out, and some customers call again within a few days.

This module is the public face and the command line (``python -m slalang.synth --help``);
the work is done in

- :mod:`slalang.synth.arrays`: seeded draws and Arrow columns from numpy arrays;
- :mod:`slalang.synth.contacts`: :func:`contacts`, with the traffic and agents others share;
- :mod:`slalang.synth.sources`: :func:`intervals`, :func:`audits`, :func:`surveys` and
  :func:`adherence`;
- :mod:`slalang.synth.forecasts`: :func:`forecasts`, the expected traffic of :func:`contacts`
  per queue and interval, with handle times;
- :mod:`slalang.synth.queue`: :func:`simulate`, contact records from a first-come,
  first-served queue simulation of a forecast and a staffing plan;
- :mod:`slalang.synth.files`: :func:`write`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa

from slalang.exitcodes import Exit
from slalang.synth.contacts import DEFAULT_QUEUES, contacts
from slalang.synth.files import file_suffix, write
from slalang.synth.forecasts import forecasts
from slalang.synth.queue import simulate
from slalang.synth.sources import adherence, audits, intervals, surveys

__all__ = [
    "KINDS",
    "adherence",
    "audits",
    "contacts",
    "forecasts",
    "intervals",
    "main",
    "simulate",
    "surveys",
    "write",
]

KINDS = ("contacts", "intervals", "audits", "surveys", "adherence", "forecasts")
"""The data sets :func:`main` can write."""


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in _names(text))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m slalang.synth",
        description="Write a synthetic canonical data set (seeded: the same arguments give the "
        "same file).",
        epilog="examples:\n"
        "  python -m slalang.synth --kind contacts --rows 1000000 --seed 1 calls.parquet\n"
        "  python -m slalang.synth --kind intervals --rows 200000 --thresholds 20,30 iv.csv\n"
        "  python -m slalang.synth --kind adherence --rows 40 adherence.jsonl\n"
        "  python -m slalang.synth --kind forecasts --rows 200000 forecast.csv\n\n"
        "The format follows the suffix: .parquet, .csv, .tsv or .jsonl.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--kind", choices=KINDS, default="contacts", help="data set to write")
    parser.add_argument(
        "--rows",
        type=int,
        default=100_000,
        help="rows to generate; for intervals the contacts aggregated, for adherence the "
        "agents, for forecasts the contacts forecast (default: 100000)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--start", default="2026-01-01", help="first day (default: 2026-01-01)")
    parser.add_argument("--days", type=int, default=31, help="days covered (default: 31)")
    parser.add_argument(
        "--queues", type=_names, default=DEFAULT_QUEUES, help="comma-separated queue names"
    )
    parser.add_argument(
        "--channels", type=_names, default=("voice",), help="comma-separated channels"
    )
    parser.add_argument(
        "--minutes", type=int, default=30, help="interval length (intervals, forecasts)"
    )
    parser.add_argument(
        "--thresholds",
        type=_numbers,
        default=(20,),
        help="answered_within_T columns, comma-separated seconds (intervals)",
    )
    parser.add_argument(
        "--abandon-thresholds",
        type=_numbers,
        default=(),
        help="abandoned_within_T columns, comma-separated seconds (intervals)",
    )
    parser.add_argument("output", metavar="OUT", help="file to write")
    return parser


def _build(args: argparse.Namespace) -> pa.Table:
    period = {"seed": args.seed, "start": args.start, "days": args.days}
    if args.kind == "audits":
        return audits(args.rows, **period)
    if args.kind == "surveys":
        return surveys(args.rows, **period)
    if args.kind == "adherence":
        return adherence(args.rows, **period)
    if args.kind == "forecasts":
        return forecasts(args.rows, queues=args.queues, channel=args.channels[0],
                         minutes=args.minutes, **period)  # fmt: skip
    table = contacts(args.rows, queues=args.queues, channels=args.channels, **period)
    if args.kind == "intervals":
        return intervals(
            table,
            minutes=args.minutes,
            thresholds=args.thresholds,
            abandon_thresholds=args.abandon_thresholds,
            seed=args.seed,
        )
    return table


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns an exit code from :mod:`slalang.exitcodes`."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return Exit.OK if exc.code == 0 else Exit.USAGE
    began = time.perf_counter()
    try:
        file_suffix(Path(args.output))
        table = _build(args)
        built = time.perf_counter()
        write(table, args.output)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return Exit.USAGE
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return Exit.USAGE
    done = time.perf_counter()
    print(
        f"wrote {table.num_rows:,} rows of {args.kind} to {args.output} in {done - began:.2f} s "
        f"(generate {built - began:.2f} s, write {done - built:.2f} s)",
        file=sys.stderr,
    )
    return Exit.OK


if __name__ == "__main__":
    sys.exit(main())
