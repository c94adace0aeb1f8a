"""Report stage, shared helpers for evaluation reports: labels, human units, sections.

The ``table`` and ``markdown`` formats show the same content; this module turns
an :class:`~slalang.judge.results.Evaluation` into that content (periods with their
rows, credits, account status, data report) as plain strings, and each format
only lays it out.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping

import attrs

from slalang.engine.periods import span
from slalang.engine.plan import Period, Target
from slalang.judge.consequences import MONTH, Credit, PeriodCredits
from slalang.judge.results import Evaluation, SourceReport
from slalang.judge.verdicts import Verdict

STATUS_LABELS: Mapping[str, str] = {
    "met": "met",
    "missed": "missed",
    "below_minimum": "BELOW MINIMUM",
    "not_measurable": "not measurable",
    "no_data": "no data",
    "incomplete": "INCOMPLETE DATA",
}
"""How each verdict status reads in the human formats."""

ACCOUNT_LABELS: Mapping[str, str] = {"ok": "ok", "watch": "watch", "at_risk": "at risk"}
"""How each account status reads in the human formats."""

RULE_LABELS: Mapping[str, str] = {"fired": "fired", "watch": "watch", "ok": "ok"}
"""How each account-at-risk rule state reads in the human formats."""

SHOWN_PROBLEMS = 10
"""How many malformed rows of a source the human formats list."""

COLUMNS = ("Objective", "Status", "Actual", "Expected", "Minimum", "Evidence", "Volume", "Excluded")
"""The columns of a period's table, in order."""

RIGHT_ALIGNED = frozenset({2, 3, 4, 5, 6})
"""Indexes of the columns holding numbers."""

CRITICAL_MARK = "*"
"""Appended to the label of a critical objective."""


@attrs.frozen
class Row:
    """One verdict, as the strings of a period's table."""

    label: str
    critical: bool
    status: str
    """The raw status (``met``, ``missed``, ...), for colours and emphasis."""
    actual: str
    expected: str
    minimum: str
    evidence: str
    volume: str
    excluded: str

    def cells(self) -> tuple[str, ...]:
        """The cells in :data:`COLUMNS` order; the label carries no critical mark."""
        return (
            self.label,
            STATUS_LABELS.get(self.status, self.status),
            self.actual,
            self.expected,
            self.minimum,
            self.evidence,
            self.volume,
            self.excluded,
        )


@attrs.frozen
class CreditLine:
    """One credit of a period."""

    label: str
    amount: str
    state: str


@attrs.frozen
class CreditSummary:
    """The credits of one period, amounts formatted."""

    items: tuple[CreditLine, ...]
    earned: str
    cap: str
    due: str
    currency: str
    at_cap: bool
    annual: str = ""
    """What the annual cap did to the month, e.g. ``annual cap 60,000.00 reached``, or empty."""


@attrs.frozen
class PeriodSection:
    """One period: a row per verdict, then its credits if any were earned."""

    period: str
    rows: tuple[Row, ...]
    credits: CreditSummary | None


@attrs.frozen
class RuleLine:
    """How one account-at-risk rule stands."""

    label: str
    line: int
    state: str
    periods: str


@attrs.frozen
class AccountSection:
    """The account status at the last period, with its rules."""

    status: str
    period: str | None
    rules: tuple[RuleLine, ...]


@attrs.frozen
class SourceSection:
    """What was read for one source."""

    source: str
    path: str
    profile: str | None
    rows_read: str
    rows_loaded: str
    excluded: str
    malformed: int
    """Malformed rows (a row with several problems counts once)."""
    malformed_by_reason: str
    """The problems counted by reason, with their total first when it is not ``malformed``."""
    shown: tuple[str, ...]
    """The first :data:`SHOWN_PROBLEMS` problems as ``path:line: reason``."""
    more: int
    """Problems counted but not shown."""
    ambiguous: str = ""
    """The rows whose clock time occurred twice (clocks went back), or empty."""


@attrs.frozen
class Report:
    """Everything the human formats show, as strings."""

    title: str
    contract_id: str
    path: str
    timezone: str
    periods: tuple[PeriodSection, ...]
    account: AccountSection
    sources: tuple[SourceSection, ...]

    @property
    def any_critical(self) -> bool:
        """True when some row belongs to a critical objective (the legend is needed)."""
        return any(row.critical for section in self.periods for row in section.rows)


# ---------------------------------------------------------------------------
# numbers and units
# ---------------------------------------------------------------------------


def count(value: float) -> str:
    """A count with thousands separators: ``30,161``; fractional sums keep 2 decimals."""
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def money(value: float) -> str:
    """An amount with thousands separators and 2 decimals: ``9,600.00``."""
    return f"{value:,.2f}"


def human(value: float, unit: str) -> str:
    """A value in its unit for people: ``54.38 %``, ``35.0 s``, ``86.2 pts``, ``34.17``."""
    if unit == "ratio":
        return f"{value * 100:.2f} %"
    if unit == "seconds":
        return f"{value:.1f} s"
    if unit == "points":
        return f"{value:.1f} pts"
    return f"{round(value, 2):g}"


def target_text(target: Target | None, unit: str) -> str:
    """A level for people: ``>= 80.00 %``, ``240.0 to 420.0 s``; ``-`` when there is none."""
    if target is None:
        return "-"
    if target.op == "between":
        assert target.high is not None
        low, high = human(float(target.value), unit), human(float(target.high), unit)
        unit_suffix = high.partition(" ")[2]
        if unit_suffix and low.endswith(" " + unit_suffix):
            low = low[: -len(unit_suffix) - 1]
        return f"{low} to {high}"
    return f"{target.op} {human(float(target.value), unit)}"


def evidence(verdict: Verdict) -> str:
    """What the actual value rests on: ``16,402 / 30,161``, or ``40 / 48 periods``."""
    if verdict.status == "no_data":
        return "-"
    if verdict.judged is not None:
        meeting = verdict.meeting if verdict.meeting is not None else 0
        return f"{meeting:,} / {verdict.judged:,} periods"
    if verdict.denominator == 0:
        return "-"
    if verdict.unit == "seconds":
        numerator = f"{verdict.numerator:,.0f} s"
    else:
        numerator = count(verdict.numerator)
    return f"{numerator} / {count(verdict.denominator)}"


def reasons(counts: Mapping[str, int]) -> str:
    """Counts by reason for people: ``short abandon 148, holiday 20``; empty when none."""
    return ", ".join(f"{reason} {n:,}" for reason, n in counts.items() if n)


def label(objective: str, title: str | None) -> str:
    """An objective as people know it: its title, else its id."""
    return title if title else objective


def display_width(text: str) -> int:
    """Terminal columns a string takes: wide characters count 2, combining marks 0."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


# ---------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------


def row(verdict: Verdict) -> Row:
    """One verdict as table strings."""
    # without a minimum, missing the expected level is below minimum: show that level
    judged = verdict.minimum
    if judged is None and verdict.status == "below_minimum":
        judged = verdict.expected
    notes = "; ".join(f"{n:,} {note}" for note, n in verdict.noted.items() if n)
    parts = (reasons(verdict.excluded), notes, malformed_text(verdict))
    return Row(
        label=label(verdict.objective, verdict.title),
        critical=verdict.critical,
        status=verdict.status,
        actual="-" if verdict.actual is None else human(verdict.actual, verdict.unit),
        expected=target_text(verdict.expected, verdict.unit),
        minimum=target_text(judged, verdict.unit),
        evidence=evidence(verdict),
        volume=f"{verdict.volume:,}",
        excluded=", ".join(part for part in parts if part),
    )


def malformed_text(verdict: Verdict) -> str:
    """``malformed 12 of 1,040 rows``, when some rows of the period's data were malformed."""
    if not verdict.malformed:
        return ""
    return f"malformed {verdict.malformed:,} of {verdict.malformed + verdict.rows:,} rows"


def _credits(period: PeriodCredits | None, titles: Mapping[str, str]) -> CreditSummary | None:
    if period is None or not period.credits:
        return None
    annual = ""
    if period.annual_cap is not None and period.at_annual_cap:
        annual = f"annual cap {money(period.annual_cap)} reached"
    return CreditSummary(
        items=tuple(
            CreditLine(titles.get(c.objective, c.objective) + _windows(c), money(c.amount), c.state)
            for c in period.credits
        ),
        earned=money(period.earned),
        cap=money(period.cap),
        due=money(period.due),
        currency=period.currency,
        at_cap=period.at_cap,
        annual=annual,
    )


def _windows(credit: Credit) -> str:
    """The windows that earned a credit, when they are not the month itself."""
    if credit.windows in ((), (credit.period,)):
        return ""
    shown = ", ".join(credit.windows[:3])
    more = len(credit.windows) - 3
    return f" ({shown}" + (f" and {more} more" if more > 0 else "") + ")"


def _source(source: SourceReport) -> SourceSection:
    malformed = source.rows_malformed
    problems = sum(source.problem_counts.values()) or len(source.problems)
    by_reason = reasons(source.problem_counts)
    if by_reason and problems != malformed:  # rows with several problems
        by_reason = f"{problems:,} problems: {by_reason}"
    shown = tuple(
        f"{p.path}:{p.line}: {p.reason}"
        + (f" ({p.field})" if p.field else "")
        + (f": {p.values}" if p.values else "")
        for p in source.problems[:SHOWN_PROBLEMS]
    )
    return SourceSection(
        source=source.source,
        path=source.path,
        profile=source.profile,
        rows_read=f"{source.rows_read:,}",
        rows_loaded=f"{source.rows_loaded:,}",
        excluded=reasons(source.excluded),
        malformed=malformed,
        malformed_by_reason=by_reason,
        shown=shown,
        more=max(problems - len(shown), 0),
        ambiguous=_ambiguous(source),
    )


def _ambiguous(source: SourceReport) -> str:
    """``3 rows, in the hour repeated when clocks went back in ZONE (first: ...)``."""
    found = source.ambiguous
    if found is None:
        return ""
    rows = "1 row" if found.count == 1 else f"{found.count:,} rows"
    return (
        f"{rows} in the hour repeated when clocks went back in {found.zone} (first: "
        f"{found.path}:{found.line}: {found.field} {found.value})"
    )


_SHAPES = (
    (re.compile(r"\d{4}-\d{2}"), "month"), (re.compile(r"\d{4}-\d{2}-\d{2}"), "day"),
    (re.compile(r"\d{4}-W\d{2}"), "week"), (re.compile(r"\d{4}-Q\d"), "quarter"),
    (re.compile(r"\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}"), "contract_year"),
)  # fmt: skip


def _span(period: str, window: Period | None) -> tuple[dt.datetime, dt.datetime]:
    """When a period starts and ends, from its objective's window or the shape of its key."""
    if window is None:
        kind = next((k for shape, k in _SHAPES if shape.fullmatch(period)), "interval")
        window = Period(kind)
    try:
        return span(period, window)
    except ValueError:
        return dt.datetime.max, dt.datetime.max


def build_report(evaluation: Evaluation) -> Report:
    """Gather what the human formats show, periods in time order."""
    plan = evaluation.plan
    titles = {o.id: label(o.id, o.title) for o in plan.objectives}
    by_period: dict[str, list[Verdict]] = {}
    for verdict in evaluation.verdicts:
        by_period.setdefault(verdict.period, []).append(verdict)
    credits = {c.period: c for c in evaluation.credits}
    kinds = {o.id: o.window for o in plan.objectives}
    spans = {v.period: _span(v.period, kinds.get(v.objective)) for v in evaluation.verdicts}
    spans.update((p, _span(p, MONTH)) for p, c in credits.items() if c.credits)
    # by end, a longer period after the shorter ones that end with it: a month after its days
    periods = sorted(spans, key=lambda p: (spans[p][1], dt.datetime.max - spans[p][0], p))
    risk = evaluation.risk
    return Report(
        title=plan.title or plan.contract_id,
        contract_id=plan.contract_id,
        path=plan.path,
        timezone=plan.timezone,
        periods=tuple(
            PeriodSection(
                period,
                tuple(row(v) for v in by_period.get(period, ())),
                _credits(credits.get(period), titles),
            )
            for period in periods
        ),
        account=AccountSection(
            status=risk.status,
            period=risk.period,
            rules=tuple(
                RuleLine(r.label, r.line, r.state, ", ".join(r.periods) or "-") for r in risk.rules
            ),
        ),
        sources=tuple(_source(s) for s in evaluation.sources),
    )
