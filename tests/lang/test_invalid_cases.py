"""Golden cases of invalid contracts: each file holds one mistake and its expected diagnostics.

Every ``tests/cases/invalid/NNN-short-name.sla`` is a complete contract with exactly
one mistake; beside it, ``NNN-short-name.expected`` lists the diagnostics that
``slalang.check_file`` must report, one per line as ``CODE LINE:COLUMN message``
(1-based; ``-:-`` for a diagnostic without a position). Cases named ``multi-*``
hold several independent mistakes and list each of them.

Mistakes that need bytes a text file cannot hold well (invalid UTF-8, control
characters, oversized or missing files) are in :data:`SPECIAL_CASES` below and
are written to a temporary folder at run time.

To regenerate the expectations after a deliberate change, run::

    SLALANG_REGEN=1 pytest tests/lang/test_invalid_cases.py

then review the diff of the ``.expected`` files before committing it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

import slalang
from slalang.codes import CATALOGUE
from slalang.diagnostics import Diagnostic
from slalang.source import MAX_SOURCE_BYTES

EVALUATION_CODES = ("E820", "E822", "E823", "E824", "E825", "E826")
"""Codes exercised by tests/judge/test_evaluate_api.py (they need data, not a contract case)."""

STORE_CODES = ("E830", "E831", "E832", "E833")
"""Codes exercised by tests/history/ (they come from a history store)."""

STAFFING_CODES = ("E901", "E902", "E903", "E904", "E905", "E906", "W901", "W902")
"""Codes exercised by the staffing tests in tests/staff/ (they come from commands)."""

CASES = Path(__file__).parents[1] / "cases" / "invalid"
REGEN = os.environ.get("SLALANG_REGEN") == "1"

VALID = b"""contract demo "Demo contract" {
  client "Acme Telecom"
  vendor "BlueDesk BPO"
  timezone "America/Chicago"
}

source calls: contacts {
  profile "generic-contacts"
}

objective speed "Speed of answer" {
  key
  metric service_level
  from calls
  threshold <= 20 s
  window month
  expected >= 80%
}
"""


def line_of(diagnostic: Diagnostic) -> str:
    """Format one diagnostic as an expectation line: ``CODE LINE:COLUMN message``."""
    span = diagnostic.span
    where = f"{span.line}:{span.column}" if span is not None else "-:-"
    return f"{diagnostic.code} {where} {diagnostic.message}"


def actual_lines(path: Path) -> list[str]:
    """Check a file and return its diagnostics as expectation lines."""
    return [line_of(d) for d in slalang.check_file(path).diagnostics]


def expected_lines(case: Path) -> list[str]:
    """Read the expectation lines stored beside a case."""
    return case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()


def expected_codes(case: Path) -> set[str]:
    """The codes a case expects."""
    return {line.split(" ", 1)[0] for line in expected_lines(case) if line.strip()}


CASE_FILES = sorted(CASES.glob("*.sla"))


@pytest.mark.parametrize("case", CASE_FILES, ids=[c.stem for c in CASE_FILES])
def test_case_matches_expected(case: Path) -> None:
    actual = actual_lines(case)
    expected_file = case.with_suffix(".expected")
    if REGEN:
        expected_file.write_text("".join(f"{line}\n" for line in actual), encoding="utf-8")
    assert expected_file.exists(), f"{expected_file.name} is missing; run with SLALANG_REGEN=1"
    assert actual == expected_lines(case)


def test_every_case_has_an_expectation_and_back() -> None:
    stems = {c.stem for c in CASE_FILES}
    expectations = {e.stem for e in CASES.glob("*.expected")}
    assert stems == expectations
    assert len(CASE_FILES) >= 45


@pytest.mark.parametrize("case", CASE_FILES, ids=[c.stem for c in CASE_FILES])
def test_case_holds_one_kind_of_mistake(case: Path) -> None:
    codes = expected_codes(case)
    if case.stem.startswith("multi-"):
        return
    assert len(codes) == 1, f"{case.name} reports {sorted(codes)}; a case holds one mistake"


def test_multi_case_reports_each_mistake_once() -> None:
    lines = expected_lines(CASES / "multi-three-mistakes.sla")
    assert [line.split(" ", 1)[0] for line in lines] == ["E001", "E301", "E201"]


# --- cases that need special input --------------------------------------------------


def _invalid_utf8(tmp: Path) -> Path:
    path = tmp / "latin1.sla"
    path.write_bytes(VALID.replace(b'"Acme Telecom"', b'"Acme T\xe9l\xe9com"'))
    return path


def _control_character(tmp: Path) -> Path:
    path = tmp / "nul.sla"
    path.write_bytes(VALID.replace(b"BlueDesk BPO", b"BlueDesk\x00BPO"))
    return path


def _too_large(tmp: Path) -> Path:
    path = tmp / "huge.sla"
    path.write_bytes(VALID + b"#" * (MAX_SOURCE_BYTES - len(VALID)) + b"\n")
    return path


def _missing(tmp: Path) -> Path:
    return tmp / "missing.sla"


SPECIAL_CASES: dict[str, tuple[Callable[[Path], Path], list[str]]] = {
    "E004": (_invalid_utf8, ["E004 2:17 invalid UTF-8 at byte 48"]),
    "E005": (_control_character, ["E005 3:19 control character U+0000 in contract text"]),
    "E006": (
        _too_large,
        [f"E006 -:- contract file is larger than the {MAX_SOURCE_BYTES:,}-byte limit"],
    ),
    "E009": (_missing, ["E009 -:- cannot read `{path}`: No such file or directory"]),
}
"""Code -> (write the input into a folder and return its path, expected lines)."""


@pytest.mark.parametrize("code", sorted(SPECIAL_CASES))
def test_special_input(code: str, tmp_path: Path) -> None:
    make, expected = SPECIAL_CASES[code]
    path = make(tmp_path)
    assert actual_lines(path) == [line.replace("{path}", str(path)) for line in expected]


def test_every_catalogue_code_is_exercised() -> None:
    covered = set(SPECIAL_CASES) | set(EVALUATION_CODES) | set(STAFFING_CODES) | set(STORE_CODES)
    for case in CASE_FILES:
        covered |= expected_codes(case)
    for expected in (CASES.parent / "profiles").glob("*.expected"):
        covered |= {line.split()[0] for line in expected.read_text().splitlines() if line}
    missing = sorted(set(CATALOGUE) - covered)
    assert not missing, f"codes without an invalid case: {missing}"
    unknown = sorted(covered - set(CATALOGUE))
    assert not unknown, f"cases expect codes the catalogue does not have: {unknown}"
