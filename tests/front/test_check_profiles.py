"""`slalang check` loads the data profiles a contract names and reports their problems.

A profile that is missing, unreadable or wrong fails the check at the contract's
``profile`` line, with the place in the profile file in the message and as a related
location; paths resolve from the contract's folder, or from the current folder for text
checked without a file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import slalang
from slalang.cli import main
from slalang.diagnostics import Diagnostic

HEAD = """contract demo {
  client "A"
  vendor "B"
  timezone "UTC"
}

source calls: contacts {
  profile "PROFILE"
}

objective asa {
  key
  metric average_speed_of_answer
  from calls
  expected <= 30 s
}
"""

PROFILE = """name: acd
kind: contacts
format: csv
fields:
  contact_id: {column: id}
  queued_at: {column: queued}
  outcome: {column: result}
  wait: {column: wait}
"""


def _contract(folder: Path, profile: str) -> Path:
    path = folder / "demo.sla"
    path.write_text(HEAD.replace("PROFILE", profile), encoding="utf-8")
    return path


def _where(diagnostic: Diagnostic) -> tuple[str, int, int]:
    assert diagnostic.span is not None
    return diagnostic.code, diagnostic.span.line, diagnostic.span.column


def test_a_missing_profile_file_is_an_error_at_the_profile_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contract = _contract(tmp_path, "profiles/acd.yaml")
    assert main(["check", str(contract)]) == 1  # a mistake in the contract, not exit 2
    assert "E801" in capsys.readouterr().out
    result = slalang.check_file(contract)
    (problem,) = result.diagnostics
    assert _where(problem) == ("E801", 8, 11)
    assert problem.span is not None
    assert problem.span.path == str(tmp_path / "demo.sla")
    assert "cannot read profile" in problem.message
    assert str(tmp_path / "profiles" / "acd.yaml") in problem.message
    assert not result.ok


def test_a_profile_beside_the_contract_is_found_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "acd.yaml").write_text(PROFILE, encoding="utf-8")
    contract = _contract(tmp_path, "profiles/acd.yaml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert slalang.check_file(contract).diagnostics == ()
    assert main(["check", str(contract)]) == 0


def test_a_wrong_profile_names_its_file_line_and_key(tmp_path: Path) -> None:
    (tmp_path / "acd.yaml").write_text(PROFILE.replace("format: csv", "formt: csv"), "utf-8")
    result = slalang.check_file(_contract(tmp_path, "acd.yaml"))
    codes = [_where(d) for d in result.diagnostics]
    assert codes == [("E803", 8, 11), ("E804", 8, 11)]
    unknown = result.diagnostics[0]
    shown = str(tmp_path / "acd.yaml")
    assert unknown.message == (
        f"profile `{shown}`, line 3, column 1: unknown profile setting `formt`"
    )
    assert unknown.help == "did you mean `format`?"
    (place,) = unknown.related
    assert (place.span.path, place.span.line, place.span.column) == (shown, 3, 1)


def test_a_profile_expression_that_cannot_work_fails_the_check(tmp_path: Path) -> None:
    wrong = PROFILE.replace(
        "{column: queued}", "{expr: \"timestamp(Date + ' ' + Time, '%d/%m/%Y %H:%M')\"}"
    )
    (tmp_path / "acd.yaml").write_text(wrong, encoding="utf-8")
    (problem,) = slalang.check_file(_contract(tmp_path, "acd.yaml")).diagnostics
    assert _where(problem) == ("E808", 8, 11)
    assert "line 6, column 39" in problem.message
    assert "field `queued_at`" in problem.message
    assert "`timestamp(Date + ' ' + Time, '%d/%m/%Y %H:%M')`" in problem.message
    assert "the text ' ' as a number" in problem.message


def test_a_misspelt_bundled_profile_and_one_of_another_kind() -> None:
    (problem,) = slalang.check(HEAD.replace("PROFILE", "anonymous-bnak")).diagnostics
    assert _where(problem) == ("E801", 8, 11)
    assert problem.help == "did you mean `anonymous-bank`?"
    (problem,) = slalang.check(HEAD.replace("PROFILE", "interval-csv")).diagnostics
    assert _where(problem) == ("E821", 8, 11)
    assert slalang.check(HEAD.replace("PROFILE", "anonymous-bank")).diagnostics == ()


def test_text_without_a_file_resolves_profiles_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = HEAD.replace("PROFILE", "acd.yaml")
    monkeypatch.chdir(tmp_path)
    assert [d.code for d in slalang.check(text).diagnostics] == ["E801"]
    (tmp_path / "acd.yaml").write_text(PROFILE, encoding="utf-8")
    assert slalang.check(text).diagnostics == ()
    # an explicit base wins over the folder of the path
    assert slalang.check(text, path="x/demo.sla", base=tmp_path).diagnostics == ()
    assert [d.code for d in slalang.check(text, path="x/demo.sla").diagnostics] == ["E801"]


def test_cli_check_fails_on_a_broken_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contract = _contract(tmp_path, "acd.yaml")
    (tmp_path / "acd.yaml").write_text("name: [\n", encoding="utf-8")
    assert main(["check", "--format", "concise", str(contract)]) == 1
    out = capsys.readouterr().out
    assert f"{contract}:8:11: E802 [error] profile `{tmp_path / 'acd.yaml'}`, line 2" in out
    assert main(["check", str(contract)]) == 1
    full = capsys.readouterr().out
    assert f"::: {tmp_path / 'acd.yaml'}:2:1" in full
