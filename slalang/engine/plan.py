"""Stage 4, compile: a checked contract becomes a plan of objective evaluators.

The plan resolves everything the text leaves implicit: knob defaults (from
:mod:`slalang.lang.schema`), the variant presets, the source behind a scope chain,
the calendar that applies, levels as exact magnitudes (fractions for
percentages, seconds for durations), relief and exclusions. Both evaluators,
the DuckDB engine and the Python reference, run the same plan.
"""

from __future__ import annotations

import datetime as dt
import functools
from fractions import Fraction
from zoneinfo import ZoneInfo

import attrs

from slalang.lang import model as m
from slalang.lang import syntax
from slalang.lang.build import build
from slalang.lang.checks.context import Context
from slalang.lang.checks.credits import rule_window
from slalang.lang.checks.windows import expand_days
from slalang.lang.holiday_sets import calendar_holidays, effective_term
from slalang.lang.schema import (
    DEFAULT_AGGREGATE,
    DEFAULT_WINDOW,
    VARIANTS,
    WEEKDAYS,
    metric_named,
)
from slalang.lang.units import BUSINESS_UNITS, Dimension, dimension_of, seconds
from slalang.source import Source


class PlanError(Exception):
    """The contract has errors; compile only checked contracts."""


@attrs.frozen
class Target:
    """A level as exact magnitudes: ``op`` is ``>=``, ``>``, ``<=``, ``<`` or ``between``."""

    op: str
    value: Fraction
    high: Fraction | None = None

    def holds(self, actual: Fraction) -> bool:
        """True when the actual value satisfies the target."""
        if self.op == "between":
            assert self.high is not None
            return self.value <= actual <= self.high
        return {
            ">=": actual >= self.value,
            ">": actual > self.value,
            "<=": actual <= self.value,
            "<": actual < self.value,
        }[self.op]

    @property
    def higher_is_better(self) -> bool | None:
        """Which way is better; ``None`` for a band."""
        if self.op == "between":
            return None
        return self.op in (">=", ">")


@attrs.frozen
class Period:
    """A period kind: ``interval`` (with minutes), ``day``, ``week``, ``month``, ``quarter``,
    ``contract_year``."""

    kind: str
    minutes: int = 0


@attrs.frozen
class Calendar:
    """Opening hours per weekday (0 = Monday) as minute ranges, and holidays."""

    id: str
    hours: dict[int, tuple[tuple[int, int], ...]]
    holidays: frozenset[dt.date]
    exclude_out_of_hours: bool = True
    shift: tuple[str, str] | None = None
    """(contract zone, calendar zone) when the hours are kept in another zone than the
    contract's: record times are moved to the calendar's clock before they are judged."""

    def local(self, moment: dt.datetime) -> dt.datetime:
        """A contract-zone clock time on the calendar's clock."""
        if self.shift is None:
            return moment
        source, target = (ZoneInfo(zone) for zone in self.shift)
        return moment.replace(tzinfo=source).astimezone(target).replace(tzinfo=None)

    def is_open(self, moment: dt.datetime) -> bool:
        """True when the moment falls in opening hours on a working day."""
        if moment.date() in self.holidays:
            return False
        minute = moment.hour * 60 + moment.minute
        return any(start <= minute < end for start, end in self.hours.get(moment.weekday(), ()))


@attrs.frozen
class Outage:
    """A declared outage or force-majeure period: contacts inside it are excluded."""

    kind: str
    reason: str
    start: dt.datetime
    end: dt.datetime


@attrs.frozen
class Relief:
    """Intervals whose volume exceeds the forecast by more than ``excess`` are excused."""

    id: str
    excess: Fraction
    minutes: int
    forecast_source: str


@attrs.frozen
class ObjectivePlan:
    """Everything needed to evaluate one objective."""

    id: str
    title: str | None
    line: int
    critical: bool
    allocation: Fraction | None
    metric: str
    source: str
    source_kind: str
    filters: tuple[m.Expr, ...]
    knobs: dict[str, object]
    window: Period
    aggregate: str
    per: Period | None
    meeting: Target | None
    expected: Target
    minimum: Target | None
    min_volume: int | None
    min_volume_per: int | None
    calendar: Calendar | None
    outages: tuple[Outage, ...]
    reliefs: tuple[Relief, ...] = ()
    """The reliefs that apply to the objective, in contract order."""
    term: tuple[dt.datetime, dt.datetime] | None = None
    """The contract's term as [first midnight, midnight after the last day); records outside
    it are not judged."""

    @property
    def effective_minimum(self) -> Target:
        """The minimum level; an objective without one fails at its expected level."""
        return self.minimum if self.minimum is not None else self.expected

    @property
    def repeats_contacts(self) -> bool:
        """Whether this is first-contact resolution by repeat contacts, whose figures look
        at a customer's later contacts (a window over every record, not one at a time)."""
        return self.metric == "fcr" and self.knobs.get("method") == "repeat_contact"


@attrs.frozen
class SourcePlan:
    """A data source of the contract."""

    id: str
    kind: str
    profile: str | None
    settings: dict[str, object]


@attrs.frozen
class CreditPlan:
    """Service credits: amounts as fractions of the monthly charges."""

    monthly_charges: Fraction
    currency: str
    at_risk: Fraction
    pool: Fraction
    cap_share: Fraction | None
    cap_money: Fraction | None
    trigger: str
    earn_back: int | None
    annual_cap_share: Fraction | None = None
    """The yearly cap as a share of twelve months' at-risk amount, or ``None``."""
    annual_cap_money: Fraction | None = None
    """The yearly cap as an amount of money, or ``None``."""


@attrs.frozen
class RulePlan:
    """An account-at-risk rule."""

    label: str
    selector: str
    name: str | None
    condition: str
    times: int
    last: int | None
    line: int
    window: Period = Period("month")
    """The periods the rule counts: months, days, ... (invoice months for ``credits``)."""


@attrs.frozen
class TrendPlan:
    """How trends are followed: over days or weeks, flagged after ``worsening`` consecutive
    worse periods or when the least-squares line of the last ``slope_over`` periods reaches a
    level before the objective's window ends."""

    over: str = "days"
    worsening: int = 5
    slope_over: int = 7


@attrs.frozen
class Plan:
    """A compiled contract: run it with :func:`slalang.api.evaluate` as often as needed."""

    contract_id: str
    title: str | None
    path: str
    timezone: str
    effective: tuple[dt.date, dt.date] | None
    sources: dict[str, SourcePlan]
    objectives: tuple[ObjectivePlan, ...]
    credits: CreditPlan | None
    rules: tuple[RulePlan, ...]
    watch_margin: int
    without_data: str = "skipped"
    """How account-at-risk rules count a period without data: ``skipped``, ``missed``, ``met``."""
    trends: TrendPlan = TrendPlan()


# ---------------------------------------------------------------------------
# value helpers
# ---------------------------------------------------------------------------


def magnitude(quantity: m.Quantity) -> Fraction:
    """Exact magnitude: seconds for durations, a fraction for percentages, else the value."""
    kind = dimension_of(quantity)
    if kind is Dimension.DURATION:
        return Fraction(seconds(quantity))
    if kind is Dimension.PERCENT:
        return Fraction(quantity.value) / 100
    return Fraction(quantity.value)


def target(value: m.Target) -> Target:
    """Turn a written level into exact magnitudes."""
    if isinstance(value, m.Band):
        return Target("between", magnitude(value.low), magnitude(value.high))
    return Target(value.op, magnitude(value.quantity))


def _period(period: m.Period | None, default: str) -> Period:
    if period is None:
        return Period(default)
    if period.length is not None:
        return Period("interval", int(seconds(period.length) // 60))
    assert period.name is not None
    if period.name.text == "interval":
        return Period("interval", 30)
    return Period(period.name.text)


def _knob_value(value: m.Value) -> object:
    if isinstance(value, m.Ident):
        if value.name in ("true", "false"):
            return value.name == "true"
        return None if value.name == "none" else value.name
    if isinstance(value, m.Quantity):
        return magnitude(value)
    if isinstance(value, m.Comparison):
        return (value.op, magnitude(value.quantity))
    if isinstance(value, m.ListValue):
        return tuple(_knob_value(item) for item in value.items)
    if isinstance(value, m.Text):
        return value.value
    return value


@functools.cache
def _parse_default(text: str) -> object:
    """Read a default written as source text (``< 5 s``, ``[talk, hold, acw]``, ``7 d``)."""
    source = Source("<default>", f"contract c {{\n  knob {text}\n}}\n")
    parsed = syntax.parse(source)
    assert parsed.tree is not None
    contract, _ = build(parsed.tree, source)
    assert contract.header is not None
    return _knob_value(contract.header.settings[0].value)


def _knobs(objective: m.Objective, metric_name: str) -> dict[str, object]:
    metric = metric_named(metric_name)
    assert metric is not None
    written = {s.name.text: _knob_value(s.value) for s in objective.settings}
    preset: dict[str, str] = {}
    if metric.name == "service_level":
        variant = written.get("variant") or "F1"
        preset = VARIANTS[str(variant)]
    knobs: dict[str, object] = {}
    for knob in metric.knobs:
        if knob.name in written:
            knobs[knob.name] = written[knob.name]
        elif knob.name in preset:
            knobs[knob.name] = _parse_default(preset[knob.name])
        elif knob.default is not None:
            knobs[knob.name] = _parse_default(knob.default)
        else:
            knobs[knob.name] = None
    for name in ("threshold", "short_abandon", "short_call"):
        value = knobs.get(name)
        if isinstance(value, Fraction):  # a bare duration: `<=` for thresholds, `<` for shorts
            knobs[name] = ("<=" if name == "threshold" else "<", value)
    return knobs


def _calendar(
    decl: m.CalendarDecl, term: tuple[dt.date, dt.date] | None, timezone: str
) -> Calendar:
    hours: dict[int, list[tuple[int, int]]] = {}
    for open_hours in decl.open_hours:
        for day in expand_days(open_hours.days, open_hours.through):
            hours.setdefault(WEEKDAYS.index(day.text), []).append(
                (open_hours.start.minutes, open_hours.end.minutes)
            )
    out = next((s for s in decl.settings if s.name.text == "out_of_hours"), None)
    exclude = not (
        out is not None and isinstance(out.value, m.Ident) and out.value.name == "included"
    )
    zone = _setting(decl.settings, "timezone")
    return Calendar(
        decl.id.text,
        {day: tuple(sorted(ranges)) for day, ranges in hours.items()},
        calendar_holidays(decl, term),
        exclude,
        (timezone, zone) if isinstance(zone, str) and zone != timezone else None,
    )


def _setting(settings: tuple[m.Setting, ...], name: str) -> object:
    found = next((s for s in settings if s.name.text == name), None)
    return None if found is None else _knob_value(found.value)


def compile_plan(contract: m.Contract, *, path: str = "<string>") -> Plan:
    """Compile a contract that checked without errors into a plan."""
    ctx = Context.build(contract, poisoned=frozenset())
    expanded = ctx.contract
    header = expanded.header
    if header is None:
        raise PlanError("the contract has no header")
    timezone = str(_setting(header.settings, "timezone") or "UTC")
    effective = effective_term(expanded)
    calendars = {c.id.text: _calendar(c, effective, timezone) for c in expanded.calendars}
    default_calendar = _setting(header.settings, "calendar")
    outages = tuple(
        (
            Outage(e.kind.text, e.reason.value, e.start.value, e.end.value),
            None if e.objectives is None else frozenset(_names(e.objectives)),
        )
        for e in expanded.exclusions
    )
    reliefs: dict[str, list[Relief]] = {}
    for relief in expanded.reliefs:
        excess = _setting(relief.settings, "volume_above_forecast")
        minutes = _setting(relief.settings, "interval")
        applies = _setting(relief.settings, "applies_to") or ()
        plan = Relief(
            relief.id.text,
            excess if isinstance(excess, Fraction) else Fraction(0),
            int(minutes // 60) if isinstance(minutes, Fraction) else 30,
            str(_setting(relief.settings, "forecast")),
        )
        for name in applies if isinstance(applies, tuple) else ():
            reliefs.setdefault(str(name), []).append(plan)
    objectives = []
    for objective in expanded.objectives:
        planned = _objective(objective, ctx, calendars, default_calendar, outages, reliefs)
        if effective is not None:
            first = dt.datetime.combine(effective[0], dt.time())
            after = dt.datetime.combine(effective[1] + dt.timedelta(days=1), dt.time())
            planned = attrs.evolve(planned, term=(first, after))
        objectives.append(planned)
    sources = {
        s.id.text: SourcePlan(
            s.id.text,
            s.kind.text,
            _text_setting(s.settings, "profile"),
            {setting.name.text: _knob_value(setting.value) for setting in s.settings},
        )
        for s in expanded.sources
    }
    return Plan(
        contract_id=header.id.text,
        title=header.title.value if header.title else None,
        path=path,
        timezone=timezone,
        effective=effective,
        sources=sources,
        objectives=tuple(objectives),
        credits=_credits(expanded),
        rules=_rules(expanded),
        watch_margin=int(_count(expanded.risk, "watch_margin", 1)),
        without_data=_word(expanded.risk, "without_data", "skipped"),
        trends=_trends(expanded.trends),
    )


def _text_setting(settings: tuple[m.Setting, ...], name: str) -> str | None:
    value = _setting(settings, name)
    return value if isinstance(value, str) else None


def _count(risk: m.RiskDecl | None, name: str, default: int) -> int:
    if risk is None:
        return default
    value = _setting(risk.settings, name)
    return int(value) if isinstance(value, Fraction) else default


def _word(block: m.RiskDecl | m.TrendsDecl | None, name: str, default: str) -> str:
    value = None if block is None else _setting(block.settings, name)
    return value if isinstance(value, str) else default


def _trends(block: m.TrendsDecl | None) -> TrendPlan:
    if block is None:
        return TrendPlan()
    worsening = _setting(block.settings, "worsening")
    slope_over = _setting(block.settings, "slope_over")
    return TrendPlan(
        over=_word(block, "over", "days"),
        worsening=int(worsening) if isinstance(worsening, Fraction) else 5,
        slope_over=int(slope_over) if isinstance(slope_over, Fraction) else 7,
    )


def _names(value: m.ListValue) -> tuple[str, ...]:
    """The names of a list of objectives, ``[speed, billing.service_level]``."""
    return tuple(item.name for item in value.items if isinstance(item, m.Ident))


def _objective(
    objective: m.Objective,
    ctx: Context,
    calendars: dict[str, Calendar],
    default_calendar: object,
    outages: tuple[tuple[Outage, frozenset[str] | None], ...],
    reliefs: dict[str, list[Relief]],
) -> ObjectivePlan:
    assert objective.metric is not None
    metric = metric_named(objective.metric.text)
    assert metric is not None
    source = ctx.objective_source(objective)
    assert source is not None
    filters: list[m.Expr] = []
    if objective.source is not None:
        filters.extend(reversed(ctx.scope_filters(objective.source.text)))
    if objective.where is not None:
        filters.append(objective.where)
    knobs = _knobs(objective, metric.name)
    if source.kind.text == "audits":
        knobs["_fatal"] = _setting(source.settings, "fatal") or ()
    threshold = objective.setting("threshold")
    if threshold is not None:
        value = threshold.value
        quantity = value.quantity if isinstance(value, m.Comparison) else value
        unit = quantity.unit if isinstance(quantity, m.Quantity) else None
        # the business unit, or False: business_days count opening days, not 24-hour spans
        knobs["business"] = unit if unit in BUSINESS_UNITS else False
    calendar_id = knobs.get("calendar") or default_calendar
    calendar = calendars.get(str(calendar_id)) if calendar_id else None
    expected = objective.level("expected")
    minimum = objective.level("minimum")
    assert expected is not None
    aggregate = objective.aggregate
    volume = next((v for v in objective.min_volumes if v.per is None), None)
    volume_per = next((v for v in objective.min_volumes if v.per is not None), None)
    tier = objective.tier
    return ObjectivePlan(
        id=objective.id.text,
        title=objective.title.value if objective.title else None,
        line=objective.span.line,
        critical=bool(tier and tier.critical),
        allocation=(
            magnitude(tier.allocation) if tier is not None and tier.allocation is not None else None
        ),
        metric=metric.name,
        source=source.id.text,
        source_kind=source.kind.text,
        filters=tuple(filters),
        knobs=knobs,
        window=_period(objective.window, DEFAULT_WINDOW),
        aggregate=aggregate.method.text if aggregate else DEFAULT_AGGREGATE,
        per=_period(aggregate.per, "day") if aggregate and aggregate.per else None,
        meeting=target(aggregate.meeting) if aggregate and aggregate.meeting else None,
        expected=target(expected.target),
        minimum=target(minimum.target) if minimum else None,
        min_volume=int(volume.quantity.value) if volume else None,
        min_volume_per=int(volume_per.quantity.value) if volume_per else None,
        calendar=calendar,
        outages=tuple(
            outage for outage, only in outages if only is None or objective.id.text in only
        ),
        reliefs=tuple(reliefs.get(objective.id.text, ())),
    )


def _credits(contract: m.Contract) -> CreditPlan | None:
    if contract.credits is None:
        return None
    charges = contract.setting("monthly_charges")
    if charges is None or not isinstance(charges.value, m.Quantity):
        return None
    settings = contract.credits.settings
    at_risk = _setting(settings, "at_risk")
    pool = _setting(settings, "pool")
    cap_share, cap_money = _cap(settings, "cap", Fraction(1))
    annual_share, annual_money = _cap(settings, "annual_cap", None)
    earn_back = _setting(settings, "earn_back")
    return CreditPlan(
        monthly_charges=Fraction(charges.value.value),
        currency=charges.value.unit or "",
        at_risk=at_risk if isinstance(at_risk, Fraction) else Fraction(0),
        pool=pool if isinstance(pool, Fraction) else Fraction(1),
        cap_share=cap_share,
        cap_money=cap_money,
        trigger=str(_setting(settings, "trigger") or "below_minimum"),
        earn_back=int(earn_back) if isinstance(earn_back, Fraction) else None,
        annual_cap_share=annual_share,
        annual_cap_money=annual_money,
    )


def _cap(
    settings: tuple[m.Setting, ...], name: str, default: Fraction | None
) -> tuple[Fraction | None, Fraction | None]:
    """A cap written as a share (``10 %``) or an amount (``30000 USD``): (share, money)."""
    setting = next((s for s in settings if s.name.text == name), None)
    if setting is None or not isinstance(setting.value, m.Quantity):
        return default, None
    if setting.value.unit == "%":
        return magnitude(setting.value), None
    return None, Fraction(setting.value.value)


def _rules(contract: m.Contract) -> tuple[RulePlan, ...]:
    if contract.risk is None:
        return ()
    rules = []
    for rule in contract.risk.rules:
        window = rule_window(rule, contract.objectives)
        if window is None:
            raise PlanError(f"rule on line {rule.span.line} counts no single kind of period")
        selector = rule.selector
        label = rule.label.value if rule.label else _describe_rule(rule)
        rules.append(
            RulePlan(
                label=label,
                selector=selector.kind,
                name=selector.name.text if selector.name else None,
                condition=rule.condition,
                times=rule.count.times,
                last=rule.count.last,
                line=rule.span.line,
                window=Period(*window),
            )
        )
    return tuple(rules)


def _describe_rule(rule: m.Rule) -> str:
    selector = rule.selector
    who = {
        "objective": selector.name.text if selector.name else "",
        "any": f"any {selector.name.text if selector.name else ''}",
        "credits": "credits",
    }[selector.kind]
    what = rule.condition.replace("_", " ")
    count = rule.count
    when = (
        f"{count.times} consecutive {count.unit.text}"
        if count.last is None
        else f"{count.times} of last {count.last} {count.unit.text}"
    )
    return f"{who} {what} in {when}"
