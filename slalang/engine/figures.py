"""Figures: what an evaluator adds up per objective and time bucket.

Both evaluators (the DuckDB engine and the Python reference) produce the same
figures: per objective, per bucket (a slice of time at the finest granularity
the objective needs), a numerator, a denominator, a volume, and counts of
excluded records by reason. Everything after that (periods, verdicts, credits,
risk) is computed from figures alone.
"""

from __future__ import annotations

import datetime as dt

import attrs


@attrs.define
class Figures:
    """Sums for one objective and one bucket."""

    num: float = 0.0
    den: float = 0.0
    volume: int = 0
    excluded: dict[str, int] = attrs.field(factory=dict)
    noted: dict[str, int] = attrs.field(factory=dict)
    """Records counted under a documented assumption, by what was assumed."""

    def add(self, other: Figures) -> None:
        """Add another bucket's sums to this one."""
        self.num += other.num
        self.den += other.den
        self.volume += other.volume
        for reason, count in other.excluded.items():
            self.excluded[reason] = self.excluded.get(reason, 0) + count
        for note, count in other.noted.items():
            self.noted[note] = self.noted.get(note, 0) + count

    def exclude(self, reason: str, count: int = 1) -> None:
        """Count records set aside for a reason."""
        self.excluded[reason] = self.excluded.get(reason, 0) + count


Buckets = dict[dt.datetime, Figures]


@attrs.frozen
class EvaluationFigures:
    """All figures of one evaluation run.

    ``buckets`` maps objective id to its buckets; ``forecasts`` maps the id of
    an objective with relief to, per relief id, the forecast volume per relief interval.
    """

    buckets: dict[str, Buckets]
    forecasts: dict[str, dict[str, dict[dt.datetime, float]]]
