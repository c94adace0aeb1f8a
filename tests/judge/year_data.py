"""A year of hand-made canonical data for ``contracts/acme-care.sla``, with planted misses.

Nothing here is drawn at random: every month has the same small, fixed shape, and a
:class:`Month` says exactly which contacts are slow, abandoned or badly audited, so that each
objective's monthly value is a simple fraction the tests can write down by hand.

The shape of a month (all on five open weekdays, 2nd of the month onwards, no US holiday, in
opening hours of acme-care's ``business_hours`` calendar, Mon-Fri 08:00-20:00):

- voice: 100 contacts, 20 per day, 5 in each half-hour 10:00, 10:30, 11:00, 11:30. A fast one is
  answered after 5 s; ``voice_slow`` of them are answered after 60 s (not within 20 s);
  ``voice_abandoned`` of them abandon after 30 s (not a short abandon, which is < 5 s). Handle
  time 240 s talk + 60 s after-call work = 300 s (in the 240-420 s band of 5.8). So, with F5
  and no short abandons, voice service level = (100 - slow - abandoned) / 100 and voice
  abandonment = abandoned / 100.
- voice surge (``surge``): 40 more voice contacts, 20 in each of 14:00 and 14:30 on the month's
  first day, all answered after 60 s. Those two half-hours are forecast at 5 contacts each, so
  they are 300 % above the forecast.
- chat: 50 contacts, 10 a day from 13:00, answered after 30 s (within 60 s); ``chat_slow`` of
  them after 120 s. Chat service level = (50 - chat_slow) / 50.
- email: 20 contacts, 4 a day from 09:00, answered one hour later (1 business hour <= 24).
- every contact has its own customer, so nobody calls back within 7 days: FCR 100 %.
- QA: 20 audits, 4 a day at 10:00, every criterion ``yes`` (100 points). With ``qa_poor`` every
  audit answers ``no`` to greeting and empathy: its customer-impact part scores 2/4 and its
  business-impact part 4/4, so 50 % x 0.5 + 50 % x 1 = 75 points, the index is 75 points.
- surveys: 40 responses, 8 a day, csat 5 (top box 100 %, over the min_volume of 30).
- adherence: 10 agents a day, 450 minutes scheduled and 441 adherent (98 %).
- forecast: 5 voice contacts for each of the month's voice half-hours (the surge ones included).

A month given as ``None`` has no record at all, in any source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import attrs
import pyarrow as pa

from slalang.synth import write
from slalang.synth.sources import DEFAULT_CRITERIA

MONTHS = tuple(f"2026-{m:02d}" for m in range(1, 13))
SOURCES = ("contacts", "qa", "surveys", "adherence", "forecast")
CRITERIA = DEFAULT_CRITERIA  # acme-care's QA form lists the same eight criteria
# US federal holidays of 2026 on the days they are observed (acme-care closes on them).
HOLIDAYS = {
    dt.date(2026, 1, 1), dt.date(2026, 1, 19), dt.date(2026, 2, 16), dt.date(2026, 5, 25),
    dt.date(2026, 6, 19), dt.date(2026, 7, 3), dt.date(2026, 9, 7), dt.date(2026, 10, 12),
    dt.date(2026, 11, 11), dt.date(2026, 11, 26), dt.date(2026, 12, 25),
}  # fmt: skip
VOICE_HALF_HOURS = (dt.time(10, 0), dt.time(10, 30), dt.time(11, 0), dt.time(11, 30))
SURGE_HALF_HOURS = (dt.time(14, 0), dt.time(14, 30))
DAYS_PER_MONTH = 5


@attrs.frozen
class Month:
    """What is planted in one month; the defaults meet every objective comfortably."""

    voice_slow: int = 0
    voice_abandoned: int = 0
    chat_slow: int = 0
    qa_poor: bool = False
    surge: bool = False


GOOD = Month()


def days_of(month: str) -> list[dt.date]:
    """The five open weekdays of the month the data is put on."""
    year, number = (int(part) for part in month.split("-"))
    day = dt.date(year, number, 2)
    found: list[dt.date] = []
    while len(found) < DAYS_PER_MONTH:
        if day.weekday() < 5 and day not in HOLIDAYS:
            found.append(day)
        day += dt.timedelta(days=1)
    return found


class _Rows:
    """Columns being filled row by row (a few thousand rows: plain lists are fine)."""

    def __init__(self) -> None:
        self.columns: dict[str, list[object]] = {}

    def add(self, **values: object) -> None:
        for name, value in values.items():
            self.columns.setdefault(name, []).append(value)

    def table(self, types: Mapping[str, pa.DataType]) -> pa.Table:
        return pa.table({name: pa.array(self.columns.get(name, []), types[name]) for name in types})


CONTACT_TYPES = {
    "contact_id": pa.string(), "channel": pa.string(), "queue": pa.string(),
    "customer_id": pa.string(), "queued_at": pa.timestamp("us"),
    "answered_at": pa.timestamp("us"), "ended_at": pa.timestamp("us"), "outcome": pa.string(),
    "wait": pa.float64(), "talk": pa.float64(), "hold": pa.float64(), "acw": pa.float64(),
}  # fmt: skip
AUDIT_TYPES = {
    "audit_id": pa.string(), "channel": pa.string(), "audited_at": pa.timestamp("us"),
    **{name: pa.string() for name in CRITERIA},
}  # fmt: skip
SURVEY_TYPES = {
    "response_id": pa.string(), "channel": pa.string(), "responded_at": pa.timestamp("us"),
    "csat": pa.int64(),
}  # fmt: skip
ADHERENCE_TYPES = {
    "agent": pa.string(), "date": pa.date32(), "scheduled_minutes": pa.float64(),
    "adherent_minutes": pa.float64(),
}  # fmt: skip
FORECAST_TYPES = {
    "queue": pa.string(), "channel": pa.string(), "interval_start": pa.timestamp("us"),
    "forecast_offered": pa.float64(),
}  # fmt: skip


def _contact(
    rows: _Rows, ident: str, channel: str, at: dt.datetime, outcome: str, wait: float,
    talk: float = 240.0, acw: float = 60.0,
) -> None:  # fmt: skip
    answered = outcome == "answered"
    rows.add(
        contact_id=ident, channel=channel, queue=f"{channel}_q", customer_id=f"cu-{ident}",
        queued_at=at, outcome=outcome, wait=wait,
        answered_at=at + dt.timedelta(seconds=wait) if answered else None,
        ended_at=at + dt.timedelta(seconds=wait + (talk + acw if answered else 0)),
        talk=talk if answered else None, hold=0.0 if answered else None,
        acw=acw if answered else None,
    )  # fmt: skip


def month_tables(month: str, spec: Month) -> dict[str, pa.Table]:
    """The canonical tables of one month, one per source of acme-care."""
    days = days_of(month)
    contacts, audits, surveys, adherence, forecast = (_Rows() for _ in range(5))
    # voice: which of the 100 is slow or abandoned, by its number in the month
    n = 0
    for day in days:
        for half_hour in VOICE_HALF_HOURS:
            start = dt.datetime.combine(day, half_hour)
            forecast.add(queue="voice_q", channel="voice", interval_start=start,
                         forecast_offered=5.0)  # fmt: skip
            for k in range(5):
                if n < spec.voice_slow:
                    outcome, wait = "answered", 60.0
                elif n < spec.voice_slow + spec.voice_abandoned:
                    outcome, wait = "abandoned", 30.0
                else:
                    outcome, wait = "answered", 5.0
                at = start + dt.timedelta(minutes=5 * k)
                _contact(contacts, f"{month}-v{n:03d}", "voice", at, outcome, wait)
                n += 1
    if spec.surge:
        for half_hour in SURGE_HALF_HOURS:
            start = dt.datetime.combine(days[0], half_hour)
            forecast.add(queue="voice_q", channel="voice", interval_start=start,
                         forecast_offered=5.0)  # fmt: skip
            for k in range(20):
                at = start + dt.timedelta(minutes=k)
                _contact(contacts, f"{month}-s{n:03d}", "voice", at, "answered", 60.0)
                n += 1
    n = 0
    for day in days:
        for k in range(10):
            at = dt.datetime.combine(day, dt.time(13, 0)) + dt.timedelta(minutes=3 * k)
            wait = 120.0 if n < spec.chat_slow else 30.0
            _contact(contacts, f"{month}-c{n:03d}", "chat", at, "answered", wait, talk=300.0)
            n += 1
    n = 0
    for day in days:
        for k in range(4):
            at = dt.datetime.combine(day, dt.time(9, 0)) + dt.timedelta(minutes=10 * k)
            _contact(contacts, f"{month}-e{n:03d}", "email", at, "answered", 3600.0, talk=200.0)
            n += 1
    n = 0
    for day in days:
        for k in range(4):
            answers = dict.fromkeys(CRITERIA, "yes")
            if spec.qa_poor:
                answers.update(greeting="no", empathy="no")
            at = dt.datetime.combine(day, dt.time(10, 0)) + dt.timedelta(minutes=7 * k)
            audits.add(audit_id=f"{month}-a{n:03d}", channel="voice", audited_at=at, **answers)
            n += 1
    n = 0
    for day in days:
        for k in range(8):
            at = dt.datetime.combine(day, dt.time(15, 0)) + dt.timedelta(minutes=5 * k)
            surveys.add(response_id=f"{month}-r{n:03d}", channel="voice", responded_at=at, csat=5)
            n += 1
        for agent in range(10):
            adherence.add(agent=f"agent{agent:02d}", date=day, scheduled_minutes=450.0,
                          adherent_minutes=441.0)  # fmt: skip
    return {
        "contacts": contacts.table(CONTACT_TYPES),
        "qa": audits.table(AUDIT_TYPES),
        "surveys": surveys.table(SURVEY_TYPES),
        "adherence": adherence.table(ADHERENCE_TYPES),
        "forecast": forecast.table(FORECAST_TYPES),
    }


def year_tables(plan: Mapping[str, Month | None]) -> dict[str, pa.Table]:
    """A whole year, one table per source: every month of 2026 is ``GOOD`` unless ``plan``
    says otherwise (``None``: a month without any data)."""
    parts: dict[str, list[pa.Table]] = {source: [] for source in SOURCES}
    for month in MONTHS:
        spec = plan.get(month, GOOD)
        if spec is None:
            continue
        for source, table in month_tables(month, spec).items():
            parts[source].append(table)
    return {source: pa.concat_tables(tables) for source, tables in parts.items()}


QUARTERS = (MONTHS[0:3], MONTHS[3:6], MONTHS[6:9], MONTHS[9:12])


def year_files(plan: Mapping[str, Month | None], folder: Path) -> list[dict[str, Path]]:
    """The year written as Parquet files, one per source and quarter (few files keep the
    history store quick): ``[{source: path}]`` in the order of :data:`QUARTERS`."""
    files: list[dict[str, Path]] = []
    for number, months in enumerate(QUARTERS, start=1):
        tables = year_tables({**{m: None for m in MONTHS if m not in months}, **{
            m: plan.get(m, GOOD) for m in months
        }})  # fmt: skip
        files.append({})
        for source, table in tables.items():
            path = folder / f"{source}-2026-q{number}.parquet"
            write(table, path)
            files[-1][source] = path
    return files
