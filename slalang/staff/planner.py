"""Staffing stage: the cheapest plan that meets the contract as written, and its verdicts.

:func:`make_plan` tabulates, per forecast interval, what the queueing model predicts for a
range of agents, turns every staffed objective into constraints on those tables
(:mod:`slalang.staff.constraints`), finds the fewest agents meeting them all
(:mod:`slalang.staff.allocate`), and checks the result with the judge's own verdicts.
:func:`predict` gives a plan's predicted verdicts: the evaluation's verdict objects, marked
predicted, from figures the model gives instead of records.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from fractions import Fraction

import attrs
import numpy as np

from slalang.codes import diag
from slalang.diagnostics import Diagnostic
from slalang.engine.figures import Figures
from slalang.engine.plan import Plan
from slalang.judge import consequences
from slalang.judge.results import Evaluation, EvaluationError
from slalang.judge.verdicts import Verdict, objective_verdicts
from slalang.staff.erlang import Floats, Ints, Outcome, erlang_b_outcome, erlang_c
from slalang.staff.erlang_a import erlang_a_many
from slalang.staff.forecast import Forecast
from slalang.staff.requirements import Requirement, moments, requirements

MODELS = ("c", "a")
"""The models a plan is made with: Erlang C, or Erlang A when callers abandon."""


@attrs.frozen
class Options:
    """How a plan is made.

    Attributes:
        model: ``c`` (Erlang C) or ``a`` (Erlang A).
        patience: mean patience in seconds for Erlang A, one for every queue or per queue.
        shrinkage: the share of scheduled time off the phones.
        max_occupancy: the most agents may be busy, a share; None for no cap.
        min_agents: agents in every open interval, calls or not.
    """

    model: str = "c"
    patience: float | Mapping[str | None, float] | None = None
    shrinkage: Fraction = Fraction(0)
    max_occupancy: Fraction | None = None
    min_agents: int = 0


def blocking_table(load: Floats, base: Ints, width: int) -> Floats:
    """Erlang B of ``base[r] + c`` agents for ``c`` below ``width``: ``(len(load), width)``."""
    out = np.empty((load.size, width))
    b = np.ones(load.size)
    first = base.astype(np.int64)
    out[first == 0, 0] = 1.0
    rows = np.arange(load.size)
    for n in range(1, int(first.max(initial=0)) + width):
        ab = load * b
        b = ab / (n + ab)
        col = n - first
        inside = (col >= 0) & (col < width)
        out[rows[inside], col[inside]] = b[inside]
    return out


def outcomes(
    model: str,
    load: Floats,
    aht: Floats,
    patience: Floats,
    base: Ints,
    width: int,
    pairs: list[tuple[float, float]],
    reach: Ints | None = None,
    waits: bool = True,
) -> dict[tuple[float, float], Outcome]:
    """What the model predicts for ``base[r] + c`` agents, ``c`` below ``width``, per
    (threshold, short-abandon time) pair.

    With ``reach``, row ``r`` is worked out for its first ``reach[r]`` columns only and the
    rest repeat the last of them: a table flat there, which no allocation climbs. Without
    ``waits``, Erlang A leaves the mean wait of answered calls out (NaN).
    """
    columns = np.arange(width)
    agents = base[:, None] + columns[None, :]
    blocking = blocking_table(load, base, width)
    limit = np.full(base.size, width) if reach is None else np.clip(reach, 1, width)
    cells = columns[None, :] < limit[:, None]

    def spread(values: Floats) -> Floats:
        full = np.empty(agents.shape)
        full[cells] = values
        pick = np.minimum(columns[None, :], limit[:, None] - 1)
        return np.asarray(full[np.arange(base.size)[:, None], pick], dtype=np.float64)

    rows = np.broadcast_to(np.arange(base.size)[:, None], agents.shape)[cells]
    n, a, h, b = agents[cells], load[rows], aht[rows], blocking[cells]
    if model == "a":
        found = erlang_a_many(n, a, aht=h, patience=patience[rows], pairs=pairs, blocking=b,
                              waits=waits)  # fmt: skip
    else:
        model_of = erlang_c if model == "c" else erlang_b_outcome
        found = [model_of(n, a, aht=h, threshold=t, short=s, blocking=b) for t, s in pairs]
    return {
        pair: Outcome(*(spread(getattr(o, f.name)) for f in attrs.fields(Outcome)))
        for pair, o in zip(pairs, found, strict=True)
    }


def patience_per_row(forecast: Forecast, options: Options) -> Floats:
    """Each row's mean patience (Erlang A), by its queue; NaN for Erlang C.

    Raises:
        EvaluationError: E906 for a queue of the forecast with no patience given.
    """
    if options.model != "a":
        return np.full(forecast.rows, np.nan)
    given = options.patience
    if given is None:
        raise EvaluationError(
            [
                diag(
                    "E903",
                    "Erlang A needs the callers' patience",
                    None,
                    help="give --patience, or --contacts to estimate it from",
                )
            ]
        )
    by_line = []
    missing = []
    for queue, _ in forecast.lines:
        value = given.get(queue) if isinstance(given, Mapping) else given
        if value is None:
            missing.append(queue)
        by_line.append(math.nan if value is None else float(value))
    if missing:
        raise EvaluationError([diag(
            "E906", f"no patience for queue `{q}`: the contact records have none of its calls",
            None, help="give --patience, or records of that queue") for q in missing])  # fmt: skip
    return np.asarray(by_line)[forecast.line]


@attrs.frozen(eq=False)
class Prediction:
    """What a queueing model predicts for a plan, per forecast row.

    Attributes:
        agents: agents on the phones.
        service_level: the first staffed service-level objective's value there (NaN: none).
        asa: mean wait of answered calls, seconds (``inf``: an unstable Erlang C queue).
        occupancy: the share of agent time spent on calls.
        p_abandon: the share of calls abandoned.
        figures: per staffed objective, its numerator, denominator and volume per row.
    """

    agents: Ints
    service_level: Floats
    asa: Floats
    occupancy: Floats
    p_abandon: Floats
    figures: dict[str, tuple[Floats, Floats, Ints]]


def _pairs(found: list[Requirement]) -> list[tuple[float, float]]:
    return list(dict.fromkeys((r.threshold, r.short) for r in found)) or [(0.0, 0.0)]


def predict_rows(
    forecast: Forecast,
    found: list[Requirement],
    agents: Ints,
    options: Options,
) -> Prediction:
    """The model's figures for ``agents`` per forecast row."""
    load = forecast.calls * forecast.aht / (forecast.minutes * 60)
    patience = patience_per_row(forecast, options)
    pairs = _pairs(found)
    per_pair = outcomes(options.model, load, forecast.aht, patience, agents, 1, pairs)
    first = per_pair[pairs[0]]
    figures: dict[str, tuple[Floats, Floats, Ints]] = {}
    level = np.full(forecast.rows, np.nan)
    for requirement in found:
        num, den = requirement.ratio(per_pair[(requirement.threshold, requirement.short)])
        weight = forecast.calls * requirement.share
        figures[requirement.id] = (num[:, 0] * weight, den[:, 0] * weight,
                                   np.rint(weight).astype(np.int64))  # fmt: skip
        if requirement.objective.metric == "service_level":
            with np.errstate(divide="ignore", invalid="ignore"):
                value = np.where(den[:, 0] > 0, num[:, 0] / den[:, 0], np.nan)
            level = np.where(np.isnan(level) & (requirement.share > 0), value, level)
    quiet = forecast.calls == 0
    return Prediction(
        agents=agents,
        service_level=level,
        asa=np.where(quiet, 0.0, first.wait_answered[:, 0]),
        occupancy=np.where(quiet, 0.0, first.occupancy[:, 0]),
        p_abandon=np.where(quiet, 0.0, first.p_abandon[:, 0]),
        figures=figures,
    )


def predicted_verdicts(
    plan: Plan, forecast: Forecast, found: list[Requirement], prediction: Prediction
) -> list[Verdict]:
    """The staffed objectives' verdicts from the predicted figures, marked predicted."""
    starts = moments(forecast)
    verdicts: list[Verdict] = []
    for requirement in found:
        num, den, volume = prediction.figures[requirement.id]
        buckets: dict[dt.datetime, Figures] = {}
        for r in requirement.rows.tolist():  # lines of several queues share their intervals
            part = Figures(float(num[r]), float(den[r]), int(volume[r]))
            buckets.setdefault(starts[r], Figures()).add(part)
        judged = objective_verdicts(plan, requirement.objective, buckets, {})
        verdicts.extend(attrs.evolve(v, predicted=True) for v in judged)
    return verdicts


def predicted_evaluation(
    plan: Plan,
    forecast: Forecast,
    found: list[Requirement],
    prediction: Prediction,
    verdicts: list[Verdict] | None = None,
) -> Evaluation:
    """The predicted verdicts (worked out unless given) with the credits and account status
    they would bring."""
    if verdicts is None:
        verdicts = predicted_verdicts(plan, forecast, found, prediction)
    credits = consequences.credits(plan, verdicts)
    risk = consequences.account_risk(plan, verdicts, credits)
    history = consequences.account_history(plan, verdicts, credits)
    return Evaluation(plan, tuple(verdicts), tuple(credits), risk, (), history)


def staffed(plan: Plan, forecast: Forecast) -> tuple[list[Requirement], list[Diagnostic]]:
    """The staffed objectives, with the warnings about those left out.

    Raises:
        EvaluationError: E904 when none can be staffed.
    """
    found, problems = requirements(plan, forecast, moments(forecast))
    if not found:
        raise EvaluationError([*problems, diag(
            "E904", "no objective of the contract can be staffed from the forecast", None,
            help="staffing meets service-level, speed-of-answer and abandonment objectives "
            "whose filters name only queue and channel")])  # fmt: skip
    return found, problems


def check_model(found: list[Requirement], options: Options) -> None:
    """E903 for abandonment objectives under Erlang C.

    Raises:
        EvaluationError: an objective the model cannot predict.
    """
    if options.model == "a":
        return
    wrong = [r for r in found if r.needs_abandonment]
    if wrong:
        raise EvaluationError([diag(
            "E903", f"objective `{r.id}` (line {r.objective.line}) measures abandonment, which "
            "Erlang C does not predict", None,
            help="give --patience, or --contacts to estimate it from (Erlang A)")
            for r in wrong])  # fmt: skip
