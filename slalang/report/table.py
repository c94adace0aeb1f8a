"""Report stage, table format: an evaluation as an aligned plain-text report for people.

A header (contract, time zone), then per period a table with one row per
objective, the period's credits, the account status with its rules, and the
data report. Columns are sized to the text; when the table is wider than the
terminal the objective and excluded columns wrap, and when even that is too
wide each objective is shown as a short block instead. The width comes from
:func:`shutil.get_terminal_size` (``COLUMNS`` wins, 120 when the output is not a
terminal).

The layout is built once, as plain text that remembers which stretches carry a
style (:class:`Styled`). Without colour that text is the report; with colour it
is handed to `rich <https://rich.readthedocs.io>`_ as a styled ``Text`` and
printed through a terminal ``Console``, so the visible text is the same either
way. rich is imported only then: plain reports (and ``slalang check``) never
load it.
"""

from __future__ import annotations

import io
import shutil
import textwrap
from collections.abc import Iterable, Sequence
from typing import Final

import attrs

from slalang.judge.results import Evaluation
from slalang.report.common import (
    ACCOUNT_LABELS,
    COLUMNS,
    CRITICAL_MARK,
    RIGHT_ALIGNED,
    RULE_LABELS,
    AccountSection,
    GridSection,
    HistoryLine,
    Ledger,
    OutlookLine,
    PeriodSection,
    Report,
    Row,
    SourceSection,
    build_report,
    display_width,
)

DEFAULT_WIDTH = 120
"""The width used when the output is not a terminal and ``COLUMNS`` is not set."""

MIN_WIDTH = 40
"""Narrower widths are treated as this."""

# rich style definitions (https://rich.readthedocs.io/en/stable/style.html)
_STATUS_STYLE = {
    "met": "green",
    "missed": "yellow",
    "below_minimum": "bold red",
    "not_measurable": "dim",
    "no_data": "dim",
    "incomplete": "bold yellow",
}
_ACCOUNT_STYLE = {"ok": "green", "watch": "yellow", "at_risk": "bold red"}
_RULE_STYLE = {"ok": "green", "watch": "yellow", "fired": "bold red"}
_CREDIT_STYLE = {"due": "yellow", "pending": "dim", "waived": "green"}
_BOLD = "bold"
_DIM = "dim"
_COLOR_SYSTEM: Final = "standard"
"""The 16 ANSI colours: every style above is one of them, and every terminal has them."""
_INDENT = "  "
_GAP = "  "
_WRAPPABLE = (7, 0)
"""The excluded and objective columns may wrap, excluded first."""
_MAX_FLOOR = 24
"""A wrapping column keeps its longest word (or excluded reason) whole up to this width."""


@attrs.frozen
class Styled:
    """Text with the stretches that carry a style, as ``(start, end, rich style)`` spans.

    It joins with ``+`` like a string (on either side of a ``str``); :attr:`text`
    is what a plain report shows.
    """

    text: str = ""
    spans: tuple[tuple[int, int, str], ...] = ()

    def __add__(self, other: Styled | str) -> Styled:
        if isinstance(other, str):
            return Styled(self.text + other, self.spans)
        shift = len(self.text)
        moved = tuple((start + shift, end + shift, style) for start, end, style in other.spans)
        return Styled(self.text + other.text, self.spans + moved)

    def __radd__(self, other: str) -> Styled:
        shift = len(other)
        moved = tuple((start + shift, end + shift, style) for start, end, style in self.spans)
        return Styled(other + self.text, moved)

    def rstrip(self) -> Styled:
        """Without trailing whitespace (spans cut to fit)."""
        text = self.text.rstrip()
        end = len(text)
        return Styled(text, tuple((a, min(b, end), s) for a, b, s in self.spans if a < end))


_Line = Styled | str


def paint(text: str, style: str | None) -> Styled:
    """``text`` carrying ``style`` (a rich style definition such as ``"bold red"``)."""
    if not text or style is None:
        return Styled(text)
    return Styled(text, ((0, len(text), style),))


def _join(separator: str, parts: Iterable[_Line]) -> Styled:
    joined = Styled()
    for number, part in enumerate(parts):
        joined = (joined + separator if number else joined) + part
    return joined


@attrs.frozen
class Cell:
    """A table cell: its text and an optional rich style (applied after padding)."""

    text: str
    style: str | None = None


def terminal_width() -> int:
    """The width to lay the report out in: ``COLUMNS``, the terminal, else 120."""
    return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns


def render(evaluation: Evaluation, *, color: bool = False, width: int | None = None) -> str:
    """Render an evaluation as a plain-text report.

    Args:
        evaluation: the evaluation to report.
        color: colour statuses with ANSI escapes, through rich (green met,
            yellow missed, bold red below minimum, dim when there is no judgement).
        width: the line width to fit; by default :func:`terminal_width`.

    Returns:
        The report, ending with a newline. Without its escapes, the coloured
        report is the plain one.
    """
    report = build_report(evaluation)
    fit = max(width if width is not None else terminal_width(), MIN_WIDTH)
    blocks: list[_Line] = [_header(report)]
    if not report.grids:
        blocks.append("No verdicts: no records fell in any period of the contract.")
    for section in report.grids:
        blocks.append(_join("\n", _grid(section, fit, report.any_critical)))
    for period in report.periods:
        blocks.append(_join("\n", _period(period, fit)))
    if report.misses:
        lines: list[_Line] = [paint("Earlier misses", _BOLD)]
        lines += _objectives(report.misses, fit)
        if report.more_misses:
            lines.append(f"{_INDENT}... and {report.more_misses:,} more (every verdict is in "
                         "the csv and json formats)")  # fmt: skip
        blocks.append(_join("\n", lines))
    if report.ledger is not None:
        blocks.append(_join("\n", _ledger(report.ledger, fit)))
    blocks.append(_join("\n", _account(report.account, fit) + _history(report.history, fit)))
    if report.outlook:
        blocks.append(_join("\n", outlook_lines(report.outlook, report.as_of, fit)))
    if report.trends:
        blocks.append(_join("\n", trend_lines(report.trends, report.trend_over, fit)))
    blocks.append(_join("\n", _data(report.sources, fit)))
    text = _join("\n\n", blocks) + "\n"
    return _ansi(text, fit) if color else text.text


def plain(lines: Sequence[_Line]) -> list[str]:
    """Lines without their styles."""
    return [line if isinstance(line, str) else line.text for line in lines]


def _ansi(text: Styled, width: int) -> str:
    """The styled text with ANSI escapes, as rich prints it on a terminal ``width`` wide."""
    # rich is loaded only here: it costs start-up, and only coloured reports need it
    from rich.console import Console
    from rich.text import Span, Text

    out = io.StringIO()
    console = Console(
        file=out,
        force_terminal=True,
        force_jupyter=False,
        force_interactive=False,
        color_system=_COLOR_SYSTEM,
        no_color=False,  # the caller asked for colour: NO_COLOR was weighed before
        width=width,
        soft_wrap=True,  # the lines are laid out already: never wrap nor crop them
        markup=False,
        emoji=False,
        highlight=False,
        legacy_windows=False,
    )
    spans = [Span(start, end, style) for start, end, style in text.spans]
    console.print(Text(text.text, spans=spans), end="")
    return out.getvalue()


def _header(report: Report) -> Styled:
    title = report.title
    if title != report.contract_id:
        title += f" ({report.contract_id})"
    lines: list[_Line] = [
        paint(title, _BOLD),
        f"Contract file: {report.path}",
        f"Time zone: {report.timezone}",
    ]
    if report.as_of is not None:
        lines.append(f"As of: {report.as_of} (records after that day set aside)")
    return _join("\n", lines)


def _grid(section: GridSection, width: int, legend: bool) -> list[_Line]:
    """Objectives against periods; as many period columns per table as fit the width."""
    head = ("Objective", "Expected", "Minimum")
    rows = [
        [Cell(line.label + (f" {CRITICAL_MARK}" if line.critical else "")),
         Cell(line.expected), Cell(line.minimum)]
        for line in section.lines
    ]  # fmt: skip
    lines: list[_Line] = [paint(f"Objectives by {section.window}", _BOLD)]
    start = 0
    count = len(section.periods)
    while start < count:
        best: list[_Line] | None = None
        end = start + 1
        while end <= count:
            table = grid(
                (*head, *section.periods[start:end]),
                [row + [Cell(text, _STATUS_STYLE.get(status)) for text, status
                        in line.cells[start:end]]
                 for row, line in zip(rows, section.lines, strict=True)],
                right=frozenset(range(1, 3 + end - start)), width=width, wrap=(0,),
            )  # fmt: skip
            if table is None:
                break
            best, end = table, end + 1
        if best is None:  # not even one period fits: one line per objective and period
            for line in section.lines:
                text, status = line.cells[start]
                lines.append(f"{_INDENT}{section.periods[start]} {line.label}: "
                             + paint(text, _STATUS_STYLE.get(status)))  # fmt: skip
            start += 1
            continue
        if start:
            lines.append("")
        lines += best
        start = end - 1
    if section.earlier:
        lines.append(f"{_INDENT}The latest {len(section.periods)} periods; {section.earlier:,} "
                     "earlier ones are in the grid-csv and json formats")  # fmt: skip
    if legend:
        lines.append(f"{_INDENT}{CRITICAL_MARK} critical objective (carries service credits)")
    return lines


def _period(section: PeriodSection, width: int) -> list[_Line]:
    title = f"Evidence, {section.period}"
    lines: list[_Line] = [paint(title, _BOLD)]
    lines += _objectives(section.rows, width, legend=False)
    return lines


def _cells(row: Row) -> list[Cell]:
    texts = list(row.cells())
    if row.critical:
        texts[0] += f" {CRITICAL_MARK}"
    cells = [Cell(text) for text in texts]
    cells[1] = Cell(texts[1], _STATUS_STYLE.get(row.status))
    return cells


def _objectives(rows: Sequence[Row], width: int, *, legend: bool = False) -> list[_Line]:
    """A table of verdicts with their evidence, as wide as it needs; narrower layouts when it
    does not fit."""
    notes: list[_Line] = (
        [f"{_INDENT}{CRITICAL_MARK} critical objective (carries service credits)"]
        if legend and any(row.critical for row in rows)
        else []
    )
    cells = [_cells(row) for row in rows]
    table = grid(
        COLUMNS, cells, right=RIGHT_ALIGNED, width=width, wrap=_WRAPPABLE,
        lists=frozenset({7}),
    )  # fmt: skip
    if table is not None:
        return table + notes
    table = grid(
        COLUMNS[:-1], [c[:-1] for c in cells], right=RIGHT_ALIGNED, width=width, wrap=(0,),
    )  # fmt: skip
    if table is None:
        return _blocks(rows, width) + notes
    table += notes
    excluded_notes = [(row.label, row.excluded) for row in rows if row.excluded]
    if excluded_notes:
        table.append(f"{_INDENT}Excluded:")
        for name, excluded in excluded_notes:
            table += textwrap.wrap(
                f"{name}: {excluded}", max(width - 6, 20), initial_indent=_INDENT * 2,
                subsequent_indent=_INDENT * 3,
            )  # fmt: skip
    return table


def _blocks(rows: Sequence[Row], width: int) -> list[_Line]:
    """The narrow layout: one short block per objective."""
    lines: list[_Line] = []
    indent = _INDENT * 3
    for row in rows:
        name = row.label + (f" {CRITICAL_MARK}" if row.critical else "")
        _, status, actual, expected, minimum, evidence, volume, excluded = row.cells()
        lines.append(f"{_INDENT}{name}: " + paint(status, _STATUS_STYLE.get(row.status)))
        facts = [
            f"actual {actual}, expected {expected}, minimum {minimum}",
            f"evidence {evidence}, volume {volume}",
        ]
        if excluded:
            facts.append(f"excluded {excluded}")
        for fact in facts:
            lines += [indent + piece for piece in _wrap(fact, max(width - len(indent), 20))]
    return lines


def _ledger(ledger: Ledger, width: int) -> list[_Line]:
    lines: list[_Line] = [paint(f"Service credits ({ledger.currency})", _BOLD)]
    rows = [
        [Cell(c.month), Cell(c.label), Cell(c.line), Cell(c.allocation), Cell(c.amount),
         Cell(c.earn_back), Cell(c.state, _CREDIT_STYLE.get(c.state))]
        for c in ledger.credits
    ]  # fmt: skip
    table = grid(
        ("Month", "Credit", "Line", "Allocation", "Amount", "Earn-back", "State"),
        rows, right=frozenset({2, 3, 4}), width=width, wrap=(1,),
    )  # fmt: skip
    lines += table if table is not None else [
        f"{_INDENT}{c.month} {c.label}: {c.amount}, earn-back {c.earn_back}, {c.state}"
        for c in ledger.credits
    ]  # fmt: skip
    months = [
        [Cell(m.month), Cell(m.earned), Cell(m.cap + (" reached" if m.at_cap else "")),
         Cell(m.capped), Cell(m.annual_cut), Cell(m.waived), Cell(m.due, _BOLD)]
        for m in ledger.months
    ]  # fmt: skip
    table = grid(
        ("Month", "Earned", "Monthly cap", "After cap", "Annual cap cut", "Earned back", "Due"),
        months, right=frozenset({1, 2, 3, 4, 5, 6}), width=width, wrap=(),
    )  # fmt: skip
    lines.append("")
    lines += table if table is not None else [
        f"{_INDENT}{m.month}: earned {m.earned}, due {m.due}" for m in ledger.months
    ]  # fmt: skip
    for year in ledger.years:
        lines += textwrap.wrap(year, max(width - 2, 20), initial_indent=_INDENT,
                               subsequent_indent=_INDENT * 2)  # fmt: skip
    return lines


def _history(history: Sequence[HistoryLine], width: int) -> list[_Line]:
    if not history:
        return []
    rows = [
        [Cell(h.month), Cell(ACCOUNT_LABELS.get(h.status, h.status) + (" *" if h.changed else ""),
                             _ACCOUNT_STYLE.get(h.status)), Cell(h.rules)]
        for h in history
    ]  # fmt: skip
    table = grid(("Month", "Status", "Rules fired or on watch"), rows, right=frozenset(),
                 width=width, wrap=(2,))  # fmt: skip
    lines: list[_Line] = ["", f"{_INDENT}By month (* status changed that month)"]
    lines += table if table is not None else [
        f"{_INDENT}{h.month}: {ACCOUNT_LABELS.get(h.status, h.status)}" for h in history
    ]  # fmt: skip
    return lines


def outlook_lines(outlook: Sequence[OutlookLine], as_of: str | None, width: int) -> list[_Line]:
    lines: list[_Line] = [paint(f"Outlook as of {as_of}: the rest of each open period", _BOLD)]
    rows = [
        [Cell(o.label + (f" {CRITICAL_MARK}" if o.critical else "")), Cell(o.period),
         Cell(o.actual), Cell(o.projected, _STATUS_STYLE.get(o.projected_status or "")),
         Cell(o.remaining), Cell(o.expected), Cell(o.minimum)]
        for o in outlook
    ]  # fmt: skip
    table = grid(
        ("Objective", "Period", "So far", "Projected", "Still to come", "For expected",
         "For minimum"),
        rows, right=frozenset({2, 3, 4}), width=width, wrap=(5, 6, 0),
    )  # fmt: skip
    note = (
        f"{_INDENT}Still to come: the denominators (or sub-periods) expected in the rest of "
        "the period, from the mean of the same weekdays in the last four weeks, or the forecast"
    )
    if table is not None:
        return lines + table + textwrap.wrap(note, max(width - 2, 20),
                                             subsequent_indent=_INDENT * 2)  # fmt: skip
    for o in outlook:
        facts = f"{o.label} ({o.period}): so far {o.actual}, projected {o.projected}; " \
                f"{o.remaining}; expected: {o.expected}; minimum: {o.minimum}"  # fmt: skip
        lines += textwrap.wrap(facts, max(width - 2, 20), initial_indent=_INDENT,
                               subsequent_indent=_INDENT * 2)  # fmt: skip
    return lines


def trend_lines(trends: Sequence[str], over: str, width: int) -> list[_Line]:
    lines: list[_Line] = [paint(f"Trends over {over} (reported, never a verdict)", _BOLD)]
    for text in trends:
        lines += textwrap.wrap(text, max(width - 2, 20), initial_indent=_INDENT,
                               subsequent_indent=_INDENT * 2, break_on_hyphens=False)  # fmt: skip
    return lines


def _account(account: AccountSection, width: int) -> list[_Line]:
    status = ACCOUNT_LABELS.get(account.status, account.status)
    head = "Account status: " + paint(status, _ACCOUNT_STYLE.get(account.status))
    if account.period is not None:
        head += f" (as of {account.period})"
    lines: list[_Line] = [head]
    if not account.rules:
        lines.append(f"{_INDENT}The contract has no account-at-risk rules.")
        return lines
    rows = [
        [
            Cell(r.label),
            Cell(str(r.line)),
            Cell(RULE_LABELS.get(r.state, r.state), _RULE_STYLE.get(r.state)),
            Cell(r.periods),
        ]
        for r in account.rules
    ]
    table = grid(
        ("Rule", "Line", "State", "Periods"),
        rows,
        right=frozenset({1}),
        width=width,
        wrap=(0, 3),
    )
    if table is not None:
        lines += table
    else:
        lines += [f"{_INDENT}{r.label}: {r.state} ({r.periods})" for r in account.rules]
    return lines


def _data(sources: Sequence[SourceSection], width: int) -> list[_Line]:
    lines: list[_Line] = [paint("Data", _BOLD)]
    if not sources:
        lines.append(f"{_INDENT}No data files were read.")
    wrap = max(width - 4, 20)
    for source in sources:
        head = f"{source.source}: {source.path}"
        if source.profile:
            head += f" (profile {source.profile})"
        lines += textwrap.wrap(head, max(width - 2, 20), initial_indent=_INDENT,
                               subsequent_indent=_INDENT * 3, break_on_hyphens=False)  # fmt: skip
        facts = [f"rows read {source.rows_read}, loaded {source.rows_loaded}"]
        if source.excluded:
            facts.append(f"excluded: {source.excluded}")
        if source.malformed:
            plural = "row" if source.malformed == 1 else "rows"
            facts.append(
                f"malformed {plural}: {source.malformed:,}"
                + (f" ({source.malformed_by_reason})" if source.malformed_by_reason else "")
            )
        else:
            facts.append("malformed rows: none")
        if source.ambiguous:
            facts.append(f"ambiguous local times: {source.ambiguous}")
        for fact in facts:
            lines += textwrap.wrap(fact, wrap, initial_indent="    ", subsequent_indent="      ")
        lines += ["      " + paint(p, _DIM) for p in source.shown]
        if source.more:
            lines.append(f"      ... and {source.more:,} more")
    return lines


# ---------------------------------------------------------------------------
# the grid
# ---------------------------------------------------------------------------


def grid(
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    right: frozenset[int],
    width: int,
    wrap: Sequence[int],
    lists: frozenset[int] = frozenset(),
) -> list[_Line] | None:
    """Lay rows out under headers in aligned columns, fitting ``width`` if possible.

    The ``wrap`` columns are narrowed in turn (their text wraps onto more lines)
    until the table fits, but not below their longest word, or their longest
    item for the ``lists`` columns (comma-separated items), up to 24 columns.
    Returns ``None`` when the table cannot fit even then.
    """
    count = len(headers)
    widths = [display_width(h) for h in headers]
    for cells in rows:
        for index, cell in enumerate(cells):
            widths[index] = max(widths[index], display_width(cell.text))
    total = len(_INDENT) + sum(widths) + len(_GAP) * (count - 1)
    for index in wrap:
        if total <= width:
            break
        units = [
            u
            for cells in rows
            for u in (
                cells[index].text.split(", ") if index in lists else cells[index].text.split()
            )
        ]
        longest = max((display_width(u) for u in units), default=0)
        floor = max(display_width(headers[index]), min(longest, _MAX_FLOOR))
        if widths[index] <= floor:
            continue
        new = max(widths[index] - (total - width), floor)
        total -= widths[index] - new
        widths[index] = new
    if total > width:
        return None
    lines: list[_Line] = [_line([Cell(h) for h in headers], widths, right)]
    lines.append(_line([Cell("-" * w) for w in widths], widths, right))
    for cells in rows:
        pieces = [
            _wrap(cell.text, widths[index]) if index in wrap else [cell.text]
            for index, cell in enumerate(cells)
        ]
        for depth in range(max(len(p) for p in pieces)):
            line_cells = [
                Cell(p[depth] if depth < len(p) else "", cells[i].style)
                for i, p in enumerate(pieces)
            ]
            lines.append(_line(line_cells, widths, right))
    return lines


def _wrap(text: str, width: int) -> list[str]:
    """Wrap a cell, keeping ``reason count`` items of a list together where they fit."""
    if display_width(text) <= width:
        return [text]
    if ", " not in text:
        return textwrap.wrap(text, width, break_on_hyphens=False) or [""]
    lines: list[str] = []
    items = text.split(", ")
    for number, item in enumerate(items):
        piece = item + ("," if number < len(items) - 1 else "")
        if lines and display_width(lines[-1]) + 1 + display_width(piece) <= width:
            lines[-1] += " " + piece
        else:
            lines += textwrap.wrap(piece, width, break_on_hyphens=False)
    return lines


def _line(cells: Sequence[Cell], widths: Sequence[int], right: frozenset[int]) -> Styled:
    parts = []
    for index, cell in enumerate(cells):
        pad = " " * max(widths[index] - display_width(cell.text), 0)
        text = paint(cell.text, cell.style)
        parts.append(pad + text if index in right else text + pad)
    return (_INDENT + _join(_GAP, parts)).rstrip()
