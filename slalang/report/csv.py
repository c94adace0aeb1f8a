"""Report stage, csv format: one row per verdict, for spreadsheets and scripts.

Numbers are written as Python writes floats (ratios as fractions 0-1,
durations in seconds), empty cells mean "none". The excluded counts go in one
cell as ``reason=count;reason=count``; ``%``, ``;`` and ``=`` inside a reason
are written ``%25``, ``%3B`` and ``%3D``. Rows end with ``\\n``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from slalang.engine.plan import Target
from slalang.judge.results import Evaluation
from slalang.judge.verdicts import Verdict

HEADER = (
    "period", "objective", "title", "critical", "status", "actual", "unit",
    "expected_op", "expected_value", "expected_high",
    "minimum_op", "minimum_value", "minimum_high",
    "numerator", "denominator", "volume", "judged_periods", "meeting_periods",
    "excluded", "line", "noted", "malformed",
)  # fmt: skip
"""The columns, in order."""


def number(value: float | None) -> str:
    """A number as Python writes a float; empty for none."""
    return "" if value is None else repr(float(value))


def _integer(value: int | None) -> str:
    return "" if value is None else str(value)


def _target(target: Target | None) -> list[str]:
    if target is None:
        return ["", "", ""]
    high = number(float(target.high)) if target.high is not None else ""
    return [target.op, number(float(target.value)), high]


def _reason(reason: str) -> str:
    return reason.replace("%", "%25").replace(";", "%3B").replace("=", "%3D")


def excluded_cell(excluded: Mapping[str, int]) -> str:
    """Excluded counts as ``reason=count;reason=count``."""
    return ";".join(f"{_reason(reason)}={count}" for reason, count in excluded.items())


def row(verdict: Verdict) -> list[str]:
    """One verdict as the cells of :data:`HEADER`."""
    return [
        verdict.period,
        verdict.objective,
        verdict.title or "",
        "true" if verdict.critical else "false",
        verdict.status,
        number(verdict.actual),
        verdict.unit,
        *_target(verdict.expected),
        *_target(verdict.minimum),
        number(verdict.numerator),
        number(verdict.denominator),
        str(verdict.volume),
        _integer(verdict.judged),
        _integer(verdict.meeting),
        excluded_cell(verdict.excluded),
        str(verdict.line),
        excluded_cell(verdict.noted),
        str(verdict.malformed),
    ]


def render(evaluation: Evaluation, *, color: bool = False) -> str:
    """Render the verdicts of an evaluation as CSV with a header row.

    Args:
        evaluation: the evaluation to report.
        color: ignored.

    Returns:
        The CSV text: the header, then one row per verdict in evaluation order.
    """
    del color
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(row(v) for v in evaluation.verdicts)
    return out.getvalue()
