"""Check passes over time: windows, aggregation periods, calendars, date ranges."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import attrs

from slalang.codes import diag
from slalang.diagnostics import Diagnostic, Label, did_you_mean
from slalang.lang import model as m
from slalang.lang.build import INVALID_DATE
from slalang.lang.checks.context import Context
from slalang.lang.holiday_sets import effective_term
from slalang.lang.holiday_sets import problem as holiday_set_problem
from slalang.lang.holiday_sets import set_dates as holiday_set_dates
from slalang.lang.schema import DEFAULT_WINDOW, PERIODS, WEEKDAYS
from slalang.lang.units import Dimension, dimension_of, seconds

DAY_MINUTES = 1440
"""An interval is a whole number of minutes that divides the day, up to the day itself."""
_RANK = {name: index for index, name in enumerate(PERIODS)}


def _minutes(quantity: m.Quantity) -> Decimal | None:
    if dimension_of(quantity) is not Dimension.DURATION:
        return None
    return seconds(quantity) / 60


def _length_problem(period: m.Period, path: tuple[str, ...]) -> Diagnostic | None:
    if period.length is None:
        return None
    minutes = _minutes(period.length)
    if minutes is None:
        return diag(
            "E301",
            "a period length needs a duration such as `30 min`",
            period.length.span,
            label="not a duration",
            path=path,
        )
    if not allowed_minutes(minutes):
        return diag(
            "E601",
            f"an interval of {minutes.normalize():f} minutes is not allowed",
            period.span,
            label="does not divide the day",
            help="an interval is a whole number of minutes that divides the day: "
            "5, 10, 15, 20, 30 or 60 min, 2, 3, 4, 6, 8 or 12 h, or 1 d",
            path=path,
        )
    return None


def allowed_minutes(minutes: Decimal) -> bool:
    """True for a whole number of minutes that divides the day (1 to 1440)."""
    return (
        minutes == minutes.to_integral_value()
        and 0 < minutes <= DAY_MINUTES
        and (DAY_MINUTES % int(minutes) == 0)
    )


def _interval_of(settings: tuple[m.Setting, ...]) -> int:
    """A source's or relief's `interval` in minutes (30 when not written)."""
    for setting in settings:
        if setting.name.text == "interval" and isinstance(setting.value, m.Quantity):
            minutes = _minutes(setting.value)
            if minutes is not None and allowed_minutes(minutes):
                return int(minutes)
    return 30


def _period_minutes(period: m.Period) -> int | None:
    """The minutes of an interval period, ``None`` for a named one longer than intervals."""
    if period.length is not None:
        minutes = _minutes(period.length)
        return int(minutes) if minutes is not None and allowed_minutes(minutes) else None
    if period.name is not None and period.name.text == "interval":
        return 30
    return None


def _words(minutes: int) -> str:
    if minutes == DAY_MINUTES:
        return "whole days"
    if minutes % 60 == 0:
        return f"{minutes // 60} h intervals"
    return f"{minutes} min intervals"


def finer_than_data(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """No objective or relief cuts time finer than the interval report it reads (E609)."""
    reliefs_of: dict[str, list[m.ReliefDecl]] = {}
    for relief in ctx.contract.reliefs:
        for setting in relief.settings:
            if setting.name.text == "applies_to" and isinstance(setting.value, m.ListValue):
                for item in setting.value.items:
                    if isinstance(item, m.Ident):
                        reliefs_of.setdefault(item.name, []).append(relief)
    for objective in ctx.contract.objectives:
        source = ctx.objective_source(objective)
        if source is None or source.kind.text != "intervals":
            continue
        data = _interval_of(source.settings)
        periods = [p for p in (objective.window,) if p is not None]
        if objective.aggregate is not None and objective.aggregate.per is not None:
            periods.append(objective.aggregate.per)
        periods.extend(v.per for v in objective.min_volumes if v.per is not None)
        cuts = [(p.span, _period_minutes(p)) for p in periods]
        for relief in reliefs_of.get(objective.id.text, ()):
            cuts.append((relief.id.span, _interval_of(relief.settings)))
        for span, minutes in cuts:
            if minutes is not None and minutes % data:
                yield diag(
                    "E609",
                    f"objective `{objective.id.text}` is cut into {minutes} min periods, but "
                    f"source `{source.id.text}` reports {_words(data)}",
                    span,
                    label="finer than the data",
                    related=(Label(source.id.span, "the source's interval"),),
                    help=f"judge it over a multiple of {data} min (or `per day`, "
                    "`window month`), or give the source its real `interval`",
                    path=(f"objective {objective.id.text}",),
                )
                break
    for relief in ctx.contract.reliefs:
        forecast = next((s for s in relief.settings if s.name.text == "forecast"), None)
        if forecast is None or not isinstance(forecast.value, m.Ident):
            continue
        source = ctx.source_of(forecast.value.name)
        if source is None:
            continue
        data, minutes = _interval_of(source.settings), _interval_of(relief.settings)
        if minutes % data:
            yield diag(
                "E609",
                f"relief `{relief.id.text}` compares {minutes} min intervals, but forecast "
                f"`{source.id.text}` gives {_words(data)}",
                relief.id.span,
                label="finer than the forecast",
                related=(Label(source.id.span, "the forecast's interval"),),
                help=f"compare over a multiple of {data} min",
                path=(f"relief {relief.id.text}",),
            )


def _rank(period: m.Period | None) -> int | None:
    if period is None:
        return _RANK[DEFAULT_WINDOW]
    if period.length is not None:
        return _RANK["interval"]
    return _RANK.get(period.name.text) if period.name is not None else None


def _finer(per: m.Period, window: m.Period | None) -> bool:
    per_rank, window_rank = _rank(per), _rank(window)
    if per_rank is None or window_rank is None:
        return True
    if per_rank >= window_rank:
        return False
    return not (per.name is not None and per.name.text == "week")


def _same(a: m.Period | None, b: m.Period | None) -> bool:
    if a is None or b is None:
        return a is b
    if a.length is not None and b.length is not None:
        return _minutes(a.length) == _minutes(b.length)
    return a == b


def objective_windows(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Windows and aggregation periods make sense together."""
    for objective in ctx.contract.objectives:
        path = (f"objective {objective.id.text}",)
        periods = [p for p in (objective.window,) if p is not None]
        aggregate = objective.aggregate
        if aggregate is not None and aggregate.per is not None:
            periods.append(aggregate.per)
        periods.extend(v.per for v in objective.min_volumes if v.per is not None)
        broken = False
        for period in periods:
            problem = _length_problem(period, path)
            if problem is not None:
                broken = True
                yield problem
        if broken or aggregate is None:
            continue
        method = aggregate.method.text
        needs_per = method in ("mean", "weighted_mean", "share", "floor")
        if needs_per and aggregate.per is None:
            yield diag(
                "E605",
                f"`aggregate {method}` needs `per <period>`",
                aggregate.span,
                label="no period",
                help=f"for example `aggregate {method} per 30 min`",
                path=path,
            )
        if method == "pooled" and (aggregate.per is not None or aggregate.meeting is not None):
            yield diag(
                "E605",
                "`aggregate pooled` takes no `per` or `meeting`",
                aggregate.span,
                label="pooled over the whole window",
                path=path,
            )
        if method == "share" and aggregate.meeting is None:
            yield diag(
                "E605",
                "`aggregate share` needs `meeting <target>`",
                aggregate.span,
                label="no interval target",
                help="for example `aggregate share per 30 min meeting >= 80 %`",
                path=path,
            )
        if method in ("mean", "weighted_mean", "floor") and aggregate.meeting is not None:
            yield diag(
                "E605",
                f"`aggregate {method}` takes no `meeting`",
                aggregate.meeting.span,
                label="not used",
                help="the levels apply to the aggregated value",
                path=path,
            )
        if aggregate.per is not None and not _finer(aggregate.per, objective.window):
            yield diag(
                "E602",
                "the aggregation period is not finer than the window",
                aggregate.per.span,
                label="aggregation period",
                help="aggregate per interval, day or month inside a longer window; "
                "weeks do not divide months",
                path=path,
            )
    for objective in ctx.contract.objectives:
        path = (f"objective {objective.id.text}",)
        per = objective.aggregate.per if objective.aggregate else None
        for volume in objective.min_volumes:
            if volume.per is None or _same(volume.per, objective.window) or _same(volume.per, per):
                continue
            if volume.per.length is not None and _minutes(volume.per.length) is None:
                continue
            yield diag(
                "E607",
                "the minimum volume's period is neither the window nor the aggregation period",
                volume.per.span,
                label="period mismatch",
                help="write `min_volume N` for the window, or `per` the aggregation period",
                path=path,
            )


def calendars(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Opening hours end after they start; each weekday is described once."""
    for calendar in contract.calendars:
        seen: dict[str, m.Name] = {}
        groups: list[tuple[tuple[tuple[m.Name, ...], bool], m.OpenHours | None]] = [
            *(((hours.days, hours.through), hours) for hours in calendar.open_hours),
            *(((closed.days, closed.through), None) for closed in calendar.closed),
        ]
        for days, hours in groups:
            if hours is not None and hours.end.minutes <= hours.start.minutes:
                yield diag(
                    "E603",
                    "opening hours end before they start",
                    hours.span,
                    label="empty opening hours",
                    help="write the earlier time first, e.g. `08:00-20:00`; use 24:00 for midnight",
                )
            for day in expand_days(*days):
                if day.text in seen:
                    yield diag(
                        "E606",
                        f"`{day.text}` is described twice",
                        day.span,
                        label="second time",
                        related=(Label(seen[day.text].span, "first time"),),
                    )
                else:
                    seen[day.text] = day


def expand_days(days: tuple[m.Name, ...], through: bool) -> list[m.Name]:
    """Return the weekdays a day range or list names; ranges may wrap past Sunday."""
    if through and len(days) == 2 and days[0].text in WEEKDAYS and days[1].text in WEEKDAYS:
        first, last = WEEKDAYS.index(days[0].text), WEEKDAYS.index(days[1].text)
        count = (last - first) % 7 + 1
        whole = attrs.evolve(  # `monday to friday`: each day points at the whole range
            days[0].span,
            end=days[1].span.end,
            end_line=days[1].span.end_line,
            end_column=days[1].span.end_column,
        )
        return [m.Name(WEEKDAYS[(first + i) % 7], whole) for i in range(count)]
    return [day for day in days if day.text in WEEKDAYS]


def date_ranges(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Ranges run forwards; holidays and exclusions fall inside the contract."""
    effective = contract.setting("effective")
    term = effective_term(contract)
    start, end = term if term is not None else (None, None)
    if term is None and effective is not None and isinstance(effective.value, m.DateRange):
        first, last = effective.value.start.value, effective.value.end.value
        if INVALID_DATE not in (first, last):  # read, so the range runs backwards
            yield diag(
                "E604",
                "the contract ends before it starts",
                effective.value.span,
                label="end before start",
            )
    for exclusion in contract.exclusions:
        if datetime.min in (exclusion.start.value, exclusion.end.value):
            continue  # an unreadable date and time, already reported as E105
        if exclusion.end.value < exclusion.start.value:
            yield diag(
                "E604",
                "the exclusion ends before it starts",
                exclusion.span,
                label="end before start",
            )
        elif (
            start is not None
            and end is not None
            and (exclusion.end.value.date() < start or exclusion.start.value.date() > end)
        ):
            yield diag(
                "W601",
                "the exclusion lies outside the contract's effective dates",
                exclusion.span,
                label="outside the contract",
            )
    for calendar in contract.calendars:
        for holiday in calendar.holidays:
            day = holiday.date.value
            if (
                start is not None
                and end is not None
                and day != INVALID_DATE
                and not (start <= day <= end)
            ):
                yield diag(
                    "W601",
                    "the holiday lies outside the contract's effective dates",
                    holiday.date.span,
                    label="outside the contract",
                )


def data_intervals(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """The `interval` of sources and reliefs is a whole number of minutes dividing the day."""
    blocks: list[tuple[tuple[m.Setting, ...], tuple[str, ...]]] = [
        *((s.settings, (f"source {s.id.text}",)) for s in contract.sources),
        *((r.settings, (f"relief {r.id.text}",)) for r in contract.reliefs),
    ]
    for settings, path in blocks:
        for setting in settings:
            if setting.name.text == "interval" and isinstance(setting.value, m.Quantity):
                problem = _length_problem(
                    m.Period(length=setting.value, span=setting.value.span), path
                )
                if problem is not None and problem.code == "E601":
                    yield problem


def holiday_sets(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Holiday sets exist, have the contract's years, and `not holiday` removes a holiday."""
    term = effective_term(contract)
    for calendar in contract.calendars:
        known: set[dt.date] = set()
        complete = True
        for holidays in calendar.holiday_sets:
            sub = holidays.subdivision.value if holidays.subdivision is not None else None
            found = holiday_set_problem(holidays.name.text, sub)
            if found is not None:
                message, label, names = found
                span, given = holidays.name.span, holidays.name.text
                if holidays.subdivision is not None and "subdivision" in message:
                    span, given = holidays.subdivision.span, holidays.subdivision.value
                yield diag("E214", message, span, label=label, help=did_you_mean(given, names))
                complete = False
            elif term is None:
                yield diag(
                    "E608",
                    "the holiday set needs the contract's effective dates",
                    holidays.span,
                    label="which years?",
                    help="add `effective 2026-01-01 to 2026-12-31` (the contract's term) "
                    "to the contract header",
                )
                complete = False
            else:
                known |= holiday_set_dates(holidays, term).keys()
        if not complete:
            continue
        for removed in calendar.not_holidays:
            if removed.date.value != INVALID_DATE and removed.date.value not in known:
                yield diag(
                    "W602",
                    f"{removed.date.value.isoformat()} is not a holiday of this calendar's sets",
                    removed.date.span,
                    label="changes nothing",
                )
