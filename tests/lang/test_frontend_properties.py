"""Property tests of the front end: any input gives diagnostics, never an exception.

Arbitrary text and bytes, and random mutations of the bundled contracts, go
through parse and check. The mutation test runs 2,000 examples under the
``ci`` Hypothesis profile.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slalang
from slalang.diagnostics import Diagnostic, Severity

CONTRACTS = sorted((Path(__file__).parents[2] / "contracts").glob("*.sla"))
TEXTS = [path.read_text(encoding="utf-8") for path in CONTRACTS]
IN_CI = os.environ.get("HYPOTHESIS_PROFILE") == "ci"

VOCABULARY = [
    "{", "}", "(", ")", "[", "]", ",", ":", "=", "==", ">=", "<", "%", '"', "#", "-", "\n",
    "\t", " ", "\x00", "objective", "contract", "metric", "where", "and", "not", "in",
    "between", "expected", "minimum", "critical", "key", "20 s", "80%", "2026-02-30", "25:00",
    "1999-01-01 10:00", "service_level", "calls", "from", "window", "aggregate", "per",
    "meeting", "template", "apply", "x(", "rule", "any", "credits", "at", "cap", "\u00e9",
    "\r\n", "999999999999999999999", "-5", "0.5",
]  # fmt: skip


def _valid_spans(text: str, diagnostics: tuple[Diagnostic, ...]) -> None:
    lines = text.count("\n") + 2
    for diagnostic in diagnostics:
        assert diagnostic.code
        assert isinstance(diagnostic.severity, Severity)
        if diagnostic.span is not None:
            assert 1 <= diagnostic.span.line <= lines
            assert diagnostic.span.column >= 1
            assert 0 <= diagnostic.span.start <= diagnostic.span.end <= len(text) + 1


@st.composite
def mutated_contract(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "duplicate", "swap"]))
        position = draw(st.integers(0, len(text)))
        if kind == "insert":
            text = text[:position] + draw(st.sampled_from(VOCABULARY)) + text[position:]
        elif kind == "delete":
            length = draw(st.integers(1, 40))
            text = text[:position] + text[position + length :]
        elif kind == "replace":
            text = text[:position] + draw(st.sampled_from(VOCABULARY)) + text[position + 1 :]
        else:
            lines = text.split("\n")
            first = draw(st.integers(0, len(lines) - 1))
            second = draw(st.integers(0, len(lines) - 1))
            if kind == "duplicate":
                lines.insert(second, lines[first])
            else:
                lines[first], lines[second] = lines[second], lines[first]
            text = "\n".join(lines)
    return text


@settings(
    max_examples=2000 if IN_CI else 200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutated_contract())
def test_mutated_contracts_give_diagnostics_not_exceptions(text: str) -> None:
    result = slalang.check(text, path="mutated.sla")
    _valid_spans(text, result.diagnostics)


@settings(max_examples=1000 if IN_CI else 100, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises(text: str) -> None:
    result = slalang.check(text, path="random.sla")
    _valid_spans(text, result.diagnostics)
    assert result.diagnostics, "arbitrary text is never a complete contract"


@settings(max_examples=500 if IN_CI else 100, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    parsed = slalang.parse_bytes(data, path="random.sla")
    if parsed.source is not None:
        _valid_spans(parsed.source.text, parsed.diagnostics)


@settings(max_examples=300 if IN_CI else 50, deadline=None)
@given(st.sampled_from(TEXTS), st.lists(st.sampled_from(VOCABULARY), max_size=30))
def test_appending_garbage_never_raises(text: str, pieces: list[str]) -> None:
    garbage = " ".join(pieces)
    result = slalang.check(text + garbage, path="garbage.sla")
    _valid_spans(text + garbage, result.diagnostics)


def test_bundled_contracts_have_no_diagnostics() -> None:
    assert TEXTS
    for path, text in zip(CONTRACTS, TEXTS, strict=True):
        result = slalang.check(text, path=str(path))
        assert result.diagnostics == (), path
