"""Report stage, status format: the account in one screen, for the morning look.

What ``slalang status`` prints: the account's status and what put it there (the rules on
watch or fired, and the months it changed), each open objective's outlook (so far,
projected, what the rest of the period needs), the trends flagged in the last fortnight of
data, and the credits of the current contract year. Everything else (every verdict with its
evidence, the data report) is in the ``table`` and ``json`` formats.
"""

from __future__ import annotations

import datetime as dt

from slalang.engine.periods import span
from slalang.engine.plan import Period
from slalang.judge.consequences import year_totals
from slalang.judge.results import Evaluation
from slalang.report import table
from slalang.report.common import (
    ACCOUNT_LABELS,
    RULE_LABELS,
    build_report,
    money,
)

RECENT_DAYS = 14
"""Trends flagged within this many days of the last one are shown."""


def _recent(evaluation: Evaluation, flags: tuple[str, ...]) -> list[str]:
    over = Period("week" if evaluation.trend_over == "weeks" else "day")
    if not evaluation.trends:
        return []
    ends = [span(f.period, over)[1] for f in evaluation.trends]
    last = max(ends)
    if evaluation.as_of is not None:
        last = dt.datetime.combine(evaluation.as_of + dt.timedelta(days=1), dt.time())
    return [
        text for text, end in zip(flags, ends, strict=True)
        if last - end < dt.timedelta(days=RECENT_DAYS)
    ]  # fmt: skip


def render(evaluation: Evaluation, *, color: bool = False) -> str:
    """Render the one-screen status of an evaluation (its outlook needs an as-of day)."""
    report = build_report(evaluation)
    width = max(table.terminal_width(), table.MIN_WIDTH)
    risk = evaluation.risk
    title = report.title + (f" ({report.contract_id})" if report.title != report.contract_id
                            else "")  # fmt: skip
    lines = [title]
    if report.as_of is not None:
        lines.append(f"As of {report.as_of} (contract time zone {report.timezone})")
    status = ACCOUNT_LABELS.get(risk.status, risk.status)
    lines += ["", f"Account: {status}" + (f" (as of {risk.period})" if risk.period else "")]
    titles = {o.id: o.title or o.id for o in evaluation.plan.objectives}
    for rule in risk.rules:
        if rule.state != "ok":
            behind = ", ".join(titles.get(o, o) for o in rule.objectives)
            text = f"  {rule.label} (line {rule.line}): {RULE_LABELS[rule.state]}, "
            text += ", ".join(rule.periods) + (f" ({behind})" if behind else "")
            lines.append(text)
    changes = [h for h in report.history if h.changed]
    if changes:
        lines.append("  Changed: " + ", ".join(
            f"{h.month} {ACCOUNT_LABELS.get(h.status, h.status)}" for h in changes))  # fmt: skip
    if report.outlook:
        lines += ["", *table.plain(table.outlook_lines(report.outlook, report.as_of, width))]
    elif report.as_of is not None:
        lines += ["", f"Every period has ended by {report.as_of}: nothing left to judge."]
    recent = _recent(evaluation, report.trends)
    lines += ["", *table.plain(table.trend_lines(recent, report.trend_over, width))]
    if not recent:
        lines.append(f"  none in the last {RECENT_DAYS} days")
    years = year_totals(evaluation.credits)
    if years:
        year = years[-1]
        lines += ["", f"Credits, contract year {year.year}: due {money(year.due)} "
                  f"{year.currency}, earned back {money(year.waived)}, pending "
                  f"{money(year.pending)}"]  # fmt: skip
        if year.annual_cap is not None:
            lines[-1] += f", annual cap {money(year.annual_cap)}"
            lines[-1] += " (reached)" if year.at_annual_cap else ""
    text = "\n".join(lines) + "\n"
    del color  # plain text: the screen is read, not scanned for colours
    return text
