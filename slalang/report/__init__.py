"""Report stage: evaluations rendered as text, one module per output format.

An evaluation (:class:`slalang.judge.results.Evaluation`) is data; this package only
lays it out. Formats: ``table`` (aligned plain text for people, optionally in
colour), ``json`` (:func:`slalang.judge.results.to_json`, schema version 1),
``markdown`` (the table's content for a client report) and ``csv`` (one row
per verdict). ``docs/reports.md`` shows an example of each.
"""

from __future__ import annotations

from typing import Protocol

from slalang.judge.results import Evaluation
from slalang.report import csv, json, markdown, table

REPORT_FORMATS: tuple[str, ...] = ("table", "json", "markdown", "csv")
"""The names accepted by :func:`render_evaluation`, default first."""


class _Renderer(Protocol):
    def __call__(self, evaluation: Evaluation, *, color: bool = False) -> str: ...


_RENDERERS: dict[str, _Renderer] = {
    "table": table.render,
    "json": json.render,
    "markdown": markdown.render,
    "csv": csv.render,
}


def render_evaluation(evaluation: Evaluation, *, format: str, color: bool = False) -> str:
    """Render an evaluation in one output format.

    Args:
        evaluation: the verdicts, credits, account status and data report.
        format: one of :data:`REPORT_FORMATS`.
        color: add ANSI colour escapes (only the ``table`` format uses colour).

    Returns:
        The text to print, ending with a newline. The ``table`` format fits the
        terminal width (``COLUMNS``, else the terminal, else 120 columns).

    Raises:
        ValueError: the format is not one of :data:`REPORT_FORMATS`.
    """
    renderer = _RENDERERS.get(format)
    if renderer is None:
        raise ValueError(f"unknown format {format!r}; expected one of: {', '.join(REPORT_FORMATS)}")
    return renderer(evaluation, color=color)


__all__ = ["REPORT_FORMATS", "render_evaluation"]
