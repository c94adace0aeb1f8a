"""Check passes over data: metrics fit their source, filters name real fields."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from slalang.codes import diag
from slalang.diagnostics import Diagnostic, did_you_mean
from slalang.lang import model as m
from slalang.lang.checks.context import Context
from slalang.lang.schema import SOURCE_KINDS, metric_named
from slalang.lang.units import BUSINESS_UNITS, Dimension, dimension_of, seconds
from slalang.lang.unparse import value as value_text


def _fields(source: m.SourceDecl) -> dict[str, str]:
    kind = SOURCE_KINDS[source.kind.text]
    fields = dict(kind.fields)
    for setting in source.settings:
        if setting.name.text in ("fields", "criteria") and isinstance(setting.value, m.ListValue):
            for item in setting.value.items:
                if isinstance(item, m.Ident):
                    fields[item.name] = "text" if setting.name.text == "fields" else "answer"
    return fields


def _walk(expr: m.Expr) -> Iterator[m.Compare | m.Member]:
    if isinstance(expr, (m.And, m.Or)):
        for operand in expr.operands:
            yield from _walk(operand)
    elif isinstance(expr, m.Not):
        yield from _walk(expr.operand)
    else:
        yield expr


def _operand_type(value: m.Value) -> str:
    if isinstance(value, m.Text):
        return "text"
    if isinstance(value, m.Quantity):
        kind = dimension_of(value)
        return "duration" if kind is Dimension.DURATION else "number"
    if isinstance(value, m.Ident) and value.name in ("true", "false"):
        return "bool"
    return "word"


_OPERAND_WORDS = {"word": "a bare word", "text": "a string"}

_COMPATIBLE = {
    "text": {"text"}, "answer": {"text"}, "number": {"number"}, "duration": {"duration"},
    "bool": {"bool"}, "time": {"text"},
}  # fmt: skip


def _filter_problems(
    expr: m.Expr, source: m.SourceDecl, path: tuple[str, ...]
) -> Iterator[Diagnostic]:
    fields = _fields(source)
    for atom in _walk(expr):
        field = atom.field.text
        if field not in fields:
            yield diag(
                "E206",
                f"`{source.kind.text}` records have no field `{field}`",
                atom.field.span,
                label="unknown field",
                help=did_you_mean(field, fields),
                path=path,
            )
            continue
        wanted = fields[field]
        values = atom.values.items if isinstance(atom, m.Member) else (atom.operand,)
        if (
            isinstance(atom, m.Compare)
            and atom.op not in ("==", "!=")
            and wanted in ("text", "answer", "bool")
        ):
            yield diag(
                "E306",
                f"`{atom.op}` cannot compare the {wanted} field `{field}`",
                atom.span,
                label="ordering a text field",
                path=path,
                help="use `==`, `!=` or `in [...]`",
            )
            continue
        for value in values:
            got = _operand_type(value)
            if got not in _COMPATIBLE[wanted]:
                hint = ('quote it: "' + value.name + '"') if isinstance(value, m.Ident) else ""
                yield diag(
                    "E306",
                    f"`{field}` is a {wanted} field, compared with "
                    f"{_OPERAND_WORDS.get(got, 'a ' + got)}",
                    value.span,
                    label="wrong type",
                    help=hint,
                    path=path,
                )


def filters(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Scope and objective filters name fields their source has, with matching types."""
    for scope in ctx.contract.scopes:
        source = ctx.source_of(scope.base.text)
        if scope.where is not None and source is not None and source.kind.text in SOURCE_KINDS:
            yield from _filter_problems(scope.where, source, (f"scope {scope.id.text}",))
    for objective in ctx.contract.objectives:
        source = ctx.objective_source(objective)
        if (
            objective.where is not None
            and source is not None
            and (source.kind.text in SOURCE_KINDS)
        ):
            yield from _filter_problems(
                objective.where, source, (f"objective {objective.id.text}",)
            )


def _list_seconds(source: m.SourceDecl, name: str, default: list[Decimal]) -> list[Decimal]:
    for setting in source.settings:
        if setting.name.text == name and isinstance(setting.value, m.ListValue):
            return [
                seconds(i)
                for i in setting.value.items
                if isinstance(i, m.Quantity) and dimension_of(i) is Dimension.DURATION
            ]
    return default


def _short_seconds(value: m.Value | None) -> Decimal | None:
    if isinstance(value, m.Comparison) and dimension_of(value.quantity) is Dimension.DURATION:
        return seconds(value.quantity)
    if isinstance(value, m.Quantity) and dimension_of(value) is Dimension.DURATION:
        return seconds(value)
    return None


def _setting(settings: tuple[m.Setting, ...], name: str) -> m.Setting | None:
    return next((s for s in settings if s.name.text == name), None)


def sources_fit(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Each metric can be computed from its source, with the fields it needs."""
    for objective in ctx.contract.objectives:
        metric = metric_named(objective.metric.text) if objective.metric else None
        source = ctx.objective_source(objective)
        if metric is None or source is None or source.kind.text not in SOURCE_KINDS:
            continue
        path = (f"objective {objective.id.text}",)
        kind = source.kind.text
        allowed = metric.sources
        method = objective.setting("method")
        if metric.name == "fcr" and method is not None and isinstance(method.value, m.Ident):
            allowed = ("surveys",) if method.value.name == "survey" else ("contacts",)
        if kind not in allowed:
            anchor = objective.source or objective.metric
            assert anchor is not None
            yield diag(
                "E701",
                f"`{metric.name}` cannot be computed from `{kind}` data",
                anchor.span,
                label=f"a `{kind}` source",
                help="it needs " + " or ".join(f"`{a}`" for a in allowed) + " data",
                path=path,
            )
            continue
        if kind == "intervals":
            yield from _interval_fields(objective, metric.name, source, path)


_INTERVAL_LIMITS: dict[str, tuple[tuple[str, ...], str]] = {
    "attribution": (("arrival",), "count each contact in the interval it arrived in"),
    "denominator": (("offered",), "count the contacts offered in each interval"),
    "wait_start": (("queue_entry", "vru_exit"), "hold the queue waits the ACD measured"),
    "wait_end": (("answer",), "hold the queue waits the ACD measured"),
    "population": (("answered",), "sum the waits of answered contacts only"),
    "callbacks": (("excluded",), "do not count call-backs apart: offered contacts neither "
                                 "answered nor abandoned all count as `flow_outs` says"),
    "short_call": (("none",), "cannot tell the handle time of single contacts"),
}  # fmt: skip
"""Objective knobs that interval reports can honour only with these values, and why
(the reason completes "interval reports ...")."""


def _interval_limits(
    objective: m.Objective, source: m.SourceDecl, path: tuple[str, ...]
) -> Iterator[Diagnostic]:
    for name, (honoured, why) in _INTERVAL_LIMITS.items():
        setting = objective.setting(name)
        if setting is None:
            continue
        value = setting.value
        if isinstance(value, m.Ident) and value.name in honoured:
            continue
        yield diag(
            "E702",
            f"interval source `{source.id.text}` cannot give `{name} {value_text(value)}`: "
            f"interval reports {why}",
            setting.span,
            label="needs contact records",
            help="measure from contact records, or leave the setting out",
            path=path,
        )


def _interval_fields(
    objective: m.Objective, metric: str, source: m.SourceDecl, path: tuple[str, ...]
) -> Iterator[Diagnostic]:
    yield from _interval_limits(objective, source, path)
    threshold = objective.setting("threshold")
    if metric == "service_level" and threshold is not None:
        t = _short_seconds(threshold.value)
        buckets = _list_seconds(source, "thresholds", [Decimal(20)])
        if t is not None and t not in buckets:
            shown = ", ".join(f"{b.normalize():f} s" for b in buckets) or "none"
            yield diag(
                "E702",
                f"interval source `{source.id.text}` has no count of calls "
                f"answered within {t.normalize():f} s",
                threshold.value.span,
                label="no such bucket in the interval data",
                help=f"its `thresholds` are: {shown}; use one of them, or measure from "
                "contact records",
                path=path,
            )
        variant = objective.setting("variant")
        name = variant.value.name if variant and isinstance(variant.value, m.Ident) else "F1"
        within = objective.setting("abandons_within_threshold")
        within_name = within.value.name if within and isinstance(within.value, m.Ident) else ""
        if t is not None and (name in ("F2", "F3", "F4") or within_name in ("excluded", "success")):
            abandons = _list_seconds(source, "abandon_thresholds", [])
            if t not in abandons:
                yield diag(
                    "E702",
                    f"interval source `{source.id.text}` has no count of calls "
                    f"abandoned within {t.normalize():f} s, which variant {name} needs",
                    threshold.value.span,
                    label="no abandon bucket",
                    help="add it to the source's `abandon_thresholds`, or use F1 or F5",
                    path=path,
                )
    short = objective.setting("short_abandon")
    variant = objective.setting("variant")
    if (
        short is None
        and variant is not None
        and isinstance(variant.value, m.Ident)
        and (variant.value.name == "F5")
    ):
        wanted: Decimal | None = Decimal(5)
        anchor = variant.value.span
    else:
        wanted = _short_seconds(short.value) if short is not None else None
        anchor = short.value.span if short is not None else objective.id.span
    if wanted is not None:
        have = _short_seconds(getattr(_setting(source.settings, "short_abandon"), "value", None))
        have = Decimal(5) if _setting(source.settings, "short_abandon") is None else have
        if have != wanted:
            yield diag(
                "E702",
                f"interval source `{source.id.text}` counts short abandons "
                f"under {format(have.normalize(), 'f') if have is not None else 'no'} s, not "
                f"{wanted.normalize():f} s",
                anchor,
                label="no such short-abandon count",
                help="match the source's `short_abandon`, or measure from contact records",
                path=path,
            )
    # periods finer than the report's interval: windows.finer_than_data (E609)


def relief_forecasts(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """A relief compares volumes with a forecast: its source must carry forecast volumes."""
    for relief in contract.reliefs:
        setting = _setting(relief.settings, "forecast")
        if setting is None or not isinstance(setting.value, m.Ident):
            continue
        source = ctx.sources.get(setting.value.name)
        if source is not None and source.kind.text not in ("forecasts", "intervals"):
            yield diag(
                "E701",
                f"relief `{relief.id.text}` needs forecast volumes, which `{source.kind.text}` "
                "data does not carry",
                setting.value.span,
                label=f"a `{source.kind.text}` source",
                help="name a `forecasts` source (or an `intervals` source with forecast_offered)",
                path=(f"relief {relief.id.text}",),
            )


def business_calendars(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """A threshold in business hours or days needs a calendar to count them on."""
    for objective in ctx.contract.objectives:
        threshold = objective.setting("threshold")
        if threshold is None:
            continue
        value = threshold.value
        quantity = value.quantity if isinstance(value, m.Comparison) else value
        if not isinstance(quantity, m.Quantity) or quantity.unit not in BUSINESS_UNITS:
            continue
        if objective.setting("calendar") is None and contract.setting("calendar") is None:
            yield diag(
                "E103",
                f"`{quantity.unit}` are counted on a calendar, but objective "
                f"`{objective.id.text}` has none",
                quantity.span,
                label="no calendar to count on",
                help="add `calendar <id>` to the objective or to the contract header",
                path=(f"objective {objective.id.text}",),
            )
