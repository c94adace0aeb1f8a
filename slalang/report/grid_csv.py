"""Report stage, grid-csv format: the objective x period grids as CSV, for a spreadsheet
that shows the account at a glance.

One block per grid (window kind, as in :func:`slalang.judge.results.grids`), blocks
separated by an empty line. A block's header row is ``window``, ``objective``, ``title``,
``critical``, ``unit``, then two columns per period: ``PERIOD`` (the value, as the ``csv``
format writes numbers: ratios 0-1, durations in seconds; empty without one) and
``PERIOD status`` (``met``, ``missed``, ``below_minimum``, ``not_measurable``, ``no_data``,
``incomplete``). One row per objective of the grid, in contract order. Every verdict's
evidence is in the ``csv`` format.
"""

from __future__ import annotations

import csv
import io

from slalang.judge.results import Evaluation, grids
from slalang.report.csv import number


def render(evaluation: Evaluation, *, color: bool = False) -> str:
    """Render the grids of an evaluation as CSV blocks; an evaluation without verdicts is
    the header of an empty grid."""
    del color
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    found = grids(evaluation)
    if not found:
        writer.writerow(("window", "objective", "title", "critical", "unit"))
    for index, grid in enumerate(found):
        if index:
            out.write("\n")
        header = ["window", "objective", "title", "critical", "unit"]
        for period in grid.periods:
            header += [period, f"{period} status"]
        writer.writerow(header)
        for row in grid.rows:
            cells = [grid.window, row.objective, row.title or "", "true" if row.critical
                     else "false", row.unit]  # fmt: skip
            for cell in row.cells:
                cells += [number(cell.actual), cell.status]
            writer.writerow(cells)
    return out.getvalue()
