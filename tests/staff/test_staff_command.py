"""``slalang staff``: the plan as a table, CSV and JSON, a plan read back, a simulation
written for ``slalang evaluate``, and the exit codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from slalang.cli import main
from slalang.staff.output import COLUMNS
from slalang.synth import forecasts, write

CONTRACT = Path(__file__).resolve().parents[2] / "contracts" / "multi-queue.sla"


@pytest.fixture(scope="module")
def forecast_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("staff") / "forecast.csv"
    write(forecasts(40_000, seed=2, days=5), path)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["staff", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_table_csv_and_json(capsys: pytest.CaptureFixture[str], forecast_file: Path) -> None:
    base = (str(CONTRACT), "--forecast", str(forecast_file), "--patience", "2min",
            "--shrinkage", "30%")  # fmt: skip
    code, table, err = run(capsys, *base)
    assert code == 0, err
    assert "Erlang A, 30-minute intervals" in table
    assert "saving" in table
    assert "billing.service_level" in table
    code, text, _ = run(capsys, *base, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(text.splitlines()))
    assert tuple(rows[0]) == COLUMNS
    assert {r["queue"] for r in rows} == {"billing", "sales", "support"}
    assert all(int(r["scheduled"]) >= int(r["agents"]) for r in rows)
    code, text, _ = run(capsys, *base, "--format", "json")
    document = json.loads(text)
    assert document["model"] == "a"
    assert document["patience_s"] == 120.0
    assert document["totals"]["saving_hours"] == pytest.approx(
        document["totals"]["naive_agent_hours"] - document["totals"]["agent_hours"]
    )
    assert document["totals"]["saving_hours"] > 0
    assert len(document["intervals"]) == len(rows)
    assert {r["status"] for r in document["predicted"]["results"]} == {"met"}
    assert all(r["predicted"] for r in document["predicted"]["results"])


def test_a_written_plan_read_back_gives_the_same_verdicts(
    capsys: pytest.CaptureFixture[str], forecast_file: Path, tmp_path: Path
) -> None:
    base = (str(CONTRACT), "--forecast", str(forecast_file), "--patience", "120s")
    plan = tmp_path / "plan.csv"
    assert run(capsys, *base, "--format", "csv", "--output", str(plan))[0] == 0
    _, made, _ = run(capsys, *base, "--format", "json")
    code, assessed, err = run(capsys, *base, "--plan", str(plan), "--format", "json")
    assert code == 0, err
    made_doc, assessed_doc = json.loads(made), json.loads(assessed)
    assert assessed_doc["predicted"]["results"] == made_doc["predicted"]["results"]
    assert "naive_agent_hours" not in assessed_doc["totals"]
    lines = plan.read_text().splitlines()
    plan.write_text("\n".join(lines[:-5]) + "\n")  # intervals with calls left without a row
    code, _, err = run(capsys, *base, "--plan", str(plan))
    assert code == 1
    assert "E905" in err


def test_the_simulated_records_evaluate(
    capsys: pytest.CaptureFixture[str], forecast_file: Path, tmp_path: Path
) -> None:
    records = tmp_path / "calls.parquet"
    code, _, err = run(capsys, str(CONTRACT), "--forecast", str(forecast_file), "--patience",
                       "120s", "--simulate", str(records), "--format", "csv")  # fmt: skip
    assert code == 0, err
    assert main(["evaluate", str(CONTRACT), "--data", str(records), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert {r["objective"] for r in document["results"]} >= {"billing.service_level"}
    assert sum(r["volume"] for r in document["results"] if r["objective"].endswith(
        "service_level")) > 30_000  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--patience", "120s", "--model", "c"), 2),  # patience without Erlang A
        (("--shrinkage", "100%", "--patience", "1min"), 2),
        (("--min-agents", "-1", "--patience", "1min"), 2),
        ((), 1),  # an abandonment objective under Erlang C: E903
        (("--patience", "120s", "--contacts", "x.csv"), 2),  # one or the other
    ],
)
def test_exit_codes(
    capsys: pytest.CaptureFixture[str], forecast_file: Path, argv: tuple[str, ...], expected: int
) -> None:
    code, _, err = run(capsys, str(CONTRACT), "--forecast", str(forecast_file), *argv)
    assert code == expected
    assert err


def test_a_missing_forecast_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, str(CONTRACT), "--forecast", str(tmp_path / "no.csv"),
                       "--patience", "1min")  # fmt: skip
    assert code == 2
    assert "E812" in err
    assert run(capsys, str(tmp_path / "none.sla"), "--forecast", "f.csv")[0] == 2
