"""Report stage, markdown format: an evaluation as GitHub-flavoured Markdown.

The same content as the ``table`` format (header, the objective x period grids, the
evidence of the latest period and of earlier misses, the credits ledger, the account's
status month by month, outlook, trends, data report), laid out for pasting into
the monthly report to the client. Cell text is escaped so that ``|``, ``*``
and ``_`` in titles or reasons do not break the tables.
"""

from __future__ import annotations

from collections.abc import Sequence

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
    Report,
    Row,
    SourceSection,
    build_report,
)

_SPECIAL = "\\`*[]|"


def escape(text: str) -> str:
    """Escape what Markdown would read as markup; newlines become spaces.

    Backslashes, backticks, ``*``, brackets and pipes are always escaped; ``_``
    only where it could start or end emphasis (not inside a word, so ids stay
    readable); ``<`` only where it could open an HTML tag.
    """
    text = " ".join(text.splitlines())
    out = []
    for index, char in enumerate(text):
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if char in _SPECIAL:
            out.append("\\" + char)
        elif char == "_" and not (before.isalnum() and after.isalnum()):
            out.append("\\_")
        elif char == "<" and after != "" and (after.isalpha() or after in "/!?"):
            out.append("&lt;")
        else:
            out.append(char)
    return "".join(out)


def code(text: str) -> str:
    """An inline code span (outside tables) that survives backticks in the text."""
    if "`" not in text:
        return f"`{text}`"
    return f"`` {text} ``"


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: frozenset[int]
) -> list[str]:
    """A pipe table; cells must already be escaped."""
    align = ["---:" if i in right else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return lines


def render(evaluation: Evaluation, *, color: bool = False) -> str:
    """Render an evaluation as a Markdown document.

    Args:
        evaluation: the evaluation to report.
        color: ignored; Markdown emphasises a status below minimum instead.

    Returns:
        The document, ending with a newline.
    """
    del color
    report = build_report(evaluation)
    blocks = _header(report)
    if not report.grids:
        blocks.append("No verdicts: no records fell in any period of the contract.")
    for grid in report.grids:
        blocks += _grid(grid)
    if report.any_critical:
        blocks.append(f"\\{CRITICAL_MARK} critical objective (carries service credits)")
    for section in report.periods:
        blocks += [f"## Evidence, {escape(section.period)}", _rows(section.rows)]
    if report.misses:
        blocks += ["## Earlier misses", _rows(report.misses)]
        if report.more_misses:
            blocks.append(f"... and {report.more_misses:,} more (every verdict is in the csv "
                          "and json formats).")  # fmt: skip
    if report.ledger is not None:
        blocks += _ledger(report.ledger)
    blocks += _account(report.account) + _history(report.history)
    if report.outlook:
        blocks += _outlook(report.outlook, report.as_of)
    if report.trends:
        blocks.append(f"## Trends over {escape(report.trend_over)}")
        blocks.append("Reported, never a verdict.\n\n" + "\n".join(
            f"- {escape(text)}" for text in report.trends))  # fmt: skip
    blocks += _data(report.sources)
    return "\n\n".join(blocks) + "\n"


def _header(report: Report) -> list[str]:
    lines = [
        f"# {escape(report.title)}",
        f"Contract {code(report.contract_id)}, file {code(report.path)}, "
        f"time zone {escape(report.timezone)}.",
    ]
    if report.as_of is not None:
        lines[-1] += f" As of {escape(report.as_of)} (records after that day set aside)."
    return lines


def _grid(grid: GridSection) -> list[str]:
    rows = []
    for line in grid.lines:
        cells = [escape(line.label) + (f" \\{CRITICAL_MARK}" if line.critical else ""),
                 escape(line.expected), escape(line.minimum)]  # fmt: skip
        for text, status in line.cells:
            cells.append(f"**{escape(text)}**" if status == "below_minimum" else escape(text))
        rows.append(cells)
    headers = ("Objective", "Expected", "Minimum", *(escape(p) for p in grid.periods))
    right = frozenset(range(1, len(headers)))
    blocks = [f"## Objectives by {escape(grid.window)}", "\n".join(table(headers, rows, right))]
    if grid.earlier:
        blocks.append(f"The latest {len(grid.periods)} periods; {grid.earlier:,} earlier ones "
                      "are in the grid-csv and json formats.")  # fmt: skip
    return blocks


def _rows(rows: Sequence[Row]) -> str:
    cells_list = []
    for row in rows:
        cells = [escape(c) for c in row.cells()]
        if row.critical:
            cells[0] += f" \\{CRITICAL_MARK}"
        if row.status == "below_minimum":
            cells[1] = f"**{cells[1]}**"
        cells_list.append(cells)
    return "\n".join(table(COLUMNS, cells_list, RIGHT_ALIGNED))


def _ledger(ledger: Ledger) -> list[str]:
    currency = escape(ledger.currency)
    credits = [
        [escape(c.month), escape(c.label), c.line, escape(c.allocation), c.amount,
         escape(c.earn_back), escape(c.state)]
        for c in ledger.credits
    ]  # fmt: skip
    months = [
        [escape(m.month), m.earned, m.cap + (" (reached)" if m.at_cap else ""), m.capped,
         m.annual_cut, m.waived, f"**{m.due}**"]
        for m in ledger.months
    ]  # fmt: skip
    blocks = [
        f"## Service credits ({currency})",
        "\n".join(table(("Month", "Credit", "Line", "Allocation", "Amount", "Earn-back", "State"),
                        credits, frozenset({2, 3, 4}))),
        "\n".join(table(("Month", "Earned", "Monthly cap", "After cap", "Annual cap cut",
                         "Earned back", "Due"), months, frozenset({1, 2, 3, 4, 5, 6}))),
    ]  # fmt: skip
    if ledger.years:
        blocks.append("\n".join(f"- {escape(year)}." for year in ledger.years))
    return blocks


def _history(history: Sequence[HistoryLine]) -> list[str]:
    if not history:
        return []
    rows = [
        [escape(h.month), escape(ACCOUNT_LABELS.get(h.status, h.status))
         + (" (changed)" if h.changed else ""), escape(h.rules)]
        for h in history
    ]  # fmt: skip
    headers = ("Month", "Status", "Rules fired or on watch")
    return ["### By month", "\n".join(table(headers, rows, frozenset()))]


def _outlook(outlook: Sequence[OutlookLine], as_of: str | None) -> list[str]:
    rows = [
        [escape(o.label) + (f" \\{CRITICAL_MARK}" if o.critical else ""), escape(o.period),
         escape(o.actual), escape(o.projected), escape(o.remaining), escape(o.expected),
         escape(o.minimum)]
        for o in outlook
    ]  # fmt: skip
    headers = ("Objective", "Period", "So far", "Projected", "Still to come", "For expected",
               "For minimum")  # fmt: skip
    return [f"## Outlook as of {escape(as_of or '')}",
            "\n".join(table(headers, rows, frozenset({2, 3})))]  # fmt: skip


def _account(account: AccountSection) -> list[str]:
    status = ACCOUNT_LABELS.get(account.status, account.status)
    head = f"## Account status: {status if account.status == 'ok' else f'**{status}**'}"
    if account.period is not None:
        head += f" (as of {escape(account.period)})"
    if not account.rules:
        return [head, "The contract has no account-at-risk rules."]
    rows = [
        [escape(r.label), str(r.line), escape(RULE_LABELS.get(r.state, r.state)), escape(r.periods)]
        for r in account.rules
    ]
    return [head, "\n".join(table(("Rule", "Line", "State", "Periods"), rows, frozenset({1})))]


def _data(sources: Sequence[SourceSection]) -> list[str]:
    blocks = ["## Data"]
    if not sources:
        blocks.append("No data files were read.")
    for source in sources:
        head = f"### {escape(source.source)}"
        facts = [f"- File: {code(source.path)}"]
        if source.profile:
            facts.append(f"- Profile: {code(source.profile)}")
        facts.append(f"- Rows read: {source.rows_read}, loaded: {source.rows_loaded}")
        if source.excluded:
            facts.append(f"- Excluded: {escape(source.excluded)}")
        if source.malformed:
            facts.append(
                f"- Malformed rows: {source.malformed:,}"
                + (f" ({escape(source.malformed_by_reason)})" if source.malformed_by_reason else "")
            )
        else:
            facts.append("- Malformed rows: none")
        if source.ambiguous:
            facts.append(f"- Ambiguous local times: {escape(source.ambiguous)}")
        blocks += [head, "\n".join(facts)]
        if source.shown:
            shown = [f"  - {code(p)}" for p in source.shown]
            if source.more:
                shown.append(f"  - ... and {source.more:,} more")
            blocks[-1] += "\n" + "\n".join(shown)
    return blocks
