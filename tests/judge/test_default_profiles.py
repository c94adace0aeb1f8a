"""A source that names no profile reads its kind's bundled generic profile.

Survey, adherence and forecast files with the canonical columns evaluate without a profile,
and give the same figures as the same data passed as a table. QA audits have no generic
profile (their criteria are columns only a profile can name): evaluating one without a
profile is E801 with the reason, never a confusing "no bundled profile named ..." message.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

import slalang
from slalang.synth import adherence, audits, surveys, write

HEADER = """contract demo {
  client "A"
  vendor "B"
  timezone "UTC"
}
"""

CASES = {
    "surveys": (
        "source answers: surveys\n"
        "objective sat {\n  key\n  metric csat\n  method top_box\n  scale 5\n  top_box 4\n"
        "  window month\n  expected >= 80%\n}\n",
        lambda: surveys(500, seed=2),
    ),
    "adherence": (
        "source shifts: adherence\n"
        "objective adh {\n  key\n  metric schedule_adherence\n  window month\n"
        "  expected >= 90%\n}\n",
        lambda: adherence(20, seed=2),
    ),
}


def figures(evaluation: slalang.Evaluation) -> list[tuple[str, str, float | None, str]]:
    return [(v.objective, v.period, v.actual, v.status) for v in evaluation.verdicts]


@pytest.mark.parametrize("kind", sorted(CASES))
def test_a_file_without_a_profile_reads_the_generic_one(kind: str, tmp_path: Path) -> None:
    text, make = CASES[kind]
    plan = slalang.compile(slalang.check(HEADER + text))
    table: pa.Table = make()
    path = tmp_path / f"{kind}.csv"
    write(table, path)
    from_file = slalang.evaluate(plan, data=path)
    from_table = slalang.evaluate(plan, data=table)
    assert from_file.verdicts
    assert figures(from_file) == figures(from_table)
    assert all(v.actual is not None for v in from_file.verdicts)


def test_audits_without_a_profile_say_why(tmp_path: Path) -> None:
    text = (
        "source qa: audits {\n  criteria [greeting, ownership]\n}\n"
        "objective own {\n  key\n  metric qa_criterion\n  from qa\n  criterion ownership\n"
        "  window month\n  expected >= 90%\n}\n"
    )
    result = slalang.check(HEADER + text)
    assert result.ok, [d.message for d in result.errors]
    path = tmp_path / "qa.csv"
    write(audits(50, seed=1), path)
    with pytest.raises(slalang.EvaluationError) as raised:
        slalang.evaluate(slalang.compile(result), data=path)
    (problem,) = raised.value.diagnostics
    assert problem.code == "E801"
    assert "names no profile" in problem.message
