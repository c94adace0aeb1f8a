"""`slalang status` and `slalang evaluate --as-of`: the account in one screen, judged as of a
day, from files or from the history store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slalang.cli import main
from slalang.exitcodes import Exit
from slalang.synth import contacts
from slalang.synth.files import write

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "contracts" / "multi-queue.sla"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def march(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twenty days of March 2026 in one CSV file."""
    path = tmp_path_factory.mktemp("status") / "calls.csv"
    write(contacts(6_000, seed=5, start="2026-03-01", days=20), path)
    return path


def test_status_is_judged_as_of_the_last_day_with_data(
    capsys: pytest.CaptureFixture[str], march: Path
) -> None:
    code, out, err = run(capsys, "status", str(CONTRACT), "--data", f"calls={march}")
    assert code == Exit.OK, err
    assert "As of 2026-03-20" in out
    assert "\nAccount: " in out
    assert "Outlook as of 2026-03-20: the rest of each open period" in out
    assert "Trends over days" in out


def test_evaluate_as_of_sets_later_records_aside(
    capsys: pytest.CaptureFixture[str], march: Path
) -> None:
    code, out, err = run(capsys, "evaluate", str(CONTRACT), "--data", f"calls={march}",
                         "--as-of", "2026-03-10", "--format", "json")  # fmt: skip
    assert code == Exit.OK, err
    document = json.loads(out)
    assert document["schema_version"] == 3
    assert document["as_of"] == "2026-03-10"
    assert document["data"][0]["excluded"]["after the as-of day"] > 0
    assert {o["period"] for o in document["outlook"]} == {"2026-03"}
    needs = [n for o in document["outlook"] for n in o["needs"]]
    assert needs
    assert all(n["state"] in ("needs", "already_safe", "already_lost") for n in needs)


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "15/03/2026"])
def test_a_bad_as_of_day_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], march: Path, value: str
) -> None:
    code, _, err = run(capsys, "evaluate", str(CONTRACT), "--data", f"calls={march}",
                       "--as-of", value)  # fmt: skip
    assert code == Exit.USAGE
    assert "--as-of wants a date such as 2026-03-15, or latest" in err


def test_status_over_the_store(
    capsys: pytest.CaptureFixture[str], march: Path, tmp_path: Path
) -> None:
    store = tmp_path / "history.duckdb"
    code, _, err = run(capsys, "evaluate", str(CONTRACT), "--data", f"calls={march}",
                       "--store", str(store))  # fmt: skip
    assert code == Exit.OK, err
    code, out, err = run(capsys, "status", str(CONTRACT), "--store", str(store))
    assert code == Exit.OK, err
    assert "1 file(s) judged" in err
    assert "As of 2026-03-20" in out
    code, out, err = run(capsys, "status", str(CONTRACT), "--store", str(store), "--as-of",
                         "2026-03-05", "--format", "json")  # fmt: skip
    assert code == Exit.OK, err
    document = json.loads(out)
    assert document["as_of"] == "2026-03-05"
    assert {o["period"] for o in document["outlook"]} == {"2026-03"}
