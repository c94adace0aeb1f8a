"""Stage 4, the engine: a checked contract compiled to a plan, and the evaluators computing figures.

:mod:`~slalang.engine.plan` compiles, :mod:`~slalang.engine.periods` names buckets and periods,
:mod:`~slalang.engine.figures` holds the sums, :mod:`~slalang.engine.scan` shapes the grouped scan
that :mod:`~slalang.engine.duckdb_engine` runs, and :mod:`~slalang.engine.reference` is the slow,
obvious evaluator both are tested against.
"""

ENGINES = ("duckdb", "reference")
"""The evaluators: the DuckDB engine, and the slow, obvious Python reference."""
