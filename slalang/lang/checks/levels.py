"""Check passes over levels: units, operators, directions, contradictions."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from slalang.codes import diag
from slalang.diagnostics import Diagnostic, Label
from slalang.lang import model as m
from slalang.lang.checks.context import Context
from slalang.lang.checks.values import quantity_problems
from slalang.lang.schema import Metric, Spec, metric_named
from slalang.lang.units import Dimension, magnitude

_LOWER_IS_BETTER = frozenset({"abandonment_rate", "average_speed_of_answer"})
_EITHER = frozenset({"average_handle_time", "occupancy"})
_SPEC_OF = {
    Dimension.PERCENT: Spec("percent"),
    Dimension.DURATION: Spec("duration", low=Decimal(0)),
    Dimension.POINTS: Spec("points"),
    Dimension.NUMBER: Spec("number"),
}


def result_dimension(objective: m.Objective, metric: Metric) -> Dimension:
    """The dimension of one period's value of this objective's metric."""
    if metric.name == "csat":
        method = objective.setting("method")
        if (
            method is not None
            and isinstance(method.value, m.Ident)
            and (method.value.name == "mean")
        ):
            return Dimension.NUMBER
    return metric.result


def direction(target: m.Target) -> str:
    """``higher``, ``lower`` or ``band``: which way a target asks the value to go."""
    if isinstance(target, m.Band):
        return "band"
    return "higher" if target.op in (">=", ">") else "lower"


def _spec(dimension: Dimension, metric: Metric | None) -> Spec:
    spec = _SPEC_OF[dimension]
    if metric is not None and dimension is metric.result and metric.low is not None:
        return Spec(spec.kind, low=metric.low, high=metric.high)
    return spec


def _target_problems(
    target: m.Target,
    dimension: Dimension,
    metric: Metric | None,
    better: str,
    what: str,
    ctx: Context,
    path: tuple[str, ...],
) -> Iterator[Diagnostic]:
    spec = _spec(dimension, metric)
    if isinstance(target, m.Band):
        problems = [
            *quantity_problems(target.low, spec, what, ctx, path),
            *quantity_problems(target.high, spec, what, ctx, path),
        ]
        yield from problems
        if not problems and magnitude(target.low) > magnitude(target.high):
            yield diag(
                "E402",
                f"the band of {what} is empty: its low end is above its high end",
                target.span,
                label="low end above high end",
                help="write `between <low> and <high>`",
                path=path,
            )
        return
    if target.op not in (">=", ">", "<=", "<"):
        yield diag(
            "E305",
            f"`{target.op}` is not allowed in {what}",
            target.span,
            label="operator not allowed",
            help="levels use `>=`, `>`, `<=`, `<` or `between ... and ...`",
            path=path,
        )
        return
    yield from quantity_problems(target.quantity, spec, what, ctx, path)
    wrong = (better == "higher" and target.op in ("<=", "<")) or (
        better == "lower" and target.op in (">=", ">")
    )
    if wrong:
        name = metric.name if metric else "this objective"
        yield diag(
            "E404",
            f"{what} asks {name} to be {direction(target)}, but {better} is better",
            target.span,
            label="wrong direction",
            help=f"use `{'>=' if better == 'higher' else '<='}`",
            path=path,
        )


def _stricter(expected: m.Target, minimum: m.Target) -> bool:
    if isinstance(expected, m.Band) and isinstance(minimum, m.Band):
        return magnitude(minimum.low) > magnitude(expected.low) or magnitude(
            minimum.high
        ) < magnitude(expected.high)
    if isinstance(expected, m.Comparison) and isinstance(minimum, m.Comparison):
        exp, low = magnitude(expected.quantity), magnitude(minimum.quantity)
        return low > exp if direction(expected) == "higher" else low < exp
    return False


def objective_levels(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Levels fit the metric, point the right way and do not contradict each other."""
    for objective in ctx.contract.objectives:
        metric = metric_named(objective.metric.text) if objective.metric else None
        if metric is None:
            continue
        path = (f"objective {objective.id.text}",)
        value_dim = result_dimension(objective, metric)
        better = (
            "lower"
            if metric.name in _LOWER_IS_BETTER
            else "either"
            if metric.name in _EITHER
            else "higher"
        )
        aggregate = objective.aggregate
        share = aggregate is not None and aggregate.method.text == "share"
        if aggregate is not None and aggregate.meeting is not None:
            yield from _target_problems(
                aggregate.meeting, value_dim, metric, better, "the interval target", ctx, path
            )
        level_dim = Dimension.PERCENT if share else value_dim
        level_better = "higher" if share else better
        problems: list[Diagnostic] = []
        for level in objective.levels:
            problems.extend(
                _target_problems(
                    level.target,
                    level_dim,
                    None if share else metric,
                    level_better,
                    f"the {level.kind} level",
                    ctx,
                    path,
                )
            )
        yield from problems
        expected, minimum = objective.level("expected"), objective.level("minimum")
        if problems or expected is None or minimum is None:
            continue
        if direction(expected.target) != direction(minimum.target):
            yield diag(
                "E403",
                "the expected and minimum levels point in different directions",
                minimum.target.span,
                label=f"asks for {direction(minimum.target)}",
                related=(Label(expected.target.span, f"asks for {direction(expected.target)}"),),
                help="write both with the same operator",
                path=path,
            )
        elif _stricter(expected.target, minimum.target):
            yield diag(
                "E401",
                "the minimum level is stricter than the expected level",
                minimum.target.span,
                label="minimum",
                related=(Label(expected.target.span, "expected"),),
                help="the minimum is the floor below which the service failed; it must "
                "be easier to reach than the expected level",
                path=path,
            )
        for volume in objective.min_volumes:
            yield from quantity_problems(
                volume.quantity, Spec("count", low=Decimal(0)), "`min_volume`", ctx, path
            )
