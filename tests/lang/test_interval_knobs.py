"""Knobs that need single contact records are refused on interval reports (E702).

Interval reports hold counts and sums per interval, so a knob that looks at each
contact (where its wait started, when its event happened, how long it was handled,
whether it was a call-back) can only keep its default there; any other value would be
accepted and silently ignored by both evaluators.
"""

from __future__ import annotations

import pytest

import slalang

CONTRACT = """contract demo {
  client "A"
  vendor "B"
  timezone "UTC"
}

source s: intervals

objective o {
  key
  metric METRIC
  KNOB
  LEVEL
}
"""

SL = ("service_level\n  threshold <= 20 s", "expected >= 80%")
ASA = ("average_speed_of_answer", "expected <= 30 s")
AHT = ("average_handle_time", "expected <= 300 s")
ABANDON = ("abandonment_rate", "expected <= 8%")

REFUSED = [
    (SL, "attribution event"),
    (SL, "denominator events"),
    (SL, "wait_start arrival"),
    (SL, "wait_end ringing"),
    (SL, "callbacks failure"),
    (SL, "callbacks success_within_threshold"),
    (ABANDON, "denominator events"),
    (ABANDON, "wait_start arrival"),
    (ASA, "population offered"),
    (ASA, "wait_end ringing"),
    (AHT, "short_call < 10 s"),
]
DEFAULTS = [
    (SL, "attribution arrival"),
    (SL, "denominator offered"),
    (SL, "wait_start vru_exit"),
    (SL, "wait_end answer"),
    (SL, "callbacks excluded"),
    (ASA, "population answered"),
    (AHT, "short_call none"),
]


def _codes(metric: tuple[str, str], knob: str, kind: str = "intervals") -> list[str]:
    text = CONTRACT.replace("METRIC", metric[0]).replace("KNOB", knob).replace("LEVEL", metric[1])
    text = text.replace("source s: intervals", f"source s: {kind}")
    return [d.code for d in slalang.check(text, path="demo.sla").diagnostics]


@pytest.mark.parametrize(("metric", "knob"), REFUSED, ids=[k for _, k in REFUSED])
def test_a_contact_level_knob_is_refused_on_interval_reports(
    metric: tuple[str, str], knob: str
) -> None:
    assert _codes(metric, knob) == ["E702"]
    assert _codes(metric, knob, "contacts") == []


@pytest.mark.parametrize(("metric", "knob"), DEFAULTS, ids=[k for _, k in DEFAULTS])
def test_the_default_of_such_a_knob_is_accepted(metric: tuple[str, str], knob: str) -> None:
    assert _codes(metric, knob) == []


def test_the_message_says_why() -> None:
    text = CONTRACT.replace("METRIC", ASA[0]).replace("KNOB", "population offered")
    (found,) = slalang.check(text.replace("LEVEL", ASA[1]), path="demo.sla").diagnostics
    assert found.message == (
        "interval source `s` cannot give `population offered`: interval reports sum the waits "
        "of answered contacts only"
    )
