"""Stage 7, consequences: service credits, earn-back and the account-at-risk status.

Credits follow the Texas DIR formula: a triggering verdict of a critical
service level earns ``monthly charges x at-risk share x pool x allocation``;
a period's credits add up to at most the cap. With earn-back, a credit is
waived when the objective meets its expected level in each of the next N
periods, and stays *pending* while fewer than N later periods are known.
Account-at-risk rules look at the history of verdicts: the account is
*at risk* when a rule fires, *watch* when ``watch_margin`` more misses would
fire one, *ok* otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

import attrs

from slalang.engine.plan import CreditPlan, Plan, RulePlan
from slalang.judge.verdicts import Verdict


@attrs.frozen
class Credit:
    """One objective's credit for one period."""

    objective: str
    period: str
    amount: float
    state: str
    """``due``, ``waived`` (earned back) or ``pending`` (may still be earned back)."""


@attrs.frozen
class PeriodCredits:
    """All credits of one period, before and after the cap."""

    period: str
    credits: tuple[Credit, ...]
    earned: float
    cap: float
    capped: float
    due: float
    at_cap: bool
    currency: str


@attrs.frozen
class RuleResult:
    """How one account-at-risk rule stands at the last period."""

    label: str
    line: int
    state: str
    """``fired``, ``watch`` or ``ok``."""
    periods: tuple[str, ...]
    """The periods whose verdicts count towards the rule."""


@attrs.frozen
class AccountRisk:
    """The account's status at the last evaluated period, with the rules behind it."""

    status: str
    """``ok``, ``watch`` or ``at_risk``."""
    period: str | None
    rules: tuple[RuleResult, ...]


def _triggers(credits: CreditPlan, verdict: Verdict) -> bool:
    if credits.trigger == "missed":
        return verdict.status in ("missed", "below_minimum")
    return verdict.status == "below_minimum"


def credits(plan: Plan, verdicts: list[Verdict]) -> list[PeriodCredits]:
    """Credits per period, with earn-back applied."""
    credit_plan = plan.credits
    if credit_plan is None:
        return []
    at_risk_amount = credit_plan.monthly_charges * credit_plan.at_risk
    cap = (
        credit_plan.cap_money
        if credit_plan.cap_money is not None
        else at_risk_amount * (credit_plan.cap_share or Fraction(1))
    )
    history: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in verdicts:
        history[verdict.objective].append(verdict)
    allocations = {o.id: o.allocation for o in plan.objectives if o.critical}
    by_period: dict[str, list[Credit]] = defaultdict(list)
    periods: set[str] = set()
    for objective, allocation in allocations.items():
        series = history.get(objective, [])
        for index, verdict in enumerate(series):
            periods.add(verdict.period)
            if allocation is None or not _triggers(credit_plan, verdict):
                continue
            amount = at_risk_amount * credit_plan.pool * allocation
            state = _earn_back(credit_plan.earn_back, series[index + 1 :])
            by_period[verdict.period].append(
                Credit(objective, verdict.period, float(amount), state)
            )
    result = []
    for period in sorted(periods):
        items = tuple(by_period.get(period, ()))
        earned = sum((Fraction(c.amount) for c in items), Fraction(0))
        capped = min(earned, cap)
        kept = sum((Fraction(c.amount) for c in items if c.state != "waived"), Fraction(0))
        result.append(
            PeriodCredits(
                period=period,
                credits=items,
                earned=float(earned),
                cap=float(cap),
                capped=float(capped),
                due=float(min(kept, cap)),
                at_cap=bool(items) and earned >= cap,
                currency=credit_plan.currency,
            )
        )
    return result


def _earn_back(periods: int | None, later: list[Verdict]) -> str:
    if periods is None:
        return "due"
    window = later[:periods]
    if any(v.status != "met" for v in window):
        return "due"
    return "waived" if len(window) == periods else "pending"


def _condition(
    rule: RulePlan,
    plan: Plan,
    period: str,
    by_period: dict[str, list[Verdict]],
    at_cap: dict[str, bool],
) -> bool:
    if rule.selector == "credits":
        return at_cap.get(period, False)
    wanted = (
        ("below_minimum",) if rule.condition == "below_minimum" else ("missed", "below_minimum")
    )
    tiers = {o.id: o.critical for o in plan.objectives}
    for verdict in by_period.get(period, ()):
        if rule.selector == "objective" and verdict.objective != rule.name:
            continue
        if rule.selector == "any" and rule.name == "critical" and not tiers.get(verdict.objective):
            continue
        if rule.selector == "any" and rule.name == "key" and tiers.get(verdict.objective):
            continue
        if verdict.status in wanted:
            return True
    return False


def account_risk(
    plan: Plan, verdicts: list[Verdict], period_credits: list[PeriodCredits]
) -> AccountRisk:
    """Evaluate every rule over the history of verdicts, at the last period."""
    by_period: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in verdicts:
        by_period[verdict.period].append(verdict)
    periods = sorted(by_period)
    at_cap = {c.period: c.at_cap for c in period_credits}
    results = []
    margin = plan.watch_margin
    for rule in plan.rules:
        hits = [p for p in periods if _condition(rule, plan, p, by_period, at_cap)]
        flags = [p in hits for p in periods]
        if rule.last is None:
            run = 0
            for flag in reversed(flags):
                if not flag:
                    break
                run += 1
            fired = run >= rule.times
            watch = not fired and run >= rule.times - margin >= 0 and run > 0
            counted = tuple(periods[len(periods) - run :]) if run else ()
        else:
            recent = flags[-rule.last :]
            count = sum(recent)
            fired = count >= rule.times
            shifted = sum(flags[-(rule.last - 1) :]) if rule.last > 1 else 0
            watch = not fired and shifted >= rule.times - margin and shifted > 0
            window = periods[-rule.last :]
            counted = tuple(p for p, f in zip(window, recent, strict=True) if f)
        state = "fired" if fired else "watch" if watch else "ok"
        results.append(RuleResult(rule.label, rule.line, state, counted))
    status = (
        "at_risk" if any(r.state == "fired" for r in results)
        else "watch" if any(r.state == "watch" for r in results)
        else "ok"
    )  # fmt: skip
    return AccountRisk(status, periods[-1] if periods else None, tuple(results))
