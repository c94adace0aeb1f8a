"""Named holiday sets (`holidays US`), observed and actual dates, and dates added or removed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import slalang
from slalang.lang.holiday_sets import dates

ROOT = Path(__file__).resolve().parents[2]

# The 22 US federal holidays of 2026-2027 on their observed days, as schedule 5 of the
# Acme contract listed them date by date (OPM's tables give the same days).
ACME_DAYS = [
    "2026-01-01",
    "2026-01-19",
    "2026-02-16",
    "2026-05-25",
    "2026-06-19",
    "2026-07-03",
    "2026-09-07",
    "2026-10-12",
    "2026-11-11",
    "2026-11-26",
    "2026-12-25",
    "2027-01-01",
    "2027-01-18",
    "2027-02-15",
    "2027-05-31",
    "2027-06-18",
    "2027-07-05",
    "2027-09-06",
    "2027-10-11",
    "2027-11-11",
    "2027-11-25",
    "2027-12-24",
]

HEADER = """contract demo {
  client "A"
  vendor "B"
  timezone "America/Chicago"
  effective 2026-01-01 to 2027-12-31
}
source calls: contacts
objective asa {
  key
  metric average_speed_of_answer
  from calls
  window month
  expected <= 30 s
  calendar hours
}
"""


def holidays_of(calendar_body: str) -> list[str]:
    text = (
        HEADER + "calendar hours {\n  open monday to sunday 00:00-24:00\n" + calendar_body + "}\n"
    )
    return calendar_days(slalang.compile(slalang.check(text)), "hours")


def calendar_days(plan: slalang.Plan, name: str) -> list[str]:
    """The holidays of the calendar ``name`` as the plan gives it to both evaluators."""
    found = {
        frozenset(o.calendar.holidays)
        for o in plan.objectives
        if o.calendar is not None and o.calendar.id == name
    }
    assert len(found) == 1
    return sorted(day.isoformat() for day in found.pop())


def test_acme_excludes_the_22_observed_dates_it_listed() -> None:
    plan = slalang.compile_file(ROOT / "contracts" / "acme-care.sla")
    assert calendar_days(plan, "business_hours") == ACME_DAYS


def test_observed_is_the_default_and_moves_weekend_holidays() -> None:
    observed = holidays_of("  holidays US\n")
    assert "2026-07-03" in observed
    assert "2026-07-04" not in observed
    assert observed == holidays_of("  holidays US observed\n")


def test_actual_takes_the_calendar_dates() -> None:
    actual = holidays_of("  holidays US actual\n")
    assert "2026-07-04" in actual
    assert "2026-07-03" not in actual
    assert "2027-12-31" not in actual  # New Year's Day 2028 is in 2028


def test_a_holiday_observed_in_the_year_before_is_kept() -> None:
    """New Year's Day 2028 (a Saturday) is observed on Friday 2027-12-31."""
    assert "2027-12-31" in holidays_of("  holidays US\n")


def test_dates_added_and_removed_by_hand() -> None:
    days = holidays_of(
        '  holidays US\n  holiday 2026-12-24 "Christmas Eve"\n  not holiday 2026-11-11\n'
    )
    assert "2026-12-24" in days
    assert "2026-11-11" not in days


def test_subdivisions_and_markets() -> None:
    texas = holidays_of('  holidays US "TX"\n')
    assert len(texas) > len(holidays_of("  holidays US\n"))
    nyse = holidays_of("  holidays NYSE\n")
    assert "2026-04-03" in nyse  # Good Friday: the exchange is closed, federal offices are not
    assert "2026-10-12" not in nyse  # Columbus Day: the exchange is open


def test_the_format_keeps_holiday_sets() -> None:
    body = '  holidays US "TX" actual\n  not holiday 2026-06-19 "open"\n'
    text = HEADER + "calendar hours {\n  open monday to friday 08:00-20:00\n" + body + "}\n"
    parsed = slalang.parse(text)
    assert parsed.contract is not None
    from slalang.lang.unparse import unparse

    again = slalang.parse(unparse(parsed.contract))
    assert again.contract == parsed.contract


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("  holidays XX\n", "E214"),
        ('  holidays US "Tejas"\n', "E214"),
        ("  holidays US\n  not holiday 2026-07-04\n", "W602"),
    ],
)
def test_mistakes_are_diagnosed(body: str, code: str) -> None:
    text = HEADER + "calendar hours {\n  open monday to friday 08:00-20:00\n" + body + "}\n"
    assert [d.code for d in slalang.check(text).diagnostics] == [code]


def test_dates_are_within_the_range_asked() -> None:
    found = dates("US", None, observed=True, start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 31))
    assert list(found) == [dt.date(2026, 7, 3)]


@pytest.mark.parametrize("evaluator", ["duckdb", "reference"])
def test_both_evaluators_judge_a_set_as_its_dates_written_by_hand(evaluator: str) -> None:
    """`holidays US` over a week of July 2026 is `holiday 2026-07-03` (Independence Day)."""
    from slalang.synth import contacts

    data = contacts(3000, seed=3, start="2026-07-01", days=7)
    results = []
    for body in ("  holidays US\n", "  holiday 2026-07-03\n", ""):
        calendar = "calendar hours {\n  open monday to sunday 00:00-24:00\n" + body + "}\n"
        plan = slalang.compile(slalang.check(HEADER + calendar))
        (verdict,) = slalang.evaluate(plan, data=data, evaluator=evaluator).verdicts
        results.append((verdict.excluded, verdict.numerator, verdict.denominator))
    by_set, by_hand, without = results
    assert by_set == by_hand
    assert by_set[0]["holiday"] > 0
    assert without[0] == {}
    assert without[2] > by_set[2]
