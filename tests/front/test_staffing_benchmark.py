"""benchmarks/staffing.py runs end to end on a small forecast (one round: the times mean
nothing here; docs/performance.md has the figures of a full run)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "staffing.py"


@pytest.mark.slow
def test_the_staffing_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("slalang_staffing_benchmark", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--calls", "30000", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "Erlang C" in out
    assert "Erlang A (180 s)" in out
    assert "simulation of the Erlang A plan" in out
    assert out.count("PASS") + out.count("FAIL") == 3
    assert "(a predicted verdict not met)" not in out
