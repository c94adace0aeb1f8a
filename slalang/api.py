"""The public API: parse, check, compile and evaluate contracts.

Every stage is reachable from here with keyword-only options; the CLI only
calls these functions.

>>> result = check('contract demo { client "A" }', path="demo.sla")
>>> [d.code for d in result.diagnostics][:1]
['E103']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slalang.codes import diag
from slalang.diagnostics import Diagnostic, normalize
from slalang.lang import outcome, syntax
from slalang.lang.checks import run_checks
from slalang.lang.outcome import CheckResult, Parsed
from slalang.source import Source, read_limited

if TYPE_CHECKING:
    from slalang.engine.plan import Plan
    from slalang.history.stored import StoreRun
    from slalang.judge.results import Evaluation, EvaluationError
    from slalang.staff.calculator import Answer, Targets
    from slalang.staff.staffing import StaffingPlan

__all__ = [
    "CheckResult",
    "CompileError",
    "Evaluation",
    "EvaluationError",
    "Parsed",
    "Plan",
    "check",
    "check_file",
    "check_parsed",
    "compile",
    "compile_file",
    "erlang",
    "erlang_targets",
    "evaluate",
    "evaluate_stored",
    "parse",
    "parse_bytes",
    "parse_source",
    "read_bytes",
    "simulate_plan",
    "staff",
]


def parse_source(source: Source) -> Parsed:
    """Parse a decoded source into a contract model."""
    return outcome.parse_source(source)


def parse(text: str, *, path: str = "<string>") -> Parsed:
    """Parse contract text.

    Args:
        text: the contract text.
        path: the name shown in diagnostics.
    """
    return parse_source(Source(path, text))


def parse_bytes(data: bytes, *, path: str) -> Parsed:
    """Decode and parse contract bytes (UTF-8), reporting bad encodings as diagnostics."""
    source, problems = syntax.decode(data, path)
    if source is None:
        return Parsed(None, None, normalize(problems))
    return parse_source(source)


def check_parsed(parsed: Parsed, *, base: str | Path | None = None) -> CheckResult:
    """Run every semantic check on a parsed contract, and check the data profiles it names.

    Each profile a source names (``profile "anonymous-bank"``, ``profile "acd.yaml"``) is
    loaded and checked; its problems are reported at that ``profile`` setting.

    Args:
        parsed: the parsed contract.
        base: the folder profile paths are relative to. By default the folder of the
            contract's path; text without a file path (``<string>``, ``<stdin>``) resolves
            them from the current folder.
    """
    if parsed.contract is None:
        return CheckResult(parsed.source, None, parsed.diagnostics)
    from slalang.data.contract_profiles import check_profiles

    semantic = run_checks(parsed.contract, poisoned=parsed.poisoned)
    folder = Path(base) if base is not None else _folder(parsed.source)
    profiles = check_profiles(parsed.contract, base=folder)
    found = [*parsed.diagnostics, *semantic, *profiles]
    return CheckResult(parsed.source, parsed.contract, normalize(found))


def _folder(source: Source | None) -> Path:
    """The folder of a contract file; the current folder for text that is not a file."""
    if source is None or (source.path.startswith("<") and source.path.endswith(">")):
        return Path(".")
    return Path(source.path).parent


def check(text: str, *, path: str = "<string>", base: str | Path | None = None) -> CheckResult:
    """Parse and check contract text; never raises for bad contract text.

    Profile paths resolve from ``base``, else from the folder of ``path``, else (for the
    default ``<string>``) from the current folder.
    """
    return check_parsed(parse(text, path=path), base=base)


def read_bytes(path: str | Path) -> tuple[bytes | None, Diagnostic | None]:
    """Read a file, turning I/O failures into an E009 diagnostic."""
    try:
        return read_limited(path), None
    except OSError as error:
        reason = error.strerror or str(error)
        return None, diag("E009", f"cannot read `{path}`: {reason}", None)


def check_file(path: str | Path) -> CheckResult:
    """Read, parse and check one contract file (profile paths resolve from its folder)."""
    data, problem = read_bytes(path)
    if data is None:
        assert problem is not None
        return CheckResult(None, None, (problem,))
    return check_parsed(parse_bytes(data, path=str(path)))


class CompileError(Exception):
    """The contract has errors; ``result`` holds the diagnostics."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(f"the contract has {len(result.errors)} error(s)")
        self.result = result


def compile(result: CheckResult) -> Plan:
    """Compile a checked contract into a plan that can be evaluated many times.

    Raises:
        CompileError: the contract has errors.
    """
    if result.contract is None or result.errors:
        raise CompileError(result)
    path = result.source.path if result.source is not None else "<string>"
    from slalang.engine.plan import compile_plan

    return compile_plan(result.contract, path=path)


def compile_file(path: str | Path) -> Plan:
    """Read, check and compile one contract file.

    Raises:
        CompileError: the file cannot be read or the contract has errors.
    """
    return compile(check_file(path))


def evaluate(
    plan: Plan,
    *,
    data: Any,
    strict: bool = False,
    evaluator: str = "duckdb",
    base: Path | None = None,
    connection: Any = None,
    progress: Callable[[str, float | None], None] | None = None,
    memory_limit: str | int | None = None,
    temp_dir: str | Path | None = None,
    as_of: dt.date | str | None = None,
    trend_over: str | None = None,
) -> Evaluation:
    """Evaluate a compiled contract over data; see :func:`slalang.judge.evaluation.evaluate`.

    ``memory_limit`` (``"4GB"``, ``"512MiB"``, ``"75%"``) and ``temp_dir`` set DuckDB's
    memory limit and the folder it spills to; see docs/data.md, "Large files". ``as_of``
    judges with the records up to the end of that day only (``"latest"``: the last day with
    data) and adds the outlook of the periods still open; ``trend_over`` (``days``,
    ``weeks``) overrides the contract's trends.

    >>> import slalang
    >>> from slalang.synth import contacts
    >>> plan = slalang.compile(slalang.check('''
    ... contract demo {
    ...   client "Acme"
    ...   vendor "BlueDesk"
    ...   timezone "UTC"
    ... }
    ... source calls: contacts
    ... objective asa {
    ...   key
    ...   metric average_speed_of_answer
    ...   window day
    ...   expected <= 30 s
    ... }
    ... '''))
    >>> evaluation = slalang.evaluate(plan, data=contacts(1000, seed=1, days=2))
    >>> [(v.period, v.status in ("met", "missed", "below_minimum")) for v in evaluation.verdicts]
    [('2026-01-01', True), ('2026-01-02', True)]
    """
    from slalang.judge.evaluation import evaluate as run

    return run(plan, data=data, strict=strict, evaluator=evaluator, base=base,
               connection=connection, progress=progress, memory_limit=memory_limit,
               temp_dir=temp_dir, as_of=as_of, trend_over=trend_over)  # fmt: skip


def evaluate_stored(
    plan: Plan,
    *,
    data: Any = None,
    store: str | Path,
    strict: bool = False,
    evaluator: str = "duckdb",
    base: Path | None = None,
    connection: Any = None,
    progress: Callable[[str, float | None], None] | None = None,
    memory_limit: str | int | None = None,
    temp_dir: str | Path | None = None,
    as_of: dt.date | str | None = None,
    trend_over: str | None = None,
) -> StoreRun:
    """Evaluate through the history store ``store`` (a DuckDB file, created if needed): the
    files of ``data`` together with every file stored before, each file counted once; see
    :func:`slalang.history.stored.evaluate_stored` and docs/history.md.

    Returns the evaluation and what the run added, changed, recomputed and reused.
    ``as_of`` and ``trend_over`` are those of :func:`evaluate`; the store keeps every
    file's figures whole, the evaluation is judged up to the as-of day.
    """
    from slalang.history.stored import evaluate_stored as run

    return run(plan, data=data, store=store, strict=strict, evaluator=evaluator, base=base,
               connection=connection, progress=progress, memory_limit=memory_limit,
               temp_dir=temp_dir, as_of=as_of, trend_over=trend_over)  # fmt: skip


def erlang_targets(
    *,
    service_level: Fraction | None = None,
    asa: float | Fraction | None = None,
    max_abandon: Fraction | None = None,
    max_occupancy: Fraction | None = None,
) -> Targets | None:
    """Targets for :func:`erlang` (fractions 0-1, the ASA in seconds); None if none is set."""
    from slalang.staff.calculator import Targets

    targets = Targets(
        service_level=service_level,
        asa=None if asa is None else Fraction(asa),
        max_abandon=max_abandon,
        max_occupancy=max_occupancy,
    )
    return targets if targets.any else None


def erlang(
    *,
    calls: float,
    interval: float,
    aht: float,
    threshold: float = 20.0,
    model: str = "c",
    patience: float | None = None,
    variant: str = "F1",
    agents: int | None = None,
    targets: Targets | None = None,
    shrinkage: Fraction = Fraction(0),
) -> Answer:
    """One interval's figures under a queueing model (``c``: Erlang C, ``a``: A, ``b``: B).

    Give ``agents`` for what they achieve, or ``targets`` (:func:`erlang_targets`) for the
    fewest agents that meet all of them (``agents`` None in the answer when no number does).
    Times are seconds; see docs/staffing.md.

    >>> answer = erlang(calls=100, interval=1800, aht=180, threshold=20,
    ...                 targets=erlang_targets(service_level=Fraction(80, 100)),
    ...                 shrinkage=Fraction(30, 100))
    >>> answer.agents, answer.scheduled, round(answer.service_level, 4)
    (14, 20, 0.8884)

    Raises:
        ValueError: neither or both of ``agents`` and ``targets``, Erlang A without a
            patience, or an unknown model or variant.
    """
    from slalang.staff.calculator import Question, answer

    question = Question(calls, interval, aht, threshold, model, patience, variant)
    return answer(question, agents=agents, targets=targets, shrinkage=shrinkage)


def staff(
    plan: Plan,
    *,
    forecast: Any,
    profile: str | None = None,
    base: Path | None = None,
    interval: float | None = None,
    aht: float | None = None,
    model: str | None = None,
    patience: float | dict[str | None, float] | None = None,
    contacts: Any = None,
    shrinkage: Fraction = Fraction(0),
    max_occupancy: Fraction | None = None,
    min_agents: int = 0,
    agents: Any = None,
) -> StaffingPlan:
    """The cheapest staffing plan that meets the contract's objectives over a forecast, or,
    with ``agents``, what a given plan achieves; see docs/staffing.md.

    Args:
        plan: the compiled contract.
        forecast: a forecast file (read through the profile of the contract's forecasts
            source, ``profile``, or ``generic-forecasts``) or a table of canonical columns.
        profile: a data profile for the forecast file.
        base: the folder profile paths are relative to.
        interval: the forecast's interval length, seconds (default: the source's, else the
            shortest step between intervals).
        aht: the handle time of forecast rows without one, seconds.
        model: ``c`` (Erlang C) or ``a`` (Erlang A); by default ``a`` when ``patience`` or
            ``contacts`` is given, else ``c``.
        patience: callers' mean patience in seconds, for every queue or per queue.
        contacts: contact records (a file or a table) to estimate patience from per queue.
        shrinkage: the share of scheduled time off the phones.
        max_occupancy: the most agents may be busy, a share.
        min_agents: agents in every open interval.
        agents: a plan to assess instead of making one: agents per forecast row in the
            forecast's order (after reading), or the path of a plan CSV.

    Raises:
        EvaluationError: files that cannot be read (``io``), or an ``E9xx`` diagnostic.

    >>> import slalang
    >>> from slalang.synth import forecasts
    >>> plan = slalang.compile(slalang.check('''
    ... contract demo {
    ...   client "Acme"
    ...   vendor "BlueDesk"
    ...   timezone "UTC"
    ... }
    ... source calls: contacts
    ... objective speed {
    ...   key
    ...   metric service_level
    ...   threshold <= 20 s
    ...   window month
    ...   expected >= 80%
    ... }
    ... '''))
    >>> made = staff(plan, forecast=forecasts(20_000, seed=1, days=7, queues=["q"]))
    >>> [v.status for v in made.evaluation.verdicts], made.saving > 0
    (['met'], True)
    """
    from slalang.staff.forecast import estimate_patience, read_agents, read_forecast
    from slalang.staff.planner import Options
    from slalang.staff.staffing import assess, make_plan

    read = read_forecast(plan, forecast, profile=profile, base=base, minutes=interval, aht=aht)
    if contacts is not None and patience is None:
        patience = estimate_patience(plan, contacts, base=base)
    chosen = model or ("a" if patience is not None else "c")
    options = Options(chosen, patience, shrinkage, max_occupancy, min_agents)
    if agents is None:
        return make_plan(plan, read, options)
    if isinstance(agents, str | Path):
        agents = read_agents(read, agents)
    import numpy as np

    return assess(plan, read, options, np.asarray(agents, dtype=np.int64))


def simulate_plan(
    staffing: StaffingPlan,
    *,
    seed: int = 0,
    agents: Any = None,
    handle_times: str = "exponential",
    handle_cv: float = 1.0,
    patience_times: str = "exponential",
    patience_cv: float = 1.0,
) -> Any:
    """Contact records of a first-come, first-served queue simulation of a plan (its agents,
    or ``agents`` per forecast row) over its forecast, with the plan's patience (none:
    nobody abandons); a pyarrow table that :func:`evaluate` reads like real records.
    See :func:`slalang.synth.simulate`."""
    import pyarrow as pa

    from slalang.synth import simulate

    forecast = staffing.forecast
    table = pa.table({
        "queue": [forecast.lines[int(i)][0] or "" for i in forecast.line],
        "channel": [forecast.lines[int(i)][1] for i in forecast.line],
        "interval_start": pa.array(forecast.start, pa.int64()).cast(pa.timestamp("us")),
        "forecast_offered": forecast.calls,
        "forecast_aht": forecast.aht,
    })  # fmt: skip
    options = staffing.options
    given = options.patience if options.model == "a" else None
    patience: float | dict[str, float] | None = (
        {queue or "": value for queue, value in given.items()}
        if isinstance(given, Mapping)
        else given
    )
    return simulate(
        table, staffing.agents if agents is None else agents, minutes=forecast.minutes,
        patience=patience, seed=seed, handle_times=handle_times, handle_cv=handle_cv,
        patience_times=patience_times, patience_cv=patience_cv,
    )  # fmt: skip


_LATER = {
    "Plan": "slalang.engine.plan",
    "Evaluation": "slalang.judge.results",
    "EvaluationError": "slalang.judge.results",
}


def __getattr__(name: str) -> Any:
    """The evaluation stages' types, loaded on first use (checking never needs them)."""
    home = _LATER.get(name)
    if home is None:
        raise AttributeError(f"module 'slalang.api' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
