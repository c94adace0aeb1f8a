"""Report stage, markdown format: an evaluation as GitHub-flavoured Markdown.

The same content as the ``table`` format (header, one section and pipe table
per period, credits, account status, data report), laid out for pasting into
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
    CreditSummary,
    PeriodSection,
    Report,
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
    if not report.periods:
        blocks.append("No verdicts: no records fell in any period of the contract.")
    for section in report.periods:
        blocks += _period(section)
    blocks += _account(report.account)
    blocks += _data(report.sources)
    return "\n\n".join(blocks) + "\n"


def _header(report: Report) -> list[str]:
    return [
        f"# {escape(report.title)}",
        f"Contract {code(report.contract_id)}, file {code(report.path)}, "
        f"time zone {escape(report.timezone)}.",
    ]


def _period(section: PeriodSection) -> list[str]:
    rows = []
    for row in section.rows:
        cells = [escape(c) for c in row.cells()]
        if row.critical:
            cells[0] += f" \\{CRITICAL_MARK}"
        if row.status == "below_minimum":
            cells[1] = f"**{cells[1]}**"
        rows.append(cells)
    blocks = [f"## {escape(section.period)}", "\n".join(table(COLUMNS, rows, RIGHT_ALIGNED))]
    if any(row.critical for row in section.rows):
        blocks.append(f"\\{CRITICAL_MARK} critical objective (carries service credits)")
    if section.credits is not None:
        blocks += _credits(section.period, section.credits)
    return blocks


def _credits(period: str, credits: CreditSummary) -> list[str]:
    rows = [[escape(c.label), c.amount, escape(c.state)] for c in credits.items]
    cap = f"cap {credits.cap}" + (" (reached)" if credits.at_cap else "")
    if credits.annual:
        cap += f", {credits.annual}"
    headers = ("Credit", f"Amount ({escape(credits.currency)})", "State")
    return [
        f"### Service credits, {escape(period)}",
        "\n".join(table(headers, rows, frozenset({1}))),
        f"Earned {credits.earned}, {cap}, due **{credits.due} {escape(credits.currency)}**.",
    ]


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
