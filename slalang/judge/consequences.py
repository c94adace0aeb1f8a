"""Stage 7, consequences: service credits, earn-back and the account-at-risk status.

Credits follow the Texas DIR formula and are counted per invoice month: a
critical service level that triggers in a month earns ``monthly charges x
at-risk share x pool x allocation`` once for that month, whatever its window
(a daily objective missed on five days of a month earns one credit; a
quarterly one is charged in the month its quarter ends). A month's credits add
up to at most the monthly cap, and a contract year's to at most the annual cap.
With earn-back, a credit is waived when the objective meets its expected level
in each of the next N months, and stays *pending* while fewer than N later
months are known.

Account-at-risk rules count periods of the kind they name (``months``,
``days``, or ``periods``: the window their objectives share), over the
verdicts of the objectives they name only. An objective judged over a shorter
window counts in a longer period when any of its windows ending in that period
counts (the checker refuses a rule counting periods shorter than a window). The
account is *at risk* when a rule fires, *watch* when ``watch_margin`` more misses
would fire one, *ok* otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction

import attrs

from slalang.engine.periods import key, last_moment, sequence, span
from slalang.engine.plan import CreditPlan, ObjectivePlan, Period, Plan, RulePlan
from slalang.judge.verdicts import Verdict

MONTH = Period("month")
"""The invoice period credits and caps are counted in."""

_PLURALS = {"interval": "intervals", "day": "days", "week": "weeks", "month": "months",
            "quarter": "quarters", "contract_year": "contract years"}  # fmt: skip


@attrs.frozen
class Credit:
    """One objective's credit for one invoice month."""

    objective: str
    period: str
    """The invoice month (``2026-03``)."""
    amount: float
    state: str
    """``due``, ``waived`` (earned back) or ``pending`` (may still be earned back)."""
    windows: tuple[str, ...] = ()
    """The objective's own periods in the month whose verdicts earned the credit."""
    earn_back: str = "none"
    """``none`` (the contract has no earn-back), ``pending`` (fewer than N later months
    known, all met), ``granted`` (met in each of the next N months: waived) or ``lost``
    (a later month within N was not met)."""
    months: tuple[str, ...] = ()
    """The later months the earn-back looked at, in order."""
    allocation: float = 0.0
    """The objective's share of the pool (0-1)."""
    title: str | None = None
    line: int = 0
    """The objective's clause: its title and the line it starts on."""


@attrs.frozen
class PeriodCredits:
    """All credits of one invoice month, before and after the caps."""

    period: str
    credits: tuple[Credit, ...]
    earned: float
    cap: float
    capped: float
    """Earned credits after the monthly cap."""
    due: float
    """What is owed for the month: credits not earned back, after the monthly and annual caps."""
    at_cap: bool
    currency: str
    year: str | None = None
    """The contract year the month belongs to (``2026-01-01/2026-12-31``)."""
    annual_cap: float | None = None
    at_annual_cap: bool = False
    """True when the year's credits due have reached the annual cap by this month."""
    waived: float = 0.0
    """Credits earned back (granted)."""
    pending: float = 0.0
    """Credits that may still be earned back (counted in ``due`` until they are)."""
    annual_cut: float = 0.0
    """What the annual cap took off the month's credits after the monthly cap."""


@attrs.frozen
class YearCredits:
    """The credits of one contract year."""

    year: str
    """``2026-01-01/2026-12-31``."""
    months: int
    """Months of the year with credits."""
    earned: float
    waived: float
    pending: float
    due: float
    currency: str
    annual_cap: float | None = None
    at_annual_cap: bool = False


def year_totals(
    period_credits: list[PeriodCredits] | tuple[PeriodCredits, ...],
) -> list[YearCredits]:
    """The credits of every contract year, in time order."""
    years: dict[str, list[PeriodCredits]] = defaultdict(list)
    for month in period_credits:
        if month.year is not None:
            years[month.year].append(month)
    return [
        YearCredits(
            year, sum(1 for m in months if m.credits), sum(m.earned for m in months),
            sum(m.waived for m in months), sum(m.pending for m in months),
            sum(m.due for m in months), months[0].currency, months[0].annual_cap,
            any(m.at_annual_cap for m in months),
        )
        for year, months in sorted(years.items())
    ]  # fmt: skip


@attrs.frozen
class RuleResult:
    """How one account-at-risk rule stands at its last period."""

    label: str
    line: int
    state: str
    """``fired``, ``watch`` or ``ok``."""
    periods: tuple[str, ...]
    """The periods whose verdicts fire the rule or put it on watch (none when ``ok``)."""
    window: str = "months"
    """What the rule counts, in words: ``months``, ``days``, ..."""
    period: str | None = None
    """The last period the rule looked at."""
    objectives: tuple[str, ...] = ()
    """The objectives whose verdicts in ``periods`` count towards the rule, by id (none for a
    ``credits`` rule, or when ``ok``)."""


@attrs.frozen
class AccountRisk:
    """The account's status at the last evaluated period, with the rules behind it."""

    status: str
    """``ok``, ``watch`` or ``at_risk``."""
    period: str | None
    rules: tuple[RuleResult, ...]


JUDGED = ("met", "missed", "below_minimum")
"""The statuses of a period that was judged. A rule's periods are those in which some
objective it counts was judged: a period without data (``no_data``) or not judged
(``incomplete``, ``not_measurable``) is left out, so it neither counts as a miss nor
breaks a run of misses as a period met would."""


def _triggers(credits: CreditPlan, verdict: Verdict) -> bool:
    if credits.trigger == "missed":
        return verdict.status in ("missed", "below_minimum")
    return verdict.status == "below_minimum"


def _year_start(plan: Plan) -> dt.date | None:
    return plan.effective[0] if plan.effective else None


def roll_up(
    plan: Plan, objective: ObjectivePlan, series: list[Verdict], into: Period
) -> dict[str, list[Verdict]]:
    """An objective's verdicts grouped by the period of kind ``into`` their windows end in."""
    year_start = _year_start(plan)
    groups: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in series:
        moment = last_moment(verdict.period, objective.window)
        groups[key(moment, into, year_start=year_start)].append(verdict)
    return groups


def worst(verdicts: list[Verdict]) -> str:
    """The status of a longer period from the verdicts of its windows."""
    statuses = {v.status for v in verdicts}
    for status in ("below_minimum", "missed", "incomplete", "met", "not_measurable"):
        if status in statuses:
            return status
    return "no_data"


def _caps(credit_plan: CreditPlan) -> tuple[Fraction, Fraction | None]:
    at_risk_amount = credit_plan.monthly_charges * credit_plan.at_risk
    cap = (
        credit_plan.cap_money
        if credit_plan.cap_money is not None
        else at_risk_amount * (credit_plan.cap_share or Fraction(1))
    )
    annual: Fraction | None = credit_plan.annual_cap_money
    if annual is None and credit_plan.annual_cap_share is not None:
        annual = 12 * at_risk_amount * credit_plan.annual_cap_share
    return cap, annual


def credits(plan: Plan, verdicts: list[Verdict]) -> list[PeriodCredits]:
    """Credits per invoice month, with earn-back and both caps applied."""
    credit_plan = plan.credits
    if credit_plan is None:
        return []
    at_risk_amount = credit_plan.monthly_charges * credit_plan.at_risk
    cap, annual_cap = _caps(credit_plan)
    history: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in verdicts:
        history[verdict.objective].append(verdict)
    by_month: dict[str, list[Credit]] = defaultdict(list)
    months: set[str] = set()
    for objective in plan.objectives:
        if not objective.critical:
            continue
        groups = roll_up(plan, objective, history.get(objective.id, []), MONTH)
        months.update(groups)
        if objective.allocation is None or not groups:
            continue
        amount = at_risk_amount * credit_plan.pool * objective.allocation
        known = sequence(min(groups), max(groups), MONTH)
        for index, month in enumerate(known):
            triggering = [v for v in groups.get(month, ()) if _triggers(credit_plan, v)]
            if not triggering:
                continue
            following = known[index + 1 :][: credit_plan.earn_back or 0]
            state, earn_back = _earn_back(
                credit_plan.earn_back, [worst(groups.get(m, [])) for m in following]
            )
            by_month[month].append(
                Credit(
                    objective.id,
                    month,
                    float(amount),
                    state,
                    tuple(v.period for v in triggering),
                    earn_back,
                    tuple(following),
                    float(objective.allocation),
                    objective.title,
                    objective.line,
                )
            )
    year_start = _year_start(plan)
    used: dict[str, Fraction] = defaultdict(Fraction)
    result = []
    for month in sorted(months):
        items = tuple(by_month.get(month, ()))
        earned = sum((Fraction(c.amount) for c in items), Fraction(0))
        kept = sum((Fraction(c.amount) for c in items if c.state != "waived"), Fraction(0))
        due = monthly = min(kept, cap)
        year = key(span(month, MONTH)[0], Period("contract_year"), year_start=year_start)
        if annual_cap is not None:
            due = min(due, max(annual_cap - used[year], Fraction(0)))
        used[year] += due
        waived = sum((Fraction(c.amount) for c in items if c.state == "waived"), Fraction(0))
        pending = sum((Fraction(c.amount) for c in items if c.state == "pending"), Fraction(0))
        result.append(
            PeriodCredits(
                period=month,
                credits=items,
                earned=float(earned),
                cap=float(cap),
                capped=float(min(earned, cap)),
                due=float(due),
                at_cap=bool(items) and earned >= cap,
                currency=credit_plan.currency,
                year=year,
                annual_cap=None if annual_cap is None else float(annual_cap),
                at_annual_cap=annual_cap is not None and used[year] >= annual_cap,
                waived=float(waived),
                pending=float(pending),
                annual_cut=float(monthly - due),
            )
        )
    return result


def _earn_back(periods: int | None, later: list[str]) -> tuple[str, str]:
    """The credit's state and its earn-back, from the statuses of the next months."""
    if periods is None:
        return "due", "none"
    if any(status != "met" for status in later):
        return "due", "lost"
    return ("waived", "granted") if len(later) == periods else ("pending", "pending")


def _counted(plan: Plan, rule: RulePlan) -> list[ObjectivePlan]:
    if rule.selector == "objective":
        return [o for o in plan.objectives if o.id == rule.name]
    if rule.selector == "any" and rule.name in ("critical", "key"):
        return [o for o in plan.objectives if o.critical == (rule.name == "critical")]
    if rule.selector == "any":
        return list(plan.objectives)
    return []


def _flags(
    plan: Plan,
    rule: RulePlan,
    history: dict[str, list[Verdict]],
    period_credits: list[PeriodCredits],
    through: dt.datetime | None = None,
    causes: dict[str, list[str]] | None = None,
) -> tuple[list[str], list[bool]]:
    """The rule's periods in time order, and whether each one counts towards the rule.

    A period in which no objective the rule names was judged is left out; one without data
    (no verdict, or only ``no_data``) between the rule's first period and its last one (or the
    period holding ``through``, the end of the assessment) counts as the contract's
    ``without_data`` says. ``causes``, when given, gets the objectives that hit in each
    period."""
    if rule.selector == "credits":
        at_cap = {c.period: c.at_cap for c in period_credits}
        periods = sorted(at_cap, key=lambda p: span(p, MONTH)[0])
        return periods, [at_cap[p] for p in periods]
    wanted = (
        ("below_minimum",) if rule.condition == "below_minimum" else ("missed", "below_minimum")
    )
    hits: dict[str, bool] = {}
    with_data: set[str] = set()
    for objective in _counted(plan, rule):
        groups = roll_up(plan, objective, history.get(objective.id, []), rule.window)
        for period, group in groups.items():
            if any(v.status != "no_data" for v in group):
                with_data.add(period)
            if not any(v.status in JUDGED for v in group):
                continue  # no data, or not judged: neither a miss nor a period met
            hit = any(v.status in wanted for v in group)
            hits[period] = hits.get(period, False) or hit
            if hit and causes is not None:
                causes.setdefault(period, []).append(objective.id)
    if plan.without_data != "skipped" and with_data:
        year_start = _year_start(plan)
        first = min(with_data, key=lambda p: span(p, rule.window)[0])
        last = max(with_data, key=lambda p: span(p, rule.window)[0])
        if through is not None:
            last = key(through - dt.timedelta(microseconds=1), rule.window, year_start=year_start)
        if span(last, rule.window)[0] >= span(first, rule.window)[0]:
            for period in sequence(first, last, rule.window, year_start=year_start):
                if period not in with_data:
                    hits[period] = plan.without_data == "missed"
    periods = sorted(hits, key=lambda p: span(p, rule.window)[0])
    return periods, [hits[p] for p in periods]


def _rule_result(rule: RulePlan, periods: list[str], flags: list[bool], margin: int) -> RuleResult:
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
        fired = sum(recent) >= rule.times
        shifted = sum(flags[-(rule.last - 1) :]) if rule.last > 1 else 0
        watch = not fired and shifted >= rule.times - margin and shifted > 0
        window = periods[-rule.last :]
        counted = tuple(p for p, f in zip(window, recent, strict=True) if f)
    state = "fired" if fired else "watch" if watch else "ok"
    return RuleResult(
        rule.label,
        rule.line,
        state,
        counted if state != "ok" else (),
        _PLURALS[rule.window.kind],
        periods[-1] if periods else None,
    )


def account_risk(
    plan: Plan,
    verdicts: list[Verdict],
    period_credits: list[PeriodCredits],
    through: dt.datetime | None = None,
) -> AccountRisk:
    """Evaluate every rule over the history of the verdicts it counts, at its last period;
    ``through`` is the end of the assessment (periods up to it without data count as
    ``without_data`` says)."""
    history: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in verdicts:
        history[verdict.objective].append(verdict)
    results = []
    latest: list[tuple[dt.datetime, str]] = []
    for rule in plan.rules:
        causes: dict[str, list[str]] = {}
        periods, flags = _flags(plan, rule, history, period_credits, through, causes)
        result = _rule_result(rule, periods, flags, plan.watch_margin)
        behind = {o for p in result.periods for o in causes.get(p, ())}
        result = attrs.evolve(result, objectives=tuple(sorted(behind)))
        results.append(result)
        if result.period is not None:
            latest.append((last_moment(result.period, rule.window), result.period))
    if not plan.rules:
        windows = {o.id: o.window for o in plan.objectives}
        latest = [(last_moment(v.period, windows[v.objective]), v.period) for v in verdicts]
    status = (
        "at_risk" if any(r.state == "fired" for r in results)
        else "watch" if any(r.state == "watch" for r in results)
        else "ok"
    )  # fmt: skip
    return AccountRisk(status, max(latest)[1] if latest else None, tuple(results))


@attrs.frozen
class AccountMonth:
    """The account's status as of the end of one month."""

    month: str
    """The month, ``YYYY-MM``."""
    risk: AccountRisk
    """The rules over the verdicts and credits known at the end of the month."""
    changed: bool
    """Whether the status differs from the month before (the first month: from ``ok``)."""


def account_history(
    plan: Plan, verdicts: list[Verdict], period_credits: list[PeriodCredits]
) -> tuple[AccountMonth, ...]:
    """The account's status at the end of every month from the first verdict's to the last
    one's (months without data included): :func:`account_risk` over the verdicts whose
    windows end by then and the credits of the months up to it."""
    windows = {o.id: o.window for o in plan.objectives}
    ends = [(last_moment(v.period, windows[v.objective]), v) for v in verdicts]
    if not ends:
        return ()
    first = key(min(e for e, _ in ends), MONTH)
    last = key(max(e for e, _ in ends), MONTH)
    months = []
    before = "ok"
    for month in sequence(first, last, MONTH):
        until = span(month, MONTH)[1]
        known = [v for end, v in ends if end < until]
        owed = [c for c in period_credits if span(c.period, MONTH)[1] <= until]
        risk = account_risk(plan, known, owed, until if plan.without_data != "skipped" else None)
        months.append(AccountMonth(month, risk, risk.status != before))
        before = risk.status
    return tuple(months)
