"""Report stage, full format: rustc-style diagnostics with source snippets and carets.

Each diagnostic shows a header, its location, the source line under a numbered
gutter with ``^`` under the primary span and ``-`` under related spans, then
its help line. Tabs are expanded so that the underline stays aligned.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import attrs

from slalang.diagnostics import Diagnostic, Severity
from slalang.lang.outcome import CheckResult
from slalang.render.common import Counts, diagnostic_path, pairs, summary_line
from slalang.source import Source, Span

TAB_WIDTH = 4
"""Tab stops used when a source line is shown."""

_SEVERITY_STYLE = {Severity.ERROR: "1;31", Severity.WARNING: "1;33", Severity.NOTE: "1;36"}
_GUTTER_STYLE = "1;34"
_BOLD = "1"


@attrs.frozen
class _Style:
    color: bool

    def paint(self, text: str, style: str) -> str:
        if not self.color or not text:
            return text
        return f"\x1b[{style}m{text}\x1b[0m"


def render(results: Sequence[CheckResult], *, color: bool = False) -> str:
    """Render every diagnostic in full, a blank line apart, then the summary line.

    Args:
        results: the checked sources, in the order to report them.
        color: add ANSI colour escapes.
    """
    style = _Style(color)
    blocks = ["\n".join(_diagnostic(result, d, style)) for result, d in pairs(results)]
    blocks.append(style.paint(summary_line(Counts.of(results)), _BOLD))
    return "\n\n".join(blocks) + "\n"


def _diagnostic(result: CheckResult, diagnostic: Diagnostic, style: _Style) -> list[str]:
    spans = [diagnostic.span] if diagnostic.span is not None else []
    spans += [label.span for label in diagnostic.related]
    width = len(str(max((s.line for s in spans), default=1)))
    pad = " " * (width + 1)
    bar = style.paint(pad + " |", _GUTTER_STYLE)

    severity = diagnostic.severity
    head = style.paint(f"{severity.value}[{diagnostic.code}]", _SEVERITY_STYLE[severity])
    lines = [head + style.paint(f": {diagnostic.message}", _BOLD)]
    arrow = style.paint(pad + "-->", _GUTTER_STYLE)
    if diagnostic.span is not None:
        lines.append(f"{arrow} {_where(diagnostic.span)}")
        lines += _snippet(
            result.source, diagnostic.span, "^", diagnostic.label, severity, width, style
        )
    else:
        path = diagnostic_path(result, diagnostic)
        if path is not None:
            lines.append(f"{arrow} {path}")
        if diagnostic.label:
            lines.append(f"{pad} = {diagnostic.label}")
    for label in diagnostic.related:
        lines.append(bar)
        lines.append(style.paint(pad + ":::", _GUTTER_STYLE) + f" {_where(label.span)}")
        lines += _snippet(result.source, label.span, "-", label.text, None, width, style)
    if diagnostic.help:
        if diagnostic.span is not None or diagnostic.related:
            lines.append(bar)
        lines.append(pad + " " + style.paint("= help", _BOLD) + f": {diagnostic.help}")
    return lines


def _columns(text: str) -> int:
    """Return how many terminal columns ``text`` takes once tabs are expanded."""
    expanded = text.expandtabs(TAB_WIDTH)
    return sum(_char_width(char) for char in expanded)


def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _where(span: Span) -> str:
    return f"{span.path}:{span.line}:{span.column}"


def _snippet(
    source: Source | None,
    span: Span,
    marker: str,
    label: str,
    severity: Severity | None,
    width: int,
    style: _Style,
) -> list[str]:
    pad = " " * (width + 1)
    if source is None or source.path != span.path:
        return [f"{pad} = {label}"] if label else []
    raw = source.line_text(span.line)
    text = raw.expandtabs(TAB_WIDTH)
    start = _columns(raw[: span.column - 1])
    end = span.end_column - 1 if span.end_line == span.line else len(raw)
    stop = _columns(raw[:end])
    underline = marker * max(1, stop - start)
    if label:
        underline += f" {label}"
    mark_style = _SEVERITY_STYLE[severity] if severity is not None else _GUTTER_STYLE
    number = style.paint(f" {span.line:>{width}} |", _GUTTER_STYLE)
    bar = style.paint(pad + " |", _GUTTER_STYLE)
    shown = text.rstrip()
    return [
        bar,
        f"{number} {shown}" if shown else number,
        f"{bar} {' ' * start}{style.paint(underline, mark_style)}",
    ]
