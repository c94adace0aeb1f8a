"""Formatter and model printer properties on generated contracts.

For every generated model ``m``: ``parse(unparse(m)) == m``; ``unparse`` output is already
formatted; and any messy layout ``x`` of it formats to text that means the same, formats to
itself again, and (without comments, blank lines aside) equals ``unparse(m)``.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import contracts, exprs, messy, values

from slalang.api import parse
from slalang.lang import model as m
from slalang.lang.fmt import format_text
from slalang.lang.unparse import expr, unparse, value

SCALE = max(1, settings.default.max_examples // 60)
"""Modest example counts by default; the ``ci`` Hypothesis profile multiplies them."""


@settings(max_examples=40 * SCALE)
@given(contracts())
def test_unparse_round_trips(contract: m.Contract) -> None:
    text = unparse(contract)
    parsed = parse(text)
    assert parsed.diagnostics == ()
    assert parsed.contract == contract


@settings(max_examples=25 * SCALE)
@given(contracts())
def test_unparse_is_formatted(contract: m.Contract) -> None:
    text = unparse(contract)
    result = format_text(text)
    assert result.text == text
    assert not result.changed


@settings(max_examples=25 * SCALE)
@given(contracts(), st.data())
def test_format_keeps_meaning_and_is_idempotent(contract: m.Contract, data: st.DataObject) -> None:
    canonical = unparse(contract)
    text = data.draw(messy(canonical), label="messy layout")
    once = format_text(text)
    assert once.text is not None, once.diagnostics
    assert parse(once.text).contract == parse(text).contract == contract
    assert format_text(once.text).text == once.text
    if text.count("#") == canonical.count("#"):  # no comments were added
        # blank lines the layout added inside blocks are kept; all else is as printed
        assert _lines(once.text) == _lines(canonical)


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line]


@settings(max_examples=60 * SCALE)
@given(exprs)
def test_filter_expressions_round_trip(node: m.Expr) -> None:
    parsed = parse(f"scope s = base where {expr(node)}\n")
    assert parsed.contract is not None
    assert parsed.contract.scopes[0].where == node


@settings(max_examples=60 * SCALE)
@given(values)
def test_values_round_trip(node: m.Value) -> None:
    parsed = parse(f"credits {{\n  knob {value(node)}\n}}\n")
    assert parsed.contract is not None
    assert parsed.contract.credits is not None
    assert parsed.contract.credits.settings[0].value == node
