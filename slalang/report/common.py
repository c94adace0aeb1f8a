"""Report stage, shared helpers for evaluation reports: labels, human units, sections.

The ``table`` and ``markdown`` formats show the same content; this module turns
an :class:`~slalang.judge.results.Evaluation` into that content (periods with their
rows, credits, account status, data report) as plain strings, and each format
only lays it out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

import attrs

from slalang.engine.plan import Target
from slalang.judge.consequences import Credit, year_totals
from slalang.judge.outlook import Need
from slalang.judge.results import Evaluation, Grid, SourceReport, grids
from slalang.judge.trends import TrendFlag
from slalang.judge.verdicts import Verdict, unit_of

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

SHOWN_PERIODS = 31
"""How many of a grid's latest periods the human formats show (all are in JSON and
``grid-csv``)."""

SHOWN_MISSES = 25
"""How many earlier misses the human formats list with their evidence (all are in JSON and
``csv``)."""

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
class PeriodSection:
    """One period: a row per verdict."""

    period: str
    rows: tuple[Row, ...]


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
class GridLine:
    """One objective across the periods of a grid."""

    label: str
    critical: bool
    expected: str
    minimum: str
    cells: tuple[tuple[str, str], ...]
    """Per period: the cell's text and the raw status (for colours and emphasis)."""


@attrs.frozen
class GridSection:
    """Objectives of one window kind against its periods."""

    window: str
    periods: tuple[str, ...]
    lines: tuple[GridLine, ...]
    earlier: int = 0
    """Periods before the ones shown (see :data:`SHOWN_PERIODS`)."""


@attrs.frozen
class LedgerLine:
    """One credit of the ledger."""

    month: str
    label: str
    line: str
    allocation: str
    amount: str
    earn_back: str
    state: str


@attrs.frozen
class MonthLine:
    """One invoice month of the ledger, amounts formatted."""

    month: str
    earned: str
    cap: str
    capped: str
    annual_cut: str
    waived: str
    due: str
    at_cap: bool


@attrs.frozen
class Ledger:
    """Every credit, the months' totals and the contract years' totals."""

    currency: str
    credits: tuple[LedgerLine, ...]
    months: tuple[MonthLine, ...]
    years: tuple[str, ...]
    """One sentence per contract year."""


@attrs.frozen
class HistoryLine:
    """The account's status at the end of one month."""

    month: str
    status: str
    changed: bool
    rules: str


@attrs.frozen
class OutlookLine:
    """One open window's outlook, as text."""

    label: str
    critical: bool
    period: str
    actual: str
    projected: str
    projected_status: str | None
    remaining: str
    expected: str
    minimum: str


@attrs.frozen
class Report:
    """Everything the human formats show, as strings."""

    title: str
    contract_id: str
    path: str
    timezone: str
    periods: tuple[PeriodSection, ...]
    """The latest period of each grid, with every verdict's evidence."""
    account: AccountSection
    sources: tuple[SourceSection, ...]
    grids: tuple[GridSection, ...] = ()
    misses: tuple[Row, ...] = ()
    """Earlier verdicts missed or below minimum, their label starting with the period (the
    latest :data:`SHOWN_MISSES`)."""
    more_misses: int = 0
    """Earlier misses not listed."""
    ledger: Ledger | None = None
    history: tuple[HistoryLine, ...] = ()
    trends: tuple[str, ...] = ()
    trend_over: str = "days"
    as_of: str | None = None
    outlook: tuple[OutlookLine, ...] = ()

    @property
    def any_critical(self) -> bool:
        """True when some row belongs to a critical objective (the legend is needed)."""
        return any(line.critical for grid in self.grids for line in grid.lines)


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


GRID_STATUS: Mapping[str, str] = {
    "missed": "missed",
    "below_minimum": "BELOW MIN",
    "not_measurable": "not measurable",
    "no_data": "no data",
    "incomplete": "INCOMPLETE",
}
"""What a grid cell adds to its value (a met cell shows the value alone)."""


def grid_cell(status: str, actual: float | None, unit: str) -> str:
    """A grid cell: ``82.30 %``, ``75.12 % missed``, ``54.38 % BELOW MIN``, ``no data``."""
    if actual is None:
        return GRID_STATUS.get(status, status)
    value = human(actual, unit)
    return value if status == "met" else f"{value} {GRID_STATUS.get(status, status)}"


def _grids(found_grids: tuple[Grid, ...]) -> tuple[GridSection, ...]:
    sections = []
    for found in found_grids:
        lines = []
        for grid_row in found.rows:
            first = next(c.verdict for c in grid_row.cells if c.verdict is not None)
            unit = grid_row.unit
            minimum = first.minimum
            if minimum is None and any(c.status == "below_minimum" for c in grid_row.cells):
                minimum = first.expected  # without a minimum, a miss is below minimum
            shown = grid_row.cells[-SHOWN_PERIODS:]
            lines.append(GridLine(
                label(grid_row.objective, grid_row.title), grid_row.critical,
                target_text(first.expected, unit), target_text(minimum, unit),
                tuple((grid_cell(c.status, c.actual, unit), c.status) for c in shown),
            ))  # fmt: skip
        earlier = max(len(found.periods) - SHOWN_PERIODS, 0)
        sections.append(GridSection(found.window, found.periods[earlier:], tuple(lines),
                                    earlier))  # fmt: skip
    return tuple(sections)


def _ledger(evaluation: Evaluation) -> Ledger | None:
    months = [c for c in evaluation.credits if c.credits]
    if not months:
        return None
    currency = months[0].currency
    lines = tuple(
        LedgerLine(
            c.period, label(c.objective, c.title) + _windows(c), str(c.line) if c.line else "-",
            f"{c.allocation * 100:g} %", money(c.amount), c.earn_back, c.state,
        )
        for month in months for c in month.credits
    )  # fmt: skip
    totals = tuple(
        MonthLine(
            m.period,
            money(m.earned),
            money(m.cap),
            money(m.capped),
            money(m.annual_cut) if m.annual_cut else "-",
            money(m.waived) if m.waived else "-",
            money(m.due),
            m.at_cap,
        )
        for m in months
    )
    years = []
    for year in year_totals(evaluation.credits):
        if not year.months:
            continue
        text = (
            f"Contract year {year.year}: earned {money(year.earned)}, waived "
            f"{money(year.waived)}, due {money(year.due)} {year.currency}"
        )
        if year.pending:
            text += f" ({money(year.pending)} of it may still be earned back)"
        if year.annual_cap is not None:
            text += f"; annual cap {money(year.annual_cap)}"
            text += " (reached)" if year.at_annual_cap else ""
        years.append(text)
    return Ledger(currency, lines, totals, tuple(years))


def _history(evaluation: Evaluation, titles: Mapping[str, str]) -> tuple[HistoryLine, ...]:
    lines = []
    for month in evaluation.history:
        rules = "; ".join(
            f"{r.label} {RULE_LABELS.get(r.state, r.state)} ({', '.join(r.periods)}"
            + (f": {', '.join(titles.get(o, o) for o in r.objectives)})" if r.objectives else ")")
            for r in month.risk.rules if r.state != "ok"
        )  # fmt: skip
        lines.append(HistoryLine(month.month, month.risk.status, month.changed, rules or "-"))
    return tuple(lines)


def _trend(flag: TrendFlag, titles: Mapping[str, str], units: Mapping[str, str]) -> str:
    unit = units[flag.objective]
    values = ", ".join(f"{p.period} {human(p.value, unit)}" for p in flag.points)
    name = titles.get(flag.objective, flag.objective)
    if flag.kind == "worsening":
        return f"{name}: worse {len(flag.points) - 1} periods in a row to {flag.period} ({values})"
    assert flag.slope is not None
    assert flag.projected is not None
    step = (
        human(abs(flag.slope), unit) if unit != "ratio" else f"{abs(flag.slope) * 100:.2f} points"
    )
    direction = "falling" if flag.slope < 0 else "rising"
    return (
        f"{name}: {direction} {step} a day over {len(flag.points)} periods to {flag.period}, "
        f"{flag.window} heading for {human(flag.projected, unit)} if the rest of it follows the "
        f"line, {'below' if flag.level == 'minimum' else 'short of'} the {flag.level} level "
        f"({values})"
    )


def need_text(need: Need, unit: str, remaining_unit: str) -> str:
    """``needs 10,972 (80.66 %)``, ``at most 412 (3.00 %)``, ``needs a mean <= 54.9 s``,
    ``already lost``: what the rest of the period needs for one level."""
    if need.state != "needs":
        return need.state.replace("_", " ")
    if need.count is not None and need.value is not None:
        share = f"{need.value * 100:.2f} %"
        if need.bound == "at_most":
            return f"at most {need.count:,} ({share})"
        return f"needs {need.count:,} ({share})"
    shown = "ratio" if remaining_unit == "periods" and unit == "ratio" else unit
    if need.bound == "between":
        low = "-" if need.value is None else human(need.value, shown)
        high = "any" if need.high is None else human(need.high, shown)
        return f"needs a mean from {low} to {high}"
    assert need.value is not None
    sign = ">=" if need.bound == "at_least" else "<="
    return f"needs a mean {sign} {human(need.value, shown)}"


def _outlook(evaluation: Evaluation, titles: Mapping[str, str]) -> tuple[OutlookLine, ...]:
    objectives = {o.id: o for o in evaluation.plan.objectives}
    lines = []
    for item in evaluation.outlook:
        objective = objectives[item.objective]
        unit = unit_of(objective)
        needs = {n.level: need_text(n, unit, item.remaining_unit) for n in item.needs}
        projected = "-" if item.projected is None else human(item.projected, unit)
        if item.projected_status is not None and item.projected_status != "met":
            projected += " " + GRID_STATUS.get(item.projected_status, item.projected_status)
        what = " periods" if item.remaining_unit == "periods" else ""
        basis = " (forecast)" if item.basis == "forecast" else ""
        lines.append(OutlookLine(
            titles[item.objective], objective.critical, item.period,
            "-" if item.actual is None else human(item.actual, unit), projected,
            item.projected_status, f"~{item.remaining:,.0f}{what}{basis}",
            needs.get("expected", "-"), needs.get("minimum", "-"),
        ))  # fmt: skip
    return tuple(lines)


def build_report(evaluation: Evaluation) -> Report:
    """Gather what the human formats show: the grids, the evidence of each grid's latest
    period and of earlier misses, the ledger, the account's history, trends and outlook."""
    plan = evaluation.plan
    titles = {o.id: label(o.id, o.title) for o in plan.objectives}
    units = {o.id: unit_of(o) for o in plan.objectives}
    found = grids(evaluation)
    latest = {(row.objective, g.periods[-1]) for g in found for row in g.rows}
    periods: dict[str, list[Verdict]] = {}
    missed: list[Verdict] = []
    for verdict in evaluation.verdicts:
        if (verdict.objective, verdict.period) in latest:
            periods.setdefault(verdict.period, []).append(verdict)
        elif verdict.status in ("missed", "below_minimum", "incomplete"):
            missed.append(verdict)
    # the latest misses when there are too many to list, shown objective by objective
    recent = sorted(range(len(missed)), key=lambda i: (missed[i].period, i))[-SHOWN_MISSES:]
    misses = [
        attrs.evolve(row(v), label=f"{v.period} {row(v).label}")
        for v in (missed[i] for i in sorted(recent))
    ]
    risk = evaluation.risk
    return Report(
        title=plan.title or plan.contract_id,
        contract_id=plan.contract_id,
        path=plan.path,
        timezone=plan.timezone,
        periods=tuple(
            PeriodSection(period, tuple(row(v) for v in verdicts))
            for period, verdicts in periods.items()
        ),
        account=AccountSection(
            status=risk.status,
            period=risk.period,
            rules=tuple(
                RuleLine(r.label, r.line, r.state, ", ".join(r.periods) or "-") for r in risk.rules
            ),
        ),
        sources=tuple(_source(s) for s in evaluation.sources),
        grids=_grids(found),
        misses=tuple(misses),
        more_misses=len(missed) - len(misses),
        ledger=_ledger(evaluation),
        history=_history(evaluation, titles),
        trends=tuple(_trend(f, titles, units) for f in evaluation.trends),
        trend_over=evaluation.trend_over,
        as_of=None if evaluation.as_of is None else evaluation.as_of.isoformat(),
        outlook=_outlook(evaluation, titles),
    )
