"""Every setting the language accepts changes the result on some data.

``CASES`` maps each setting of :mod:`slalang.lang.schema` (every metric's knobs, and the
settings of the contract header, sources, credits, account at risk, relief and
calendars) to a hand-built case: two contracts that differ in that setting only (or, for
the quality index weights, which must add up to 100 %, in that pair), and a few records
on which the two results (verdicts, credits, account status, data report, or the data
being refused) differ, with both evaluators. The table is checked against the schema
itself, so a new setting without a case fails here.

Settings that change nothing today are listed in ``KNOWN_DEAD`` with the reason and a
probe (two values that would give different results if the setting did what it says);
a test keeps them dead, so that a fix moves them to ``CASES``. ``NO_EFFECT`` lists, with
a probe as well, the settings that by their meaning never change a figure: the parties'
names, the currency, and the source settings that declare what an export holds for the
checks to compare objectives with.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import duckdb
import pyarrow as pa
import pytest

import slalang
from invariants.common import Row, table
from slalang.engine import ENGINES
from slalang.judge.results import to_json
from slalang.lang import schema

MONDAY = dt.datetime(2026, 3, 9, 10)
SUNDAY = dt.datetime(2026, 3, 8, 10)
DAY = dt.timedelta(days=1)


def schema_settings() -> Iterator[str]:
    """Every setting of the schema, as ``block.setting``; the settings every source kind
    has are ``source.setting``, the others ``kind.setting``."""
    common = {knob.name for knob in schema.SOURCE_KINDS["contacts"].knobs}
    for kind in schema.SOURCE_KINDS.values():
        for knob in kind.knobs:
            yield f"source.{knob.name}" if knob.name in common else f"{kind.name}.{knob.name}"
    for metric in schema.METRICS.values():
        for knob in metric.knobs:
            yield f"{metric.name}.{knob.name}"
    blocks = {
        "contract": schema.HEADER_KNOBS,
        "credits": schema.CREDIT_KNOBS,
        "account_at_risk": schema.RISK_KNOBS,
        "trends": schema.TREND_KNOBS,
        "relief": schema.RELIEF_KNOBS,
        "calendar": schema.CALENDAR_KNOBS,
    }
    for block, knobs in blocks.items():
        for knob in knobs:
            yield f"{block}.{knob.name}"


# ---------------------------------------------------------------------------
# records
# ---------------------------------------------------------------------------


def call(queued: dt.datetime, **values: object) -> Row:
    """An answered call without wait, unless told otherwise."""
    row: Row = {
        "contact_id": str(queued), "channel": "voice", "queue": "a", "call_type": "PS",
        "priority": 1, "customer_id": "c1", "reason": "bill", "queued_at": queued,
        "arrived_at": None, "outcome": "answered", "wait": 0.0, "talk": 100.0, "ring": None,
        "hold": 50.0, "acw": 20.0, "resolved": True,
    }  # fmt: skip
    row.update(values)
    return row


def calls(*rows: Row) -> dict[str, Any]:
    return {"calls": table(rows)}


def rows_of(**columns: list[object]) -> pa.Table:
    return pa.table(columns)


# ---------------------------------------------------------------------------
# contracts
# ---------------------------------------------------------------------------

HEADER_SETTINGS = ('client "A"', 'vendor "B"', 'timezone "UTC"',
                   "effective 2026-01-01 to 2026-12-31")  # fmt: skip
HEADER = """contract knobs {{
{header}}}

calendar hours {{
  open monday to friday 08:00-20:00
{calendar}}}

{sources}
"""


@attrs.frozen
class Case:
    """Two contracts that differ in one setting, and data on which their results differ."""

    first: str
    second: str
    data: dict[str, Any] | Callable[[], dict[str, Any]]
    """The records by source, or a function that writes them to files and gives the paths."""


def case(
    objective: list[str],
    setting: tuple[str, str],
    data: dict[str, Any] | Callable[[], dict[str, Any]],
    *,
    where: str = "objective",
    sources: str = "source calls: contacts",
    header: list[str] = (),  # type: ignore[assignment]
    more: str = "",
) -> Case:
    """An objective ``o`` (its statements), with ``setting`` as the two lines that differ
    (an empty line leaves the setting out) in the objective, the header (``where=
    "contract"``), the calendar, the sources (``where="source"``, at ``{}`` of ``sources``)
    or the text after the objective (``more``, at ``{}``)."""

    def text(line: str) -> str:
        lines = list(objective)
        written = line.split()[0] if where == "contract" and line else None
        head = [f"  {h}\n" for h in (*HEADER_SETTINGS, *header) if h.split()[0] != written]
        calendar = ""
        tail = more
        if where == "objective" and line:
            lines.insert(1, line)
        elif where == "contract" and line:
            head.append(f"  {line}\n")  # in place of the default written above
        elif where == "calendar" and line:
            calendar = f"  {line}\n"
        elif where == "more":
            tail = more.replace("{}", line)
        elif where == "source":
            tail = more
        source_text = sources.replace("{}", line) if where == "source" else sources
        body = "".join(f"  {statement}\n" for statement in lines)
        return (
            HEADER.format(header="".join(head), calendar=calendar, sources=source_text)
            + f"objective o {{\n{body}}}\n\n{tail}"
        )

    return Case(text(setting[0]), text(setting[1]), data)


SL = ["key", "metric service_level", "threshold <= 20 s", "window month", "expected >= 80%"]
SL_CALLS = [*SL[:2], "from calls", *SL[2:]]
AR = ["key", "metric abandonment_rate", "window month", "expected <= 8%"]
ASA = ["key", "metric average_speed_of_answer", "window month", "expected <= 30 s"]
AHT = ["key", "metric average_handle_time", "window month", "expected <= 300 s"]
FCR = ["key", "metric fcr", "window month", "expected >= 70%"]
REPEAT = ["key", "metric fcr", "method repeat_contact", "window month", "expected >= 70%"]
CRITICAL_SL = ["critical allocation 50%", *SL[1:], "minimum >= 40%"]
MONEY = ["currency USD", "monthly_charges 1000 USD"]


def late_abandon_sl() -> dict[str, Any]:
    return calls(call(MONDAY), call(MONDAY, outcome="abandoned", wait=30.0, talk=None))


def sunday_call() -> dict[str, Any]:
    return calls(call(MONDAY), call(SUNDAY, wait=100.0, talk=400.0, outcome="abandoned"))


def midnight(outcome: str = "answered") -> dict[str, Any]:
    return calls(call(dt.datetime(2026, 3, 9, 23, 59, 50), wait=30.0, outcome=outcome))


def repeats(**second: object) -> dict[str, Any]:
    """A call, another by the same customer three days later, one more well after both."""
    return calls(call(MONDAY, resolved=False), call(MONDAY + 3 * DAY, **second),
                 call(MONDAY + 20 * DAY, customer_id="c9"))  # fmt: skip


def surveys(*scores: int) -> dict[str, Any]:
    n = len(scores)
    return {"s": rows_of(response_id=[str(i) for i in range(n)], responded_at=[MONDAY] * n,
                         csat=list(scores), queue=["a"] * n)}  # fmt: skip


AUDITS = "source qa: audits {\n  criteria [greeting, ownership, policy]\n  fatal [policy]\n}"


def audits() -> dict[str, Any]:
    """A clean audit with one criterion missed, and one failing the fatal criterion only."""
    return {"qa": rows_of(audit_id=["1", "2"], audited_at=[MONDAY, MONDAY],
                          greeting=["yes", "yes"], ownership=["no", "no"],
                          policy=["yes", "no"])}  # fmt: skip


QI = ["key", "metric quality_index", "customer_impact [greeting]", "business_impact [policy]",
      "window month", "expected >= 85 points"]  # fmt: skip
QI_WEIGHTS = [*QI[:3], "business_impact [ownership]", *QI[4:]]


def intervals(**more: list[object]) -> dict[str, Any]:
    columns: dict[str, list[object]] = {
        "queue": ["a", "a"], "interval_start": [MONDAY, SUNDAY], "offered": [10, 10],
        "answered": [10, 10], "abandoned": [0, 0], "total_handle": [3000.0, 500.0],
        "available_time": [1000.0, 5000.0],
    }  # fmt: skip
    columns.update(more)
    return {"i": rows_of(**columns)}


def relief(**settings: str) -> str:
    lines = {"volume_above_forecast": "10%", "forecast": "f", "interval": "30 min",
             "applies_to": "[o]"}  # fmt: skip
    lines.update(settings)
    body = "".join(f"  {name} {value}\n" for name, value in lines.items())
    return f"relief surge {{\n{body}}}\n"


def surge(forecast_at: list[dt.datetime], forecast: list[float]) -> dict[str, Any]:
    """Three calls at 10:00 and the forecast; the calls meet their level at 10:00 only."""
    late = MONDAY + dt.timedelta(minutes=35)
    rows = calls(call(MONDAY), call(MONDAY), call(MONDAY), call(late, wait=60.0))
    rows["f"] = rows_of(queue=["a"] * len(forecast), interval_start=forecast_at,
                        forecast_offered=forecast)  # fmt: skip
    rows["g"] = rows_of(queue=["a"], interval_start=[MONDAY], forecast_offered=[100.0])
    return rows


RELIEF_SOURCES = "source calls: contacts\nsource f: forecasts\nsource g: forecasts"
HALF_HOUR = MONDAY + dt.timedelta(minutes=30)
CREDITS = "credits {\n  at_risk 10%\n}\n"
WITH_CREDITS = "credits {\n  at_risk 10%\n  {}\n}\n"


def contacts_file() -> dict[str, Any]:
    """A CSV file of two calls with the canonical columns, as ``generic-contacts`` reads."""
    folder = Path(tempfile.mkdtemp(prefix="slalang-knobs-"))
    path = folder / "calls.csv"
    path.write_text("contact_id,queued_at,outcome,wait\n1,2026-03-09 10:00:00,answered,3\n"
                    "2,2026-03-09 11:00:00,answered,40\n", encoding="utf-8")  # fmt: skip
    return {"calls": path}


SL_INTERVALS = ["key", "metric service_level", "threshold <= 20 s", "window month",
                "expected >= 80%"]  # fmt: skip
INTERVAL_SOURCE = "source i: intervals {\n  {}\n}"


# a month missed below minimum (0 of 2 answered in time), then a month met
MISSED_THEN_MET = calls(call(MONDAY, wait=60.0), call(MONDAY, wait=60.0),
                        call(MONDAY + 30 * DAY))  # fmt: skip
# missed, but not below the minimum of 40 %: 1 of 2 answered in time
MISSED = calls(call(MONDAY), call(MONDAY, wait=60.0))


def sliding(*fast: int) -> dict[str, Any]:
    """Ten calls a weekday from Monday 2026-03-02, ``fast[i]`` of them answered in time on
    the i-th weekday: a service level that falls as ``fast`` does."""
    rows = []
    day = dt.datetime(2026, 3, 2, 10)
    for count in fast:
        while day.weekday() >= 5:
            day += DAY
        rows += [call(day, wait=0.0 if n < count else 60.0) for n in range(10)]
        day += DAY
    return calls(*rows)


TRENDS = "trends {\n  {}\n}\n"
# missed in January and in March, nothing in February
GAP = calls(call(MONDAY - 59 * DAY, wait=60.0), call(MONDAY, wait=60.0))

CASES: dict[str, Case] = {
    # --- service level
    "service_level.threshold": case(
        SL[:2] + SL[3:], ("threshold <= 20 s", "threshold <= 60 s"), calls(call(MONDAY, wait=30.0))
    ),
    "service_level.variant": case(SL, ("variant F1", "variant F4"), late_abandon_sl()),
    "service_level.abandons_within_threshold": case(
        SL, ("abandons_within_threshold failure", "abandons_within_threshold excluded"),
        calls(call(MONDAY), call(MONDAY, outcome="abandoned", wait=10.0)),
    ),
    "service_level.abandons_after_threshold": case(
        SL, ("abandons_after_threshold failure", "abandons_after_threshold excluded"),
        late_abandon_sl(),
    ),
    "service_level.short_abandon": case(
        SL, ("", "short_abandon < 5 s"),
        calls(call(MONDAY), call(MONDAY, outcome="abandoned", wait=3.0)),
    ),
    "service_level.denominator": case(
        [*SL[:3], "window day", SL[4]], ("denominator offered", "denominator events"), midnight()
    ),
    "service_level.wait_start": case(
        SL, ("wait_start queue_entry", "wait_start arrival"),
        calls(call(MONDAY, wait=10.0, arrived_at=MONDAY - dt.timedelta(seconds=30))),
    ),
    "service_level.wait_end": case(
        SL, ("wait_end answer", "wait_end ringing"), calls(call(MONDAY, wait=25.0, ring=8.0))
    ),
    "service_level.flow_outs": case(
        SL, ("flow_outs failure", "flow_outs excluded"),
        calls(call(MONDAY), call(MONDAY, outcome="flow_out", wait=5.0)),
    ),
    "service_level.callbacks": case(
        SL, ("callbacks excluded", "callbacks failure"),
        calls(call(MONDAY), call(MONDAY, outcome="callback", wait=5.0)),
    ),
    "service_level.attribution": case(
        [*SL[:3], "window day", SL[4]], ("attribution arrival", "attribution event"), midnight()
    ),
    "service_level.rounding": case(
        SL, ("", "rounding 0"), calls(call(MONDAY), call(MONDAY), call(MONDAY, wait=60.0))
    ),
    "service_level.calendar": case(SL, ("", "calendar hours"), sunday_call()),
    # --- abandonment rate
    "abandonment_rate.short_abandon": case(
        AR, ("", "short_abandon < 5 s"),
        calls(call(MONDAY), call(MONDAY, outcome="abandoned", wait=3.0)),
    ),
    "abandonment_rate.short_abandons_in_denominator": case(
        [*AR[:2], "short_abandon < 5 s", *AR[2:]],
        ("short_abandons_in_denominator false", "short_abandons_in_denominator true"),
        calls(call(MONDAY), call(MONDAY, outcome="abandoned", wait=3.0),
              call(MONDAY, outcome="abandoned", wait=30.0)),
    ),
    "abandonment_rate.denominator": case(
        [*AR[:2], "window day", AR[3]], ("denominator offered", "denominator events"),
        midnight("abandoned"),
    ),
    "abandonment_rate.wait_start": case(
        [*AR[:2], "short_abandon < 5 s", *AR[2:]], ("wait_start queue_entry", "wait_start arrival"),
        calls(call(MONDAY), call(MONDAY, outcome="abandoned", wait=3.0,
                                 arrived_at=MONDAY - dt.timedelta(seconds=30))),
    ),
    "abandonment_rate.calendar": case(AR, ("", "calendar hours"), sunday_call()),
    # --- speed of answer, handle time
    "average_speed_of_answer.population": case(
        ASA, ("population answered", "population offered"),
        calls(call(MONDAY, wait=10.0), call(MONDAY, outcome="abandoned", wait=100.0)),
    ),
    "average_speed_of_answer.wait_start": case(
        ASA, ("wait_start queue_entry", "wait_start arrival"),
        calls(call(MONDAY, wait=10.0, arrived_at=MONDAY - dt.timedelta(seconds=30))),
    ),
    "average_speed_of_answer.wait_end": case(
        ASA, ("wait_end answer", "wait_end ringing"), calls(call(MONDAY, wait=25.0, ring=8.0))
    ),
    "average_speed_of_answer.calendar": case(ASA, ("", "calendar hours"), sunday_call()),
    "average_handle_time.components": case(
        AHT, ("components [talk]", "components [talk, hold]"), calls(call(MONDAY))
    ),
    "average_handle_time.short_call": case(
        AHT, ("", "short_call < 200 s"),
        calls(call(MONDAY, talk=100.0, hold=None, acw=None), call(MONDAY, talk=300.0)),
    ),
    "average_handle_time.calendar": case(
        AHT, ("", "calendar hours"), calls(call(MONDAY), call(SUNDAY, talk=900.0))
    ),
    # --- interval reports, email, surveys
    "occupancy.calendar": case(
        ["key", "metric occupancy", "window month", "expected between 70% and 90%"],
        ("", "calendar hours"), intervals(), sources="source i: intervals",
    ),
    "response_time.threshold": case(
        ["key", "metric response_time", "window month", "expected >= 90%"],
        ("threshold <= 20 s", "threshold <= 60 s"), calls(call(MONDAY, wait=30.0)),
    ),
    "response_time.calendar": case(
        ["key", "metric response_time", "threshold <= 60 s", "window month", "expected >= 90%"],
        ("", "calendar hours"), calls(call(MONDAY), call(SUNDAY, wait=600.0)),
    ),
    "csat.method": case(  # a mean score has a level of its own
        ["key", "metric csat", "window month"],
        ("method top_box\n  expected >= 80%", "method mean\n  expected >= 4"), surveys(4, 5),
        sources="source s: surveys",
    ),
    "csat.scale": case(  # a 9 is a score on a 10-point scale, outside a 5-point one
        ["key", "metric csat", "method mean", "window month", "expected >= 4"],
        ("scale 5", "scale 10"), surveys(4, 9), sources="source s: surveys",
    ),
    "schedule_adherence.grace": case(  # 60 minutes out of adherence, 30 of them forgiven
        ["key", "metric schedule_adherence", "window month", "expected >= 90%"],
        ("grace 0 min", "grace 30 min"),
        {"s": rows_of(agent=["x"], date=[MONDAY.date()], scheduled_minutes=[480.0],
                      adherent_minutes=[420.0])},
        sources="source s: adherence",
    ),
    "source.channel": case(  # an export without a channel column, of voice calls
        [*SL, 'where channel == "voice"'], ("channel voice", "channel chat"),
        {"calls": rows_of(contact_id=["1"], queued_at=[MONDAY], outcome=["answered"],
                          wait=[3.0])},
        where="source", sources="source calls: contacts {\n  {}\n}",
    ),
    "calendar.timezone": case(  # 07:30 UTC is 16:30 in Tokyo: open hours either way apart
        [*SL, "calendar hours"], ('timezone "UTC"', 'timezone "Asia/Tokyo"'),
        calls(call(dt.datetime(2026, 3, 9, 7, 30), wait=60.0), call(MONDAY)),
        where="calendar",
    ),
    "csat.top_box": case(
        ["key", "metric csat", "window month", "expected >= 80%"],
        ("top_box 4", "top_box 5"), surveys(4, 5), sources="source s: surveys",
    ),
    # --- first-contact resolution
    "fcr.method": case(
        FCR, ("method agent_flag", "method repeat_contact"), repeats()
    ),
    "fcr.repeat_window": case(
        REPEAT, ("repeat_window 1 d", "repeat_window 7 d"), repeats()
    ),
    "fcr.customer_key": case(
        REPEAT, ("customer_key customer_id", "customer_key queue"), repeats(customer_id="c2")
    ),
    "fcr.same_issue_only": case(
        REPEAT, ("same_issue_only false", "same_issue_only true"), repeats(reason="move")
    ),
    # --- quality
    "qa_criterion.criterion": case(
        ["key", "metric qa_criterion", "window month", "expected >= 90%"],
        ("criterion greeting", "criterion ownership"), audits(), sources=AUDITS,
    ),
    "qa_criterion.fatal_fails_audit": case(
        ["key", "metric qa_criterion", "criterion greeting", "window month", "expected >= 90%"],
        ("fatal_fails_audit true", "fatal_fails_audit false"), audits(), sources=AUDITS,
    ),
    "quality_index.customer_impact": case(
        [QI[0], QI[1], *QI[3:]],
        ("customer_impact [greeting]", "customer_impact [greeting, ownership]"), audits(),
        sources=AUDITS,
    ),
    "quality_index.business_impact": case(
        QI[:3] + QI[4:],
        ("business_impact [policy]", "business_impact [policy, ownership]"), audits(),
        sources=AUDITS,
    ),
    "quality_index.customer_impact_weight": case(
        QI_WEIGHTS, ("customer_impact_weight 50%\n  business_impact_weight 50%",
             "customer_impact_weight 80%\n  business_impact_weight 20%"), audits(),
        sources=AUDITS,
    ),
    "quality_index.scoring": case(  # audit 1 misses ownership: half the points, no part
        ["key", "metric quality_index", "customer_impact [greeting, ownership]",
         "business_impact [policy]", "window month", "expected >= 85 points"],
        ("scoring points", "scoring all_criteria"), audits(), sources=AUDITS,
    ),
    "quality_index.business_impact_weight": case(
        QI_WEIGHTS, ("customer_impact_weight 50%\n  business_impact_weight 50%",
             "customer_impact_weight 20%\n  business_impact_weight 80%"), audits(),
        sources=AUDITS,
    ),
    # --- the contract header
    "contract.effective": case(
        [*SL[:3], "window contract_year", SL[4]],
        ("effective 2026-01-01 to 2026-12-31", "effective 2026-03-01 to 2027-02-28"),
        calls(call(dt.datetime(2026, 6, 10, 10))), where="contract",
    ),
    "contract.timezone": case(
        SL, ('timezone "UTC"', 'timezone "America/New_York"'),
        calls(call(MONDAY), call(dt.datetime(2026, 3, 8, 2, 30), wait=60.0)), where="contract",
    ),
    "contract.monthly_charges": case(
        CRITICAL_SL, ("monthly_charges 1000 USD", "monthly_charges 2000 USD"), MISSED_THEN_MET,
        where="contract", header=["currency USD"], more=CREDITS,
    ),
    "contract.calendar": case(SL, ("", "calendar hours"), sunday_call(), where="contract"),
    # --- credits
    "credits.at_risk": case(
        CRITICAL_SL, ("at_risk 10%", "at_risk 20%"), MISSED_THEN_MET, where="more",
        header=MONEY, more="credits {\n  {}\n}\n",
    ),
    "credits.pool": case(
        CRITICAL_SL, ("pool 100%", "pool 50%"), MISSED_THEN_MET, where="more", header=MONEY,
        more=WITH_CREDITS,
    ),
    "credits.cap": case(
        CRITICAL_SL, ("cap 100%", "cap 10%"), MISSED_THEN_MET, where="more", header=MONEY,
        more=WITH_CREDITS,
    ),
    "credits.trigger": case(
        CRITICAL_SL, ("trigger below_minimum", "trigger missed"), MISSED, where="more",
        header=MONEY, more=WITH_CREDITS,
    ),
    "credits.annual_cap": case(  # March earns 50 USD: the year may owe at most 10
        CRITICAL_SL, ("annual_cap 1000 USD", "annual_cap 10 USD"), MISSED_THEN_MET,
        where="more", header=MONEY, more=WITH_CREDITS,
    ),
    "source.malformed_tolerance": case(  # one row of two has an outcome that is not allowed
        SL, ("malformed_tolerance 1%", "malformed_tolerance 60%"),
        calls(call(MONDAY), call(MONDAY, outcome="lost")), where="source",
        sources="source calls: contacts {\n  {}\n}",
    ),
    "credits.earn_back": case(
        CRITICAL_SL, ("earn_back none", "earn_back 1"), MISSED_THEN_MET, where="more",
        header=MONEY, more=WITH_CREDITS,
    ),
    # --- account at risk: one miss at the end, a rule of three in a row
    "account_at_risk.watch_margin": case(
        SL, ("watch_margin 1", "watch_margin 2"), calls(call(MONDAY, wait=60.0)), where="more",
        more="account_at_risk {\n  rule o missed in 3 consecutive periods\n  {}\n}\n",
    ),
    "account_at_risk.without_data": case(
        SL, ("without_data skipped", "without_data missed"), GAP, where="more",
        more="account_at_risk {\n  rule o missed in 3 consecutive months\n  {}\n}\n",
    ),
    # --- trends: the daily service level falls from 100 % by 10 points a weekday
    "trends.over": case(
        SL, ("over days", "over weeks"), sliding(10, 9, 8, 7, 6, 5), where="more", more=TRENDS,
    ),
    "trends.worsening": case(
        SL, ("worsening 5", "worsening 2"), sliding(10, 9, 8), where="more", more=TRENDS,
    ),
    "trends.slope_over": case(
        SL, ("slope_over 7", "slope_over 3"), sliding(10, 9, 8), where="more", more=TRENDS,
    ),
    # --- relief: three calls at 10:00 against a forecast of one; a late call at 10:35
    "relief.volume_above_forecast": case(
        SL_CALLS, ("volume_above_forecast 10%", "volume_above_forecast 100%"),
        surge([MONDAY], [2.0]), where="more", sources=RELIEF_SOURCES,
        more="relief surge {\n  {}\n  forecast f\n  applies_to [o]\n}\n",
    ),
    "relief.forecast": case(
        SL_CALLS, ("forecast f", "forecast g"), surge([MONDAY], [1.0]), where="more",
        sources=RELIEF_SOURCES,
        more="relief surge {\n  volume_above_forecast 10%\n  {}\n  applies_to [o]\n}\n",
    ),
    "relief.interval": case(
        SL_CALLS, ("interval 30 min", "interval 60 min"), surge([MONDAY, HALF_HOUR], [1.0, 10.0]),
        where="more", sources=RELIEF_SOURCES,
        more="relief surge {\n  volume_above_forecast 10%\n  forecast f\n  {}\n"
        "  applies_to [o]\n}\n",
    ),
    "relief.applies_to": case(
        SL_CALLS, ("applies_to [o]", "applies_to [p]"), surge([MONDAY], [1.0]), where="more",
        sources=RELIEF_SOURCES,
        more="objective p {\n  key\n  metric abandonment_rate\n  from calls\n"
        "  expected <= 8%\n}\n\n"
        "relief surge {\n  volume_above_forecast 10%\n  forecast f\n  {}\n}\n",
    ),
    # --- sources
    "source.profile": case(
        SL, ('profile "generic-contacts"', 'profile "anonymous-bank"'), contacts_file,
        where="source", sources="source calls: contacts {\n  {}\n}",
    ),
    "audits.fatal": case(
        ["key", "metric qa_criterion", "criterion greeting", "window month", "expected >= 90%"],
        ("fatal [policy]", "fatal []"), audits(), where="source",
        sources="source qa: audits {\n  criteria [greeting, ownership, policy]\n  {}\n}",
    ),
    # --- calendars
    "calendar.out_of_hours": case(
        [*SL, "calendar hours"], ("out_of_hours excluded", "out_of_hours included"),
        sunday_call(), where="calendar",
    ),
}  # fmt: skip

KNOWN_DEAD: dict[str, tuple[str, Case]] = {}
"""Settings accepted but without effect in one or both evaluators: none today."""


NO_EFFECT: dict[str, tuple[str, Case]] = {
    "contract.client": ("names a party", case(SL, ('client "A"', 'client "C"'),
                                              calls(call(MONDAY)), where="contract")),
    "contract.vendor": ("names a party", case(SL, ('vendor "B"', 'vendor "D"'),
                                              calls(call(MONDAY)), where="contract")),
    "source.fields": (
        "declares extra text fields of the export, which filters may name; the checks read it",
        case(SL, ("fields [site]", "fields [site, agent]"), calls(call(MONDAY)), where="source",
             sources="source calls: contacts {\n  {}\n}"),
    ),
    "intervals.thresholds": (
        "declares the `answered within T` counts the export has; the checks read it",
        case(SL_INTERVALS, ("thresholds [20 s]", "thresholds [20 s, 30 s]"),
             intervals(answered_within_20=[8, 5]), where="source", sources=INTERVAL_SOURCE),
    ),
    "intervals.abandon_thresholds": (
        "declares the `abandoned within T` counts the export has; the checks read it",
        case(SL_INTERVALS, ("abandon_thresholds []", "abandon_thresholds [20 s]"),
             intervals(answered_within_20=[8, 5]), where="source", sources=INTERVAL_SOURCE),
    ),
    "intervals.short_abandon": (
        "says what the export's short-abandon count means; the checks compare it with the "
        "objective's",
        case(SL_INTERVALS, ("short_abandon < 5 s", "short_abandon < 10 s"),
             intervals(answered_within_20=[8, 5]), where="source", sources=INTERVAL_SOURCE),
    ),
    "intervals.interval": (
        "declares the export's interval length; the checks compare windows and sub-periods "
        "with it",
        case(["key", "metric occupancy", "window month", "expected between 70% and 90%"],
             ("interval 30 min", "interval 60 min"), intervals(), where="source",
             sources=INTERVAL_SOURCE),
    ),
    "forecasts.interval": (
        "declares the forecast's interval length; relief compares volumes in its own interval",
        case(SL_CALLS, ("interval 30 min", "interval 15 min"),
             surge([MONDAY, HALF_HOUR], [1.0, 10.0]), where="source",
             sources="source calls: contacts\nsource f: forecasts {\n  {}\n}\n"
             "source g: forecasts", more=relief()),
    ),
    "audits.criteria": (
        "declares the criteria of the QA form; the checks and the fields an objective needs "
        "read it",
        case(["key", "metric qa_criterion", "criterion greeting", "window month",
              "expected >= 90%"],
             ("criteria [greeting, ownership, policy]",
              "criteria [greeting, ownership, policy, courtesy]"), audits(), where="source",
             sources="source qa: audits {\n  {}\n}"),
    ),
    "contract.currency": (
        "only checks that every amount of money is in it; credits are in the unit of "
        "monthly_charges",
        case(CRITICAL_SL, ("", "currency USD"), MISSED_THEN_MET, where="contract",
             header=["monthly_charges 1000 USD"], more=CREDITS),
    ),
}  # fmt: skip


_connection = [duckdb.connect()]
"""The connection the evaluations share, replaced after a refused one
(``tests/judge/test_connection_reuse.py``)."""


def result(
    text: str, data: dict[str, Any] | Callable[[], dict[str, Any]], evaluator: str
) -> dict[str, Any]:
    """The evaluation as its JSON document, without the contract's own details and lines."""
    checked = slalang.check(text, path="knobs.sla")
    assert checked.ok, ([(d.code, d.message) for d in checked.errors], text)
    plan = slalang.compile(checked)
    used = {o.source for o in plan.objectives} | {
        r.forecast_source for o in plan.objectives for r in o.reliefs
    }
    given = data() if callable(data) else data
    try:
        evaluation = slalang.evaluate(
            plan, data={s: given[s] for s in used}, evaluator=evaluator, connection=_connection[0]
        )
    except slalang.EvaluationError as error:  # refusing the data is a result too
        _connection[0] = duckdb.connect()  # a refusal can leave the connection unusable
        return {"refused": [d.message for d in error.diagnostics]}
    document = to_json(evaluation)
    del document["contract"]
    lined = [*document["results"], *document["account"]["rules"]]
    lined += [row for grid in document["grid"] for row in grid["rows"]]
    lined += [item for month in document["credits"] for item in month["items"]]
    for item in lined:
        del item["line"]
    return document


def test_every_setting_has_a_case() -> None:
    listed = [*CASES, *KNOWN_DEAD, *NO_EFFECT]
    assert len(listed) == len(set(listed)), "a setting is listed twice"
    assert sorted(set(schema_settings())) == sorted(listed)


@pytest.mark.parametrize("evaluator", ENGINES)
@pytest.mark.parametrize("setting", sorted(CASES))
def test_setting_changes_the_result(setting: str, evaluator: str) -> None:
    found = CASES[setting]
    assert result(found.first, found.data, evaluator) != result(found.second, found.data, evaluator)


@pytest.mark.parametrize("evaluator", ENGINES)
@pytest.mark.parametrize("setting", sorted([*KNOWN_DEAD, *NO_EFFECT]))
def test_setting_still_changes_nothing(setting: str, evaluator: str) -> None:
    """When one of these starts to work, move it to ``CASES``."""
    _, found = {**KNOWN_DEAD, **NO_EFFECT}[setting]
    assert result(found.first, found.data, evaluator) == result(found.second, found.data, evaluator)
