"""Report stage: evaluations rendered as text, one module per output format.

An evaluation (:class:`slalang.judge.results.Evaluation`) is data; this package only
lays it out. Formats: ``table`` (aligned plain text for people, optionally in
colour), ``json`` (:func:`slalang.judge.results.to_json`, schema version 3),
``markdown`` (the table's content for a client report), ``csv`` (one row
per verdict), ``grid-csv`` (the objective x period grids) and ``status`` (the account in
one screen). ``docs/reports.md`` shows an
example of each.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from slalang.judge.results import Evaluation

REPORT_FORMATS: tuple[str, ...] = ("table", "json", "markdown", "csv", "grid-csv", "status")
"""The names accepted by :func:`render_evaluation`, default first."""


class _Renderer(Protocol):
    def __call__(self, evaluation: Evaluation, *, color: bool = False) -> str: ...


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
    if format not in REPORT_FORMATS:
        raise ValueError(f"unknown format {format!r}; expected one of: {', '.join(REPORT_FORMATS)}")
    # Each format's module is loaded when it is asked for: the command line builds its
    # options from REPORT_FORMATS without loading the evaluation stages.
    module = format.replace("-", "_")
    renderer: _Renderer = importlib.import_module(f"slalang.report.{module}").render
    return renderer(evaluation, color=color)


__all__ = ["REPORT_FORMATS", "render_evaluation"]
