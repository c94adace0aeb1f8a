"""Check passes over consequences: credit allocations and account-at-risk rules."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from slalang.codes import diag
from slalang.diagnostics import Diagnostic, Label
from slalang.lang import model as m
from slalang.lang.checks.context import Context
from slalang.lang.schema import PERIODS
from slalang.lang.units import seconds


def _pool(contract: m.Contract) -> Decimal:
    if contract.credits is None:
        return Decimal(100)
    for setting in contract.credits.settings:
        if setting.name.text == "pool" and isinstance(setting.value, m.Quantity):
            return setting.value.value
    return Decimal(100)


def allocations(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Critical levels carry allocations that fit in the pool; key measurements carry none."""
    criticals = [o for o in ctx.contract.objectives if o.tier is not None and o.tier.critical]
    total = Decimal(0)
    allocated: list[m.Tier] = []
    for objective in ctx.contract.objectives:
        tier = objective.tier
        path = (f"objective {objective.id.text}",)
        if tier is None or not tier.critical:
            continue
        if tier.allocation is None:
            if contract.credits is not None:
                yield diag(
                    "E502",
                    f"critical objective `{objective.id.text}` has no allocation",
                    tier.span,
                    label="no allocation",
                    help="write `critical allocation <percent>`",
                    path=path,
                )
            continue
        if tier.allocation.unit != "%":
            yield diag(
                "E301",
                "an allocation needs a percentage such as `30 %`",
                tier.allocation.span,
                label="not a percentage",
                path=path,
            )
            continue
        total += tier.allocation.value
        allocated.append(tier)
    pool = _pool(contract)
    if allocated and total > 100:
        yield diag(
            "E501",
            f"credit allocations add up to {total} %, more than the pool",
            allocated[-1].span,
            label="allocations exceed 100 %",
            related=tuple(Label(t.span, "allocated here") for t in allocated[:-1]),
            help="the allocations of critical service levels share the pool "
            f"({pool} % of the at-risk amount) and may add up to 100 % at most",
        )
    if criticals and contract.credits is None and contract.setting("monthly_charges"):
        first = criticals[0]
        assert first.tier is not None
        yield diag(
            "W501",
            "critical service levels and monthly charges, but no `credits` block",
            first.tier.span,
            label="critical",
            help="add `credits { at_risk ... }` or make it `key`",
        )
    if contract.credits is not None and contract.setting("monthly_charges") is None:
        yield diag(
            "E103",
            "`credits` needs `monthly_charges` in the contract header",
            contract.credits.span,
            label="credits without charges",
            help="add `monthly_charges 250000 USD` to the contract header",
        )


RULE_UNITS = {
    "day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month",
    "months": "month", "quarter": "quarter", "quarters": "quarter", "year": "contract_year",
    "years": "contract_year", "period": None, "periods": None,
}  # fmt: skip
"""The words a rule counts in, and the period kind each names (``None``: the objectives' own)."""

_PLURALS = {"day": "days", "week": "weeks", "month": "months", "quarter": "quarters",
            "contract_year": "years", "interval": "intervals"}  # fmt: skip


def window_kind(objective: m.Objective) -> tuple[str, int] | None:
    """An objective's window as (kind, minutes): ``("month", 0)``, ``("interval", 30)``;
    ``None`` for a window that is not a period (reported by the window checks)."""
    window = objective.window
    if window is None:
        return ("month", 0)
    if window.length is not None:
        return ("interval", int(seconds(window.length) // 60))
    if window.name is None or window.name.text == "interval":
        return ("interval", 30)
    return (window.name.text, 0) if window.name.text in PERIODS else None


def rule_objectives(rule: m.Rule, objectives: Iterable[m.Objective]) -> list[m.Objective]:
    """The objectives whose verdicts a rule counts (none for a `credits` rule)."""
    selector = rule.selector
    name = selector.name.text if selector.name is not None else None
    if selector.kind == "objective":
        return [o for o in objectives if o.id.text == name]
    if selector.kind == "any" and name in ("critical", "key"):
        critical = name == "critical"
        return [o for o in objectives if (o.tier is not None and o.tier.critical) == critical]
    if selector.kind == "any":
        return list(objectives)
    return []


def rule_window(rule: m.Rule, objectives: Iterable[m.Objective]) -> tuple[str, int] | None:
    """The periods a rule counts, as (kind, minutes); ``None`` when it cannot be told.

    A rule counts the periods its unit names (``months``); ``periods`` means the window its
    objectives share. A `credits` rule counts invoice months.
    """
    unit = RULE_UNITS.get(rule.count.unit.text, "?")
    if rule.selector.kind == "credits":
        return ("month", 0) if unit in ("month", None) else None
    if unit == "?":
        return None
    if unit is not None:
        return (unit, 0)
    windows = {window_kind(o) for o in rule_objectives(rule, objectives)}
    return windows.pop() if len(windows) == 1 else None  # None among them: unknown


def _coarser(a: tuple[str, int], b: tuple[str, int]) -> bool:
    """Whether window ``a`` is coarser than ``b``; never for an unknown window (E209)."""
    if a[0] not in PERIODS or b[0] not in PERIODS:
        return False
    if a[0] == b[0] == "interval":
        return a[1] > b[1]
    return PERIODS.index(a[0]) > PERIODS.index(b[0])


def _window_problems(rule: m.Rule, ctx: Context) -> Iterator[Diagnostic]:
    count = rule.count
    unit = RULE_UNITS.get(count.unit.text, "?")
    if unit == "?":
        yield diag(
            "E503",
            f"risk rules count days, weeks, months, quarters, years or periods, "
            f"not `{count.unit.text}`",
            count.unit.span,
            label="not a period count",
            help="write `months`, or `periods` for the objective's own window",
        )
        return
    if rule.selector.kind == "credits":
        if unit not in ("month", None):
            yield diag(
                "E503",
                "credits are counted per invoice month",
                count.unit.span,
                label="not months",
                help="write `months`",
            )
        return
    named = rule_objectives(rule, ctx.contract.objectives)
    window = rule_window(rule, ctx.contract.objectives)
    known = [kind for kind in map(window_kind, named) if kind is not None]
    if len(known) < len(named):
        return  # a window that is no period is reported by the window checks
    if window is None and named:
        kinds = sorted({_PLURALS[kind[0]] for kind in known})
        yield diag(
            "E503",
            "the objectives of this rule are judged over different windows "
            f"({', '.join(kinds)}): `periods` is ambiguous",
            count.unit.span,
            label="which periods?",
            help=f"name the periods the rule counts, e.g. `{kinds[-1]}`",
        )
        return
    if window is None:
        return
    for objective, own in zip(named, known, strict=True):
        if _coarser(own, window):
            yield diag(
                "E503",
                f"objective `{objective.id.text}` is judged per {own[0].replace('_', ' ')}, "
                f"so a rule over it cannot count {_PLURALS[window[0]]}",
                count.unit.span,
                label=f"shorter than the {own[0].replace('_', ' ')}",
                related=(Label(objective.id.span, "declared here"),),
                help=f"count `{_PLURALS[own[0]]}` (or `periods`)",
            )
            return


def risk_rules(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Rules can fire, and `below minimum` rules name objectives that have a minimum."""
    if contract.risk is None:
        return
    for rule in contract.risk.rules:
        count = rule.count
        yield from _window_problems(rule, ctx)
        if count.times < 1:
            yield diag(
                "E503", "a rule must count at least one period", count.span, label="never fires"
            )
        elif count.last is not None and count.times > count.last:
            yield diag(
                "E503",
                f"{count.times} of the last {count.last} periods can never happen",
                count.span,
                label="more than the window",
                help="the first number must not exceed the second",
            )
        if rule.condition == "at_cap" and rule.selector.kind != "credits":
            yield diag(
                "E503",
                "`at cap` applies to `credits` only",
                rule.selector.span,
                label="not credits",
                help="write `rule credits at cap in ...`",
            )
        if rule.selector.kind == "credits" and rule.condition != "at_cap":
            yield diag(
                "E503",
                "`credits` rules use `at cap`",
                rule.span,
                label="not at cap",
                help="write `rule credits at cap in 2 of last 12 months`",
            )
        if rule.condition == "below_minimum" and rule.selector.kind == "objective":
            name = rule.selector.name
            objective = ctx.objectives.get(name.text) if name is not None else None
            if objective is not None and objective.level("minimum") is None:
                yield diag(
                    "E504",
                    f"objective `{objective.id.text}` has no minimum level",
                    rule.selector.span,
                    label="no minimum",
                    related=(Label(objective.id.span, "declared here"),),
                    help="add `minimum ...` to the objective, or use `missed`",
                )
