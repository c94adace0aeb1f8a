"""Formatter golden cases: ``cases/NAME.input.sla`` formats to ``cases/NAME.expected.sla``.

Run with ``SLALANG_REGEN=1`` to rewrite the expected files, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from slalang.api import parse
from slalang.lang.fmt import format_text

CASES = Path(__file__).parent / "cases"
REGEN = os.environ.get("SLALANG_REGEN") == "1"
INPUTS = sorted(CASES.glob("*.input.sla"))


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("case", INPUTS, ids=[p.name.removesuffix(".input.sla") for p in INPUTS])
def test_golden(case: Path) -> None:
    source = _read(case)
    result = format_text(source, path=case.name)
    assert result.text is not None, result.diagnostics
    expected_path = case.with_name(case.name.replace(".input.sla", ".expected.sla"))
    if REGEN:
        expected_path.write_bytes(result.text.encode("utf-8"))
    assert expected_path.exists(), f"no {expected_path.name}; run with SLALANG_REGEN=1"
    assert result.text == _read(expected_path)
    assert result.changed == (source != result.text)
    # the formatted text means the same and is already formatted
    assert parse(result.text).contract == parse(source).contract
    assert format_text(result.text).text == result.text


def test_every_case_has_an_expectation() -> None:
    expected = {p.name.removesuffix(".expected.sla") for p in CASES.glob("*.expected.sla")}
    inputs = {p.name.removesuffix(".input.sla") for p in INPUTS}
    assert expected == inputs
