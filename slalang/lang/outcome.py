"""What parsing and checking one contract source give: the model and its diagnostics."""

from __future__ import annotations

import attrs

from slalang.diagnostics import Diagnostic, Severity, normalize
from slalang.lang import build, syntax
from slalang.lang.model import Contract
from slalang.source import Source

__all__ = ["CheckResult", "Parsed", "from_syntax", "parse_source"]


@attrs.frozen
class Parsed:
    """The outcome of parsing one source: the model (if any) and syntax diagnostics."""

    source: Source | None
    contract: Contract | None
    diagnostics: tuple[Diagnostic, ...]
    poisoned: frozenset[str] = frozenset()


@attrs.frozen
class CheckResult:
    """The outcome of checking one source: model, and all diagnostics sorted."""

    source: Source | None
    contract: Contract | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """Only the diagnostics of severity error."""
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """Only the diagnostics of severity warning."""
        return tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors


def parse_source(source: Source) -> Parsed:
    """Parse a decoded source into a contract model, with its syntax and structure diagnostics."""
    return from_syntax(source, syntax.parse(source))


def from_syntax(source: Source, result: syntax.ParseResult) -> Parsed:
    """Build the contract model of a parsed source, with its syntax and structure diagnostics."""
    if result.tree is None:
        return Parsed(source, None, normalize(result.diagnostics), result.poisoned)
    with syntax.gc_paused():
        contract, structural = build.build(result.tree, source)
    return Parsed(source, contract, normalize([*result.diagnostics, *structural]), result.poisoned)
