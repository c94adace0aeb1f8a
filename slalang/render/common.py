"""Report stage, shared helpers: locations, counts and the summary line.

Every renderer walks the same ``(result, diagnostic)`` pairs and, for a
diagnostic without a span, falls back to the path of the result's source.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import attrs

from slalang.diagnostics import Diagnostic, Severity
from slalang.lang.outcome import CheckResult


def pairs(results: Sequence[CheckResult]) -> Iterator[tuple[CheckResult, Diagnostic]]:
    """Yield every diagnostic together with the result it belongs to, in order."""
    for result in results:
        for diagnostic in result.diagnostics:
            yield result, diagnostic


def diagnostic_path(result: CheckResult, diagnostic: Diagnostic) -> str | None:
    """Return the file a diagnostic is about, or ``None`` when nothing names one."""
    if diagnostic.span is not None:
        return diagnostic.span.path
    if result.source is not None:
        return result.source.path
    return None


def result_path(result: CheckResult) -> str | None:
    """Return the file a result is about: its source, else the first span seen."""
    if result.source is not None:
        return result.source.path
    for diagnostic in result.diagnostics:
        if diagnostic.span is not None:
            return diagnostic.span.path
    return None


@attrs.frozen
class Counts:
    """How many diagnostics of each severity, over how many files."""

    errors: int
    warnings: int
    notes: int
    files: int

    @classmethod
    def of(cls, results: Sequence[CheckResult]) -> Counts:
        """Count the diagnostics of some results."""
        severities = [d.severity for _, d in pairs(results)]
        return cls(
            errors=severities.count(Severity.ERROR),
            warnings=severities.count(Severity.WARNING),
            notes=severities.count(Severity.NOTE),
            files=len(results),
        )


def plural(count: int, word: str) -> str:
    """Return ``"1 error"``, ``"2 errors"`` and so on."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary_line(counts: Counts) -> str:
    """Return ``found 2 errors and 1 warning in 3 files`` or ``no problems found in ...``."""
    files = plural(counts.files, "file")
    parts = [
        plural(n, word)
        for n, word in (
            (counts.errors, "error"),
            (counts.warnings, "warning"),
            (counts.notes, "note"),
        )
        if n
    ]
    if not parts:
        return f"no problems found in {files}"
    found = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"found {found} in {files}"
