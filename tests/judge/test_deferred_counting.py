"""A CSV source counted by the engine's first scan gives the evaluation it gave counted alone.

An evaluation by DuckDB leaves the loader's counting pass over a CSV or TSV file to the
engine's first scan of the source (:class:`slalang.engine.duckdb_engine.Screen`), so the
file is read once for both. Every way back to the loader's own pass (rows that fail
checks, lines DuckDB rejects, a record over several lines, a zone whose clocks change,
a window over the records) must give exactly what the loader's own pass gives.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import slalang
from slalang.data import native
from slalang.synth import contacts, write

HEADER = """contract demo {
  client "A"
  vendor "B"
  timezone "ZONE"
}

source calls: contacts {
  profile "generic-contacts"
}

objective asa {
  key
  metric average_speed_of_answer
  expected <= 30 s
}

objective sl {
  critical
  metric service_level
  threshold <= 20 s
  expected >= 80%
}
"""

REPEATS = """
objective fcr {
  metric fcr
  method repeat_contact
  repeat_window 7 d
  customer_key customer_id
  expected >= 75%
}
"""


def _plan(zone: str = "UTC", extra: str = "") -> slalang.Plan:
    return slalang.compile(slalang.check(HEADER.replace("ZONE", zone) + extra, path="d.sla"))


def _wait_text(lines: list[str]) -> None:
    """Some waits that are not numbers: rows that fail a check."""
    names = lines[0].split(",")
    wait = names.index('"wait"')
    for n in range(5, len(lines), 400):
        cells = lines[n].split(",")
        cells[wait] = "soon"
        lines[n] = ",".join(cells)


def _short_lines(lines: list[str]) -> None:
    """Lines with a field too few: DuckDB rejects them."""
    for n in (7, 900):
        lines[n] = lines[n].rsplit(",", 1)[0]


def _line_break(lines: list[str]) -> None:
    """A quoted agent name over two lines: the line-by-line reader's case."""
    lines[40] = lines[40].replace('"ag', '"a\ng', 1)


DAMAGE: dict[str, Callable[[list[str]], None]] = {
    "clean": lambda lines: None,
    "bad values": _wait_text,
    "rejected lines": _short_lines,
    "a record over two lines": _line_break,
}


def _data(tmp_path: Path, damage: str) -> Path:
    path = tmp_path / "calls.csv"
    write(contacts(3_000, seed=5, days=3), path)
    lines = path.read_text(encoding="utf-8").splitlines()
    DAMAGE[damage](lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _seen(evaluation: slalang.Evaluation) -> tuple[Any, ...]:
    verdicts = [(v.objective, v.period, v.status, v.actual, v.numerator, v.denominator)
                for v in evaluation.verdicts]  # fmt: skip
    sources = [(s.rows_read, s.rows_loaded, s.excluded, s.problem_counts, s.problems)
               for s in evaluation.sources]  # fmt: skip
    return verdicts, sources


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize(("zone", "extra"), [("UTC", ""), ("Europe/Paris", ""), ("UTC", REPEATS)])
def test_the_engine_counting_a_csv_gives_what_the_loader_counting_it_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str, zone: str, extra: str
) -> None:
    data, plan = _data(tmp_path, damage), _plan(zone, extra)
    deferred = slalang.evaluate(plan, data=data)
    monkeypatch.setattr(native, "_deferred", lambda con, file: None)
    alone = slalang.evaluate(plan, data=data)
    assert _seen(deferred) == _seen(alone)
    assert deferred.sources[0].rows_read == 3_000
    # a quoted line break is a record of its own, read by the line-by-line reader
    assert bool(deferred.sources[0].problem_counts) is (damage in ("bad values", "rejected lines"))


@pytest.mark.parametrize(("damage", "passes"), [("clean", 0), ("bad values", 1)])
def test_a_clean_file_is_read_once_for_counts_and_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str, passes: int
) -> None:
    """Only a file whose rows fail checks is counted again, by minute, for the report."""
    counted: list[Path] = []
    original = native._counted

    def spy(con: Any, file: Any) -> Any:
        counted.append(file.path)
        return original(con, file)

    monkeypatch.setattr(native, "_counted", spy)
    data = _data(tmp_path, damage)
    slalang.evaluate(_plan(), data=data)
    assert len(counted) == passes


def test_strict_still_fails_on_rows_the_engine_counted(tmp_path: Path) -> None:
    with pytest.raises(slalang.EvaluationError) as raised:
        slalang.evaluate(_plan(), data=_data(tmp_path, "bad values"), strict=True)
    assert [d.code for d in raised.value.diagnostics] == ["E822"]
