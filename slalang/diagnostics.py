"""Diagnostics as data: what every stage reports about a contract.

A :class:`Diagnostic` keeps its parts apart (code, severity, message, primary
span with a label, secondary spans, help line, contract path) so that each
output format in :mod:`slalang.render` can lay them out its own way. Codes and
their documentation live in :mod:`slalang.codes`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from slalang.source import Span


class Severity(enum.Enum):
    """How bad a diagnostic is; only errors fail ``slalang check`` by default."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@attrs.frozen
class Label:
    """A secondary span with a short text saying what is there."""

    span: Span
    text: str


@attrs.frozen
class Diagnostic:
    """One finding about a contract.

    Attributes:
        code: the stable code, for example ``E101`` (see :mod:`slalang.codes`).
        severity: error, warning or note.
        message: one terse sentence, lower case, no final period.
        span: where it happened; ``None`` only for file-level problems.
        label: a few words shown under the caret.
        help: an optional line saying how to fix it.
        path: the contract path (contract, objective, clause) where it happened.
        related: secondary spans with labels.
    """

    code: str
    severity: Severity
    message: str
    span: Span | None
    label: str = ""
    help: str = ""
    path: tuple[str, ...] = ()
    related: tuple[Label, ...] = ()

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order by file, position, then code and message."""
        if self.span is None:
            return ("", 0, 0, self.code, self.message)
        return (self.span.path, self.span.start, self.span.end, self.code, self.message)


def normalize(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Sort diagnostics by position and drop duplicates.

    Two diagnostics with the same code, message, labels and spans are one, even when
    their contract paths differ: a template applied twice reports a mistake in its
    text once, not once per ``apply``.
    """
    unique: dict[tuple[object, ...], Diagnostic] = {}
    for diagnostic in diagnostics:
        key = (diagnostic.sort_key(), diagnostic.label, diagnostic.help, diagnostic.related)
        unique.setdefault(key, diagnostic)
    return tuple(sorted(unique.values(), key=lambda d: d.sort_key()))


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return a help line suggesting the closest candidate, or an empty string."""
    import difflib

    choices = sorted(set(candidates))
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    if 0 < len(choices) <= 8:
        return "expected one of: " + ", ".join(f"`{c}`" for c in choices)
    return ""
