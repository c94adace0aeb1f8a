"""Credits and account-at-risk rules are counted in the right periods.

Verdicts are built by hand here, so each expectation is a hand computation: credits per invoice
month whatever the objective's window, the monthly and annual caps, earn-back in months, and
rules that count the periods of the objectives they name, in the unit they name.
"""

from __future__ import annotations

import datetime as dt

import pytest

import slalang
from slalang.engine.periods import key
from slalang.engine.plan import Period, Plan
from slalang.judge.consequences import account_risk, credits
from slalang.judge.verdicts import Verdict

HEADER = """contract c {{
  client "A"
  vendor "B"
  timezone "UTC"
  currency USD
  monthly_charges 100_000 USD{effective}
}}

source calls: contacts
"""

OBJECTIVE = """
objective {id} {{
  {tier}
  metric service_level
  threshold <= 20 s
  expected >= 80%
  window {window}
}}
"""


def _contract(*objectives: str, credit: str = "", rules: str = "", effective: str = "") -> Plan:
    text = HEADER.format(effective=f"\n  effective {effective}" if effective else "")
    text += "".join(objectives)
    if credit:
        text += f"\ncredits {{\n{credit}\n}}\n"
    if rules:
        text += f"\naccount_at_risk {{\n{rules}\n}}\n"
    return slalang.compile(slalang.check(text))


def _objective(id: str, window: str, tier: str = "critical allocation 50%") -> str:
    return OBJECTIVE.format(id=id, tier=tier, window=window)


def _verdict(plan: Plan, objective: str, period: str, status: str) -> Verdict:
    spec = next(o for o in plan.objectives if o.id == objective)
    return Verdict(
        objective=objective, title=None, line=spec.line, critical=spec.critical, period=period,
        status=status, actual=None, unit="ratio", expected=spec.expected, minimum=spec.minimum,
        numerator=0.0, denominator=0.0, volume=1, aggregate="pooled",
    )  # fmt: skip


def _windows(window: Period, first: dt.date, last: dt.date) -> list[tuple[str, dt.datetime]]:
    """Every window of this kind overlapping the days ``first`` to ``last``, with its start."""
    seen: dict[str, dt.datetime] = {}
    step = dt.timedelta(minutes=window.minutes) if window.kind == "interval" else dt.timedelta(1)
    moment = dt.datetime.combine(first, dt.time())
    end = dt.datetime.combine(last + dt.timedelta(1), dt.time())
    while moment < end:
        seen.setdefault(key(moment, window), moment)
        moment += step
    return list(seen.items())


# --- defect: rules sorted the periods of every objective together ---------------------------


def test_a_rule_ignores_an_objective_with_another_window() -> None:
    rule = "rule sl missed in 2 consecutive months"
    alone = _contract(_objective("sl", "month"), rules=rule)
    both = _contract(_objective("sl", "month"), _objective("q", "quarter", "key"), rules=rule)
    for plan in (alone, both):
        verdicts = [
            _verdict(plan, "sl", "2026-01", "met"),
            _verdict(plan, "sl", "2026-02", "missed"),
            _verdict(plan, "sl", "2026-03", "missed"),
        ]
        if plan is both:
            verdicts.append(_verdict(plan, "q", "2026-Q1", "met"))
        risk = account_risk(plan, verdicts, credits(plan, verdicts))
        assert risk.status == "at_risk"
        assert risk.period == "2026-03"
        (result,) = risk.rules
        assert (result.state, result.window, result.period) == ("fired", "months", "2026-03")
        assert result.periods == ("2026-02", "2026-03")


def test_a_rule_in_state_ok_lists_no_periods() -> None:
    plan = _contract(_objective("sl", "month"), rules="rule sl missed in 3 consecutive months")
    verdicts = [_verdict(plan, "sl", "2026-01", "missed"), _verdict(plan, "sl", "2026-02", "met")]
    (result,) = account_risk(plan, verdicts, []).rules
    assert result.state == "ok"
    assert result.periods == ()


@pytest.mark.parametrize("gap", [None, "no_data", "incomplete"])
def test_a_month_without_data_is_not_counted_as_met(gap: str | None) -> None:
    """A month with no verdict, or none judged, neither misses nor breaks a run of misses."""
    plan = _contract(_objective("sl", "month"), rules="rule sl missed in 2 consecutive months")
    verdicts = [_verdict(plan, "sl", "2026-01", "missed")]
    if gap is not None:
        verdicts.append(_verdict(plan, "sl", "2026-02", gap))
    verdicts.append(_verdict(plan, "sl", "2026-03", "missed"))
    (result,) = account_risk(plan, verdicts, []).rules
    assert result.state == "fired"
    assert result.periods == ("2026-01", "2026-03")
    met = [*verdicts[:1], _verdict(plan, "sl", "2026-02", "met"), verdicts[-1]]
    (result,) = account_risk(plan, met, []).rules
    assert result.state == "watch"
    assert result.periods == ("2026-03",)


def test_rules_over_any_objective_count_every_tier() -> None:
    plan = _contract(
        _objective("sl", "month"),
        _objective("k", "month", "key"),
        rules="rule any objective missed in 1 consecutive months",
    )
    verdicts = [_verdict(plan, "sl", "2026-01", "met"), _verdict(plan, "k", "2026-01", "missed")]
    assert account_risk(plan, verdicts, []).status == "at_risk"


# --- defect: credits were charged per verdict period ----------------------------------------


def test_a_daily_critical_objective_earns_one_credit_per_month() -> None:
    plan = _contract(_objective("sl", "day", "critical allocation 100%"), credit="  at_risk 10%\n")
    days = _windows(Period("day"), dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    verdicts = [_verdict(plan, "sl", period, "below_minimum") for period, _ in days]
    months = credits(plan, verdicts)
    assert [m.period for m in months] == ["2026-01", "2026-02", "2026-03"]
    assert [m.due for m in months] == [10_000.0, 10_000.0, 10_000.0]
    assert sum(m.due for m in months) == 30_000.0
    assert len(months[1].credits) == 1
    assert len(months[1].credits[0].windows) == 28


def test_a_quarterly_objective_is_charged_in_the_month_its_quarter_ends() -> None:
    plan = _contract(_objective("sl", "quarter"), credit="  at_risk 10%\n  trigger missed\n")
    months = credits(plan, [_verdict(plan, "sl", "2026-Q1", "missed")])
    assert [(m.period, m.due) for m in months] == [("2026-03", 5_000.0)]
    assert months[0].credits[0].windows == ("2026-Q1",)


def test_earn_back_counts_months_for_a_daily_objective() -> None:
    plan = _contract(
        _objective("sl", "day"), credit="  at_risk 10%\n  trigger missed\n  earn_back 1\n"
    )
    days = _windows(Period("day"), dt.date(2026, 1, 1), dt.date(2026, 3, 31))

    def status(period: str) -> str:
        return "missed" if period in ("2026-01-15", "2026-03-02") else "met"

    months = credits(plan, [_verdict(plan, "sl", p, status(p)) for p, _ in days])
    states = {m.period: [c.state for c in m.credits] for m in months}
    # January is earned back by a clean February; March has no later month yet.
    assert states == {"2026-01": ["waived"], "2026-02": [], "2026-03": ["pending"]}


@pytest.mark.parametrize(
    ("cap", "effective", "dues"),
    [
        # twelve months' at-risk amount is 120,000: 50 % of it is 60,000.
        ("annual_cap 50%", "", [10_000.0] * 6 + [0.0] * 6),
        ("annual_cap 25_000 USD", "", [10_000.0, 10_000.0, 5_000.0] + [0.0] * 9),
        # contract years from 2026-04-01: January to March 2026 are the year before.
        ("annual_cap 20_000 USD", "2026-04-01 to 2027-03-31",
         [10_000.0, 10_000.0, 0.0, 10_000.0, 10_000.0] + [0.0] * 7),
    ],
)  # fmt: skip
def test_the_annual_cap_stops_the_credits_due_in_a_year(
    cap: str, effective: str, dues: list[float]
) -> None:
    plan = _contract(
        _objective("sl", "month", "critical allocation 100%"),
        credit=f"  at_risk 10%\n  trigger missed\n  {cap}\n",
        effective=effective,
    )
    periods = [f"2026-{month:02d}" for month in range(1, 13)]
    months = credits(plan, [_verdict(plan, "sl", p, "missed") for p in periods])
    assert [m.due for m in months] == dues
    assert all(m.capped == 10_000.0 for m in months)
    first_at_cap = next(i for i, m in enumerate(months) if m.at_annual_cap)
    assert first_at_cap == dues.index(0.0) - 1


# --- the period matrix ----------------------------------------------------------------------

WINDOWS = {
    "30 min": Period("interval", 30),
    "day": Period("day"),
    "week": Period("week"),
    "month": Period("month"),
    "quarter": Period("quarter"),
}

EXPECTED = {
    # window: (months with a credit, rule over months (state, periods), rule over periods)
    "30 min": (["2026-02", "2026-03"], ("fired", ("2026-02", "2026-03")), "fired"),
    "day": (["2026-02", "2026-03"], ("fired", ("2026-02", "2026-03")), "fired"),
    # the week of 30 March to 5 April ends in April: its credit is on the April invoice.
    "week": (
        ["2026-02", "2026-03", "2026-04"],
        ("fired", ("2026-02", "2026-03", "2026-04")),
        "fired",
    ),
    # January met, February and March missed: 2 of the last 3 months, one short of 3 of 4.
    "month": (["2026-02", "2026-03"], ("fired", ("2026-02", "2026-03")), "watch"),
    "quarter": (["2026-03"], None, "ok"),
}


@pytest.mark.parametrize("window", list(WINDOWS))
def test_credits_and_rules_per_window(window: str) -> None:
    """Windows overlapping 1 February to 31 March 2026 are missed, the others met."""
    months_rule = "  rule sl missed in 2 consecutive months\n"
    periods_rule = "  rule sl missed in 3 of last 4 periods\n"
    expected_credits, by_months, by_periods = EXPECTED[window]
    text_rules = (months_rule if by_months is not None else "") + periods_rule
    plan = _contract(
        _objective("sl", window), credit="  at_risk 10%\n  trigger missed\n", rules=text_rules
    )
    period = WINDOWS[window]
    verdicts = []
    for name, start in _windows(period, dt.date(2026, 1, 1), dt.date(2026, 3, 31)):
        length = {"30 min": dt.timedelta(minutes=30), "day": dt.timedelta(days=1),
                  "week": dt.timedelta(days=7), "month": dt.timedelta(days=28),
                  "quarter": dt.timedelta(days=90)}[window]  # fmt: skip
        overlaps = start + length > dt.datetime(2026, 2, 1)
        verdicts.append(_verdict(plan, "sl", name, "missed" if overlaps else "met"))
    months = credits(plan, verdicts)
    assert [m.period for m in months if m.credits] == expected_credits
    assert all(m.due == 5_000.0 for m in months if m.credits)
    risk = account_risk(plan, verdicts, months)
    results = {r.line: r for r in risk.rules}
    ordered = [results[line] for line in sorted(results)]
    if by_months is not None:
        assert (ordered[0].state, ordered[0].periods) == by_months
        assert ordered[0].window == "months"
    assert ordered[-1].state == by_periods


def test_a_rule_cannot_count_months_of_a_quarterly_objective() -> None:
    text = HEADER.format(effective="") + _objective("sl", "quarter", "key")
    text += "\naccount_at_risk {\n  rule sl missed in 2 consecutive months\n}\n"
    codes = [d.code for d in slalang.check(text).diagnostics]
    assert codes == ["E503"]


def test_periods_over_objectives_of_different_windows_is_ambiguous() -> None:
    text = HEADER.format(effective="")
    text += _objective("a", "month", "critical") + _objective("b", "day", "critical")
    text += "\naccount_at_risk {\n  rule any critical missed in 2 consecutive periods\n}\n"
    diagnostics = slalang.check(text).diagnostics
    errors = [d for d in diagnostics if d.code.startswith("E")]
    assert [d.code for d in errors] == ["E503"]
    assert "different windows" in errors[0].message


@pytest.mark.parametrize("unit", ["months", "periods"])
def test_a_rule_over_an_objective_with_a_misspelt_window_is_no_crash(unit: str) -> None:
    text = HEADER.format(effective="") + _objective("sl", "onth", "key")
    text += f"\naccount_at_risk {{\n  rule sl missed in 2 consecutive {unit}\n}}\n"
    codes = {d.code for d in slalang.check(text).diagnostics}
    assert "E503" not in codes
    assert "E209" in codes  # the unknown period


def test_the_account_month_by_month() -> None:
    """The status at the end of every month, gaps included; the last one is the account's."""
    from slalang.judge.consequences import account_history

    plan = _contract(_objective("sl", "month"), rules="rule sl missed in 2 consecutive months")
    verdicts = [
        _verdict(plan, "sl", "2026-01", "missed"),
        _verdict(plan, "sl", "2026-03", "missed"),
        _verdict(plan, "sl", "2026-04", "met"),
        _verdict(plan, "sl", "2026-05", "missed"),
    ]
    history = account_history(plan, verdicts, [])
    assert [(m.month, m.risk.status, m.changed) for m in history] == [
        ("2026-01", "watch", True),  # one miss more would fire the rule
        ("2026-02", "watch", False),  # no data: nothing changes
        ("2026-03", "at_risk", True),
        ("2026-04", "ok", True),
        ("2026-05", "watch", True),
    ]
    assert history[2].risk.rules[0].periods == ("2026-01", "2026-03")
    assert history[-1].risk == account_risk(plan, verdicts, [])
    assert account_history(plan, [], []) == ()
