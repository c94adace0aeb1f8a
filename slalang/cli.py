"""The ``slalang`` command: a thin layer over the public API.

``main(argv) -> int`` parses arguments, calls :mod:`slalang.api`, writes
results to stdout and problems to stderr, and returns a code from
:mod:`slalang.exitcodes`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from slalang import api
from slalang.codes import CATALOGUE
from slalang.engine import ENGINES
from slalang.exitcodes import TABLE, Exit
from slalang.progress import TerminalBar
from slalang.render import FORMATS, render
from slalang.report import REPORT_FORMATS, render_evaluation
from slalang.source import read_limited

CONTRACT_SUFFIX = ".sla"

_EXAMPLES = """examples:
  slalang check contracts/                  check every .sla file below a folder
  slalang check --format sarif contracts/   SARIF 2.1.0 for code scanning
  cat a.sla | slalang check -               read a contract from standard input
  slalang fmt --check contracts/            fail if a file is not formatted
  slalang fmt --diff contracts/acme.sla     show what fmt would change
  slalang explain E201                      what a diagnostic code means
  slalang evaluate contracts/anonymous-bank-1999.sla --data january-1999.txt
                                            verdicts of a one-source contract
  slalang evaluate contracts/acme-care.sla --data contacts=c.parquet --data qa=qa.csv ...
                                            bind each source of the contract to a file
  slalang evaluate contracts/multi-queue.sla --data calls='exports/2026-*.csv' --memory-limit 2GB
                                            a source in many files, DuckDB within 2 GB
  slalang generate --kind contacts --rows 100000 --seed 1 sample/contacts.parquet
                                            synthetic contact records for trying things out
  slalang erlang --calls 360 --interval 30min --aht 240s --threshold 15s --agents 55
                                            what 55 agents achieve (Erlang C)
  slalang erlang --calls 300,360,420 --aht 240s --service-level 80% --shrinkage 35%
                                            agents needed for 80/20, one row per volume
  slalang staff contracts/multi-queue.sla --forecast forecast.csv --format csv
                                            the cheapest plan that meets the contract
"""


class _UsageError(Exception):
    """A problem with the command line or the files named on it."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slalang",
        description="Write, check and format contact-center service level agreements.",
        epilog=f"{_EXAMPLES}\n{TABLE}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from slalang import __version__

    parser.add_argument("--version", action="version", version=f"slalang {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="check contract files and report every problem",
        description="Check contract files (or every .sla file below a folder; - reads "
        "standard input) and write the report to standard output.",
        epilog=TABLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.add_argument(
        "--format", choices=FORMATS, default="full", help="report format (default: full)"
    )
    check.add_argument(
        "--warnings-as-errors", action="store_true", help="exit 1 when there are warnings"
    )
    check.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the full format (default: auto, on a terminal only)",
    )

    fmt = commands.add_parser(
        "fmt",
        help="format contract files in place",
        description="Format contract files in canonical layout, keeping comments. Files are "
        "rewritten in place; - formats standard input to standard output.",
        epilog=TABLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fmt.add_argument("paths", nargs="+", metavar="PATH")
    fmt.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file would change"
    )
    fmt.add_argument(
        "--diff",
        action="store_true",
        help="write nothing; print a unified diff and exit 1 if a file would change",
    )
    fmt.add_argument(
        "--explicit",
        action="store_true",
        help="also print every defaulted knob with its default value",
    )

    evaluate = commands.add_parser(
        "evaluate",
        help="evaluate a contract over data: verdicts, credits, account status",
        description="Evaluate a contract over data files read through each source's data "
        "profile, and write verdicts per objective and period, service credits and the account "
        "status. The exit code does not depend on the verdicts, but a period left unjudged "
        "because too many of its rows are malformed (status incomplete) exits 1.",
        epilog=TABLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _evaluation_arguments(evaluate, REPORT_FORMATS)
    status = commands.add_parser(
        "status",
        help="the account in one screen: status, this period's outlook, trends, credits",
        description="Judge the contract as `evaluate` does, as of the last day with data "
        "(or --as-of), and show the account in one screen: its status and what changed it, "
        "each open objective's outlook, recent trends and the credits of the year.",
        epilog=TABLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _evaluation_arguments(status, ("status", "json"))
    commands.add_parser(
        "generate", help="write synthetic data (see `slalang generate --help`)", add_help=False
    )
    _erlang_parser(commands)
    _staff_parser(commands)

    explain = commands.add_parser(
        "explain",
        help="explain a diagnostic code",
        epilog=TABLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    explain.add_argument("code", metavar="CODE")
    return parser


def _quantity(kind: str) -> Callable[[str], object]:
    """An argparse type reading a quantity written as in the language (``30min``, ``80%``)."""
    from slalang.lang.units import Dimension, dimension, read_quantity, seconds

    wanted = {"duration": Dimension.DURATION, "percent": Dimension.PERCENT}[kind]
    example = {"duration": "30min or 240s", "percent": "80%"}[kind]

    def read(text: str) -> object:
        quantity = read_quantity(text)
        if quantity is None or dimension(quantity.unit) is not wanted:
            raise argparse.ArgumentTypeError(f"`{text}` is not a {kind} (write {example})")
        if quantity.value < 0:
            raise argparse.ArgumentTypeError(f"`{text}` is negative")
        if wanted is Dimension.DURATION:
            return float(seconds(quantity))
        return Fraction(quantity.value) / 100

    return read


def _erlang_parser(commands: Any) -> None:
    erlang = commands.add_parser(
        "erlang",
        help="agents for one interval, or what a number of agents achieves (Erlang B, C, A)",
        description="Work out the figures of one interval with a queueing model: give "
        "--agents for what they achieve, or targets (--service-level, --asa, --max-abandon, "
        "--max-occupancy; all must hold) for the fewest agents that meet them. Quantities "
        "carry units as in the language: 30min, 240s, 80%.",
        epilog=TABLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    duration, percent = _quantity("duration"), _quantity("percent")
    erlang.add_argument(
        "--calls",
        required=True,
        metavar="N[,N...]",
        help="calls offered in the interval; several separated by commas",
    )
    erlang.add_argument(
        "--interval",
        type=duration,
        default=1800.0,
        metavar="DURATION",
        help="the interval's length (default: 30min)",
    )
    erlang.add_argument(
        "--aht", type=duration, required=True, metavar="DURATION", help="average handle time"
    )
    erlang.add_argument(
        "--threshold",
        type=duration,
        default=20.0,
        metavar="DURATION",
        help="the service-level threshold T (default: 20s)",
    )
    erlang.add_argument("--agents", type=int, metavar="N", help="agents on the phones")
    erlang.add_argument(
        "--service-level",
        type=percent,
        metavar="PCT",
        help="target: at least this share answered within T",
    )
    erlang.add_argument(
        "--asa",
        type=duration,
        metavar="DURATION",
        help="target: mean wait of answered calls at most this",
    )
    erlang.add_argument(
        "--max-abandon",
        type=percent,
        metavar="PCT",
        help="target: at most this share abandoned (Erlang B: blocked)",
    )
    erlang.add_argument(
        "--max-occupancy",
        type=percent,
        metavar="PCT",
        help="target: agents busy at most this share of the time",
    )
    erlang.add_argument(
        "--shrinkage",
        type=percent,
        default=Fraction(0),
        metavar="PCT",
        help="share of scheduled time off the phones (default: 0%%)",
    )
    erlang.add_argument(
        "--model",
        choices=("c", "a", "b"),
        default="c",
        help="c: Erlang C (default), a: Erlang A (callers abandon), b: Erlang B (no queue)",
    )
    erlang.add_argument(
        "--patience", type=duration, metavar="DURATION", help="callers' mean patience (Erlang A)"
    )
    erlang.add_argument(
        "--variant",
        choices=("F1", "F2", "F3"),
        default="F1",
        help="service-level convention: F1 abandons fail (default), F2 "
        "abandons within T left out, F3 abandons within T succeed",
    )
    erlang.add_argument("--format", choices=("table", "json"), default="table",
                        help="output format (default: table)")  # fmt: skip


def _staff_parser(commands: Any) -> None:
    staff = commands.add_parser(
        "staff",
        help="the fewest agents per interval that meet the contract over a forecast",
        description="Work out agents per queue and interval of a forecast so that every "
        "service-level, speed-of-answer and abandonment objective of the contract is met as "
        "the contract aggregates it (per interval, share of intervals, pooled over the day "
        "or month), at the fewest agent-hours; print the plan, what each interval is "
        "predicted to achieve, what bound it, the saving against staffing every interval to "
        "its objectives' levels, and the predicted verdicts. With --plan, assess a given "
        "plan instead. See docs/staffing.md.",
        epilog=TABLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    duration, percent = _quantity("duration"), _quantity("percent")
    staff.add_argument("contract", metavar="CONTRACT")
    staff.add_argument(
        "--forecast",
        required=True,
        metavar="FILE",
        help="calls (and handle times) per queue and interval, read through "
        "the profile of the contract's forecasts source, else generic-forecasts",
    )
    staff.add_argument("--profile", metavar="NAME", help="read the forecast with this profile")
    staff.add_argument(
        "--interval",
        type=duration,
        metavar="DURATION",
        help="the forecast's interval length (default: the forecasts source's "
        "interval, else the shortest step between intervals)",
    )
    staff.add_argument(
        "--aht",
        type=duration,
        metavar="DURATION",
        help="handle time of forecast intervals without forecast_aht",
    )
    staff.add_argument(
        "--model",
        choices=("c", "a"),
        help="c: Erlang C; a: Erlang A, callers abandon (default: a with "
        "--patience or --contacts, else c)",
    )
    who = staff.add_mutually_exclusive_group()
    who.add_argument(
        "--patience", type=duration, metavar="DURATION", help="callers' mean patience (Erlang A)"
    )
    who.add_argument(
        "--contacts",
        metavar="FILE",
        help="contact records to estimate each queue's patience from (total wait over abandons)",
    )
    staff.add_argument(
        "--shrinkage",
        type=percent,
        default=Fraction(0),
        metavar="PCT",
        help="share of scheduled time off the phones (default: 0%%)",
    )
    staff.add_argument(
        "--max-occupancy",
        type=percent,
        metavar="PCT",
        help="agents busy at most this share of the time in every interval",
    )
    staff.add_argument(
        "--min-agents",
        type=int,
        default=0,
        metavar="N",
        help="agents in every open interval, calls or not (default: 0)",
    )
    staff.add_argument(
        "--plan",
        metavar="FILE",
        help="assess this plan (CSV as --format csv writes it) instead of making one",
    )
    staff.add_argument(
        "--simulate",
        metavar="FILE",
        help="also write contact records of a queue simulation of the plan "
        "(Parquet, CSV, TSV or JSON Lines by the suffix), for slalang evaluate",
    )
    staff.add_argument("--seed", type=int, default=0, help="the simulation's seed (default: 0)")
    staff.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output format (default: table)",
    )
    staff.add_argument("--output", metavar="FILE", help="write the plan to FILE")  # fmt: skip


def _staff(args: argparse.Namespace) -> Exit:
    result = api.check_file(args.contract)
    if result.source is None and result.diagnostics and result.diagnostics[0].code == "E009":
        raise _UsageError(result.diagnostics[0].message)
    if not result.ok:
        sys.stderr.write(render([result], format="full"))
        return Exit.FAILED
    if args.min_agents < 0:
        raise _UsageError("--min-agents must not be negative")
    if args.shrinkage >= 1:
        raise _UsageError("--shrinkage must be below 100%")
    for name in ("interval", "aht", "patience"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            raise _UsageError(f"--{name} must be longer than 0 s")
    if args.model == "c" and (args.patience is not None or args.contacts is not None):
        raise _UsageError("--patience and --contacts are for --model a")
    plan = api.compile(result)
    base = Path(args.contract).parent
    try:
        staffing = api.staff(
            plan, forecast=args.forecast, profile=args.profile, base=base,
            interval=args.interval, aht=args.aht, model=args.model, patience=args.patience,
            contacts=args.contacts, shrinkage=args.shrinkage, max_occupancy=args.max_occupancy,
            min_agents=args.min_agents, agents=args.plan,
        )  # fmt: skip
        records = api.simulate_plan(staffing, seed=args.seed) if args.simulate else None
    except api.EvaluationError as error:
        sys.stderr.write(render([api.CheckResult(None, None, error.diagnostics)], format="full"))
        return Exit.USAGE if error.io else Exit.FAILED
    if staffing.diagnostics:
        sys.stderr.write(render([api.CheckResult(None, None, staffing.diagnostics)],
                                format="full"))  # fmt: skip
    from slalang.staff.output import render_plan

    text = render_plan(staffing, format=args.format)
    try:
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        if records is not None:
            from slalang.synth import write

            write(records, args.simulate)
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        raise _UsageError(f"cannot write: {reason}") from error
    if not args.output:
        sys.stdout.write(text)
    return Exit.OK


def _erlang(args: argparse.Namespace) -> Exit:
    try:
        calls = [float(part) for part in args.calls.split(",") if part.strip()]
    except ValueError as error:
        message = f"--calls takes numbers separated by commas, not `{args.calls}`"
        raise _UsageError(message) from error
    if not calls or any(c < 0 for c in calls):
        raise _UsageError("--calls takes one or more numbers of calls, none negative")
    if args.interval <= 0 or args.aht <= 0:
        raise _UsageError("--interval and --aht must be longer than 0 s")
    if (args.model == "a") != (args.patience is not None):
        raise _UsageError("--patience goes with --model a, and Erlang A needs it")
    if args.patience is not None and args.patience <= 0:
        raise _UsageError("--patience must be longer than 0 s")
    if args.shrinkage >= 1:
        raise _UsageError("--shrinkage must be below 100%")
    targets = api.erlang_targets(
        service_level=args.service_level, asa=args.asa, max_abandon=args.max_abandon,
        max_occupancy=args.max_occupancy,
    )  # fmt: skip
    if (args.agents is None) == (targets is None):
        raise _UsageError("give --agents, or targets (--service-level, --asa, --max-abandon, "
                          "--max-occupancy), not both")  # fmt: skip
    if args.agents is not None and args.agents < 0:
        raise _UsageError("--agents must not be negative")
    answers = [
        api.erlang(
            calls=value, interval=args.interval, aht=args.aht, threshold=args.threshold,
            model=args.model, patience=args.patience, variant=args.variant,
            agents=args.agents, targets=targets, shrinkage=args.shrinkage,
        )
        for value in calls
    ]  # fmt: skip
    from slalang.staff.calculator import render_answers, unmet

    sys.stdout.write(render_answers(answers, format=args.format, many="," in args.calls))
    problems = unmet(answers)
    if problems:
        sys.stderr.write(render([api.CheckResult(None, None, problems)], format="full"))
        return Exit.FAILED
    return Exit.OK


def _contract_files(paths: Sequence[str]) -> Iterator[str]:
    for raw in paths:
        if raw == "-":
            yield raw
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob(f"*{CONTRACT_SUFFIX}") if p.is_file())
            if not found:
                raise _UsageError(f"no {CONTRACT_SUFFIX} files below `{raw}`")
            yield from (str(p) for p in found)
        elif path.exists():
            yield raw
        else:
            raise _UsageError(f"`{raw}` does not exist")


def _read(path: str) -> bytes:
    try:
        if path == "-":
            return read_limited(sys.stdin.buffer)
        return read_limited(path)
    except OSError as error:
        raise _UsageError(f"cannot read `{path}`: {error.strerror or error}") from error


def _display(path: str) -> str:
    return "<stdin>" if path == "-" else path


def _use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _check(args: argparse.Namespace) -> Exit:
    files = list(_contract_files(args.paths))
    results = [api.check_parsed(api.parse_bytes(_read(p), path=_display(p))) for p in files]
    sys.stdout.write(render(results, format=args.format, color=_use_color(args.color)))
    errors = sum(len(r.errors) for r in results)
    warnings = sum(len(r.warnings) for r in results)
    if errors or (args.warnings_as_errors and warnings):
        return Exit.FAILED
    return Exit.OK


def _fmt(args: argparse.Namespace) -> Exit:
    from slalang.lang.fmt import format_text

    status = Exit.OK
    unchanged = to_change = 0
    for path in _contract_files(args.paths):
        data = _read(path)
        parsed = api.parse_bytes(data, path=_display(path))
        if parsed.source is None or any(d.code.startswith("E0") for d in parsed.diagnostics):
            sys.stderr.write(
                render([api.CheckResult(parsed.source, None, parsed.diagnostics)], format="full")
            )
            status = Exit.FAILED
            continue
        original = parsed.source.text
        outcome = format_text(original, path=_display(path), explicit=args.explicit)
        if outcome.text is None:
            sys.stderr.write(
                render([api.CheckResult(parsed.source, None, outcome.diagnostics)], format="full")
            )
            status = Exit.FAILED
            continue
        changed = outcome.text != original
        unchanged += not changed
        to_change += changed
        if args.check or args.diff:
            if changed:
                status = Exit.FAILED
                if args.diff:
                    sys.stdout.writelines(
                        difflib.unified_diff(
                            original.splitlines(keepends=True),
                            outcome.text.splitlines(keepends=True),
                            fromfile=f"a/{_display(path)}",
                            tofile=f"b/{_display(path)}",
                        )
                    )
                else:
                    sys.stdout.write(f"would reformat {_display(path)}\n")
        elif path == "-":
            sys.stdout.write(outcome.text)
        elif changed:
            try:
                Path(path).write_text(outcome.text, encoding="utf-8")
            except OSError as error:
                raise _UsageError(f"cannot write `{path}`: {error.strerror}") from error
            sys.stdout.write(f"formatted {path}\n")
    if args.check or args.diff:
        # On standard error, so that standard output stays the list of files (or the diff).
        parts = [f"{_files(to_change)} would be reformatted"] if to_change else []
        parts.append(f"{_files(unchanged)} already formatted")
        sys.stderr.write(", ".join(parts) + "\n")
    return status


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


def _data_arguments(values: Sequence[str]) -> object:
    bound: dict[str, list[str]] = {}
    plain: list[str] = []
    for value in values:
        name, sep, path = value.partition("=")
        if sep and name and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name):
            bound.setdefault(name, []).append(path)  # a source may have several files
        else:
            plain.append(value)
    if plain and bound:
        raise _UsageError("give --data PATH for a one-source contract, or --data SOURCE=PATH")
    if plain:
        return plain[0] if len(plain) == 1 else plain
    return {name: paths[0] if len(paths) == 1 else paths for name, paths in bound.items()}


def _evaluation_arguments(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    """The options of `evaluate` and `status`: data, store, as-of day, engine, output."""
    parser.add_argument("contract", metavar="CONTRACT")
    parser.add_argument(
        "--format", choices=formats, default=formats[0],
        help=f"output format (default: {formats[0]})",
    )  # fmt: skip
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        help="judge with the records up to the end of this day (YYYY-MM-DD, in the contract's "
        "time zone) only, and add the outlook of the periods still open; `latest` is the last "
        "day that has data",
    )
    parser.add_argument(
        "--trend-over",
        choices=("days", "weeks"),
        help="follow trends over days or weeks (default: the contract's `trends` block, else days)",
    )
    parser.add_argument(
        "--data",
        action="append",
        metavar="[SOURCE=]PATH",
        help="a data file, or a quoted pattern of files such as 'exports/2026-*.csv' (a path "
        "that exists is always that file); SOURCE=PATH binds it to one source of the "
        "contract (repeat for each source, and for each file of a source given in several "
        "files)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="malformed data rows are an error (exit 1) instead of being reported and set aside",
    )
    parser.add_argument(
        "--evaluator",
        choices=ENGINES,
        default="duckdb",
        help="duckdb (default, fast) or reference (slow, obvious Python)",
    )
    parser.add_argument(
        "--memory-limit",
        metavar="SIZE",
        help="DuckDB's memory limit, such as 4GB, 512MiB or 75%% (default: DuckDB's, 80%% of "
        "the memory); what does not fit is written to the temporary folder",
    )
    parser.add_argument(
        "--temp-dir",
        metavar="DIR",
        help="the folder DuckDB writes what does not fit in memory to, created if needed "
        "(default: DuckDB's, .tmp in the current folder)",
    )
    parser.add_argument(
        "--store",
        metavar="PATH",
        help="the contract's history store (a DuckDB file, created if needed): judge the "
        "files given together with every file stored before, reading only the new or changed "
        "ones; --data may then be left out (see docs/history.md)",
    )
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE")
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the table format (default: auto)",
    )


def _as_of(text: str | None, default: str | None) -> dt.date | str | None:
    value = text if text is not None else default
    if value is None or value == "latest":
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _UsageError(
            f"--as-of wants a date such as 2026-03-15, or latest: `{value}`"
        ) from None


def _status(args: argparse.Namespace) -> Exit:
    return _evaluate(args, as_of_default="latest")


def _evaluate(args: argparse.Namespace, as_of_default: str | None = None) -> Exit:
    result = api.check_file(args.contract)
    if result.source is None and result.diagnostics and result.diagnostics[0].code == "E009":
        raise _UsageError(result.diagnostics[0].message)
    base = Path(args.contract).parent
    if not result.ok:
        sys.stderr.write(render([result], format="full"))
        from slalang.data.contract_profiles import only_unreadable

        # a profile file that cannot be read is a file problem, as an unreadable data file is
        unread = result.contract is not None and only_unreadable(
            result.contract, list(result.errors), base
        )
        return Exit.USAGE if unread else Exit.FAILED
    plan = api.compile(result)
    if not args.data and not args.store:
        raise _UsageError("evaluate needs --data (or --store, to judge a stored history)")
    data = _data_arguments(args.data) if args.data else None
    # a progress bar on stderr, for runs long enough to need one, when it is a terminal
    bar = TerminalBar(sys.stderr, prefix=f"{args.contract}: ") if sys.stderr.isatty() else None
    try:
        options: dict[str, Any] = {
            "data": data,
            "strict": args.strict,
            "evaluator": args.evaluator,
            "base": base,
            "progress": bar,
            "memory_limit": args.memory_limit,
            "temp_dir": args.temp_dir,
            "as_of": _as_of(args.as_of, as_of_default),
            "trend_over": args.trend_over,
        }
        if args.store:
            run = api.evaluate_stored(plan, store=args.store, **options)
            evaluation = run.evaluation
            sys.stderr.write(f"{args.contract}: {run.summary()}\n")
        else:
            evaluation = api.evaluate(plan, **options)
    except api.EvaluationError as error:
        if bar is not None:
            bar.clear()
        sys.stderr.write(render([api.CheckResult(None, None, error.diagnostics)], format="full"))
        return Exit.USAGE if error.io else Exit.FAILED
    if bar is not None:
        bar.clear()
    text = render_evaluation(
        evaluation, format=args.format, color=args.output is None and _use_color(args.color)
    )
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise _UsageError(f"cannot write `{args.output}`: {error.strerror}") from error
    else:
        sys.stdout.write(text)
    incomplete = evaluation.incomplete
    if incomplete:
        first = incomplete[0]
        sys.stderr.write(
            f"{args.contract}: {len(incomplete)} verdict(s) not given: too many malformed rows "
            f"(first: {first.objective} {first.period}, {first.malformed:,} of "
            f"{first.malformed + first.rows:,} rows); see the data section, or raise the "
            "source's malformed_tolerance\n"
        )
        return Exit.FAILED
    return Exit.OK


def _explain(args: argparse.Namespace) -> Exit:
    entry = CATALOGUE.get(args.code.upper())
    if entry is None:
        raise _UsageError(f"unknown code `{args.code}`; codes are listed in docs/diagnostics.md")
    example = "".join(f"    {line}\n" for line in entry.example.splitlines())
    sys.stdout.write(
        f"{entry.code} ({entry.severity.value}): {entry.title}\n\n{entry.explanation}\n\n"
        f"Example:\n\n{example}\nFix: {entry.fix}\n"
    )
    return Exit.OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``slalang`` command and return its exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["generate"]:
        from slalang.synth import main as generate

        return generate(arguments[1:])
    parser = _parser()
    try:
        args = parser.parse_args(arguments)
    except SystemExit as stop:
        return int(stop.code) if isinstance(stop.code, int) else int(Exit.USAGE)
    handlers = {"check": _check, "fmt": _fmt, "explain": _explain, "evaluate": _evaluate,
                "status": _status, "erlang": _erlang, "staff": _staff}  # fmt: skip
    if args.command is None:
        parser.print_help(sys.stderr)
        return int(Exit.USAGE)
    try:
        return int(handlers[args.command](args))
    except _UsageError as error:
        sys.stderr.write(f"slalang: error: {error}\n")
        return int(Exit.USAGE)
    except KeyboardInterrupt:
        return int(Exit.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (`slalang fmt --diff | head`): stop quietly, and keep Python
        # from reporting the same broken pipe again when it flushes standard output at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return int(Exit.BROKEN_PIPE)
    except Exception as error:  # the last line of defence: reported as a bug, never a verdict
        return _internal_error(error)


def _internal_error(error: Exception) -> int:
    """Report an unexpected exception as what it is: a bug, with its own exit code."""
    if os.environ.get("SLALANG_TRACEBACK") == "1":
        import traceback

        traceback.print_exception(error, file=sys.stderr)
    sys.stderr.write(
        f"slalang: internal error: {type(error).__name__}: {error}\n"
        "This is a bug in slalang, not a problem in the contract or the data, and no verdict "
        "was given. Please report it with the command that was run and this message "
        "(SLALANG_TRACEBACK=1 shows the traceback).\n"
    )
    return int(Exit.INTERNAL)


if __name__ == "__main__":
    sys.exit(main())
