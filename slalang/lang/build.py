"""Stage 2, model building: one transformer from the Lark parse tree to :mod:`slalang.lang.model`.

The transformer is non-recursive (long ``and`` chains cannot exhaust the
stack) and reports structural mistakes that the grammar leaves open: repeated
statements and blocks, and literals that cannot exist (``2026-02-30``).
"""

from __future__ import annotations

import builtins
import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from lark import Token, Transformer_NonRecursive, Tree, v_args
from lark.tree import Meta

from slalang.codes import diag
from slalang.diagnostics import Diagnostic
from slalang.lang import model as m
from slalang.source import Source, Span

INVALID_DATE = dt.date.min
"""Stands for a date that could not be read (reported as E105); checks skip it."""

_ESCAPE = re.compile(r"\\(.)")

MAX_DIGITS = 15
"""Digits a number may have before its decimal point. Every count, level, amount of money and
duration of a real contract fits, and such a number converts to a float without overflow."""


class _Builder(Transformer_NonRecursive[Token, Any]):
    def __init__(self, source: Source) -> None:
        super().__init__()
        self._src = source
        self.diagnostics: list[Diagnostic] = []

    # --- helpers ----------------------------------------------------------------

    def span(self, meta: Meta) -> Span:
        if getattr(meta, "empty", True):
            return self._src.span(0, 0)
        return self._src.span(meta.start_pos, meta.end_pos)

    def tspan(self, token: Token) -> Span:
        start = token.start_pos or 0
        end = token.end_pos if token.end_pos is not None else start
        return self._src.span(start, end)

    def name(self, token: Token) -> m.Name:
        return m.Name(str(token), self.tspan(token))

    def text_of(self, token: Token) -> m.Text:
        return m.Text(_ESCAPE.sub(r"\1", str(token)[1:-1]), self.tspan(token))

    def too_large(self, token: Token) -> bool:
        """Report a number with more than :data:`MAX_DIGITS` digits before its point."""
        digits = str(token).replace("_", "").lstrip("-").split(".")[0].lstrip("0")
        if len(digits) <= MAX_DIGITS:
            return False
        shown = str(token) if len(str(token)) <= 24 else f"{str(token)[:20]}..."
        self.diagnostics.append(
            diag(
                "E105",
                f"`{shown}` is too large a number ({len(digits)} digits)",
                self.tspan(token),
                label="too large",
                help=f"numbers have at most {MAX_DIGITS} digits before the decimal point",
            )
        )
        return True

    def bad_literal(self, token: Token, what: str, help_text: str) -> None:
        self.diagnostics.append(
            diag(
                "E105",
                f"`{token}` is not a valid {what}",
                self.tspan(token),
                label=f"invalid {what}",
                help=help_text,
            )
        )

    def date_of(self, token: Token) -> m.DateValue:
        try:
            value = dt.date.fromisoformat(str(token))
        except ValueError:
            self.bad_literal(token, "date", "dates are written YYYY-MM-DD")
            value = INVALID_DATE
        return m.DateValue(value, self.tspan(token))

    def once(self, seen: dict[str, Span], key: str, what: str, span: Span) -> bool:
        if key in seen:
            self.diagnostics.append(
                diag(
                    "E101",
                    f"{what} is written more than once",
                    span,
                    label="repeated here",
                    help="keep one; the first one is used",
                )
            )
            return False
        seen[key] = span
        return True

    def settings(self, items: Sequence[Any]) -> tuple[m.Setting, ...]:
        result: builtins.list[m.Setting] = []
        seen: set[str] = set()
        for item in items:
            if isinstance(item, m.Setting):
                if item.name.text in seen:
                    self.diagnostics.append(
                        diag(
                            "E106",
                            f"setting `{item.name.text}` is written more than once",
                            item.name.span,
                            label="repeated here",
                            help="keep one; the first one is used",
                        )
                    )
                    continue
                seen.add(item.name.text)
                result.append(item)
        return tuple(result)

    def head(self, children: Sequence[Any]) -> tuple[Token, m.Text | None, list[Any]]:
        """Split ``NAME STRING? items...`` into its parts."""
        name = children[0]
        rest = list(children[1:])
        title = None
        if rest and isinstance(rest[0], Token) and rest[0].type == "STRING":
            title = self.text_of(rest.pop(0))
        return name, title, rest

    # --- values -----------------------------------------------------------------

    @v_args(meta=True)
    def quantity(self, meta: Meta, children: Sequence[Any]) -> m.Quantity:
        number = children[0]
        unit = str(children[1]) if len(children) > 1 and children[1] is not None else None
        if self.too_large(number):
            return m.Quantity(Decimal(0), unit, self.span(meta))
        try:
            value = Decimal(str(number).replace("_", ""))
        except InvalidOperation:  # pragma: no cover - the terminal only admits digits
            self.bad_literal(number, "number", "numbers are written like 80 or 12.5")
            value = Decimal(0)
        return m.Quantity(value, unit, self.span(meta))

    @v_args(meta=True)
    def text(self, meta: Meta, children: Sequence[Token]) -> m.Text:
        return self.text_of(children[0])

    @v_args(meta=True)
    def ident(self, meta: Meta, children: Sequence[Token]) -> m.Ident:
        return m.Ident(str(children[0]), self.tspan(children[0]))

    @v_args(meta=True)
    def date(self, meta: Meta, children: Sequence[Token]) -> m.DateValue:
        return self.date_of(children[0])

    @v_args(meta=True)
    def datetime(self, meta: Meta, children: Sequence[Token]) -> m.DateTimeValue:
        return self.datetime_of(children[0])

    def datetime_of(self, token: Token) -> m.DateTimeValue:
        raw = str(token).replace("T", " ")
        date_part, _, time_part = raw.partition(" ")
        if len(time_part.split(":")[0]) == 1:
            time_part = "0" + time_part
        try:
            value = dt.datetime.fromisoformat(f"{date_part} {time_part}")
        except ValueError:
            self.bad_literal(token, "date and time", "write YYYY-MM-DD HH:MM")
            value = dt.datetime.min
        return m.DateTimeValue(value, self.tspan(token))

    @v_args(meta=True)
    def time(self, meta: Meta, children: Sequence[Token]) -> m.TimeValue:
        return self.time_of(children[0])

    def time_of(self, token: Token, fallback: int = 0) -> m.TimeValue:
        hours, minutes = (int(part) for part in str(token).split(":"))
        total = hours * 60 + minutes
        if minutes >= 60 or total > 24 * 60:
            self.bad_literal(token, "time of day", "times run from 00:00 to 24:00")
            total = fallback  # start of day for a start, end of day for an end: no E603
        return m.TimeValue(total, self.tspan(token))

    @v_args(meta=True)
    def value_range(self, meta: Meta, children: Sequence[Token]) -> m.DateRange:
        return m.DateRange(self.date_of(children[0]), self.date_of(children[1]), self.span(meta))

    @v_args(meta=True)
    def list(self, meta: Meta, children: Sequence[Any]) -> m.ListValue:
        return m.ListValue(tuple(c for c in children if c is not None), self.span(meta))

    @v_args(meta=True)
    def comparison(self, meta: Meta, children: Sequence[Any]) -> m.Comparison:
        return m.Comparison(str(children[0]), children[1], self.span(meta))

    @v_args(meta=True)
    def band(self, meta: Meta, children: Sequence[Any]) -> m.Band:
        return m.Band(children[0], children[1], self.span(meta))

    @v_args(meta=True)
    def setting(self, meta: Meta, children: Sequence[Any]) -> m.Setting:
        return m.Setting(self.name(children[0]), children[1], self.span(meta))

    # --- expressions --------------------------------------------------------------

    @v_args(meta=True)
    def compare(self, meta: Meta, children: Sequence[Any]) -> m.Compare:
        return m.Compare(self.name(children[0]), str(children[1]), children[2], self.span(meta))

    @v_args(meta=True)
    def member(self, meta: Meta, children: Sequence[Any]) -> m.Member:
        return m.Member(self.name(children[0]), children[1], False, self.span(meta))

    @v_args(meta=True)
    def not_member(self, meta: Meta, children: Sequence[Any]) -> m.Member:
        return m.Member(self.name(children[0]), children[1], True, self.span(meta))

    @v_args(meta=True)
    def not_expr(self, meta: Meta, children: Sequence[Any]) -> m.Not:
        return m.Not(children[0], self.span(meta))

    @v_args(meta=True)
    def and_expr(self, meta: Meta, children: Sequence[Any]) -> m.And:
        left, right = children
        operands = left.operands if isinstance(left, m.And) else (left,)
        return m.And((*operands, right), self.span(meta))

    @v_args(meta=True)
    def or_expr(self, meta: Meta, children: Sequence[Any]) -> m.Or:
        left, right = children
        operands = left.operands if isinstance(left, m.Or) else (left,)
        return m.Or((*operands, right), self.span(meta))

    # --- declarations ---------------------------------------------------------------

    @v_args(meta=True)
    def contract(self, meta: Meta, children: Sequence[Any]) -> m.Header:
        name, title, rest = self.head(children)
        return m.Header(self.name(name), title, self.settings(rest), self.span(meta))

    @v_args(meta=True)
    def source(self, meta: Meta, children: Sequence[Any]) -> m.SourceDecl:
        return m.SourceDecl(
            self.name(children[0]),
            self.name(children[1]),
            self.settings(children[2:]),
            self.span(meta),
        )

    @v_args(meta=True)
    def scope(self, meta: Meta, children: Sequence[Any]) -> m.ScopeDecl:
        where = children[2] if len(children) > 2 else None
        return m.ScopeDecl(self.name(children[0]), self.name(children[1]), where, self.span(meta))

    @v_args(meta=True)
    def day_range(self, meta: Meta, children: Sequence[Token]) -> tuple[tuple[m.Name, ...], bool]:
        days = tuple(self.name(t) for t in children if t is not None)
        return days, len(days) == 2

    @v_args(meta=True)
    def day_list(self, meta: Meta, children: Sequence[Token]) -> tuple[tuple[m.Name, ...], bool]:
        return tuple(self.name(t) for t in children if t is not None), False

    @v_args(meta=True)
    def open_hours(self, meta: Meta, children: Sequence[Any]) -> m.OpenHours:
        (days, through), start, end = children
        end_time = self.time_of(end, fallback=24 * 60)
        return m.OpenHours(
            days, self.time_of(start), end_time, through=through, span=self.span(meta)
        )

    @v_args(meta=True)
    def closed_days(self, meta: Meta, children: Sequence[Any]) -> m.ClosedDays:
        days, through = children[0]
        return m.ClosedDays(days, through=through, span=self.span(meta))

    @v_args(meta=True)
    def holiday(self, meta: Meta, children: Sequence[Any]) -> m.Holiday:
        title = self.text_of(children[1]) if len(children) > 1 else None
        return m.Holiday(self.date_of(children[0]), title, self.span(meta))

    @v_args(meta=True)
    def not_holiday(self, meta: Meta, children: Sequence[Any]) -> m.NotHoliday:
        title = self.text_of(children[1]) if len(children) > 1 else None
        return m.NotHoliday(self.date_of(children[0]), title, self.span(meta))

    def observed_dates(self, children: Sequence[Any]) -> bool:
        return True

    def actual_dates(self, children: Sequence[Any]) -> bool:
        return False

    @v_args(meta=True)
    def holiday_set(self, meta: Meta, children: Sequence[Any]) -> m.HolidaySet:
        subdivision = next((self.text_of(c) for c in children[1:] if isinstance(c, Token)), None)
        observed = next((c for c in children[1:] if isinstance(c, bool)), True)
        return m.HolidaySet(self.name(children[0]), subdivision, observed, self.span(meta))

    @v_args(meta=True)
    def calendar(self, meta: Meta, children: Sequence[Any]) -> m.CalendarDecl:
        name, title, rest = self.head(children)
        return m.CalendarDecl(
            self.name(name),
            title,
            tuple(x for x in rest if isinstance(x, m.OpenHours)),
            tuple(x for x in rest if isinstance(x, m.ClosedDays)),
            tuple(x for x in rest if isinstance(x, m.Holiday)),
            self.settings(rest),
            self.span(meta),
            tuple(x for x in rest if isinstance(x, m.HolidaySet)),
            tuple(x for x in rest if isinstance(x, m.NotHoliday)),
        )

    @v_args(meta=True)
    def named_period(self, meta: Meta, children: Sequence[Token]) -> m.Period:
        return m.Period(name=self.name(children[0]), span=self.span(meta))

    @v_args(meta=True)
    def length_period(self, meta: Meta, children: Sequence[Any]) -> m.Period:
        return m.Period(length=children[0], span=self.span(meta))

    @v_args(meta=True)
    def critical(self, meta: Meta, children: Sequence[Any]) -> m.Tier:
        allocation = children[0] if children else None
        return m.Tier(True, allocation, self.span(meta))

    @v_args(meta=True)
    def key_measurement(self, meta: Meta, children: Sequence[Any]) -> m.Tier:
        return m.Tier(False, None, self.span(meta))

    @v_args(meta=True)
    def metric(self, meta: Meta, children: Sequence[Token]) -> tuple[str, m.Name]:
        return ("metric", self.name(children[0]))

    @v_args(meta=True)
    def from_clause(self, meta: Meta, children: Sequence[Token]) -> tuple[str, m.Name]:
        return ("from", self.name(children[0]))

    @v_args(meta=True)
    def where_clause(self, meta: Meta, children: Sequence[Any]) -> tuple[str, m.Expr]:
        return ("where", children[0])

    @v_args(meta=True)
    def window(self, meta: Meta, children: Sequence[Any]) -> tuple[str, m.Period]:
        return ("window", children[0])

    @v_args(meta=True)
    def aggregate(self, meta: Meta, children: Sequence[Any]) -> m.Aggregate:
        method = self.name(children[0])
        per = next((c for c in children[1:] if isinstance(c, m.Period)), None)
        meeting = next((c for c in children[1:] if isinstance(c, (m.Comparison, m.Band))), None)
        return m.Aggregate(method, per, meeting, self.span(meta))

    @v_args(meta=True)
    def level(self, meta: Meta, children: Sequence[Any]) -> m.Level:
        return m.Level(str(children[0]), children[1], self.span(meta))

    @v_args(meta=True)
    def min_volume(self, meta: Meta, children: Sequence[Any]) -> m.MinVolume:
        per = children[1] if len(children) > 1 else None
        return m.MinVolume(children[0], per, self.span(meta))

    @v_args(meta=True)
    def objective(self, meta: Meta, children: Sequence[Any]) -> m.Objective:
        name, title, rest = self.head(children)
        seen: dict[str, Span] = {}
        fields: dict[str, Any] = {}
        levels: builtins.list[m.Level] = []
        volumes: builtins.list[m.MinVolume] = []
        for item in rest:
            if isinstance(item, m.Tier):
                if self.once(seen, "tier", "the tier (`critical` or `key`)", item.span):
                    fields["tier"] = item
            elif isinstance(item, tuple):
                key, value = item
                span = value.span
                if self.once(seen, key, f"`{key}`", span):
                    fields["source" if key == "from" else key] = value
            elif isinstance(item, m.Aggregate):
                if self.once(seen, "aggregate", "`aggregate`", item.span):
                    fields["aggregate"] = item
            elif isinstance(item, m.Level):
                if self.once(seen, item.kind, f"the `{item.kind}` level", item.span):
                    levels.append(item)
            elif isinstance(item, m.MinVolume):
                volumes.append(item)
        return m.Objective(
            self.name(name),
            title,
            levels=tuple(levels),
            min_volumes=tuple(volumes),
            settings=self.settings(rest),
            span=self.span(meta),
            **fields,
        )

    @v_args(meta=True)
    def credits(self, meta: Meta, children: Sequence[Any]) -> m.CreditsDecl:
        return m.CreditsDecl(self.settings(children), self.span(meta))

    @v_args(meta=True)
    def trends(self, meta: Meta, children: Sequence[Any]) -> m.TrendsDecl:
        return m.TrendsDecl(self.settings(children), self.span(meta))

    @v_args(meta=True)
    def objective_selector(self, meta: Meta, children: Sequence[Token]) -> m.Selector:
        return m.Selector("objective", self.name(children[0]), self.span(meta))

    @v_args(meta=True)
    def any_selector(self, meta: Meta, children: Sequence[Token]) -> m.Selector:
        return m.Selector("any", self.name(children[0]), self.span(meta))

    @v_args(meta=True)
    def credits_selector(self, meta: Meta, children: Sequence[Token]) -> m.Selector:
        return m.Selector("credits", None, self.span(meta))

    @v_args(meta=True)
    def below_minimum(self, meta: Meta, children: Sequence[Token]) -> str:
        return "below_minimum"

    @v_args(meta=True)
    def missed(self, meta: Meta, children: Sequence[Token]) -> str:
        return "missed"

    @v_args(meta=True)
    def at_cap(self, meta: Meta, children: Sequence[Token]) -> str:
        return "at_cap"

    def count_number(self, token: Token) -> int:
        text = str(token).replace("_", "")
        if self.too_large(token):
            return 0
        if not re.fullmatch(r"-?[0-9]+", text):
            self.bad_literal(token, "count", "counts are whole numbers")
            return 0
        return int(text)

    @v_args(meta=True)
    def consecutive(self, meta: Meta, children: Sequence[Token]) -> m.Count:
        return m.Count(
            self.count_number(children[0]), None, self.name(children[1]), self.span(meta)
        )

    @v_args(meta=True)
    def of_last(self, meta: Meta, children: Sequence[Token]) -> m.Count:
        return m.Count(
            self.count_number(children[0]),
            self.count_number(children[1]),
            self.name(children[2]),
            self.span(meta),
        )

    @v_args(meta=True)
    def rule(self, meta: Meta, children: Sequence[Any]) -> m.Rule:
        rest = list(children)
        label = self.text_of(rest.pop(0)) if isinstance(rest[0], Token) else None
        selector, condition, count = rest
        return m.Rule(label, selector, condition, count, self.span(meta))

    @v_args(meta=True)
    def risk(self, meta: Meta, children: Sequence[Any]) -> m.RiskDecl:
        rules = tuple(c for c in children if isinstance(c, m.Rule))
        return m.RiskDecl(rules, self.settings(children), self.span(meta))

    @v_args(meta=True)
    def relief(self, meta: Meta, children: Sequence[Any]) -> m.ReliefDecl:
        name, title, rest = self.head(children)
        return m.ReliefDecl(self.name(name), title, self.settings(rest), self.span(meta))

    @v_args(meta=True)
    def exclusion(self, meta: Meta, children: Sequence[Any]) -> m.Exclusion:
        kind, reason, start, end = children[:4]
        objectives = children[4] if len(children) > 4 else None
        return m.Exclusion(
            self.name(kind),
            self.text_of(reason),
            self.datetime_of(start),
            self.datetime_of(end),
            objectives,
            self.span(meta),
        )

    @v_args(meta=True)
    def template(self, meta: Meta, children: Sequence[Any]) -> m.Template:
        name = self.name(children[0])
        params = tuple(self.name(c) for c in children[1:] if isinstance(c, Token))
        body = [c for c in children[1:] if not isinstance(c, Token) and c is not None]
        return m.Template(
            name,
            params,
            tuple(c for c in body if isinstance(c, m.ScopeDecl)),
            tuple(c for c in body if isinstance(c, m.Objective)),
            self.span(meta),
        )

    @v_args(meta=True)
    def apply(self, meta: Meta, children: Sequence[Any]) -> m.Apply:
        args = tuple(c for c in children[1:-1] if c is not None)
        return m.Apply(self.name(children[0]), args, self.name(children[-1]), self.span(meta))

    @v_args(meta=True)
    def start(self, meta: Meta, children: Sequence[Any]) -> m.Contract:
        headers = [c for c in children if isinstance(c, m.Header)]
        credit_blocks = [c for c in children if isinstance(c, m.CreditsDecl)]
        risks = [c for c in children if isinstance(c, m.RiskDecl)]
        trend_blocks = [c for c in children if isinstance(c, m.TrendsDecl)]
        for group, what in (
            (headers, "contract"),
            (credit_blocks, "credits"),
            (risks, "account_at_risk"),
            (trend_blocks, "trends"),
        ):
            for extra in group[1:]:
                self.diagnostics.append(
                    diag(
                        "E104",
                        f"a second `{what}` block",
                        extra.span,
                        label="repeated block",
                        help=f"a contract has one `{what}` block",
                        related=(),
                    )
                )
        return m.Contract(
            header=headers[0] if headers else None,
            sources=tuple(c for c in children if isinstance(c, m.SourceDecl)),
            scopes=tuple(c for c in children if isinstance(c, m.ScopeDecl)),
            calendars=tuple(c for c in children if isinstance(c, m.CalendarDecl)),
            objectives=tuple(c for c in children if isinstance(c, m.Objective)),
            credits=credit_blocks[0] if credit_blocks else None,
            risk=risks[0] if risks else None,
            trends=trend_blocks[0] if trend_blocks else None,
            reliefs=tuple(c for c in children if isinstance(c, m.ReliefDecl)),
            exclusions=tuple(c for c in children if isinstance(c, m.Exclusion)),
            templates=tuple(c for c in children if isinstance(c, m.Template)),
            applies=tuple(c for c in children if isinstance(c, m.Apply)),
            span=self._src.span(0, len(self._src.text)),
        )


def build(tree: Tree[Token], source: Source) -> tuple[m.Contract, list[Diagnostic]]:
    """Turn a parse tree into a contract model, with structural diagnostics."""
    builder = _Builder(source)
    contract = builder.transform(tree)
    assert isinstance(contract, m.Contract)
    return contract, builder.diagnostics
