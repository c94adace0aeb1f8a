"""Check passes about names: required parts, duplicates, references, kinds."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

import attrs

from slalang.codes import diag
from slalang.diagnostics import Diagnostic, Label, did_you_mean
from slalang.lang import model as m
from slalang.lang.checks.context import Context
from slalang.lang.checks.values import unknown_reference
from slalang.lang.schema import (
    AGGREGATIONS,
    EXCLUSION_KINDS,
    METRIC_ALIASES,
    METRICS,
    PERIODS,
    SOURCE_KINDS,
    WEEKDAYS,
)


def _path(objective: m.Objective) -> tuple[str, ...]:
    return (f"objective {objective.id.text}",)


def required_parts(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """A header; per objective a metric, an expected level and a source to read."""
    if contract.header is None:
        start = attrs.evolve(contract.span, end=0, end_line=1, end_column=1)
        yield diag(
            "E103",
            "the file has no `contract` header",
            start,
            label="expected `contract id { ... }`",
            help='start the file with `contract my_contract "Title" { client "..." ... }`',
        )
    for objective in ctx.contract.objectives:
        if objective.id.text in ctx.poisoned:
            continue
        if objective.metric is None:
            yield diag(
                "E103",
                f"objective `{objective.id.text}` has no `metric`",
                objective.id.span,
                label="no metric",
                help="add a line such as `metric service_level`",
                path=_path(objective),
            )
        if objective.level("expected") is None:
            yield diag(
                "E103",
                f"objective `{objective.id.text}` has no `expected` level",
                objective.id.span,
                label="no expected level",
                help="add a line such as `expected >= 80 %`",
                path=_path(objective),
            )
        if objective.source is None and len(ctx.sources) != 1 and ctx.contract.sources:
            yield diag(
                "E103",
                f"objective `{objective.id.text}` does not say what data it reads",
                objective.id.span,
                label="no `from`",
                help="add `from <source or scope>`; it may be left out only when the "
                "contract has a single source",
                path=_path(objective),
            )
        elif objective.source is None and not ctx.contract.sources and not ctx.poisoned:
            yield diag(
                "E103",
                f"objective `{objective.id.text}` reads no data: the contract declares no source",
                objective.id.span,
                label="no source to read",
                help="declare the data it is measured on, such as `source calls: contacts`",
                path=_path(objective),
            )


def _duplicates(items: Iterable[tuple[m.Name, str]]) -> Iterator[Diagnostic]:
    seen: dict[str, m.Name] = {}
    for name, what in items:
        first = seen.get(name.text)
        if first is not None:
            yield diag(
                "E102",
                f"{what} `{name.text}` is declared twice",
                name.span,
                label="second declaration",
                related=(Label(first.span, "first declared here"),),
                help="give each declaration its own id",
            )
        else:
            seen[name.text] = name


def duplicate_ids(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Ids are unique among data (sources and scopes), objectives, calendars, and so on."""
    yield from _duplicates(
        [(s.id, "source") for s in contract.sources] + [(s.id, "scope") for s in contract.scopes]
    )
    yield from _duplicates((c.id, "calendar") for c in contract.calendars)
    yield from _duplicates(
        [(o.id, "objective") for o in contract.objectives]
        + [(a.alias, "template application") for a in contract.applies]
    )
    yield from _duplicates((r.id, "relief") for r in contract.reliefs)
    yield from _duplicates((t.id, "template") for t in contract.templates)
    for template in contract.templates:
        yield from _duplicates((p, "parameter") for p in template.params)
        yield from _duplicates(
            [(s.id, "scope") for s in template.scopes]
            + [(o.id, "objective") for o in template.objectives]
        )


def references(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Every name that refers to a declaration resolves."""
    data = [*ctx.sources, *ctx.scopes]
    for scope in ctx.contract.scopes:
        if scope.base.text not in ctx.sources and scope.base.text not in ctx.scopes:
            yield from unknown_reference(scope.base, "source or scope", data, ctx)
    for objective in ctx.contract.objectives:
        source = objective.source
        if source is not None and source.text not in data:
            yield from unknown_reference(source, "source or scope", data, ctx, _path(objective))
    if contract.risk is not None:
        for rule in contract.risk.rules:
            name = rule.selector.name
            if name is None:
                continue
            if rule.selector.kind == "objective" and name.text not in ctx.objectives:
                yield from unknown_reference(name, "objective", ctx.objectives, ctx)
            elif rule.selector.kind == "any" and name.text not in ("critical", "key", "objective"):
                yield diag(
                    "E201",
                    f"unknown selector `any {name.text}`",
                    name.span,
                    label="not a tier",
                    help=did_you_mean(name.text, ("critical", "key", "objective")),
                )
    for exclusion in contract.exclusions:
        if exclusion.kind.text not in EXCLUSION_KINDS:
            yield diag(
                "E205",
                f"unknown exclusion kind `{exclusion.kind.text}`",
                exclusion.kind.span,
                label="not an exclusion kind",
                help=did_you_mean(exclusion.kind.text, EXCLUSION_KINDS),
            )
        if exclusion.objectives is not None:
            for item in exclusion.objectives.items:
                if isinstance(item, m.Ident) and item.name not in ctx.objectives:
                    yield from unknown_reference(
                        m.Name(item.name, item.span), "objective", ctx.objectives, ctx
                    )
    for apply in contract.applies:
        template = ctx.templates.get(apply.template.text)
        if template is None:
            yield from unknown_reference(apply.template, "template", ctx.templates, ctx)
        elif len(template.params) != len(apply.args):
            yield diag(
                "E208",
                f"template `{template.id.text}` takes {len(template.params)} "
                f"argument(s), {len(apply.args)} given",
                apply.span,
                label="wrong number of arguments",
                related=(Label(template.id.span, "template declared here"),),
            )


def kinds(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Source kinds, metric kinds, weekdays, periods and aggregation methods exist."""
    for source in contract.sources:
        if source.kind.text not in SOURCE_KINDS:
            yield diag(
                "E204",
                f"unknown source kind `{source.kind.text}`",
                source.kind.span,
                label="not a source kind",
                help=did_you_mean(source.kind.text, SOURCE_KINDS),
            )
    metric_names = [*METRICS, *METRIC_ALIASES]
    for objective in ctx.contract.objectives:
        if objective.metric is not None and objective.metric.text not in metric_names:
            yield diag(
                "E203",
                f"unknown metric `{objective.metric.text}`",
                objective.metric.span,
                label="not a metric",
                help=did_you_mean(objective.metric.text, metric_names),
                path=_path(objective),
            )
        periods = [objective.window] if objective.window else []
        if objective.aggregate is not None:
            method = objective.aggregate.method
            if method.text not in AGGREGATIONS:
                yield diag(
                    "E209",
                    f"unknown aggregation method `{method.text}`",
                    method.span,
                    label="not a method",
                    help=did_you_mean(method.text, AGGREGATIONS),
                    path=_path(objective),
                )
            if objective.aggregate.per is not None:
                periods.append(objective.aggregate.per)
        periods.extend(v.per for v in objective.min_volumes if v.per is not None)
        for period in periods:
            if period.name is not None and period.name.text not in PERIODS:
                yield diag(
                    "E209",
                    f"unknown period `{period.name.text}`",
                    period.name.span,
                    label="not a period",
                    help=did_you_mean(period.name.text, PERIODS),
                    path=_path(objective),
                )
    for calendar in contract.calendars:
        groups = [g.days for g in calendar.open_hours] + [g.days for g in calendar.closed]
        for days in groups:
            for day in days:
                if day.text not in WEEKDAYS:
                    yield diag(
                        "E207",
                        f"unknown weekday `{day.text}`",
                        day.span,
                        label="not a weekday",
                        help=did_you_mean(day.text, WEEKDAYS),
                    )


def scope_cycles(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Scopes may build on scopes, but never in a circle."""
    reported: set[str] = set()
    for scope in ctx.contract.scopes:
        chain = [scope.id.text]
        name = scope.base.text
        while name in ctx.scopes and name not in chain:
            chain.append(name)
            name = ctx.scopes[name].base.text
        if name == scope.id.text and not reported.intersection(chain):
            reported.update(chain)
            yield diag(
                "E212",
                "scopes form a cycle: " + " -> ".join([*chain, name]),
                scope.base.span,
                label="refers back to itself",
                help="base one of these scopes on a source",
            )


def _used_names(ctx: Context) -> set[str]:
    used: set[str] = set()
    contract = ctx.contract
    for scope in contract.scopes:
        used.add(scope.base.text)
    for objective in contract.objectives:
        if objective.source is not None:
            used.add(objective.source.text)
        elif len(ctx.sources) == 1:
            used.update(ctx.sources)
        for setting in objective.settings:
            if isinstance(setting.value, m.Ident):
                used.add(setting.value.name)
    for block in (
        contract.header,
        contract.credits,
        contract.risk,
        *contract.reliefs,
        *contract.sources,
        *contract.calendars,
    ):
        for setting in getattr(block, "settings", ()):
            if isinstance(setting.value, m.Ident):
                used.add(setting.value.name)
    for relief in contract.reliefs:
        applies = next((s for s in relief.settings if s.name.text == "applies_to"), None)
        if applies is not None:
            used.add(relief.id.text)
    used.update(a.template.text for a in contract.applies)
    for template in contract.templates:  # uses inside a template count even if not applied
        used.update(scope.base.text for scope in template.scopes)
        used.update(o.source.text for o in template.objectives if o.source is not None)
    data = [*ctx.sources, *ctx.scopes]
    for name in [*(s.base.text for s in contract.scopes), *(o.source.text for o in
                 contract.objectives if o.source is not None)]:  # fmt: skip
        if name not in data:  # a misspelt reference (E201) most likely meant its close match
            used.update(difflib.get_close_matches(name, data, n=1, cutoff=0.6))
    return used


def unused(contract: m.Contract, ctx: Context) -> Iterator[Diagnostic]:
    """Warn about sources, scopes, calendars and templates nothing uses."""
    if ctx.poisoned:
        return  # a statement lost to a syntax error may have been the one using them
    used = _used_names(ctx)
    declared: list[tuple[m.Name, str]] = [
        *((s.id, "source") for s in contract.sources),
        *((s.id, "scope") for s in contract.scopes),
        *((c.id, "calendar") for c in contract.calendars),
        *((t.id, "template") for t in contract.templates),
    ]
    for name, what in declared:
        if name.text not in used:
            yield diag(
                "W201",
                f"{what} `{name.text}` is never used",
                name.span,
                label="declared here",
                help="use it or remove it",
            )
