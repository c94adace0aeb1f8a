"""Stage 2, model: the immutable typed contract built from the parse tree.

Every node is an ``attrs`` frozen class whose children are tuples, and every
node keeps the :class:`~slalang.source.Span` it came from. Spans are left out
of equality, so two contracts written with different layout compare equal.
The model says what the text says; defaults and meaning are added by
:mod:`slalang.lang.schema` and the checks, never by constructors.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from slalang.source import Span

NOWHERE = Span("<generated>", 0, 0, 1, 1, 1, 1)


def _span() -> Span:
    return attrs.field(default=NOWHERE, eq=False, repr=False)


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


@attrs.frozen
class Name:
    """An identifier as written, with its span."""

    text: str
    span: Span = _span()


@attrs.frozen
class Quantity:
    """A number with an optional unit, such as ``20 s``, ``80 %`` or ``250000 USD``."""

    value: Decimal
    unit: str | None = None
    span: Span = _span()


@attrs.frozen
class Text:
    """A quoted string."""

    value: str
    span: Span = _span()


@attrs.frozen
class Ident:
    """A bare word used as a value (an enum choice, a reference, a parameter)."""

    name: str
    span: Span = _span()


@attrs.frozen
class DateValue:
    """A calendar date ``YYYY-MM-DD``."""

    value: dt.date
    span: Span = _span()


@attrs.frozen
class DateTimeValue:
    """A local date and time ``YYYY-MM-DD HH:MM[:SS]`` in the contract time zone."""

    value: dt.datetime
    span: Span = _span()


@attrs.frozen
class TimeValue:
    """A time of day ``HH:MM``; ``24:00`` is kept as minute 1440."""

    minutes: int
    span: Span = _span()


@attrs.frozen
class DateRange:
    """Two dates, both inclusive: ``2026-01-01 to 2027-12-31``."""

    start: DateValue
    end: DateValue
    span: Span = _span()


@attrs.frozen
class ListValue:
    """A bracketed list ``[a, b, c]``."""

    items: tuple[Value, ...]
    span: Span = _span()


@attrs.frozen
class Comparison:
    """A comparison with a quantity: ``>= 80 %``, ``<= 20 s``."""

    op: str
    quantity: Quantity
    span: Span = _span()


@attrs.frozen
class Band:
    """An inclusive band ``between a and b``."""

    low: Quantity
    high: Quantity
    span: Span = _span()


Value = (
    Quantity
    | Text
    | Ident
    | DateValue
    | DateTimeValue
    | TimeValue
    | DateRange
    | ListValue
    | Comparison
    | Band
)
Target = Comparison | Band


@attrs.frozen
class Setting:
    """A ``name value`` line inside a block."""

    name: Name
    value: Value
    span: Span = _span()


# ---------------------------------------------------------------------------
# Filter expressions
# ---------------------------------------------------------------------------


@attrs.frozen
class Compare:
    """``field op operand``, such as ``call_type == "PS"``."""

    field: Name
    op: str
    operand: Quantity | Text | Ident
    span: Span = _span()


@attrs.frozen
class Member:
    """``field in [..]`` or ``field not in [..]``."""

    field: Name
    values: ListValue
    negated: bool = False
    span: Span = _span()


@attrs.frozen
class Not:
    """``not expr``."""

    operand: Expr
    span: Span = _span()


@attrs.frozen
class And:
    """``a and b and ...``: all operands hold."""

    operands: tuple[Expr, ...]
    span: Span = _span()


@attrs.frozen
class Or:
    """``a or b or ...``: at least one operand holds."""

    operands: tuple[Expr, ...]
    span: Span = _span()


Expr = Compare | Member | Not | And | Or


# ---------------------------------------------------------------------------
# Declarations
# ---------------------------------------------------------------------------


@attrs.frozen
class Header:
    """``contract id "title" { settings }``."""

    id: Name
    title: Text | None
    settings: tuple[Setting, ...]
    span: Span = _span()


@attrs.frozen
class SourceDecl:
    """``source id: kind { settings }``: a data set an objective reads."""

    id: Name
    kind: Name
    settings: tuple[Setting, ...] = ()
    span: Span = _span()


@attrs.frozen
class ScopeDecl:
    """``scope id = base where expr``: a named filter over a source or scope."""

    id: Name
    base: Name
    where: Expr | None = None
    span: Span = _span()


@attrs.frozen
class OpenHours:
    """``open monday to friday 08:00-20:00``.

    ``through`` is true for a range of days (``monday to friday``), false for
    a list (``monday, friday``) or a single day.
    """

    days: tuple[Name, ...]
    start: TimeValue
    end: TimeValue
    through: bool = False
    span: Span = _span()


@attrs.frozen
class ClosedDays:
    """``closed sunday``; ``through`` as in :class:`OpenHours`."""

    days: tuple[Name, ...]
    through: bool = False
    span: Span = _span()


@attrs.frozen
class Holiday:
    """``holiday 2026-01-01 "New Year's Day"``."""

    date: DateValue
    title: Text | None = None
    span: Span = _span()


@attrs.frozen
class HolidaySet:
    """``holidays US "TX" observed``: the public holidays of a country or a financial market.

    ``observed`` (the default) takes each holiday on the day it is observed (Independence Day
    on a Saturday is observed on the Friday before); ``actual`` takes the calendar dates.
    """

    name: Name
    subdivision: Text | None = None
    observed: bool = True
    span: Span = _span()


@attrs.frozen
class NotHoliday:
    """``not holiday 2026-11-11 "Veterans Day: open"``: a date taken out of the holiday sets."""

    date: DateValue
    title: Text | None = None
    span: Span = _span()


@attrs.frozen
class CalendarDecl:
    """Hours of operation, holidays and calendar settings."""

    id: Name
    title: Text | None = None
    open_hours: tuple[OpenHours, ...] = ()
    closed: tuple[ClosedDays, ...] = ()
    holidays: tuple[Holiday, ...] = ()
    settings: tuple[Setting, ...] = ()
    span: Span = _span()
    holiday_sets: tuple[HolidaySet, ...] = ()
    not_holidays: tuple[NotHoliday, ...] = ()


@attrs.frozen
class Period:
    """A measurement period: a named one (``month``) or a length (``30 min``)."""

    name: Name | None = None
    length: Quantity | None = None
    span: Span = _span()


@attrs.frozen
class Aggregate:
    """``aggregate method [per period] [meeting target]``."""

    method: Name
    per: Period | None = None
    meeting: Target | None = None
    span: Span = _span()


@attrs.frozen
class MinVolume:
    """``min_volume quantity [per period]``."""

    quantity: Quantity
    per: Period | None = None
    span: Span = _span()


@attrs.frozen
class Tier:
    """``critical [allocation q]`` or ``key`` (a key measurement, reported only)."""

    critical: bool
    allocation: Quantity | None = None
    span: Span = _span()


@attrs.frozen
class Level:
    """``expected target`` or ``minimum target``."""

    kind: str
    target: Target
    span: Span = _span()


@attrs.frozen
class Objective:
    """One service level objective; statements kept in the order written."""

    id: Name
    title: Text | None = None
    tier: Tier | None = None
    metric: Name | None = None
    source: Name | None = None
    where: Expr | None = None
    window: Period | None = None
    aggregate: Aggregate | None = None
    levels: tuple[Level, ...] = ()
    min_volumes: tuple[MinVolume, ...] = ()
    settings: tuple[Setting, ...] = ()
    span: Span = _span()

    def level(self, kind: str) -> Level | None:
        """Return the ``expected`` or ``minimum`` level, if written."""
        for level in self.levels:
            if level.kind == kind:
                return level
        return None

    def setting(self, name: str) -> Setting | None:
        """Return the first setting with this name, if written."""
        for setting in self.settings:
            if setting.name.text == name:
                return setting
        return None


@attrs.frozen
class CreditsDecl:
    """``credits { settings }``: the at-risk amount, cap, pool, earn-back."""

    settings: tuple[Setting, ...]
    span: Span = _span()


@attrs.frozen
class TrendsDecl:
    """``trends { settings }``: the periods trends are followed over and how they are flagged."""

    settings: tuple[Setting, ...]
    span: Span = _span()


@attrs.frozen
class Selector:
    """What a risk rule looks at: one objective, ``any <tier>``, or ``credits``."""

    kind: str
    name: Name | None = None
    span: Span = _span()


@attrs.frozen
class Count:
    """``k consecutive unit`` or ``k of last n unit``."""

    times: int
    last: int | None
    unit: Name
    span: Span = _span()

    @property
    def consecutive(self) -> bool:
        """True for ``k consecutive`` rules."""
        return self.last is None


@attrs.frozen
class Rule:
    """``rule ["label"] selector condition in count``."""

    label: Text | None
    selector: Selector
    condition: str
    count: Count
    span: Span = _span()


@attrs.frozen
class RiskDecl:
    """``account_at_risk { rules and settings }``."""

    rules: tuple[Rule, ...] = ()
    settings: tuple[Setting, ...] = ()
    span: Span = _span()


@attrs.frozen
class ReliefDecl:
    """``relief id { settings }``: excused intervals, e.g. volume above forecast."""

    id: Name
    title: Text | None = None
    settings: tuple[Setting, ...] = ()
    span: Span = _span()


@attrs.frozen
class Exclusion:
    """``exclude kind "reason" from t1 to t2 [for [objectives]]``."""

    kind: Name
    reason: Text
    start: DateTimeValue
    end: DateTimeValue
    objectives: ListValue | None = None
    span: Span = _span()


@attrs.frozen
class Template:
    """``template id(params) { scopes and objectives }``."""

    id: Name
    params: tuple[Name, ...] = ()
    scopes: tuple[ScopeDecl, ...] = ()
    objectives: tuple[Objective, ...] = ()
    span: Span = _span()


@attrs.frozen
class Apply:
    """``apply template(args) as prefix``."""

    template: Name
    args: tuple[Value, ...] = ()
    alias: Name = attrs.field(factory=lambda: Name(""))
    span: Span = _span()


@attrs.frozen
class Contract:
    """A whole contract file, declarations grouped by kind in source order."""

    header: Header | None = None
    sources: tuple[SourceDecl, ...] = ()
    scopes: tuple[ScopeDecl, ...] = ()
    calendars: tuple[CalendarDecl, ...] = ()
    objectives: tuple[Objective, ...] = ()
    credits: CreditsDecl | None = None
    risk: RiskDecl | None = None
    trends: TrendsDecl | None = None
    reliefs: tuple[ReliefDecl, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    templates: tuple[Template, ...] = ()
    applies: tuple[Apply, ...] = ()
    span: Span = _span()

    def setting(self, name: str) -> Setting | None:
        """Return a header setting by name, if written."""
        if self.header is None:
            return None
        for setting in self.header.settings:
            if setting.name.text == name:
                return setting
        return None
