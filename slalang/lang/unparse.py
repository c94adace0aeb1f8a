"""Model printing: a contract model in, canonical contract text out.

:func:`unparse` is the inverse of parsing: ``parse(unparse(c)).contract == c``
for every model the grammar can express, and the text is already in the layout
of :mod:`slalang.lang.fmt`. Declarations come out grouped by kind, in the order of
the model's fields, with a blank line between them except inside a run of
one-line declarations of one kind (scopes, applies); statements inside an
objective come in a fixed order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from slalang.lang import model as m

_INDENT = "  "
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CONDITIONS = {"below_minimum": "below minimum", "missed": "missed", "at_cap": "at cap"}


def unparse(contract: m.Contract) -> str:
    """Print a contract model as canonical contract text.

    Args:
        contract: any contract model, parsed or built by hand.

    Returns:
        The text, ending with one newline (empty for an empty contract).

    Raises:
        ValueError: when the model holds something the grammar cannot express, such as
            a name that is not an identifier or a text with a line break.
    """
    blocks: list[list[str]] = []
    if contract.header is not None:
        header = contract.header
        blocks.append(
            _block(f"contract {_head(header.id, header.title)}", _settings(header.settings))
        )
    for source in contract.sources:
        head = f"source {_name(source.id)}: {_name(source.kind)}"
        blocks.append(_block(head, _settings(source.settings)) if source.settings else [head])
    blocks.extend([_scope(scope)] for scope in contract.scopes)
    blocks.extend(_calendar(calendar) for calendar in contract.calendars)
    blocks.extend(_objective(objective) for objective in contract.objectives)
    if contract.credits is not None:
        blocks.append(_block("credits", _settings(contract.credits.settings)))
    if contract.risk is not None:
        risk = contract.risk
        rules = [_rule(rule) for rule in risk.rules]
        blocks.append(_block("account_at_risk", [*rules, *_settings(risk.settings)]))
    if contract.trends is not None:
        blocks.append(_block("trends", _settings(contract.trends.settings)))
    for relief in contract.reliefs:
        blocks.append(
            _block(f"relief {_head(relief.id, relief.title)}", _settings(relief.settings))
        )
    blocks.extend([_exclusion(exclusion)] for exclusion in contract.exclusions)
    blocks.extend(_template(template) for template in contract.templates)
    blocks.extend([_apply(apply)] for apply in contract.applies)
    return "".join(line + "\n" for line in _join(blocks))


def _join(blocks: list[list[str]]) -> Iterator[str]:
    previous: list[str] = []
    for block in blocks:
        together = len(previous) == len(block) == 1 and _kind(previous[0]) == _kind(block[0])
        if previous and not together:
            yield ""
        yield from block
        previous = block


def _kind(line: str) -> str:
    return line.split(" ", 1)[0]


def _block(head: str, body: Iterable[str]) -> list[str]:
    lines = [_INDENT + line for line in body]
    if not lines:
        return [head + " {}"]
    return [head + " {", *lines, "}"]


def _head(name: m.Name, title: m.Text | None) -> str:
    return _name(name) if title is None else f"{_name(name)} {_text(title)}"


# --- declarations -----------------------------------------------------------------


def _scope(scope: m.ScopeDecl) -> str:
    text = f"scope {_name(scope.id)} = {_name(scope.base)}"
    return text if scope.where is None else f"{text} where {expr(scope.where)}"


def _calendar(calendar: m.CalendarDecl) -> list[str]:
    body = _settings(calendar.settings)
    body += [
        f"open {_days(o.days, o.through)} {_time(o.start)}-{_time(o.end)}"
        for o in calendar.open_hours
    ]
    body += [f"closed {_days(c.days, c.through)}" for c in calendar.closed]
    for holidays in calendar.holiday_sets:
        line = f"holidays {_name(holidays.name)}"
        if holidays.subdivision is not None:
            line += f" {_text(holidays.subdivision)}"
        body.append(line if holidays.observed else f"{line} actual")
    for holiday in calendar.holidays:
        line = f"holiday {_date(holiday.date)}"
        body.append(line if holiday.title is None else f"{line} {_text(holiday.title)}")
    for removed in calendar.not_holidays:
        line = f"not holiday {_date(removed.date)}"
        body.append(line if removed.title is None else f"{line} {_text(removed.title)}")
    return _block(f"calendar {_head(calendar.id, calendar.title)}", body)


def _days(days: tuple[m.Name, ...], through: bool) -> str:
    if through:
        if len(days) != 2:
            raise ValueError("a range of days has a first and a last day")
        return f"{_name(days[0])} to {_name(days[1])}"
    if not days:
        raise ValueError("opening hours need at least one day")
    return ", ".join(_name(day) for day in days)


def _objective(objective: m.Objective) -> list[str]:
    body: list[str] = []
    tier = objective.tier
    if tier is not None:
        if not tier.critical:
            if tier.allocation is not None:
                raise ValueError("a key measurement has no allocation")
            body.append("key")
        elif tier.allocation is None:
            body.append("critical")
        else:
            body.append(f"critical allocation {quantity(tier.allocation)}")
    if objective.metric is not None:
        body.append(f"metric {_name(objective.metric)}")
    if objective.source is not None:
        body.append(f"from {_name(objective.source)}")
    if objective.where is not None:
        body.append(f"where {expr(objective.where)}")
    body += _settings(objective.settings)
    if objective.window is not None:
        body.append(f"window {_period(objective.window)}")
    if objective.aggregate is not None:
        aggregate = objective.aggregate
        line = f"aggregate {_name(aggregate.method)}"
        if aggregate.per is not None:
            line += f" per {_period(aggregate.per)}"
        if aggregate.meeting is not None:
            line += f" meeting {value(aggregate.meeting)}"
        body.append(line)
    for volume in objective.min_volumes:
        line = f"min_volume {quantity(volume.quantity)}"
        body.append(line if volume.per is None else f"{line} per {_period(volume.per)}")
    for level in objective.levels:
        if level.kind not in ("expected", "minimum"):
            raise ValueError(f"unknown level kind {level.kind!r}")
        body.append(f"{level.kind} {value(level.target)}")
    return _block(f"objective {_head(objective.id, objective.title)}", body)


def _period(period: m.Period) -> str:
    if period.name is not None and period.length is None:
        return _name(period.name)
    if period.length is not None and period.name is None:
        return quantity(period.length)
    raise ValueError("a period is either a name or a length")


def _rule(rule: m.Rule) -> str:
    parts = ["rule"]
    if rule.label is not None:
        parts.append(_text(rule.label))
    selector = rule.selector
    if selector.kind == "credits":
        parts.append("credits")
    elif selector.kind in ("objective", "any") and selector.name is not None:
        parts.append(_name(selector.name) if selector.kind == "objective" else "any")
        if selector.kind == "any":
            parts.append(_name(selector.name))
    else:
        raise ValueError(f"cannot print selector {selector!r}")
    if rule.condition not in _CONDITIONS:
        raise ValueError(f"unknown rule condition {rule.condition!r}")
    parts += [_CONDITIONS[rule.condition], "in", str(rule.count.times)]
    if rule.count.last is None:
        parts.append("consecutive")
    else:
        parts += ["of", "last", str(rule.count.last)]
    parts.append(_name(rule.count.unit))
    return " ".join(parts)


def _exclusion(exclusion: m.Exclusion) -> str:
    line = (
        f"exclude {_name(exclusion.kind)} {_text(exclusion.reason)}"
        f" from {_datetime(exclusion.start)} to {_datetime(exclusion.end)}"
    )
    return line if exclusion.objectives is None else f"{line} for {value(exclusion.objectives)}"


def _template(template: m.Template) -> list[str]:
    params = ", ".join(_name(param) for param in template.params)
    body = [_scope(scope) for scope in template.scopes]
    for objective in template.objectives:
        body += _objective(objective)
    return _block(f"template {_name(template.id)}({params})", body)


def _apply(apply: m.Apply) -> str:
    args = ", ".join(value(arg) for arg in apply.args)
    return f"apply {_name(apply.template)}({args}) as {_name(apply.alias)}"


def _settings(settings: Iterable[m.Setting]) -> list[str]:
    return [f"{_name(setting.name)} {value(setting.value)}" for setting in settings]


# --- expressions and values ----------------------------------------------------------


def expr(node: m.Expr) -> str:
    """Print a filter expression, with parentheses only where the grammar needs them."""
    if isinstance(node, m.Or):
        return " or ".join(
            _operand(o, i > 0 and isinstance(o, m.Or)) for i, o in enumerate(node.operands)
        )
    if isinstance(node, m.And):
        return " and ".join(
            _operand(o, isinstance(o, m.Or) or (i > 0 and isinstance(o, m.And)))
            for i, o in enumerate(node.operands)
        )
    if isinstance(node, m.Not):
        # `not (queue in [..])` reads better than `not queue in [..]`; both mean the same
        return "not " + _operand(node.operand, not isinstance(node.operand, m.Not))
    if isinstance(node, m.Compare):
        return f"{_name(node.field)} {_op(node.op)} {value(node.operand)}"
    keyword = "not in" if node.negated else "in"
    return f"{_name(node.field)} {keyword} {value(node.values)}"


def _operand(node: m.Expr, parenthesize: bool) -> str:
    return f"({expr(node)})" if parenthesize else expr(node)


def value(node: m.Value) -> str:
    """Print one setting value as source text."""
    if isinstance(node, m.Quantity):
        return quantity(node)
    if isinstance(node, m.Text):
        return _text(node)
    if isinstance(node, m.Ident):
        return _identifier(node.name)
    if isinstance(node, m.DateValue):
        return _date(node)
    if isinstance(node, m.DateTimeValue):
        return _datetime(node)
    if isinstance(node, m.TimeValue):
        return _time(node)
    if isinstance(node, m.DateRange):
        return f"{_date(node.start)} to {_date(node.end)}"
    if isinstance(node, m.ListValue):
        return "[" + ", ".join(value(item) for item in node.items) + "]"
    if isinstance(node, m.Comparison):
        return f"{_op(node.op)} {quantity(node.quantity)}"
    return f"between {quantity(node.low)} and {quantity(node.high)}"


def quantity(node: m.Quantity) -> str:
    """Print a number with its unit: ``80%``, ``20 s``, ``250000 USD``."""
    number = node.value
    if not isinstance(number, Decimal) or not number.is_finite():
        raise ValueError(f"cannot print the number {number!r}")
    text = format(number, "f")
    if node.unit is None:
        return text
    if node.unit == "%":
        return text + "%"
    return f"{text} {_identifier(node.unit)}"


def _op(op: str) -> str:
    if op not in ("<", ">", "<=", ">=", "==", "!="):
        raise ValueError(f"unknown comparison {op!r}")
    return op


def _name(name: m.Name) -> str:
    return _identifier(name.text)


def _identifier(text: str) -> str:
    if not _NAME.fullmatch(text):
        raise ValueError(f"{text!r} is not an identifier")
    return text


def _text(text: m.Text) -> str:
    if "\n" in text.value or "\r" in text.value:
        raise ValueError("texts cannot hold line breaks")
    return '"' + text.value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _date(date: m.DateValue) -> str:
    return date.value.isoformat()


def _datetime(moment: m.DateTimeValue) -> str:
    when = moment.value
    if when.microsecond or when.tzinfo is not None:
        raise ValueError("date-times are written to the second, without a time zone")
    clock = f"{when:%H:%M:%S}" if when.second else f"{when:%H:%M}"
    return f"{when.date().isoformat()} {clock}"


def _time(time: m.TimeValue) -> str:
    if not 0 <= time.minutes <= 24 * 60:
        raise ValueError(f"time of day out of range: {time.minutes} minutes")
    return f"{time.minutes // 60:02d}:{time.minutes % 60:02d}"
