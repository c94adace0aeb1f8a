"""Acceptance: a year of acme-care with planted misses gives, month by month, the credits,
earn-backs and account status worked out by hand here.

The data (``year_data``) is built deterministically: every month meets every objective
comfortably unless a :class:`Month` plants a miss, and a planted miss gives a value the tests
can write down (voice service level = (100 - slow - abandoned) / 100, ...). Every expectation
below is a literal derived in the comments from ``contracts/acme-care.sla``, never from slalang:

- monthly charges 250,000 USD, ``at_risk 12%``: the at-risk amount is 30,000 USD a month;
- ``pool 100%``, so a critical's credit is its allocation x 30,000 USD:
  voice_service_level 30 % -> 9,000; chat_service_level 15 % -> 4,500;
  voice_abandonment 20 % -> 6,000; first_contact_resolution 15 % -> 4,500;
  quality_index 20 % -> 6,000;
- ``cap 100%``: 30,000 USD a month (never reached in the scenarios using acme-care as it is);
- ``trigger below_minimum``: only voice_service_level has a minimum (75 %); the others fail at
  their expected level (docs/language.md 8.5), so any miss of theirs is below minimum;
- ``earn_back 3 months``: a credit is waived when the objective meets its expected level in
  each of the next 3 months, pending while fewer than 3 later months are known, due otherwise
  (a later month without a verdict is not a month met);
- rules 7.1 (any critical below minimum in 3 consecutive months), 7.2 (4 of the last 6), 7.3
  (credits at cap in 2 of the last 12), ``watch_margin 1``: the account is on watch when one
  more miss would fire a rule (7.1: a run of 2; 7.2: 3 in the last 5 judged months; 7.3: 1 in
  the last 11 months).

Months are judged on the 2026 calendar year; December's first-contact resolution is never
judged (its repeat window of 7 days runs past the data), which changes nothing here.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

import slalang
from slalang.engine.plan import Plan
from tests.judge.year_data import MONTHS, SOURCES, Month, year_files, year_tables

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "contracts" / "acme-care.sla"
BASE = ACME.parent

R1 = "7.1 Three consecutive months"
R2 = "7.2 Four of six months"
R3 = "7.3 Credits at cap"

# Credits, from the contract (see the module docstring): allocation x 30,000 USD.
VOICE_SL = 9_000.0  # 30 % x 12 % x 250,000
CHAT_SL = 4_500.0  # 15 % x 12 % x 250,000
ABANDON = 6_000.0  # 20 % x 12 % x 250,000
QUALITY = 6_000.0  # 20 % x 12 % x 250,000

# Planted months (see year_data for the shape of a month).
VOICE_BELOW = Month(voice_slow=30)  # voice service level 70 % < minimum 75 %: below minimum
VOICE_MISSED = Month(voice_slow=22)  # 78 %: missed (< 80 %) but not below minimum (>= 75 %)
ABANDONS = Month(voice_abandoned=10)  # abandonment 10 % > 5 % (below minimum); voice SL 90 %
CHAT_BELOW = Month(chat_slow=25)  # chat service level 25/50 = 50 % < 80 %: below minimum
QA_POOR = Month(qa_poor=True)  # quality index 75 points < 85: below minimum
# voice service level 70 % and abandonment 10 %: both below minimum, 9,000 + 6,000 USD
VOICE_AND_ABANDONS = Month(voice_slow=20, voice_abandoned=10)

EVALUATORS = ["duckdb", "reference"]

CreditRow = tuple[float, tuple[tuple[str, float, str], ...]]
HistoryRow = tuple[str, dict[str, tuple[str, tuple[str, ...]]]]


# --- helpers ----------------------------------------------------------------------------------


def _variant(tmp_path: Path, name: str, *replacements: tuple[str, str]) -> Plan:
    """acme-care with lines replaced, written to ``tmp_path`` and compiled (its QA profile
    still read from contracts/)."""
    text = ACME.read_text()
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / f"{name}.sla"
    path.write_text(text)
    result = slalang.check(text, path=str(path), base=BASE)
    assert not result.errors, result.errors
    return slalang.compile(result)


@functools.cache
def _acme() -> Plan:
    return slalang.compile_file(ACME)


@functools.cache
def _run(scenario: str, evaluator: str) -> slalang.Evaluation:
    """acme-care over the year of one scenario (each scenario evaluated once per evaluator)."""
    return slalang.evaluate(
        _acme(), data=year_tables(SCENARIOS[scenario]), evaluator=evaluator, base=BASE
    )


def _credits(evaluation: slalang.Evaluation) -> dict[str, CreditRow]:
    """Per invoice month: what is due, and each credit as (objective, amount, state)."""
    return {
        c.period: (c.due, tuple(sorted((i.objective, i.amount, i.state) for i in c.credits)))
        for c in evaluation.credits
    }


def _expected_credits(
    planted: dict[str, CreditRow], without: tuple[str, ...] = ()
) -> dict[str, CreditRow]:
    """Every month of 2026 but ``without``: nothing due and no credit unless ``planted``."""
    return {m: planted.get(m, (0.0, ())) for m in MONTHS if m not in without}


def _history(evaluation: slalang.Evaluation) -> dict[str, HistoryRow]:
    """Per month: the account status and the rules not ok, as (state, periods)."""
    return {
        h.month: (
            h.risk.status,
            {r.label: (r.state, r.periods) for r in h.risk.rules if r.state != "ok"},
        )
        for h in evaluation.history
    }


def _expected_history(planted: dict[str, HistoryRow]) -> dict[str, HistoryRow]:
    """Every month of 2026: ok with every rule ok unless ``planted``."""
    return {m: planted.get(m, ("ok", {})) for m in MONTHS}


def _status(evaluation: slalang.Evaluation, objective: str, period: str) -> str:
    return next(
        v.status for v in evaluation.verdicts if v.objective == objective and v.period == period
    )


def _only_planted_misses(evaluation: slalang.Evaluation, planted: set[tuple[str, str]]) -> None:
    """Every critical verdict is met except the planted ones (December's FCR is not judged:
    its repeat window is not over)."""
    found = {
        (v.objective, v.period)
        for v in evaluation.verdicts
        if v.critical and v.status != "met"
        and (v.objective, v.period) != ("first_contact_resolution", "2026-12")
    }  # fmt: skip
    assert found == planted


SCENARIOS: dict[str, dict[str, Month | None]] = {
    "consecutive": {"2026-03": VOICE_BELOW, "2026-04": VOICE_BELOW, "2026-05": VOICE_BELOW},
    "m_of_k": {"2026-02": VOICE_BELOW, "2026-03": CHAT_BELOW, "2026-05": QA_POOR,
               "2026-06": ABANDONS},
    "cap_twice": {"2026-04": VOICE_AND_ABANDONS, "2026-09": VOICE_AND_ABANDONS},
    "annual_cap": dict.fromkeys(MONTHS[:5], VOICE_AND_ABANDONS),
    "earn_back": {"2026-02": CHAT_BELOW, "2026-06": VOICE_BELOW, "2026-08": VOICE_MISSED,
                  "2026-11": ABANDONS, "2026-12": QA_POOR},
    "relief": {"2026-11": Month(surge=True)},
    "gap": {"2026-01": VOICE_BELOW, "2026-02": Month(voice_slow=30, chat_slow=25),
            "2026-03": None, "2026-04": VOICE_BELOW},
}  # fmt: skip


# --- 1. consecutive misses ----------------------------------------------------------------------

# voice_service_level below minimum in March, April and May.
# Credits: March 9,000 due (April, the next month, is below minimum, not met); April 9,000 due
# (May below minimum); May 9,000 waived (June, July and August all meet 80 %), nothing due.
CONSECUTIVE_CREDITS = {
    "2026-03": (9_000.0, (("voice_service_level", VOICE_SL, "due"),)),
    "2026-04": (9_000.0, (("voice_service_level", VOICE_SL, "due"),)),
    "2026-05": (0.0, (("voice_service_level", VOICE_SL, "waived"),)),
}
# Account, below-minimum flags Jan..Dec = 0 0 1 1 1 0 0 0 0 0 0 0:
# March: a run of 1 (7.1 needs 2 for watch), 1 in the last 5 (7.2 needs 3): ok.
# April: a run of 2: 7.1 on watch; 2 in the last 5: 7.2 ok.
# May: a run of 3: 7.1 fires; 3 in the last 5 (Jan..May): 7.2 on watch.
# June: the run is broken, 7.1 ok; Feb..Jun holds 3 (< 4, no fire) and so do the last 5:
# 7.2 on watch. July: Mar..Jul holds 3: 7.2 on watch. August: Apr..Aug holds 2: ok.
CONSECUTIVE_HISTORY = {
    "2026-04": ("watch", {R1: ("watch", ("2026-03", "2026-04"))}),
    "2026-05": ("at_risk", {R1: ("fired", ("2026-03", "2026-04", "2026-05")),
                            R2: ("watch", ("2026-03", "2026-04", "2026-05"))}),
    "2026-06": ("watch", {R2: ("watch", ("2026-03", "2026-04", "2026-05"))}),
    "2026-07": ("watch", {R2: ("watch", ("2026-03", "2026-04", "2026-05"))}),
}  # fmt: skip


@pytest.mark.parametrize("evaluator", EVALUATORS)
def test_three_consecutive_months_below_minimum_fire_rule_7_1(evaluator: str) -> None:
    evaluation = _run("consecutive", evaluator)
    _only_planted_misses(
        evaluation, {("voice_service_level", m) for m in ("2026-03", "2026-04", "2026-05")}
    )
    assert _credits(evaluation) == _expected_credits(CONSECUTIVE_CREDITS)
    assert _history(evaluation) == _expected_history(CONSECUTIVE_HISTORY)
    fired = [h.month for h in evaluation.history if h.risk.status == "at_risk"]
    assert fired == ["2026-05"]
    # as of December the account is ok again, and the report of the year says so
    assert evaluation.risk.status == "ok"
    assert [h.month for h in evaluation.history if h.changed] == [
        "2026-04", "2026-05", "2026-06", "2026-08"
    ]  # fmt: skip


# --- 9. watch before at risk ------------------------------------------------------------------


@pytest.mark.parametrize("evaluator", EVALUATORS)
def test_the_account_is_on_watch_the_month_before_it_is_at_risk(evaluator: str) -> None:
    history = {h.month: h for h in _run("consecutive", evaluator).history}
    before, at_risk = history["2026-04"], history["2026-05"]
    # April: two consecutive months below minimum, one more would fire 7.1
    assert before.risk.status == "watch"
    assert before.changed
    rule = next(r for r in before.risk.rules if r.label == R1)
    assert (rule.state, rule.periods, rule.period) == ("watch", ("2026-03", "2026-04"), "2026-04")
    assert history["2026-03"].risk.status == "ok"
    # May: the third month fires it
    assert at_risk.risk.status == "at_risk"
    rule = next(r for r in at_risk.risk.rules if r.label == R1)
    assert rule.state == "fired"


# --- 2. M of K ----------------------------------------------------------------------------------

# Four criticals below minimum, never three months in a row: voice service level in February,
# chat service level in March, quality index in May, voice abandonment in June.
# Each credit is earned back (its objective meets its level in the next three months):
# Feb voice 9,000 (Mar, Apr, May voice met), Mar chat 4,500 (Apr, May, Jun chat met),
# May quality 6,000 (Jun, Jul, Aug), Jun abandonment 6,000 (Jul, Aug, Sep): nothing due.
M_OF_K_CREDITS = {
    "2026-02": (0.0, (("voice_service_level", VOICE_SL, "waived"),)),
    "2026-03": (0.0, (("chat_service_level", CHAT_SL, "waived"),)),
    "2026-05": (0.0, (("quality_index", QUALITY, "waived"),)),
    "2026-06": (0.0, (("voice_abandonment", ABANDON, "waived"),)),
}
# Flags (any critical below minimum) Jan..Dec = 0 1 1 0 1 1 0 0 0 0 0 0:
# Mar: a run of 2 (Feb, Mar): 7.1 watch. Apr: run 0; 2 in the last 5: ok.
# May: 3 in the last 5 (Jan..May): 7.2 watch. Jun: 4 in the last 6 (Jan..Jun): 7.2 fires,
# and the run May, Jun puts 7.1 on watch. Jul: Feb..Jul still holds 4: 7.2 fires.
# Aug: Mar..Aug holds 3, Apr..Aug 2: ok.
FOUR = ("2026-02", "2026-03", "2026-05", "2026-06")
M_OF_K_HISTORY = {
    "2026-03": ("watch", {R1: ("watch", ("2026-02", "2026-03"))}),
    "2026-05": ("watch", {R2: ("watch", ("2026-02", "2026-03", "2026-05"))}),
    "2026-06": ("at_risk", {R1: ("watch", ("2026-05", "2026-06")), R2: ("fired", FOUR)}),
    "2026-07": ("at_risk", {R2: ("fired", FOUR)}),
}


def test_four_of_six_months_below_minimum_fire_rule_7_2() -> None:
    evaluation = _run("m_of_k", "duckdb")
    _only_planted_misses(
        evaluation,
        {("voice_service_level", "2026-02"), ("chat_service_level", "2026-03"),
         ("quality_index", "2026-05"), ("voice_abandonment", "2026-06")},
    )  # fmt: skip
    assert _credits(evaluation) == _expected_credits(M_OF_K_CREDITS)
    assert _history(evaluation) == _expected_history(M_OF_K_HISTORY)
    assert all(
        r.state != "fired" for h in evaluation.history for r in h.risk.rules if r.label == R1
    )


# --- 3. cap reached twice -----------------------------------------------------------------------

# Variant: `cap 30%` (of the 30,000 at risk: 9,000 USD a month) and `earn_back none`, so that
# what is due shows the cap and nothing else. April and September: voice service level 70 %
# (9,000) and abandonment 10 % (6,000) both below minimum: 15,000 earned, 9,000 after the cap,
# due 9,000 = the cap, at cap.
CAP = 9_000.0  # 30 % x 30,000
CAP_ITEMS = (("voice_abandonment", ABANDON, "due"), ("voice_service_level", VOICE_SL, "due"))
CAP_CREDITS = {"2026-04": (CAP, CAP_ITEMS), "2026-09": (CAP, CAP_ITEMS)}
# 7.3 counts months at cap: April is the first (one more in the next 11 months would fire it:
# watch from April to August); September is the second: fired, and still fired through
# December (both within the last 12 months). 7.1 and 7.2 never reach watch (isolated months).
CAP_HISTORY: dict[str, HistoryRow] = {
    **{m: ("watch", {R3: ("watch", ("2026-04",))}) for m in MONTHS[3:8]},
    **{m: ("at_risk", {R3: ("fired", ("2026-04", "2026-09"))}) for m in MONTHS[8:]},
}


def test_credits_at_cap_in_two_months_fire_rule_7_3(tmp_path: Path) -> None:
    plan = _variant(
        tmp_path, "cap30", ("cap 100%", "cap 30%"), ("earn_back 3 months", "earn_back none")
    )
    evaluation = slalang.evaluate(plan, data=year_tables(SCENARIOS["cap_twice"]), base=BASE)
    assert _credits(evaluation) == _expected_credits(CAP_CREDITS)
    months = {c.period: c for c in evaluation.credits}
    for month in MONTHS:
        planted = month in ("2026-04", "2026-09")
        found = months[month]
        assert found.cap == CAP
        assert found.at_cap is planted
        assert (found.earned, found.capped) == ((15_000.0, CAP) if planted else (0.0, 0.0))
    assert _history(evaluation) == _expected_history(CAP_HISTORY)


# --- 4. annual cap ------------------------------------------------------------------------------

# Variant: `annual_cap 10%` of twelve months' at-risk amount: 10 % x 12 x 30,000 = 36,000 USD
# for the contract year 2026-01-01/2026-12-31 (effective starts on 1 January).
# January to May: voice service level and abandonment below minimum, 15,000 USD a month
# (monthly cap 30,000 not reached). Earn-back: Jan..Apr are followed by a month below minimum
# for both, so their credits are due; May's are waived (June, July, August met).
# Due: Jan 15,000 (total 15,000), Feb 15,000 (30,000), Mar the remainder 6,000 (36,000: the
# annual cap is reached), Apr 0 (15,000 kept but nothing left of the year), May 0 (waived).
ANNUAL_CAP = 36_000.0
BOTH_DUE = (("voice_abandonment", ABANDON, "due"), ("voice_service_level", VOICE_SL, "due"))
ANNUAL_CREDITS = {
    "2026-01": (15_000.0, BOTH_DUE),
    "2026-02": (15_000.0, BOTH_DUE),
    "2026-03": (6_000.0, BOTH_DUE),
    "2026-04": (0.0, BOTH_DUE),
    "2026-05": (0.0, (("voice_abandonment", ABANDON, "waived"),
                      ("voice_service_level", VOICE_SL, "waived"))),
}  # fmt: skip
# Flags Jan..Dec = 1 1 1 1 1 0 0 0 0 0 0 0. Feb: run of 2, 7.1 watch. Mar: 7.1 fires, 3 in the
# last 5: 7.2 watch. Apr, May: both fire. Jun: run broken, Jan..Jun holds 5: 7.2 fires.
# Jul: Feb..Jul holds 4: 7.2 fires. Aug: Mar..Aug holds 3, Apr..Aug 2: ok.
JAN_MAY = ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05")
ANNUAL_HISTORY = {
    "2026-02": ("watch", {R1: ("watch", JAN_MAY[:2])}),
    "2026-03": ("at_risk", {R1: ("fired", JAN_MAY[:3]), R2: ("watch", JAN_MAY[:3])}),
    "2026-04": ("at_risk", {R1: ("fired", JAN_MAY[:4]), R2: ("fired", JAN_MAY[:4])}),
    "2026-05": ("at_risk", {R1: ("fired", JAN_MAY), R2: ("fired", JAN_MAY)}),
    "2026-06": ("at_risk", {R2: ("fired", JAN_MAY)}),
    "2026-07": ("at_risk", {R2: ("fired", JAN_MAY[1:])}),
}


@pytest.fixture(scope="module")
def annual(tmp_path_factory: pytest.TempPathFactory) -> slalang.Evaluation:
    """The annual-cap variant over its year (shared by the two tests below)."""
    folder = tmp_path_factory.mktemp("annual")
    plan = _variant(folder, "annual", ("cap 100%", "cap 100%\n  annual_cap 10%"))
    return slalang.evaluate(plan, data=year_tables(SCENARIOS["annual_cap"]), base=BASE)


def test_the_annual_cap_stops_the_credits_due_within_the_contract_year(
    annual: slalang.Evaluation,
) -> None:
    assert _credits(annual) == _expected_credits(ANNUAL_CREDITS)
    months = {c.period: c for c in annual.credits}
    assert sum(c.due for c in annual.credits) == ANNUAL_CAP
    for month in MONTHS:
        found = months[month]
        assert (found.year, found.annual_cap) == ("2026-01-01/2026-12-31", ANNUAL_CAP)
        assert found.cap == 30_000.0
        assert not found.at_cap
    # reached in March, and still reached in April and May
    assert [months[m].at_annual_cap for m in JAN_MAY] == [False, False, True, True, True]
    assert _history(annual) == _expected_history(ANNUAL_HISTORY)


def test_the_annual_cap_stays_reached_for_the_rest_of_the_year(
    annual: slalang.Evaluation,
) -> None:
    # 36,000 USD were due by the end of March: every later month of 2026 is at the annual cap,
    # whether or not it has credits of its own (June to December have none).
    months = {c.period: c for c in annual.credits}
    assert [months[m].at_annual_cap for m in MONTHS[2:]] == [True] * 10


# --- 5./6. earn-back granted, lost, pending ---------------------------------------------------

# February: chat service level 50 %, 4,500; March, April, May meet 80 %: waived, nothing due.
# June: voice service level 70 %, 9,000; July met, but August is 78 % (missed, although not
# below minimum, so August earns no credit of its own): the June credit is lost, due.
# November: abandonment 10 %, 6,000; only December is known after it: pending, and owed until
# earned back, so due counts it. December: quality index 75 points, 6,000: pending, due.
EARN_BACK_CREDITS = {
    "2026-02": (0.0, (("chat_service_level", CHAT_SL, "waived"),)),
    "2026-06": (9_000.0, (("voice_service_level", VOICE_SL, "due"),)),
    "2026-11": (6_000.0, (("voice_abandonment", ABANDON, "pending"),)),
    "2026-12": (6_000.0, (("quality_index", QUALITY, "pending"),)),
}
# Flags (below minimum) Jan..Dec = 0 1 0 0 0 1 0 0 0 0 1 1 (August is missed, not below
# minimum). June: 2 in the last 5 (Feb..Jun): ok. December: a run of 2 (Nov, Dec): 7.1 watch;
# 2 in the last 5: 7.2 ok.
EARN_BACK_HISTORY = {"2026-12": ("watch", {R1: ("watch", ("2026-11", "2026-12"))})}


@pytest.mark.parametrize("evaluator", EVALUATORS)
def test_a_credit_followed_by_three_months_met_is_earned_back(evaluator: str) -> None:
    evaluation = _run("earn_back", evaluator)
    credits = _credits(evaluation)
    assert credits["2026-02"] == EARN_BACK_CREDITS["2026-02"]
    assert [_status(evaluation, "chat_service_level", m) for m in MONTHS[2:5]] == ["met"] * 3


@pytest.mark.parametrize("evaluator", EVALUATORS)
def test_a_credit_followed_by_a_miss_is_lost_and_a_late_one_is_pending(evaluator: str) -> None:
    evaluation = _run("earn_back", evaluator)
    _only_planted_misses(
        evaluation,
        {("chat_service_level", "2026-02"), ("voice_service_level", "2026-06"),
         ("voice_service_level", "2026-08"), ("voice_abandonment", "2026-11"),
         ("quality_index", "2026-12")},
    )  # fmt: skip
    assert _status(evaluation, "voice_service_level", "2026-08") == "missed"
    assert _credits(evaluation) == _expected_credits(EARN_BACK_CREDITS)
    assert _history(evaluation) == _expected_history(EARN_BACK_HISTORY)


# --- 7. relief excusing a spike -----------------------------------------------------------------

# November, first open day: 20 voice contacts in each of the half-hours 14:00 and 14:30, all
# answered after 60 s, against a forecast of 5 each: 300 % above the forecast (> 15 %).
# Without the relief, voice service level = 100 / (100 + 40) = 71.4 % < 75 %: below minimum, a
# 9,000 USD credit, pending (only December after it) and due. With acme-care's relief the two
# half-hours are excused from 5.1, 5.3 and 5.7 (40 contacts under `relief volume_surge`) and
# November is 100 / 100: met, no credit anywhere in the year.
SURGE = 40


def test_relief_excuses_a_volume_spike(tmp_path: Path) -> None:
    evaluation = _run("relief", "duckdb")
    # with the spike excused, every objective (key measurements too) is met every month, but
    # December's first-contact resolution, whose repeat window is not over
    assert {
        (v.objective, v.period, v.status) for v in evaluation.verdicts if v.status != "met"
    } == {("first_contact_resolution", "2026-12", "not_measurable")}
    november = {v.objective: v for v in evaluation.verdicts if v.period == "2026-11"}
    for objective in ("voice_service_level", "voice_abandonment", "voice_at_all_times"):
        assert november[objective].status == "met"
        assert november[objective].excluded == {"relief volume_surge": SURGE}
    assert november["voice_service_level"].actual == 1.0
    assert november["chat_service_level"].excluded == {}
    assert _credits(evaluation) == _expected_credits({})
    assert _history(evaluation) == _expected_history({})
    # the same data, with the relief no longer applying to 5.1: the spike counts and November
    # is below minimum (100 / 140 = 71.4 %)
    strict = _variant(
        tmp_path,
        "no_relief",
        ("applies_to [voice_service_level, voice_abandonment, voice_at_all_times]",
         "applies_to [voice_abandonment, voice_at_all_times]"),
    )  # fmt: skip
    unrelieved = slalang.evaluate(strict, data=year_tables(SCENARIOS["relief"]), base=BASE)
    verdict = next(
        v for v in unrelieved.verdicts
        if (v.objective, v.period) == ("voice_service_level", "2026-11")
    )  # fmt: skip
    assert verdict.status == "below_minimum"
    assert verdict.actual == pytest.approx(100 / 140)
    assert verdict.excluded == {}
    assert _credits(unrelieved) == _expected_credits(
        {"2026-11": (9_000.0, (("voice_service_level", VOICE_SL, "pending"),))}
    )


# --- 8. a month without data --------------------------------------------------------------------

# January and February: voice service level 70 %; February also chat 50 %; March: no record
# of any source; April: voice 70 % again; the rest met.
# Credits: January voice 9,000 due (February below minimum). February voice 9,000 and chat
# 4,500 due: March has no verdict, and a month without data is not a month met (had it been
# skipped, the chat credit would be waived by April, May and June). April voice 9,000 waived
# (May, June, July met). March has no invoice row: nothing was judged in it.
GAP_CREDITS = {
    "2026-01": (9_000.0, (("voice_service_level", VOICE_SL, "due"),)),
    "2026-02": (13_500.0, (("chat_service_level", CHAT_SL, "due"),
                           ("voice_service_level", VOICE_SL, "due"))),
    "2026-04": (0.0, (("voice_service_level", VOICE_SL, "waived"),)),
}  # fmt: skip
# Rules count the judged months only: Jan 1, Feb 1, (March left out), Apr 1, May 0, ...
# February: a run of 2: 7.1 watch. March: nothing new is known: still watch, unchanged, the
# rules' last period still February. April: Jan, Feb, Apr are three consecutive judged months:
# 7.1 fires (March neither a miss nor a break); 3 in the last 5 judged: 7.2 watch.
# May, June: 3 in the last 5 judged months: 7.2 watch. July: the last 5 judged (Feb, Apr..Jul)
# hold 2: ok.
JAN_FEB_APR = ("2026-01", "2026-02", "2026-04")
GAP_HISTORY = {
    "2026-02": ("watch", {R1: ("watch", ("2026-01", "2026-02"))}),
    "2026-03": ("watch", {R1: ("watch", ("2026-01", "2026-02"))}),
    "2026-04": ("at_risk", {R1: ("fired", JAN_FEB_APR), R2: ("watch", JAN_FEB_APR)}),
    "2026-05": ("watch", {R2: ("watch", JAN_FEB_APR)}),
    "2026-06": ("watch", {R2: ("watch", JAN_FEB_APR)}),
}


@pytest.mark.parametrize("evaluator", EVALUATORS)
def test_a_month_without_data_is_neither_a_miss_nor_a_month_met(evaluator: str) -> None:
    evaluation = _run("gap", evaluator)
    assert not [v for v in evaluation.verdicts if v.period == "2026-03"]
    assert _credits(evaluation) == _expected_credits(GAP_CREDITS, without=("2026-03",))
    assert _history(evaluation) == _expected_history(GAP_HISTORY)
    march = next(h for h in evaluation.history if h.month == "2026-03")
    assert not march.changed
    assert {r.label: r.period for r in march.risk.rules} == {
        R1: "2026-02", R2: "2026-02", R3: "2026-02"
    }  # fmt: skip


# --- 10. a contract change mid-year -------------------------------------------------------------

# Data: voice service level 72 % in February and September, 60 % in October; abandonment 10 %
# in April. The change, from July: 5.1's allocation 30 % -> 25 % (7,500 USD) and its minimum
# 75 % -> 70 %.
CHANGE: dict[str, Month | None] = {
    "2026-02": Month(voice_slow=28), "2026-04": ABANDONS,
    "2026-09": Month(voice_slow=28), "2026-10": Month(voice_slow=40),
}  # fmt: skip
# First run, acme-care over January to June: February 72 % < 75 %: 9,000, waived (March, April
# (90 %), May met); April abandonment 6,000, pending (only May and June known after it).
FIRST_RUN_CREDITS = {
    "2026-02": (0.0, (("voice_service_level", VOICE_SL, "waived"),)),
    "2026-04": (6_000.0, (("voice_abandonment", ABANDON, "pending"),)),
}
# Second run, the changed contract over the whole year from the store: 72 % is missed but
# not below the new minimum (February and September earn nothing); April's abandonment credit
# is waived (May, June, July met); October 60 % < 70 %: 25 % x 30,000 = 7,500, pending.
CHANGED_VOICE_SL = 7_500.0
CHANGED_CREDITS = {
    "2026-04": (0.0, (("voice_abandonment", ABANDON, "waived"),)),
    "2026-10": (7_500.0, (("voice_service_level", CHANGED_VOICE_SL, "pending"),)),
}
# For comparison, acme-care unchanged over the whole year: February 9,000 waived, April 6,000
# waived, September 72 % < 75 %: 9,000 due (October is below minimum), October 60 %: 9,000
# pending (only November and December after it).
UNCHANGED_CREDITS = {
    "2026-02": (0.0, (("voice_service_level", VOICE_SL, "waived"),)),
    "2026-04": (0.0, (("voice_abandonment", ABANDON, "waived"),)),
    "2026-09": (9_000.0, (("voice_service_level", VOICE_SL, "due"),)),
    "2026-10": (9_000.0, (("voice_service_level", VOICE_SL, "pending"),)),
}


def test_a_contract_change_mid_year_recomputes_the_year(tmp_path: Path) -> None:
    quarters = year_files(CHANGE, tmp_path / "data")  # one file per source and quarter
    store = tmp_path / "acme.duckdb"

    def batch(*numbers: int) -> dict[str, list[Path]]:
        return {source: [quarters[n][source] for n in numbers] for source in SOURCES}

    first = slalang.evaluate_stored(_acme(), data=batch(0, 1), store=store, base=BASE)
    assert len(first.added) == 2 * len(SOURCES)
    assert _credits(first.evaluation) == {
        m: FIRST_RUN_CREDITS.get(m, (0.0, ())) for m in MONTHS[:6]
    }
    assert _history(first.evaluation) == {m: ("ok", {}) for m in MONTHS[:6]}

    changed = _variant(
        tmp_path,
        "changed",
        ("  critical allocation 30%", "  critical allocation 25%"),
        ("  minimum >= 75%", "  minimum >= 70%"),
    )
    second = slalang.evaluate_stored(changed, data=batch(2, 3), store=store, base=BASE)
    assert len(second.recomputed) == 2 * len(SOURCES)  # the stored first half
    assert len(second.added) == 2 * len(SOURCES)
    assert second.reused == ()
    assert "contract" in second.reason
    assert _credits(second.evaluation) == _expected_credits(CHANGED_CREDITS)
    assert _history(second.evaluation) == _expected_history({})
    # one run of the changed contract over every file gives the same
    full = slalang.evaluate(changed, data=batch(0, 1, 2, 3), base=BASE)
    assert _credits(full) == _credits(second.evaluation)
    assert _history(full) == _history(second.evaluation)
    assert [(v.objective, v.period, v.status) for v in full.verdicts] == [
        (v.objective, v.period, v.status) for v in second.evaluation.verdicts
    ]
    # where the change matters, the first run's months are judged anew: February's credit is
    # gone (72 % is no longer below minimum)
    before, after = _credits(first.evaluation), _credits(second.evaluation)
    assert before["2026-02"] != after["2026-02"] == (0.0, ())
    assert _status(second.evaluation, "voice_service_level", "2026-02") == "missed"
    assert _status(first.evaluation, "voice_service_level", "2026-02") == "below_minimum"
    # and the year is not what the old contract makes of it
    unchanged = slalang.evaluate(_acme(), data=batch(0, 1, 2, 3), base=BASE)
    assert _credits(unchanged) == _expected_credits(UNCHANGED_CREDITS)
    differ = [m for m in MONTHS if _credits(unchanged)[m] != after[m]]
    assert differ == ["2026-02", "2026-09", "2026-10"]
