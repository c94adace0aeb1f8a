"""Staffing stage: the Erlang calculator behind ``slalang erlang``.

One interval's calls, handle time and threshold, and either a number of agents (what do
they achieve?) or targets (how many agents meet all of them?), under Erlang B, C or A.
Shrinkage turns agents on the phones into scheduled agents:
``scheduled = ceil(agents / (1 - shrinkage))``, computed exactly.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from slalang.codes import diag
from slalang.diagnostics import Diagnostic
from slalang.staff.erlang import Floats, Outcome, erlang_b_outcome, erlang_c
from slalang.staff.erlang_a import erlang_a

MODELS = ("c", "a", "b")
"""Erlang C (the default), Erlang A (abandonment), Erlang B (blocking, no queue)."""

VARIANTS = ("F1", "F2", "F3")
"""The service-level conventions a model reports (DOMAIN.md 1.1)."""


def predict(
    model: str,
    agents: npt.ArrayLike,
    load: npt.ArrayLike,
    *,
    aht: npt.ArrayLike,
    threshold: float = 0.0,
    patience: npt.ArrayLike | None = None,
    short: float = 0.0,
) -> Outcome:
    """What ``model`` (``c``, ``a`` or ``b``) predicts; arrays broadcast.

    Raises:
        ValueError: an unknown model, or Erlang A without a patience.
    """
    if model == "c":
        return erlang_c(agents, load, aht=aht, threshold=threshold, short=short)
    if model == "b":
        return erlang_b_outcome(agents, load, aht=aht, threshold=threshold, short=short)
    if model == "a":
        if patience is None:
            raise ValueError("Erlang A needs the callers' mean patience")
        return erlang_a(agents, load, aht=aht, patience=patience, threshold=threshold, short=short)
    raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}")


def scheduled(agents: int, shrinkage: Fraction) -> int:
    """Agents to schedule so that ``agents`` are on the phones: ``ceil(agents / (1 - s))``."""
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage must be at least 0 and below 1")
    return math.ceil(Fraction(agents) / (1 - shrinkage))


@attrs.frozen
class Targets:
    """What the agents must achieve; every target given must hold (``None``: no target)."""

    service_level: Fraction | None = None
    asa: Fraction | None = None
    """The longest mean wait of answered calls, seconds."""
    max_abandon: Fraction | None = None
    max_occupancy: Fraction | None = None

    @property
    def any(self) -> bool:
        """True when at least one target is set."""
        return any(
            t is not None for t in (self.service_level, self.asa, self.max_abandon,
                                    self.max_occupancy)
        )  # fmt: skip


def meets(outcome: Outcome, targets: Targets, variant: str = "F1") -> npt.NDArray[np.bool_]:
    """Where every target holds (the stable queues only, for Erlang C)."""
    ok = np.isfinite(outcome.wait_answered)
    if targets.service_level is not None:
        ok &= outcome.service_level(variant) >= float(targets.service_level)
    if targets.asa is not None:
        ok &= outcome.wait_answered <= float(targets.asa)
    if targets.max_abandon is not None:
        ok &= outcome.p_abandon <= float(targets.max_abandon)
    if targets.max_occupancy is not None:
        ok &= outcome.occupancy <= float(targets.max_occupancy)
    return np.asarray(ok)


@attrs.frozen
class Question:
    """One interval to answer for: the traffic and the model."""

    calls: float
    interval: float
    """Seconds."""
    aht: float
    """Seconds."""
    threshold: float = 20.0
    """Seconds."""
    model: str = "c"
    patience: float | None = None
    """Mean patience, seconds (Erlang A)."""
    variant: str = "F1"

    @property
    def load(self) -> float:
        """The offered load in Erlangs."""
        return self.calls * self.aht / self.interval

    def outcome(self, agents: npt.ArrayLike) -> Outcome:
        """The model's prediction for ``agents`` agents."""
        return predict(self.model, agents, self.load, aht=self.aht, threshold=self.threshold,
                       patience=self.patience)  # fmt: skip


LIMIT = 1_000_000
"""The most agents :func:`required_agents` tries before saying the targets cannot be met."""


def required_agents(question: Question, targets: Targets) -> int | None:
    """The fewest agents that meet every target, or None when no number up to
    :data:`LIMIT` does (a service level of 100 %, an occupancy cap with no calls ...).

    Every figure improves with more agents, so the search doubles a step until the targets
    hold and then halves it back.
    """
    load = question.load
    if load == 0:
        return 0
    if _unreachable(question, targets):
        return None
    low = math.floor(load) + 1 if question.model == "c" else 1  # c: the smallest stable queue
    if bool(meets(question.outcome(low), targets, question.variant)):
        return low
    step = max(1, math.ceil(math.sqrt(load)))
    high = low + step
    while not bool(meets(question.outcome(high), targets, question.variant)):
        low = high
        step *= 2
        high = low + step
        if high > LIMIT:
            return None
    while high - low > 1:
        middle = (low + high) // 2
        if bool(meets(question.outcome(middle), targets, question.variant)):
            high = middle
        else:
            low = middle
    return high


def _unreachable(question: Question, targets: Targets) -> bool:
    """Targets no finite number of agents meets once calls come in, though a model's figures
    may round to them: every call answered within T, no wait at all, nobody lost."""
    lossy = question.model in ("a", "b")
    return (
        (targets.service_level is not None and targets.service_level >= 1)
        or (targets.asa is not None and targets.asa <= 0 and question.model != "b")
        or (targets.max_abandon is not None and targets.max_abandon <= 0 and lossy)
        or (targets.max_occupancy is not None and targets.max_occupancy <= 0)
    )


@attrs.frozen
class Answer:
    """What a number of agents achieves in one interval (``agents`` None: targets unmet)."""

    question: Question
    agents: int | None
    scheduled: int | None
    service_level: float | None
    p_wait: float | None
    asa: float | None
    """Mean wait of answered calls, seconds; None when infinite (Erlang C, too few agents)."""
    occupancy: float | None
    p_abandon: float | None
    mean_wait: float | None
    """Mean wait over all calls, abandoners included, seconds."""

    def to_json(self) -> dict[str, Any]:
        """The documented JSON object of ``slalang erlang`` (fractions 0-1, seconds)."""
        question = self.question
        found: dict[str, Any] = {
            "model": question.model,
            "calls": question.calls,
            "interval_s": question.interval,
            "aht_s": question.aht,
            "threshold_s": question.threshold,
            "variant": question.variant,
            "agents": self.agents,
            "offered_load": question.load,
            "service_level": self.service_level,
            "p_wait": self.p_wait,
            "asa_s": self.asa,
            "occupancy": self.occupancy,
        }
        if question.model in ("a", "b"):
            found["p_abandon"] = self.p_abandon
        if question.model == "a":
            found["patience_s"] = question.patience
            found["mean_wait_s"] = self.mean_wait
        found["scheduled"] = self.scheduled
        return found


def _number(values: Floats) -> float | None:
    value = float(values)
    return value if math.isfinite(value) else None


def answer(
    question: Question,
    *,
    agents: int | None = None,
    targets: Targets | None = None,
    shrinkage: Fraction = Fraction(0),
) -> Answer:
    """Answer for ``agents`` agents, or for the fewest that meet ``targets``.

    Raises:
        ValueError: neither or both of ``agents`` and ``targets`` given, or bad inputs.
    """
    if (agents is None) == (targets is None):
        raise ValueError("give either agents or targets")
    if question.variant not in VARIANTS:
        raise ValueError(f"unknown service-level convention {question.variant!r}")
    if targets is not None:
        agents = required_agents(question, targets)
    if agents is None:
        return Answer(question, None, None, None, None, None, None, None, None)
    outcome = question.outcome(agents)
    return Answer(
        question,
        agents,
        scheduled(agents, shrinkage),
        float(outcome.service_level(question.variant)),
        float(outcome.p_wait),
        _number(outcome.wait_answered),
        float(outcome.occupancy),
        float(outcome.p_abandon),
        _number(outcome.wait_all),
    )


def unmet(answers: list[Answer]) -> tuple[Diagnostic, ...]:
    """An ``E901`` for every answer whose targets no number of agents meets."""
    return tuple(
        diag(
            "E901",
            f"no number of agents meets the targets for {a.question.calls:g} calls",
            None,
            help="ask for a service level below 100 %, an ASA or abandonment above 0, or an "
            "occupancy cap above 0",
        )
        for a in answers
        if a.agents is None
    )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f} %"


def _seconds(value: float | None) -> str:
    return "inf" if value is None else f"{value:.2f} s"


def render_answers(answers: list[Answer], *, format: str, many: bool) -> str:
    """``slalang erlang``'s output: a table, or JSON (one object, or an array if ``many``)."""
    if format == "json":
        import json

        data: object = [a.to_json() for a in answers] if many else answers[0].to_json()
        return json.dumps(data, indent=2) + "\n"
    first = answers[0].question
    lossy = first.model in ("a", "b")
    head = ["calls", "load", "agents", "scheduled", f"SL {first.variant}", "P(wait)", "ASA",
            "occupancy"] + (["P(abandon)"] if lossy else [])  # fmt: skip
    rows = [head]
    for found in answers:
        q = found.question
        if found.agents is None:
            rows.append([f"{q.calls:g}", f"{q.load:.2f}", "cannot be met"] + [""] * (len(head) - 3))
            continue
        row = [f"{q.calls:g}", f"{q.load:.2f}", str(found.agents), str(found.scheduled),
               _percent(found.service_level), _percent(found.p_wait), _seconds(found.asa),
               _percent(found.occupancy)]  # fmt: skip
        if lossy:
            row.append(_percent(found.p_abandon))
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
             for r in rows]  # fmt: skip
    name = {"c": "Erlang C", "a": "Erlang A", "b": "Erlang B"}[first.model]
    if first.patience is not None:
        name += f" (patience {first.patience:g} s)"
    title = (
        f"{name}: {first.interval / 60:g} min intervals, AHT {first.aht:g} s, "
        f"threshold {first.threshold:g} s"
    )
    return "\n".join([title, "", *lines]) + "\n"
