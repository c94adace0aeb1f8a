"""Report stage, GitHub format: workflow commands that annotate a pull request.

One ``::error``, ``::warning`` or ``::notice`` command per diagnostic, with the
values escaped the way GitHub's own toolkit escapes them.
"""

from __future__ import annotations

from collections.abc import Sequence

from slalang.diagnostics import Diagnostic, Severity
from slalang.lang.outcome import CheckResult
from slalang.render.common import diagnostic_path, pairs

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(text: str) -> str:
    """Escape the message part of a workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a ``key=value`` property of a workflow command."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(results: Sequence[CheckResult], *, color: bool = False) -> str:
    """Render one workflow command per diagnostic (``color`` is ignored).

    Returns an empty string when there is nothing to report.
    """
    lines = [_command(result, d) for result, d in pairs(results)]
    return "".join(line + "\n" for line in lines)


def _command(result: CheckResult, diagnostic: Diagnostic) -> str:
    properties: list[tuple[str, object]] = []
    path = diagnostic_path(result, diagnostic)
    if path is not None:
        properties.append(("file", path))
    span = diagnostic.span
    if span is not None:
        properties += [
            ("line", span.line),
            ("col", span.column),
            ("endLine", span.end_line),
            ("endColumn", span.end_column),
        ]
    properties.append(("title", diagnostic.code))
    joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    message = diagnostic.message
    if diagnostic.help:
        message += f"\nhelp: {diagnostic.help}"
    return f"::{_COMMAND[diagnostic.severity]} {joined}::{escape_data(message)}"
