"""Formatter behaviour: broken input, comments, idempotence, CRLF, explicit defaults."""

from __future__ import annotations

import importlib

import pytest

from slalang.api import parse
from slalang.lang import fmt
from slalang.lang.fmt import format_text
from slalang.lang.model import Objective

CONTRACT = """\
contract demo {   # the header
  client "A"
}
objective sl {
  metric service_level
  expected >= 80 %
}
"""


def test_syntax_error_is_not_formatted() -> None:
    result = format_text("objective sl {\n  metric\n}\nscope = x\n", path="bad.sla")
    assert result.text is None
    assert not result.changed
    assert result.diagnostics
    assert all(d.code.startswith("E0") for d in result.diagnostics)
    assert {d.span.path for d in result.diagnostics if d.span} == {"bad.sla"}


def test_unclosed_block_is_not_formatted() -> None:
    result = format_text("objective sl {\n  metric m\n")
    assert result.text is None
    assert [d.code for d in result.diagnostics] == ["E008"]


def test_structural_mistakes_are_still_formatted() -> None:
    # a repeated statement is a checker matter (E101), not a reason to refuse formatting
    text = "objective sl {\n  metric a\n  metric  b\n}\n"
    result = format_text(text)
    assert result.text == "objective sl {\n  metric a\n  metric b\n}\n"
    assert result.diagnostics == ()


def test_canonical_text_is_unchanged() -> None:
    once = format_text(CONTRACT)
    assert once.changed
    assert once.text is not None
    twice = format_text(once.text)
    assert twice.text == once.text
    assert not twice.changed


def test_comments_are_kept() -> None:
    result = format_text(CONTRACT.replace("  client", "    # who\n  client"))
    assert result.text == (
        "contract demo {  # the header\n"
        "  # who\n"
        '  client "A"\n'
        "}\n"
        "\n"
        "objective sl {\n"
        "  metric service_level\n"
        "  expected >= 80%\n"
        "}\n"
    )


def test_comment_lines_take_the_indentation_of_the_next_statement() -> None:
    text = "template t() {\n# a\nobjective o {\n# b\nmetric m\n# c\n}\n# d\n}\n# e\n"
    assert format_text(text).text == (
        "template t() {\n"
        "  # a\n"
        "  objective o {\n"
        "    # b\n"
        "    metric m\n"
        "    # c\n"
        "  }\n"
        "  # d\n"
        "}\n"
        "# e\n"
    )


def test_crlf_input() -> None:
    crlf = CONTRACT.replace("\n", "\r\n").replace("# the header", "# the header  ")
    result = format_text(crlf)
    assert result.text == format_text(CONTRACT).text
    assert result.text is not None
    assert "\r" not in result.text
    assert result.changed


def test_file_ends_with_one_newline() -> None:
    assert format_text("credits {}").text == "credits {}\n"
    assert format_text("credits {}\n\n\n").text == "credits {}\n"
    assert format_text("").text == ""
    assert format_text("\n\n").text == ""


def test_empty_blocks() -> None:
    assert format_text("credits {}\n").text == "credits {}\n"
    assert format_text("credits {\n\n}\n").text == "credits {}\n"
    assert format_text("credits {\n  # later\n}\n").text == "credits {\n  # later\n}\n"


def test_statement_on_the_opening_line_moves_down() -> None:
    text = "objective aht { key\n  metric aht\n}\n"
    assert format_text(text).text == "objective aht {\n  key\n  metric aht\n}\n"


def test_tokens_are_spaced_canonically() -> None:
    text = (
        "calendar c {\n"
        "  open monday to friday 8:00 - 20:00\n"
        "}\n"
        "apply t ( 10 % , [ a ,b ] , 20s ) as x\n"
        "source calls :contacts\n"
    )
    assert format_text(text).text == (
        "calendar c {\n"
        "  open monday to friday 8:00-20:00\n"
        "}\n"
        "\n"
        "apply t(10%, [a, b], 20 s) as x\n"
        "\n"
        "source calls: contacts\n"
    )


def test_format_keeps_the_model() -> None:
    text = "scope s = c where not(a==1)or b in[1]and c not in []\n"
    result = format_text(text)
    assert result.text == "scope s = c where not (a == 1) or b in [1] and c not in []\n"
    assert parse(result.text).contract == parse(text).contract


# --- explicit mode -------------------------------------------------------------------


def _fake_defaults(objective: Objective) -> list[tuple[str, str]]:
    if objective.metric is None or objective.metric.text != "service_level":
        return []
    return [("threshold", "20s"), ("window", "month"), ("short_abandons", "excluded")]


EXPLICIT_INPUT = """\
objective sl {
  metric service_level
  threshold <= 30 s
  # last line
}
objective other {
  metric aht
}
template t() {
  objective inner {
    metric service_level
    window day
  }
}
"""


def test_explicit_mode_writes_out_missing_knobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fmt, "_explicit_defaults", _fake_defaults)
    result = format_text(EXPLICIT_INPUT, explicit=True)
    assert result.text == (
        "objective sl {\n"
        "  metric service_level\n"
        "  threshold <= 30 s\n"
        "  # last line\n"
        "  window month\n"
        "  short_abandons excluded\n"
        "}\n"
        "\n"
        "objective other {\n"
        "  metric aht\n"
        "}\n"
        "\n"
        "template t() {\n"
        "  objective inner {\n"
        "    metric service_level\n"
        "    window day\n"
        "    threshold 20 s\n"
        "    short_abandons excluded\n"
        "  }\n"
        "}\n"
    )
    assert result.changed
    again = format_text(result.text or "", explicit=True)
    assert again.text == result.text
    assert not again.changed


def test_explicit_mode_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fmt, "_explicit_defaults", _fake_defaults)
    assert format_text(EXPLICIT_INPUT).text == format_text(EXPLICIT_INPUT, explicit=False).text
    assert "short_abandons" not in (format_text(EXPLICIT_INPUT).text or "")


def test_explicit_mode_skips_objectives_without_metric(monkeypatch: pytest.MonkeyPatch) -> None:
    def every(objective: Objective) -> list[tuple[str, str]]:
        return [("threshold", "20 s")]

    monkeypatch.setattr(fmt, "_explicit_defaults", every)
    assert format_text("objective o {\n  key\n}\n", explicit=True).text == (
        "objective o {\n  key\n}\n"
    )


def test_explicit_mode_with_the_real_schema() -> None:
    try:
        schema = importlib.import_module("slalang.lang.schema")
    except ImportError:
        pytest.skip("slalang.lang.schema is not available")
    if not hasattr(schema, "explicit_defaults"):
        pytest.skip("slalang.lang.schema.explicit_defaults is not available")
    text = "objective sl {\n  metric service_level\n  expected >= 80%\n}\n"
    result = format_text(text, explicit=True)
    assert result.text is not None
    assert parse(result.text).diagnostics == ()
    assert format_text(result.text, explicit=True).text == result.text
    assert format_text(result.text).text == result.text
