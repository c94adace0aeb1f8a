"""Report stage, JSON format: every diagnostic as plain data, for other programs.

The document has a ``version`` (bumped on incompatible changes), the checked
``files``, the ``diagnostics`` with 1-based positions (``null`` where a
diagnostic has no span) and a ``summary`` of the counts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from slalang.diagnostics import Diagnostic
from slalang.lang.outcome import CheckResult
from slalang.render.common import Counts, diagnostic_path, pairs, result_path
from slalang.source import Span

VERSION = 1
"""The version of the document layout."""

_NO_SPAN: dict[str, object] = {
    "line": None,
    "column": None,
    "end_line": None,
    "end_column": None,
}


def render(results: Sequence[CheckResult], *, color: bool = False) -> str:
    """Render the results as one JSON document (``color`` is ignored)."""
    counts = Counts.of(results)
    document = {
        "version": VERSION,
        "files": [result_path(result) for result in results],
        "diagnostics": [_diagnostic(result, d) for result, d in pairs(results)],
        "summary": {"errors": counts.errors, "warnings": counts.warnings, "files": counts.files},
    }
    return json.dumps(document, sort_keys=True, indent=2) + "\n"


def _position(span: Span | None) -> dict[str, object]:
    if span is None:
        return dict(_NO_SPAN)
    return {
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }


def _diagnostic(result: CheckResult, diagnostic: Diagnostic) -> dict[str, object]:
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "path": diagnostic_path(result, diagnostic),
        **_position(diagnostic.span),
        "label": diagnostic.label,
        "help": diagnostic.help,
        "contract_path": list(diagnostic.path),
        "related": [
            {"path": label.span.path, **_position(label.span), "label": label.text}
            for label in diagnostic.related
        ],
    }
