"""Golden files: every format rendered over the same three results.

Set ``SLALANG_UPDATE_GOLDEN=1`` to rewrite the files, then review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from slalang.api import CheckResult
from slalang.render import FORMATS, render

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SLALANG_UPDATE_GOLDEN") == "1"


def stable(format: str, text: str) -> str:
    """Replace what changes on every release (the tool version in SARIF)."""
    if format != "sarif":
        return text
    log = json.loads(text)
    log["runs"][0]["tool"]["driver"]["version"] = "<version>"
    return json.dumps(log, indent=2) + "\n"


@pytest.mark.parametrize("format", FORMATS)
def test_golden(format: str, results: list[CheckResult]) -> None:
    actual = stable(format, render(results, format=format))
    expected_file = GOLDEN / f"sample.{format}.txt"
    if UPDATE:
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")


def test_formats_are_fixed() -> None:
    assert FORMATS == ("full", "concise", "json", "github", "sarif")


def test_unknown_format_is_refused(results: list[CheckResult]) -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render(results, format="xml")


@pytest.mark.parametrize("format", FORMATS)
def test_renders_nothing_to_report(format: str) -> None:
    empty = CheckResult(None, None, ())
    text = render([empty], format=format)
    if format == "github":
        assert text == ""
    else:
        assert text.endswith("\n")
        assert "E0" not in text
