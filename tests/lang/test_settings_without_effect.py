"""A setting that only matters beside another one is W301 when it cannot matter.

Both evaluators ignore `top_box` with `method mean`, the repeat-contact knobs of
`fcr` with another method, and `short_abandons_in_denominator` without short
abandons; writing one of them with a value other than its default is a warning.
"""

from __future__ import annotations

import pytest

import slalang

CONTRACT = """contract demo {
  client "A"
  vendor "B"
  timezone "UTC"
}

source s: KIND

objective o {
  key
  BODY
}
"""

CASES = [
    ("surveys", "metric csat\n  method mean\n  top_box 5\n  expected >= 4", ["W301"]),
    ("surveys", "metric csat\n  method mean\n  top_box 4\n  expected >= 4", []),
    ("surveys", "metric csat\n  top_box 5\n  expected >= 80%", []),
    ("contacts", "metric fcr\n  method agent_flag\n  repeat_window 3 d\n  expected >= 70%",
     ["W301"]),
    ("contacts", "metric fcr\n  method agent_flag\n  same_issue_only true\n  expected >= 70%",
     ["W301"]),
    ("contacts", "metric fcr\n  method agent_flag\n  customer_key reason\n  expected >= 70%",
     ["W301"]),
    ("contacts", "metric fcr\n  method agent_flag\n  repeat_window 7 d\n  expected >= 70%", []),
    ("contacts", "metric fcr\n  method repeat_contact\n  repeat_window 3 d\n  expected >= 70%",
     []),
    ("surveys", "metric fcr\n  method survey\n  same_issue_only true\n  expected >= 70%",
     ["W301"]),
    ("contacts", "metric abandonment_rate\n  short_abandons_in_denominator true\n"
     "  expected <= 8%", ["W301"]),
    ("contacts", "metric abandonment_rate\n  short_abandon none\n"
     "  short_abandons_in_denominator true\n  expected <= 8%", ["W301"]),
    ("contacts", "metric abandonment_rate\n  short_abandon < 5 s\n"
     "  short_abandons_in_denominator true\n  expected <= 8%", []),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "body", "codes"), CASES)
def test_settings_without_effect(kind: str, body: str, codes: list[str]) -> None:
    text = CONTRACT.replace("KIND", kind).replace("BODY", body)
    found = slalang.check(text, path="demo.sla").diagnostics
    assert [d.code for d in found] == codes, [d.message for d in found]


def test_the_warning_names_what_would_give_the_setting_effect() -> None:
    text = CONTRACT.replace("KIND", "surveys").replace("BODY", CASES[0][1])
    (found,) = slalang.check(text, path="demo.sla").diagnostics
    assert found.message == "`top_box` has no effect without `method top_box`"
    assert found.help == "leave it out, or use `method top_box`"
