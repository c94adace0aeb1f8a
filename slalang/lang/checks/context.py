"""What every check pass may look up: declarations by id, the expanded objectives."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

import attrs

from slalang.lang import model as m
from slalang.lang.expand import expand
from slalang.lang.schema import SOURCE_KINDS, SourceKind


class _Declared(Protocol):
    @property
    def id(self) -> m.Name: ...


D = TypeVar("D", bound=_Declared)


def _index(items: Iterable[D]) -> dict[str, D]:
    table: dict[str, D] = {}
    for item in items:
        table.setdefault(item.id.text, item)
    return table


@attrs.frozen
class Context:
    """Shared lookups for the check passes.

    ``contract`` is the contract with templates applied; ``poisoned`` holds
    names whose declaration was broken, so references to them stay quiet.
    """

    contract: m.Contract
    poisoned: frozenset[str]
    sources: dict[str, m.SourceDecl]
    scopes: dict[str, m.ScopeDecl]
    calendars: dict[str, m.CalendarDecl]
    objectives: dict[str, m.Objective]
    reliefs: dict[str, m.ReliefDecl]
    templates: dict[str, m.Template]

    @classmethod
    def build(cls, contract: m.Contract, *, poisoned: frozenset[str]) -> Context:
        """Index a contract's declarations (the first of duplicate ids wins)."""
        expanded = expand(contract)
        return cls(
            contract=expanded,
            poisoned=poisoned,
            sources=_index(expanded.sources),
            scopes=_index(expanded.scopes),
            calendars=_index(expanded.calendars),
            objectives=_index(expanded.objectives),
            reliefs=_index(expanded.reliefs),
            templates=_index(expanded.templates),
        )

    def known(self, name: str) -> bool:
        """True when a name is declared anywhere, or was poisoned by a syntax error."""
        return name in self.poisoned or any(
            name in table
            for table in (self.sources, self.scopes, self.calendars, self.objectives,
                          self.reliefs, self.templates)
        )  # fmt: skip

    def source_of(self, name: str) -> m.SourceDecl | None:
        """Follow a source or scope name down to its source (``None`` if unknown or cyclic)."""
        seen: set[str] = set()
        while name not in self.sources:
            scope = self.scopes.get(name)
            if scope is None or name in seen:
                return None
            seen.add(name)
            name = scope.base.text
        return self.sources[name]

    def source_kind(self, name: str) -> SourceKind | None:
        """Return the kind of the source behind a source or scope name."""
        source = self.source_of(name)
        return None if source is None else SOURCE_KINDS.get(source.kind.text)

    def objective_source(self, objective: m.Objective) -> m.SourceDecl | None:
        """Return the source an objective reads (the only source when it names none)."""
        if objective.source is not None:
            return self.source_of(objective.source.text)
        if len(self.sources) == 1:
            return next(iter(self.sources.values()))
        return None

    def scope_filters(self, name: str) -> list[m.Expr]:
        """Return the filters a scope chain applies, outermost last."""
        filters: list[m.Expr] = []
        seen: set[str] = set()
        while name in self.scopes and name not in seen:
            seen.add(name)
            scope = self.scopes[name]
            if scope.where is not None:
                filters.append(scope.where)
            name = scope.base.text
        return filters
