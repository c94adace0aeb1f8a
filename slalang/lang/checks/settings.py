"""Check passes over settings: known names, value shapes, units, required knobs."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from decimal import Decimal

from slalang.codes import diag
from slalang.diagnostics import Diagnostic, did_you_mean
from slalang.lang import model as m
from slalang.lang.checks.context import Context
from slalang.lang.checks.values import value_problems
from slalang.lang.schema import (
    CALENDAR_KNOBS,
    CREDIT_KNOBS,
    HEADER_KNOBS,
    RELIEF_KNOBS,
    RISK_KNOBS,
    SOURCE_KINDS,
    TREND_KNOBS,
    VARIANTS,
    Knob,
    Metric,
    metric_named,
)
from slalang.lang.unparse import value as value_text

_OBJECTIVE_WORDS = ("critical", "key", "metric", "from", "where", "window", "aggregate",
                    "expected", "minimum", "min_volume")  # fmt: skip


def _block(
    settings: tuple[m.Setting, ...],
    knobs: tuple[Knob, ...],
    where: str,
    ctx: Context,
    anchor: m.Name | None,
    *,
    path: tuple[str, ...] = (),
    extra_words: tuple[str, ...] = (),
    criteria: frozenset[str] | None = None,
) -> Iterator[Diagnostic]:
    table = {knob.name: knob for knob in knobs}
    unknown: list[str] = []
    for setting in settings:
        knob = table.get(setting.name.text)
        if knob is None:
            unknown.append(setting.name.text)
            yield diag(
                "E202",
                f"unknown setting `{setting.name.text}` in {where}",
                setting.name.span,
                label="not a setting here",
                help=did_you_mean(setting.name.text, [*table, *extra_words]),
                path=path,
            )
            continue
        yield from value_problems(setting.value, knob.spec, f"`{knob.name}`", ctx, path, criteria)
    if anchor is None or anchor.text in ctx.poisoned:
        return
    written = {setting.name.text for setting in settings}
    for knob in knobs:
        if knob.required and knob.name not in written:
            if difflib.get_close_matches(knob.name, unknown, n=1, cutoff=0.6):
                continue  # a misspelt setting already reported as E202
            yield diag(
                "E103",
                f"{where} has no `{knob.name}`",
                anchor.span,
                label=f"`{knob.name}` missing",
                help=f"add `{knob.name}`: {knob.doc}",
                path=path,
            )


def header_settings(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """The header's settings, including client, vendor and time zone."""
    if contract.header is not None:
        yield from _block(
            contract.header.settings, HEADER_KNOBS, "the contract header", ctx, contract.header.id
        )


def source_settings(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Each source's settings, by its kind."""
    for source in contract.sources:
        kind = SOURCE_KINDS.get(source.kind.text)
        if kind is None:
            continue
        yield from _block(
            source.settings,
            kind.knobs,
            f"a `{kind.name}` source",
            ctx,
            source.id,
            path=(f"source {source.id.text}",),
        )
        if kind.name == "audits":
            criteria = _criteria(source)
            fatal = next((s for s in source.settings if s.name.text == "fatal"), None)
            if fatal is not None:
                yield from value_problems(
                    fatal.value,
                    kind.knobs[-1].spec,
                    "`fatal`",
                    ctx,
                    (f"source {source.id.text}",),
                    criteria,
                )


def _criteria(source: m.SourceDecl) -> frozenset[str]:
    for setting in source.settings:
        if setting.name.text == "criteria" and isinstance(setting.value, m.ListValue):
            return frozenset(i.name for i in setting.value.items if isinstance(i, m.Ident))
    return frozenset()


def objective_settings(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Each objective's knobs, by its metric; variants agree with explicit knobs."""
    for objective in ctx.contract.objectives:
        path = (f"objective {objective.id.text}",)
        metric = metric_named(objective.metric.text) if objective.metric else None
        if metric is None:
            continue
        source = ctx.objective_source(objective)
        criteria = (
            _criteria(source) if source is not None and source.kind.text == "audits" else None
        )
        where = f"a `{metric.name}` objective"
        yield from _block(
            objective.settings,
            metric.knobs,
            where,
            ctx,
            objective.id,
            path=path,
            extra_words=_OBJECTIVE_WORDS,
            criteria=criteria,
        )
        if metric.name == "service_level":
            yield from variant_problems(objective, path)
        if metric.name == "quality_index":
            yield from _weights(objective, path)
        if metric.name == "csat":
            yield from _top_box(objective, metric, path)
        yield from _without_effect(objective, metric, path)


def variant_problems(objective: m.Objective, path: tuple[str, ...]) -> Iterator[Diagnostic]:
    """The settings of a service-level objective that contradict its written variant (E307)."""
    variant = objective.setting("variant")
    if variant is None or not isinstance(variant.value, m.Ident):
        return
    preset = VARIANTS.get(variant.value.name)
    if preset is None:
        return
    for name, expected in preset.items():
        setting = objective.setting(name)
        if setting is None or name == "short_abandon":
            continue
        if isinstance(setting.value, m.Ident) and setting.value.name != expected:
            yield diag(
                "E307",
                f"`{name} {setting.value.name}` contradicts variant "
                f"{variant.value.name}, which sets `{name} {expected}`",
                setting.span,
                label="contradicts the variant",
                help="drop the variant or the setting",
                path=path,
            )
    if variant.value.name == "F5":
        short = objective.setting("short_abandon")
        if short is not None and isinstance(short.value, m.Ident) and short.value.name == "none":
            yield diag(
                "E307",
                "variant F5 removes short abandons, but `short_abandon` is `none`",
                short.span,
                label="contradicts the variant",
                path=path,
            )
    elif objective.setting("short_abandon") is not None:
        short = objective.setting("short_abandon")
        assert short is not None
        if not (isinstance(short.value, m.Ident) and short.value.name == "none"):
            yield diag(
                "E307",
                f"variant {variant.value.name} keeps short abandons, but "
                "`short_abandon` removes them",
                short.span,
                label="contradicts the variant",
                help="use variant F5",
                path=path,
            )


def _weights(objective: m.Objective, path: tuple[str, ...]) -> Iterator[Diagnostic]:
    total = Decimal(0)
    spans = []
    for name in ("customer_impact_weight", "business_impact_weight"):
        setting = objective.setting(name)
        if setting is None:
            total += 50
            continue
        if not isinstance(setting.value, m.Quantity) or setting.value.unit != "%":
            return
        total += setting.value.value
        spans.append(setting)
    if total != 100 and spans:
        yield diag(
            "E308",
            f"the quality index weights add up to {total} %, not 100 %",
            spans[0].span,
            label="weights",
            path=path,
            help="make customer_impact_weight and business_impact_weight add up to 100 %",
        )


def _top_box(objective: m.Objective, metric: Metric, path: tuple[str, ...]) -> Iterator[Diagnostic]:
    values: dict[str, Decimal] = {}
    written = []
    for name in ("top_box", "scale"):
        knob = metric.knob(name)
        assert knob is not None
        assert knob.default is not None
        values[name] = Decimal(knob.default)
        setting = objective.setting(name)
        if setting is None:
            continue
        if not isinstance(setting.value, m.Quantity) or setting.value.unit is not None:
            return
        values[name] = setting.value.value
        written.append(setting)
    if written and values["top_box"] > values["scale"]:
        yield diag(
            "E304",
            f"`top_box {values['top_box']}` is above the top of the scale, {values['scale']}",
            written[0].span,
            label="above the scale",
            path=path,
            help="`top_box` is the lowest rating that counts as satisfied, at most `scale`",
        )


_ONLY_WITH: dict[str, dict[str, tuple[str, str]]] = {
    "csat": {"top_box": ("method", "top_box")},
    "fcr": dict.fromkeys(("repeat_window", "customer_key", "same_issue_only"),
                         ("method", "repeat_contact")),
}  # fmt: skip
"""Per metric, knobs that only matter when another knob has a given value."""


def _word(objective: m.Objective, metric: Metric, name: str) -> str:
    """The value of a knob as written, or its default, as text."""
    setting = objective.setting(name)
    if setting is not None:
        return value_text(setting.value)
    knob = metric.knob(name)
    return knob.default if knob is not None and knob.default is not None else "none"


def _without_effect(
    objective: m.Objective, metric: Metric, path: tuple[str, ...]
) -> Iterator[Diagnostic]:
    needs = dict(_ONLY_WITH.get(metric.name, {}))
    if metric.name == "abandonment_rate" and _word(objective, metric, "short_abandon") == "none":
        needs["short_abandons_in_denominator"] = ("short_abandon", "")
    for name, (other, wanted) in needs.items():
        setting, knob = objective.setting(name), metric.knob(name)
        if setting is None or knob is None or value_text(setting.value) == knob.default:
            continue
        if wanted and _word(objective, metric, other) == wanted:
            continue
        condition = f"`{other} {wanted}`" if wanted else f"a `{other}`"
        yield diag(
            "W301",
            f"`{name}` has no effect without {condition}",
            setting.span,
            label="no effect",
            help=f"leave it out, or {'use' if wanted else 'add'} {condition}",
            path=path,
        )


def block_settings(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Settings of credits, account at risk, reliefs and calendars."""
    if contract.credits is not None:
        yield from _block(
            contract.credits.settings,
            CREDIT_KNOBS,
            "`credits`",
            ctx,
            m.Name("credits", contract.credits.span),
        )
    if contract.risk is not None:
        yield from _block(
            contract.risk.settings,
            RISK_KNOBS,
            "`account_at_risk`",
            ctx,
            None,
            extra_words=("rule",),
        )
    if contract.trends is not None:
        yield from _block(
            contract.trends.settings,
            TREND_KNOBS,
            "`trends`",
            ctx,
            m.Name("trends", contract.trends.span),
        )
    for relief in contract.reliefs:
        yield from _block(
            relief.settings,
            RELIEF_KNOBS,
            f"relief `{relief.id.text}`",
            ctx,
            relief.id,
            path=(f"relief {relief.id.text}",),
        )
    for calendar in contract.calendars:
        yield from _block(
            calendar.settings,
            CALENDAR_KNOBS,
            f"calendar `{calendar.id.text}`",
            ctx,
            None,
            extra_words=("open", "closed", "holiday"),
            path=(f"calendar {calendar.id.text}",),
        )
