"""What the command does when something other than the contract goes wrong.

An internal error is a bug: it gets its own exit code and a one-line request for a bug report,
never the code of "problems found". A reader that goes away ends the command quietly. Names
that the time zone database answers with an OS error are unknown zones, not crashes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from slalang import cli
from slalang.data.profiles import parse_profile
from slalang.exitcodes import Exit

CONTRACT = """contract demo {{
  client "A"
  vendor "B"
  timezone "{zone}"
}}
"""

PROFILE = """name: demo
kind: contacts
format: csv
timezone: {zone}
fields:
  contact_id: {{column: id}}
  queued_at: {{column: queued}}
  outcome: {{column: outcome}}
  wait: {{column: wait}}
"""

ODD_ZONES = ["America", "Europe", "a/" * 200, "x" * 300]


def test_an_internal_error_is_reported_as_a_bug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def broken(args: object) -> int:
        raise RuntimeError("the unexpected happened")

    monkeypatch.setattr(cli, "_check", broken)
    contract = tmp_path / "c.sla"
    contract.write_text(CONTRACT.format(zone="UTC"), encoding="utf-8")
    assert cli.main(["check", str(contract)]) == Exit.INTERNAL
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: the unexpected happened" in err
    assert "bug" in err
    assert "Traceback" not in err
    assert Exit.INTERNAL not in (Exit.OK, Exit.FAILED, Exit.USAGE)


def test_the_traceback_on_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(args: object) -> int:
        raise KeyError("x")

    monkeypatch.setattr(cli, "_explain", broken)
    monkeypatch.setenv("SLALANG_TRACEBACK", "1")
    assert cli.main(["explain", "E201"]) == Exit.INTERNAL
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.slow
def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path: Path) -> None:
    contract = tmp_path / "messy.sla"
    contract.write_text(
        "contract demo {\n" + "".join(f'   client    "A{i}"\n' for i in range(5000)) + "}\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "slalang", "fmt", "--diff", str(contract)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None
        process.stdout.readline()
        process.stdout.close()  # as `| head -1` does
        assert process.stderr is not None
        err = process.stderr.read().decode()
        code = process.wait(timeout=60)
    assert "Traceback" not in err
    assert "BrokenPipeError" not in err
    assert code == Exit.BROKEN_PIPE


@pytest.mark.parametrize("zone", ODD_ZONES, ids=["folder-a", "folder-e", "deep", "long"])
def test_odd_time_zone_names_are_unknown_zones(zone: str, tmp_path: Path) -> None:
    contract = tmp_path / "c.sla"
    contract.write_text(CONTRACT.format(zone=zone), encoding="utf-8")
    import slalang

    codes = [d.code for d in slalang.check_file(contract).diagnostics]
    assert codes == ["E210"]


@pytest.mark.parametrize("zone", ODD_ZONES, ids=["folder-a", "folder-e", "deep", "long"])
def test_odd_time_zone_names_in_a_profile_are_unknown_zones(zone: str) -> None:
    _, found = parse_profile(PROFILE.format(zone=zone), path="p.yaml")
    assert [d.code for d in found] == ["E809"]


NO_SOURCE = (
    CONTRACT.format(zone="UTC")
    + """objective asa {
  key
  metric average_speed_of_answer
  window month
  expected <= 30 s
}
"""
)


def test_a_contract_without_a_source_is_an_error_at_check() -> None:
    import slalang

    found = slalang.check(NO_SOURCE).diagnostics
    assert [(d.code, d.message) for d in found] == [
        ("E103", "objective `asa` reads no data: the contract declares no source")
    ]


def test_evaluating_a_contract_without_objectives_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contract = tmp_path / "c.sla"
    contract.write_text(CONTRACT.format(zone="UTC"), encoding="utf-8")
    data = tmp_path / "calls.csv"
    data.write_text("contact_id,queued_at,outcome,wait\n", encoding="utf-8")
    assert cli.main(["evaluate", str(contract), "--data", str(data)]) == Exit.USAGE
    assert "no objective that reads data" in capsys.readouterr().err


ZERO = Path("/dev/zero")


@pytest.mark.skipif(not ZERO.exists(), reason="no /dev/zero here")
def test_an_endless_file_is_read_only_up_to_the_limit() -> None:
    import slalang
    from slalang.data.profiles import load_profile

    assert [d.code for d in slalang.check_file(ZERO).diagnostics] == ["E006"]
    profile, found = load_profile(str(ZERO))
    assert profile is None
    assert [d.code for d in found] == ["E801"]
    assert "larger than" in found[0].message


@pytest.mark.slow
def test_endless_standard_input_is_read_only_up_to_the_limit() -> None:
    import threading

    command = [sys.executable, "-m", "slalang", "check", "-"]
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdin is not None

        def feed() -> None:
            chunk = b"contract demo { }\n" * 4096
            try:
                while True:  # until the command stops reading
                    assert process.stdin is not None
                    process.stdin.write(chunk)
            except (BrokenPipeError, OSError, ValueError):
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        assert process.stdout is not None
        out = process.stdout.read()  # the report comes once the command stops reading
        code = process.wait(timeout=60)
    assert code == Exit.FAILED
    assert b"E006" in out


def test_a_profile_file_that_cannot_be_read_is_a_file_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contract = tmp_path / "c.sla"
    body = (
        CONTRACT.format(zone="UTC")
        + 'source calls: contacts {\n  profile "{p}"\n}\n'
        + (
            "objective asa {\n  key\n  metric average_speed_of_answer\n  window month\n"
            "  expected <= 30 s\n}\n"
        )
    )
    data = tmp_path / "calls.csv"
    data.write_text("contact_id,queued_at,outcome,wait\n", encoding="utf-8")
    contract.write_text(body.replace("{p}", "missing.yaml"), encoding="utf-8")
    assert cli.main(["evaluate", str(contract), "--data", str(data)]) == Exit.USAGE
    assert "cannot read profile" in capsys.readouterr().err
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: broken\nkind: contacts\n", encoding="utf-8")
    contract.write_text(body.replace("{p}", "broken.yaml"), encoding="utf-8")
    assert cli.main(["evaluate", str(contract), "--data", str(data)]) == Exit.FAILED
