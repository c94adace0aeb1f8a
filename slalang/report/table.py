"""Report stage, table format: an evaluation as an aligned plain-text report for people.

A header (contract, time zone), then per period a table with one row per
objective, the period's credits, the account status with its rules, and the
data report. Columns are sized to the text; when the table is wider than the
terminal the objective and excluded columns wrap, and when even that is too
wide each objective is shown as a short block instead. Only the standard
library is used: the width comes from :func:`shutil.get_terminal_size`
(``COLUMNS`` wins, 120 when the output is not a terminal).
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence

import attrs

from slalang.judge.results import Evaluation
from slalang.report.common import (
    ACCOUNT_LABELS,
    COLUMNS,
    CRITICAL_MARK,
    RIGHT_ALIGNED,
    RULE_LABELS,
    AccountSection,
    CreditSummary,
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

_STATUS_STYLE = {
    "met": "32",
    "missed": "33",
    "below_minimum": "1;31",
    "not_measurable": "2",
    "no_data": "2",
}
_ACCOUNT_STYLE = {"ok": "32", "watch": "33", "at_risk": "1;31"}
_RULE_STYLE = {"ok": "32", "watch": "33", "fired": "1;31"}
_CREDIT_STYLE = {"due": "33", "pending": "2", "waived": "32"}
_BOLD = "1"
_DIM = "2"
_INDENT = "  "
_GAP = "  "
_WRAPPABLE = (7, 0)
"""The excluded and objective columns may wrap, excluded first."""
_MAX_FLOOR = 24
"""A wrapping column keeps its longest word (or excluded reason) whole up to this width."""


@attrs.frozen
class _Style:
    color: bool

    def paint(self, text: str, style: str | None) -> str:
        if not self.color or not text or style is None:
            return text
        return f"\x1b[{style}m{text}\x1b[0m"


@attrs.frozen
class Cell:
    """A table cell: its text and an optional ANSI style (applied after padding)."""

    text: str
    style: str | None = None


def terminal_width() -> int:
    """The width to lay the report out in: ``COLUMNS``, the terminal, else 120."""
    return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns


def render(evaluation: Evaluation, *, color: bool = False, width: int | None = None) -> str:
    """Render an evaluation as a plain-text report.

    Args:
        evaluation: the evaluation to report.
        color: colour statuses with ANSI escapes (green met, yellow missed,
            red below minimum, dim when there is no judgement).
        width: the line width to fit; by default :func:`terminal_width`.

    Returns:
        The report, ending with a newline.
    """
    report = build_report(evaluation)
    style = _Style(color)
    fit = max(width if width is not None else terminal_width(), MIN_WIDTH)
    blocks = [_header(report, style)]
    if not report.periods:
        blocks.append("No verdicts: no records fell in any period of the contract.")
    for section in report.periods:
        blocks.append("\n".join(_period(section, style, fit)))
    blocks.append("\n".join(_account(report.account, style, fit)))
    blocks.append("\n".join(_data(report.sources, style, fit)))
    return "\n\n".join(blocks) + "\n"


def _header(report: Report, style: _Style) -> str:
    title = report.title
    if title != report.contract_id:
        title += f" ({report.contract_id})"
    return "\n".join(
        [
            style.paint(title, _BOLD),
            f"Contract file: {report.path}",
            f"Time zone: {report.timezone}",
        ]
    )


def _period(section: PeriodSection, style: _Style, width: int) -> list[str]:
    lines = [style.paint(section.period, _BOLD), "=" * len(section.period)]
    lines += _objectives(section.rows, style, width)
    if section.credits is not None:
        lines.append("")
        lines += _credits(section.credits, style, width)
    return lines


def _cells(row: Row) -> list[Cell]:
    texts = list(row.cells())
    if row.critical:
        texts[0] += f" {CRITICAL_MARK}"
    cells = [Cell(text) for text in texts]
    cells[1] = Cell(texts[1], _STATUS_STYLE.get(row.status))
    return cells


def _objectives(rows: Sequence[Row], style: _Style, width: int) -> list[str]:
    """The period's table, as wide as it needs; narrower layouts when it does not fit."""
    legend = (
        [f"{_INDENT}{CRITICAL_MARK} critical objective (carries service credits)"]
        if any(row.critical for row in rows)
        else []
    )
    cells = [_cells(row) for row in rows]
    table = grid(
        COLUMNS, cells, right=RIGHT_ALIGNED, width=width, style=style, wrap=_WRAPPABLE,
        lists=frozenset({7}),
    )  # fmt: skip
    if table is not None:
        return table + legend
    table = grid(
        COLUMNS[:-1], [c[:-1] for c in cells], right=RIGHT_ALIGNED, width=width, style=style,
        wrap=(0,),
    )  # fmt: skip
    if table is None:
        return _blocks(rows, style, width) + legend
    table += legend
    notes = [(row.label, row.excluded) for row in rows if row.excluded]
    if notes:
        table.append(f"{_INDENT}Excluded:")
        for name, excluded in notes:
            table += textwrap.wrap(
                f"{name}: {excluded}", max(width - 6, 20), initial_indent=_INDENT * 2,
                subsequent_indent=_INDENT * 3,
            )  # fmt: skip
    return table


def _blocks(rows: Sequence[Row], style: _Style, width: int) -> list[str]:
    """The narrow layout: one short block per objective."""
    lines: list[str] = []
    indent = _INDENT * 3
    for row in rows:
        name = row.label + (f" {CRITICAL_MARK}" if row.critical else "")
        _, status, actual, expected, minimum, evidence, volume, excluded = row.cells()
        lines.append(f"{_INDENT}{name}: {style.paint(status, _STATUS_STYLE.get(row.status))}")
        facts = [
            f"actual {actual}, expected {expected}, minimum {minimum}",
            f"evidence {evidence}, volume {volume}",
        ]
        if excluded:
            facts.append(f"excluded {excluded}")
        for fact in facts:
            lines += [indent + piece for piece in _wrap(fact, max(width - len(indent), 20))]
    return lines


def _credits(credits: CreditSummary, style: _Style, width: int) -> list[str]:
    rows = [
        [Cell(c.label), Cell(c.amount), Cell(c.state, _CREDIT_STYLE.get(c.state))]
        for c in credits.items
    ]
    table = grid(
        ("Credit", f"Amount ({credits.currency})", "State"),
        rows,
        right=frozenset({1}),
        width=width,
        style=style,
        wrap=(0,),
    )
    lines = [f"{_INDENT}Service credits"]
    if table is not None:
        lines += table
    else:
        lines += [
            f"{_INDENT}{c.label}: {c.amount} {credits.currency}, {c.state}" for c in credits.items
        ]
    cap = f"cap {credits.cap}" + (" (reached)" if credits.at_cap else "")
    lines.append(
        f"{_INDENT}Earned {credits.earned}, {cap}, due {style.paint(credits.due, _BOLD)} "
        f"{credits.currency}"
    )
    return lines


def _account(account: AccountSection, style: _Style, width: int) -> list[str]:
    status = ACCOUNT_LABELS.get(account.status, account.status)
    head = "Account status: " + style.paint(status, _ACCOUNT_STYLE.get(account.status))
    if account.period is not None:
        head += f" (as of {account.period})"
    lines = [head]
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
        style=style,
        wrap=(0, 3),
    )
    if table is not None:
        lines += table
    else:
        lines += [f"{_INDENT}{r.label}: {r.state} ({r.periods})" for r in account.rules]
    return lines


def _data(sources: Sequence[SourceSection], style: _Style, width: int) -> list[str]:
    lines = [style.paint("Data", _BOLD)]
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
        for fact in facts:
            lines += textwrap.wrap(fact, wrap, initial_indent="    ", subsequent_indent="      ")
        lines += [f"      {style.paint(p, _DIM)}" for p in source.shown]
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
    style: _Style,
    wrap: Sequence[int],
    lists: frozenset[int] = frozenset(),
) -> list[str] | None:
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
    lines = [_line([Cell(h) for h in headers], widths, right, style)]
    lines.append(_line([Cell("-" * w) for w in widths], widths, right, style))
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
            lines.append(_line(line_cells, widths, right, style))
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


def _line(
    cells: Sequence[Cell], widths: Sequence[int], right: frozenset[int], style: _Style
) -> str:
    parts = []
    for index, cell in enumerate(cells):
        pad = " " * max(widths[index] - display_width(cell.text), 0)
        text = style.paint(cell.text, cell.style)
        parts.append(pad + text if index in right else text + pad)
    return (_INDENT + _GAP.join(parts)).rstrip()
