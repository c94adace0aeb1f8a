"""Check one value against the shape a setting needs (:class:`slalang.lang.schema.Spec`)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Collection, Iterable, Iterator
from decimal import Decimal

from slalang.codes import diag
from slalang.diagnostics import Diagnostic, did_you_mean
from slalang.lang import model as m
from slalang.lang.checks.context import Context
from slalang.lang.schema import Spec
from slalang.lang.units import (
    CURRENCIES,
    KNOWN_UNITS,
    Dimension,
    dimension,
    dimension_of,
    time_zone,
)

_DIMENSIONS = {
    "duration": Dimension.DURATION,
    "percent": Dimension.PERCENT,
    "count": Dimension.COUNT,
    "money": Dimension.MONEY,
    "points": Dimension.POINTS,
}


def describe_value(value: m.Value) -> str:
    """Say in a few words what kind of value was written."""
    if isinstance(value, m.Quantity):
        kind = dimension_of(value)
        return "a number" if kind is None else f"a {kind.value}"
    names = {
        m.Text: "a string", m.Ident: "a bare word", m.DateValue: "a date",
        m.DateTimeValue: "a date and time", m.TimeValue: "a time of day",
        m.DateRange: "a date range", m.ListValue: "a list", m.Comparison: "a comparison",
        m.Band: "a `between` band",
    }  # fmt: skip
    return names.get(type(value), "a value")


def unit_problem(quantity: m.Quantity, path: tuple[str, ...] = ()) -> Diagnostic | None:
    """Return E211 for an unknown unit, else ``None``."""
    if quantity.unit is not None and dimension(quantity.unit) is None:
        return diag("E211", f"unknown unit `{quantity.unit}`", quantity.span,
                    label="not a unit",
                    help=did_you_mean(quantity.unit, KNOWN_UNITS) or
                    "units are s, min, h, d, %, points, counts such as calls, or ISO currencies",
                    path=path)  # fmt: skip
    return None


def quantity_problems(
    quantity: m.Quantity, spec: Spec, what: str, ctx: Context, path: tuple[str, ...]
) -> Iterator[Diagnostic]:
    """Unit, dimension, currency and range of one quantity."""
    problem = unit_problem(quantity, path)
    if problem is not None:
        yield problem
        return
    actual = dimension_of(quantity)
    wanted = _DIMENSIONS.get(spec.kind)
    if spec.kind == "share_or_money":
        allowed = {Dimension.PERCENT, Dimension.MONEY}
        if actual not in allowed:
            yield diag(
                "E301",
                f"{what} needs {spec.describe()}, not {describe_value(quantity)}",
                quantity.span,
                label="wrong unit",
                path=path,
            )
            return
        wanted = actual
    if spec.kind == "number":
        wanted = Dimension.NUMBER
    if spec.kind == "count" and actual is Dimension.NUMBER:
        actual = Dimension.COUNT
    if wanted is not None and actual is not wanted:
        yield diag(
            "E301",
            f"{what} needs {spec.describe()}, not {describe_value(quantity)}",
            quantity.span,
            label=f"this is a {actual.value if actual else 'number'}",
            help=_unit_help(wanted),
            path=path,
        )
        return
    if actual is Dimension.MONEY:
        currency = ctx.contract.setting("currency")
        expected = currency.value.name if currency and isinstance(currency.value, m.Ident) else None
        if expected in CURRENCIES and quantity.unit != expected:
            yield diag(
                "E303",
                f"amount in {quantity.unit}, but the contract's currency is {expected}",
                quantity.span,
                label="other currency",
                path=path,
            )
    if quantity.unit == "%":
        yield from _range(quantity, Decimal(0), Decimal(100), what, path)
    elif spec.kind == "share_or_money":  # the 0-100 bounds are for the share form only
        yield from _range(quantity, spec.low, None, what, path)
    elif spec.low is not None or spec.high is not None:
        yield from _range(quantity, spec.low, spec.high, what, path)
    if spec.kind == "count" and quantity.value != quantity.value.to_integral_value():
        yield diag(
            "E304",
            f"{what} must be a whole number",
            quantity.span,
            label="not a whole number",
            path=path,
        )


def _unit_help(wanted: Dimension) -> str:
    return {
        Dimension.DURATION: "write a duration such as `20 s`, `30 min` or `24 business_hours`",
        Dimension.PERCENT: "write a percentage such as `80 %`",
        Dimension.POINTS: "write points such as `85 points`",
        Dimension.COUNT: "write a whole number such as `10` or `10 calls`",
        Dimension.MONEY: "write an amount with its currency such as `250000 USD`",
        Dimension.NUMBER: "write a plain number",
    }[wanted]


def _range(
    quantity: m.Quantity,
    low: Decimal | None,
    high: Decimal | None,
    what: str,
    path: tuple[str, ...],
) -> Iterator[Diagnostic]:
    value = quantity.value
    if (low is not None and value < low) or (high is not None and value > high):
        unit = "" if quantity.unit in (None, "%") else f" {quantity.unit}"
        pct = "%" if quantity.unit == "%" else ""
        bounds = (
            f"between {low}{pct}{unit} and {high}{pct}{unit}"
            if low is not None and (high is not None)
            else (f"at least {low}{pct}{unit}" if low is not None else f"at most {high}{pct}{unit}")
        )
        yield diag(
            "E304",
            f"{what} is out of range: {value}{pct}{unit}",
            quantity.span,
            label="out of range",
            help=f"{what} must be {bounds}",
            path=path,
        )


def value_problems(
    value: m.Value,
    spec: Spec,
    what: str,
    ctx: Context,
    path: tuple[str, ...] = (),
    criteria: frozenset[str] | None = None,
) -> Iterator[Diagnostic]:
    """Every way a value can fail to fit a spec."""
    if spec.none_allowed and isinstance(value, m.Ident) and value.name == "none":
        return
    kind = spec.kind
    if kind == "duration" and isinstance(value, m.Comparison):
        if not spec.ops:
            yield _shape(value, spec, what, path)
            return
        if value.op not in spec.ops:
            yield diag(
                "E305",
                f"`{value.op}` is not allowed in {what}",
                value.span,
                label="operator not allowed",
                help="use " + " or ".join(f"`{op}`" for op in spec.ops),
                path=path,
            )
        yield from quantity_problems(value.quantity, spec, what, ctx, path)
        return
    if kind in ("duration", "percent", "count", "money", "points", "number", "share_or_money"):
        if isinstance(value, m.Quantity):
            yield from quantity_problems(value, spec, what, ctx, path)
        else:
            yield _shape(value, spec, what, path)
        return
    if kind == "enum":
        if not isinstance(value, m.Ident):
            yield _shape(value, spec, what, path)
        elif value.name not in spec.choices:
            yield diag(
                "E205",
                f"`{value.name}` is not a choice of {what}",
                value.span,
                label="unknown choice",
                help=did_you_mean(value.name, spec.choices),
                path=path,
            )
        return
    if kind == "bool":
        if not isinstance(value, m.Ident) or value.name not in ("true", "false"):
            yield diag(
                "E302",
                f"{what} needs `true` or `false`",
                value.span,
                label=f"this is {describe_value(value)}",
                path=path,
            )
        return
    if kind in ("text", "timezone"):
        if not isinstance(value, m.Text):
            yield _shape(value, spec, what, path)
        elif kind == "timezone":
            yield from _timezone(value, path)
        return
    if kind == "currency":
        if not isinstance(value, m.Ident):
            yield _shape(value, spec, what, path)
        elif value.name not in CURRENCIES:
            yield diag(
                "E213",
                f"unknown currency `{value.name}`",
                value.span,
                label="not an ISO 4217 code",
                help=did_you_mean(value.name, CURRENCIES),
                path=path,
            )
        return
    if kind == "list":
        if not isinstance(value, m.ListValue):
            yield _shape(value, spec, what, path)
            return
        assert spec.item is not None
        for item in value.items:
            yield from value_problems(item, spec.item, f"an item of {what}", ctx, path, criteria)
        return
    if kind == "date_range":
        if not isinstance(value, m.DateRange):
            yield _shape(value, spec, what, path)
        return
    if kind in ("ref", "field"):
        if not isinstance(value, m.Ident):
            yield _shape(value, spec, what, path)
            return
        if kind == "ref":
            yield from _reference(value, spec.ref, what, ctx, path, criteria)


def _reference(
    value: m.Ident,
    ref: str,
    what: str,
    ctx: Context,
    path: tuple[str, ...],
    criteria: frozenset[str] | None,
) -> Iterator[Diagnostic]:
    tables: dict[str, Collection[str]] = {
        "calendar": ctx.calendars, "source": ctx.sources, "objective": ctx.objectives,
    }  # fmt: skip
    if ref == "criterion":
        if criteria is None or value.name in criteria:
            return
        table: Collection[str] = criteria
    else:
        table = tables[ref]
    if value.name in table:
        return
    yield from unknown_reference(m.Name(value.name, value.span), ref, table, ctx, path)


def unknown_reference(
    name: m.Name, what: str, candidates: Iterable[str], ctx: Context, path: tuple[str, ...] = ()
) -> Iterator[Diagnostic]:
    """E201 for a name that refers to nothing, unless a syntax error poisoned it."""
    if name.text in ctx.poisoned:
        return
    yield diag(
        "E201",
        f"unknown {what} `{name.text}`",
        name.span,
        label=f"no such {what}",
        help=did_you_mean(name.text, candidates),
        path=path,
    )


def _timezone(value: m.Text, path: tuple[str, ...]) -> Iterator[Diagnostic]:
    if time_zone(value.value) is None:
        yield diag(
            "E210",
            f"unknown time zone `{value.value}`",
            value.span,
            label="not an IANA time zone",
            help=did_you_mean(value.value, zoneinfo.available_timezones()),
            path=path,
        )


def _shape(value: m.Value, spec: Spec, what: str, path: tuple[str, ...]) -> Diagnostic:
    return diag(
        "E302",
        f"{what} needs {spec.describe()}, not {describe_value(value)}",
        value.span,
        label=f"this is {describe_value(value)}",
        path=path,
    )
