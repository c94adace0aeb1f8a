"""What every check pass may look up: declarations by id, poisoned names."""

from __future__ import annotations

import attrs

from slalang.model import Contract


@attrs.frozen
class Context:
    """Shared lookups for the check passes."""

    poisoned: frozenset[str]

    @classmethod
    def build(cls, contract: Contract, *, poisoned: frozenset[str]) -> Context:
        """Index a contract's declarations."""
        return cls(poisoned=poisoned)
