"""Check passes over consequences: credit allocations and account-at-risk rules."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from slalang.codes import diag
from slalang.diagnostics import Diagnostic, Label
from slalang.lang import model as m
from slalang.lang.checks.context import Context


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


def risk_rules(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Rules can fire, and `below minimum` rules name objectives that have a minimum."""
    if contract.risk is None:
        return
    for rule in contract.risk.rules:
        count = rule.count
        if count.unit.text not in ("months", "periods", "month", "period"):
            yield diag(
                "E503",
                f"risk rules count periods, not `{count.unit.text}`",
                count.unit.span,
                label="not a period count",
                help="write `months` (or `periods`)",
            )
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
