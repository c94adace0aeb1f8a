"""Numbers too large for any contract are diagnosed (E105); pathological text stays fast."""

from __future__ import annotations

from pathlib import Path

import pytest

import slalang

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = (ROOT / "contracts" / "multi-queue.sla").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("in 3 consecutive", "in " + "9" * 5000 + " consecutive"),
        ("in 3 consecutive", "in " + "9" * 16 + " consecutive"),
        ("threshold <= 30 s", "threshold <= 1" + "0" * 308 + " s"),
        ("threshold <= 30 s", "threshold <= -1" + "0" * 400 + ".5 s"),
    ],
    ids=["count-5000-digits", "count-16-digits", "threshold-1e308", "negative-400-digits"],
)
def test_huge_numbers_are_diagnosed(old: str, new: str) -> None:
    assert old in CONTRACT
    result = slalang.check(CONTRACT.replace(old, new, 1))
    codes = [d.code for d in result.diagnostics]
    assert "E105" in codes
    assert any("too large a number" in d.message for d in result.diagnostics)
    # and nothing downstream raises on what is left
    assert not result.ok


def test_fifteen_digits_are_accepted() -> None:
    text = CONTRACT.replace("in 3 consecutive", "in 999_999_999_999_999 consecutive", 1)
    assert "E105" not in [d.code for d in slalang.check(text).diagnostics]


def test_an_unclosed_string_full_of_escaped_quotes_is_scanned_in_linear_time() -> None:
    """Scanning used to restart at every quote of the line: 40 KB took 22 s."""
    import time

    short, long = ('contract demo {\n  client "' + '\\"' * n + "\n}\n" for n in (2_000, 40_000))
    slalang.check(short)
    started = time.perf_counter()
    result = slalang.check(long)
    elapsed = time.perf_counter() - started
    assert [d.code for d in result.diagnostics][:1] == ["E003"]
    assert elapsed < 2.0, f"{elapsed:.1f} s for an 80 KB line"
