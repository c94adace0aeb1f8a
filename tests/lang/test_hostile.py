"""Hostile input: huge, deeply nested, binary or odd files give diagnostics, never a crash.

Each input goes through decoding, parsing, the semantic checks and every report
format. Inputs are sized to show pathological behaviour (recursion, quadratic
scans) while keeping the suite fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slalang import api
from slalang.cli import main
from slalang.exitcodes import Exit
from slalang.lang.syntax import MAX_DEPTH
from slalang.render import FORMATS, render
from slalang.source import MAX_SOURCE_BYTES

REPO = Path(__file__).resolve().parents[2]
BANK_TEXT = (REPO / "contracts" / "anonymous-bank-1999.sla").read_text(encoding="utf-8")
ATOM = 'call_type == "PS"'


def with_scope(where: str) -> bytes:
    """The bank contract plus a scope whose filter is ``where``."""
    return f"{BANK_TEXT}\nscope hostile = calls where {where}\n".encode()


def check_bytes(data: bytes, name: str = "hostile.sla") -> api.CheckResult:
    """Check bytes and render the result in every format, as the CLI would."""
    result = api.check_parsed(api.parse_bytes(data, path=name))
    assert isinstance(result, api.CheckResult)
    for format in FORMATS:
        text = render([result], format=format, color=False)
        assert isinstance(text, str)
        if format in ("json", "sarif"):
            json.loads(text)
    return result


def codes(result: api.CheckResult) -> set[str]:
    return {d.code for d in result.diagnostics}


def test_five_megabytes() -> None:
    data = b"# padding\n" * (5 * 1024 * 1024 // 10)
    assert len(data) > MAX_SOURCE_BYTES
    assert codes(check_bytes(data)) == {"E006"}


@pytest.mark.parametrize(("opening", "closing"), [("(", ")"), ("[", "]"), ("{", "}")])
def test_ten_thousand_nesting_levels(opening: str, closing: str) -> None:
    where = opening * 10_000 + ATOM + closing * 10_000
    assert codes(check_bytes(with_scope(where))) == {"E007"}


@pytest.mark.parametrize(("opening", "closing"), [("(", ")"), ("[", "]"), ("{", "}")])
def test_ten_thousand_unclosed_levels(opening: str, closing: str) -> None:
    assert codes(check_bytes(with_scope(opening * 10_000))) == {"E007"}


def test_nesting_at_the_limit_is_accepted() -> None:
    result = check_bytes(with_scope("(" * MAX_DEPTH + ATOM + ")" * MAX_DEPTH))
    assert "E007" not in codes(result)
    assert not result.errors


def test_ten_thousand_nots() -> None:
    result = check_bytes(with_scope("not " * 10_000 + ATOM))
    assert codes(result) == {"E007"}
    assert "not" in result.diagnostics[0].message


def test_nots_inside_parentheses_add_up() -> None:
    assert codes(check_bytes(with_scope("not (" * 10_000 + ATOM + ")" * 10_000))) == {"E007"}
    deep = "not (" * (MAX_DEPTH // 2) + ATOM + ")" * (MAX_DEPTH // 2)
    assert not check_bytes(with_scope(deep)).errors


def test_not_chain_at_the_limit_is_accepted() -> None:
    result = check_bytes(with_scope("not " * MAX_DEPTH + ATOM))
    assert not result.errors


def test_many_separate_nots_are_not_nesting() -> None:
    where = " and ".join([f"not {ATOM}"] * (MAX_DEPTH * 2))
    assert not check_bytes(with_scope(where)).errors


def test_ten_thousand_and_terms() -> None:
    data = with_scope(" and ".join([ATOM] * 10_000))
    assert len(data) < MAX_SOURCE_BYTES
    result = check_bytes(data)
    assert not result.errors


def test_nul_bytes() -> None:
    result = check_bytes(BANK_TEXT.encode() + b"\x00\x00\x00\n")
    assert codes(result) == {"E005"}


def test_many_control_characters_are_capped() -> None:
    result = check_bytes(b"\x00" * 100_000)
    assert codes(result) == {"E005"}
    assert len(result.diagnostics) <= 10


@pytest.mark.parametrize(
    "data", [b"\xff\xfe\xfa", b"contract x \xc3\x28 {\n}\n", BANK_TEXT.encode() + b"\x80\n"]
)
def test_invalid_utf8(data: bytes) -> None:
    assert codes(check_bytes(data)) == {"E004"}


@pytest.mark.parametrize(
    "data",
    [b"\xef\xbb\xbf", b"", b"\n\n\n", b"   \t  ", b"# only\n# comments\n", b"# no newline"],
    ids=["bom", "empty", "newlines", "blanks", "comments", "comment-no-newline"],
)
def test_no_contract(data: bytes) -> None:
    result = check_bytes(data)
    assert result.errors
    assert codes(result) <= {"E001", "E103"}


def test_bom_before_a_contract() -> None:
    result = check_bytes(b"\xef\xbb\xbf" + BANK_TEXT.encode())
    assert result.diagnostics == ()


def test_crlf_line_endings() -> None:
    result = check_bytes(BANK_TEXT.replace("\n", "\r\n").encode())
    assert result.diagnostics == ()


def test_crlf_positions() -> None:
    text = 'contract broken "Broken" {\r\n  client 3\r\n  vendor "V"\r\n}\r\n'
    result = check_bytes(text.encode())
    spans = [(d.span.line, d.span.column) for d in result.diagnostics if d.code == "E302"]
    assert spans == [(2, 10)]


def test_lone_carriage_returns() -> None:
    result = check_bytes(BANK_TEXT.replace("\n", "\r").encode())
    assert isinstance(result.diagnostics, tuple)


def test_many_syntax_errors() -> None:
    result = check_bytes(b"x y z\n" * 20_000)
    assert result.errors
    assert codes(result) <= {"E001", "E002", "E103"}


def test_unclosed_string_and_blocks() -> None:
    result = check_bytes(b'contract x "unclosed {\n  objective a {\n    metric "\n')
    assert result.errors


def test_one_very_long_line() -> None:
    result = check_bytes(b"contract " + b"x" * 1_000_000 + b" {\n}\n")
    assert result.errors


@pytest.mark.slow
def test_a_thousand_contracts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for index in range(1000):
        text = BANK_TEXT.replace("anonymous_bank_1999", f"bank_{index}").replace(
            "min_volume 10 calls", f"min_volume {10 + index % 7} calls"
        )
        if index % 250 == 0:
            text = text.replace('client "Anonymous Bank"', "client 3")
        (tmp_path / f"bank-{index:04}.sla").write_text(text, encoding="utf-8")
    code = main(["check", "--format", "json", str(tmp_path)])
    out, _ = capsys.readouterr()
    assert code == Exit.FAILED
    document = json.loads(out)
    assert document["summary"]["files"] == 1000
    assert document["summary"]["errors"] == 4


def test_an_unknown_window_under_a_risk_rule_is_a_diagnostic() -> None:
    """A misspelt window (``objectivemonth``) of an objective a risk rule counts is E209,
    not an exception while comparing windows."""
    text = (Path(__file__).parents[2] / "contracts" / "anonymous-bank-1999.sla").read_text(
        encoding="utf-8"
    )
    assert "  window month\n  aggregate pooled\n  expected >= 80%\n  minimum >= 70%" in text
    text = text.replace(
        "  window month\n  aggregate pooled\n  expected >= 80%\n  minimum >= 70%",
        "  window objectivemonth\n  aggregate pooled\n  expected >= 80%\n  minimum >= 70%",
        1,
    )
    result = api.check(text, path="mutated.sla")
    assert "E209" in [d.code for d in result.diagnostics]
