"""Report stage, concise format: one ``path:line:col: CODE [severity] message`` line each."""

from __future__ import annotations

from collections.abc import Sequence

from slalang.lang.outcome import CheckResult
from slalang.render.common import Counts, diagnostic_path, pairs, summary_line


def render(results: Sequence[CheckResult], *, color: bool = False) -> str:
    """Render one line per diagnostic, then the summary line (``color`` is ignored)."""
    lines = []
    for result, diagnostic in pairs(results):
        text = f"{diagnostic.code} [{diagnostic.severity.value}] {diagnostic.message}"
        span = diagnostic.span
        path = diagnostic_path(result, diagnostic)
        if span is not None:
            text = f"{span.path}:{span.line}:{span.column}: {text}"
        elif path is not None:
            text = f"{path}: {text}"
        lines.append(text)
    lines.append(summary_line(Counts.of(results)))
    return "\n".join(lines) + "\n"
