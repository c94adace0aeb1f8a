"""Stage 3, checks: an ordered tuple of small semantic passes over the model.

Each pass is a function ``(contract, ctx) -> iterable of diagnostics``. Passes
append, never stop: a failed lookup poisons only its own node, and later passes
skip poisoned names so one mistake gives one diagnostic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from slalang.diagnostics import Diagnostic
from slalang.lang.checks import credits, data, levels, names, settings, windows
from slalang.lang.checks.context import Context
from slalang.lang.model import Contract

Pass = Callable[[Contract, Context], Iterable[Diagnostic]]

PASSES: tuple[Pass, ...] = (
    names.required_parts,
    names.duplicate_ids,
    names.kinds,
    names.references,
    names.scope_cycles,
    settings.header_settings,
    settings.source_settings,
    settings.objective_settings,
    settings.block_settings,
    levels.objective_levels,
    windows.objective_windows,
    windows.calendars,
    windows.date_ranges,
    windows.holiday_sets,
    windows.data_intervals,
    windows.finer_than_data,
    credits.allocations,
    credits.risk_rules,
    data.filters,
    data.sources_fit,
    data.relief_forecasts,
    data.business_calendars,
    names.unused,
)


def run_checks(contract: Contract, *, poisoned: frozenset[str] = frozenset()) -> list[Diagnostic]:
    """Run every pass in order and collect their diagnostics."""
    ctx = Context.build(contract, poisoned=poisoned)
    found: list[Diagnostic] = []
    for check_pass in PASSES:
        found.extend(check_pass(contract, ctx))
    return found
