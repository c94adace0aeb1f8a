"""The full format: header, location, snippet with carets, help, related labels, summary."""

from __future__ import annotations

import re

import slalang
from slalang.api import CheckResult
from slalang.codes import diag
from slalang.diagnostics import Label
from slalang.render import render
from slalang.render.common import Counts, summary_line
from slalang.source import Source

from .samples import at


def full(source: Source | None, *diagnostics: slalang.Diagnostic) -> str:
    return render([CheckResult(source, None, diagnostics)], format="full")


def caret_under(text: str, word: str) -> tuple[int, int]:
    """Return (column of ``word`` in the source line, column of the first caret)."""
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if re.match(r" *\d+ \|", line))
    return lines[row].index(word), lines[row + 1].index("^")


def test_syntax_error_snippet() -> None:
    parsed = slalang.parse("objective x {\n  expected >= \n}\n", path="a.sla")
    result = CheckResult(parsed.source, None, parsed.diagnostics)
    assert render([result], format="full") == (
        "error[E001]: unexpected end of line\n"
        "  --> a.sla:2:15\n"
        "   |\n"
        " 2 |   expected >=\n"
        "   |               ^ not expected here\n"
        "   |\n"
        "   = help: expected a number\n"
        "\n"
        "found 1 error in 1 file\n"
    )


def test_span_is_underlined_and_labelled() -> None:
    source = Source("s.sla", "source calls kind contacts\n")
    text = full(source, diag("E201", "unknown", source.span(*at(source, "calls")), label="here"))
    assert "   |        ^^^^^ here\n" in text


def test_tabs_expand_so_carets_align() -> None:
    source = Source("t.sla", "\tsource\tcalls\n")
    text = full(source, diag("E201", "unknown", source.span(*at(source, "calls"))))
    assert "\t" not in text
    word, caret = caret_under(text, "calls")
    assert word == caret
    assert "^^^^^" in text


def test_wide_characters_keep_carets_aligned() -> None:
    source = Source("w.sla", 'client "東京" calls\n')
    text = full(source, diag("E201", "unknown", source.span(*at(source, "calls"))))
    word, caret = caret_under(text, "calls")
    assert caret == word + 2  # each of the two wide characters takes two columns


def test_multi_line_span_underlines_to_end_of_first_line() -> None:
    source = Source("m.sla", "objective asa {\n  metric x\n}\n")
    text = full(source, diag("E103", "missing", source.span(0, len(source.text) - 1)))
    assert " 1 | objective asa {\n   | ^^^^^^^^^^^^^^^\n" in text
    assert "metric" not in text


def test_empty_span_gets_one_caret() -> None:
    source = Source("e.sla", "abc\n")
    text = full(source, diag("E001", "unexpected", source.span(3, 3), label="end"))
    assert "   |    ^ end\n" in text


def test_related_labels_have_their_own_snippet() -> None:
    source = Source("r.sla", "objective a {}\nobjective a {}\n")
    first = source.span(*at(source, "a", 0))
    again = source.span(*at(source, "a {", 1))
    d = diag(
        "E102",
        "duplicate id `a`",
        source.span(again.start, again.start + 1),
        label="declared again",
        related=(Label(first, "first declared here"),),
        help="rename one of them",
    )
    assert full(source, d).split("\n\n")[0] == (
        "error[E102]: duplicate id `a`\n"
        "  --> r.sla:2:11\n"
        "   |\n"
        " 2 | objective a {}\n"
        "   |           ^ declared again\n"
        "   |\n"
        "  ::: r.sla:1:11\n"
        "   |\n"
        " 1 | objective a {}\n"
        "   |           - first declared here\n"
        "   |\n"
        "   = help: rename one of them"
    )


def test_gutter_widens_with_line_numbers() -> None:
    source = Source("g.sla", "\n" * 120 + "bad\n")
    text = full(source, diag("E002", "bad", source.span(120, 121)))
    assert "    --> g.sla:121:1\n     |\n 121 | bad\n     | ^\n" in text


def test_span_none_uses_the_source_path() -> None:
    source = Source("big.sla", "")
    text = full(source, diag("E006", "file too large", None, help="split it"))
    assert text.startswith("error[E006]: file too large\n  --> big.sla\n   = help: split it\n\n")


def test_span_none_without_source_shows_the_message_only() -> None:
    text = full(None, diag("E009", "cannot read `x.sla`: gone", None))
    assert text == "error[E009]: cannot read `x.sla`: gone\n\nfound 1 error in 1 file\n"


def test_span_without_source_shows_location_and_label() -> None:
    span = Source("x.sla", "abc\n").span(0, 3)
    text = full(None, diag("E002", "bad", span, label="this"))
    assert text.startswith("error[E002]: bad\n  --> x.sla:1:1\n   = this\n")


def test_color_is_off_by_default_and_only_adds_escapes(results: list[CheckResult]) -> None:
    plain = render(results, format="full")
    colored = render(results, format="full", color=True)
    assert "\x1b[" not in plain
    assert "\x1b[1;31m" in colored
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == plain


def test_summary_line() -> None:
    assert summary_line(Counts(0, 0, 0, 3)) == "no problems found in 3 files"
    assert summary_line(Counts(1, 0, 0, 1)) == "found 1 error in 1 file"
    assert summary_line(Counts(2, 1, 0, 3)) == "found 2 errors and 1 warning in 3 files"
    assert summary_line(Counts(0, 2, 0, 2)) == "found 2 warnings in 2 files"
    assert summary_line(Counts(1, 1, 1, 1)) == "found 1 error, 1 warning and 1 note in 1 file"
