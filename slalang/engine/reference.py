"""The reference evaluator: slow, obvious Python that defines what every metric means.

It walks canonical records one by one and adds each record's contribution to
its objective's bucket. The DuckDB engine (:mod:`slalang.engine.duckdb_engine`) must produce
the same figures; the tests check the two against each other on generated
data. Records are mappings from canonical field names to Python values.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from slalang.engine.figures import Buckets, EvaluationFigures, Figures
from slalang.engine.periods import bucket_minutes, bucket_start
from slalang.engine.plan import ObjectivePlan, Period, Plan, Relief, magnitude
from slalang.lang import model as m
from slalang.lang.canonical import TABLES, TIME_FIELDS

Row = Mapping[str, Any]
Contribution = tuple[float, float] | str | None
"""``(numerator, denominator)``; a string is the reason the record is excluded;
``None`` means the record is not part of this objective at all."""

RATINGS = {"csat": "csat", "nps": "nps"}
"""The metrics that read a customer's rating, and the field that holds it: the same
field on survey responses and on contact records."""

TIME_FIELD = TIME_FIELDS


# ---------------------------------------------------------------------------
# Filters: SQL three-valued logic, so a missing value never matches
# ---------------------------------------------------------------------------


def _operand(value: m.Quantity | m.Text | m.Ident) -> object:
    if isinstance(value, m.Text):
        return value.value
    if isinstance(value, m.Quantity):
        return float(magnitude(value))
    return value.name == "true"


def matches(expr: m.Expr, row: Row) -> bool | None:
    """Evaluate a filter on one record: ``True``, ``False`` or ``None`` (unknown)."""
    if isinstance(expr, m.Compare):
        left = row.get(expr.field.text)
        right = _operand(expr.operand)
        if left is None:
            return None
        if isinstance(left, bool) or isinstance(right, bool):
            left, right = bool(left), bool(right)
        elif isinstance(right, float):
            left = float(left)
        else:
            left = str(left)
        return {
            "==": left == right,
            "!=": left != right,
            "<": left < right,  # type: ignore[operator]
            "<=": left <= right,  # type: ignore[operator]
            ">": left > right,  # type: ignore[operator]
            ">=": left >= right,  # type: ignore[operator]
        }[expr.op]
    if isinstance(expr, m.Member):
        value = row.get(expr.field.text)
        if value is None:
            return None
        options = [_operand(item) for item in expr.values.items if not isinstance(item, m.ListValue)
                   and isinstance(item, m.Quantity | m.Text | m.Ident)]  # fmt: skip
        found = any(
            (float(value) == option) if isinstance(option, float) else (str(value) == option)
            for option in options
        )
        return not found if expr.negated else found
    if isinstance(expr, m.Not):
        inner = matches(expr.operand, row)
        return None if inner is None else not inner
    results = [matches(operand, row) for operand in expr.operands]
    if isinstance(expr, m.And):
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


# ---------------------------------------------------------------------------
# Per-record contributions, one function per metric
# ---------------------------------------------------------------------------


def limit_of(threshold: object) -> tuple[str, float]:
    """A threshold knob as ``(operator, seconds)``."""
    assert isinstance(threshold, tuple)
    assert len(threshold) == 2
    op, limit = threshold
    return str(op), float(limit)


def effective_wait(plan: ObjectivePlan, row: Row) -> float:
    """The measured wait: from arrival when ``wait_start`` is ``arrival`` (IVR time
    included), and up to the start of ringing when ``wait_end`` is ``ringing``.

    Canonical records start the wait at queue entry, which is also where the IVR is
    left, so ``queue_entry`` and ``vru_exit`` read the same wait.
    """
    if row["wait"] is None:
        return math.inf  # an unknown wait is longer than every threshold
    wait = float(row["wait"])
    if plan.knobs.get("wait_end") == "ringing" and row["outcome"] == "answered":
        wait = max(0.0, wait - float(row.get("ring") or 0))
    arrived = row.get("arrived_at")
    if plan.knobs.get("wait_start") == "arrival" and arrived is not None:
        wait += (row["queued_at"] - arrived).total_seconds()
    return wait


WAIT_UNKNOWN = "wait unknown"
"""Why a contact whose wait is needed but was not recorded is set aside (speed of answer)."""

UNKNOWN_WAIT_NOTE = "wait unknown, counted as longer than every threshold"
"""How a contact that was not answered and has no recorded wait is counted."""


def wait_matters(plan: ObjectivePlan) -> bool:
    """True when the objective reads the wait of contacts that were not answered."""
    knobs = plan.knobs
    if plan.metric == "service_level":
        return bool(
            knobs.get("short_abandon")
            or knobs["abandons_within_threshold"] != knobs["abandons_after_threshold"]
            or knobs["callbacks"] == "success_within_threshold"
            or event_attribution(plan)
        )
    if plan.metric == "abandonment_rate":
        return bool(knobs.get("short_abandon"))
    return False


def event_attribution(plan: ObjectivePlan) -> bool:
    """True when contacts belong to the period of their service-level event."""
    knobs = plan.knobs
    return knobs.get("attribution") == "event" or knobs.get("denominator") == "events"


def event_moment(plan: ObjectivePlan, row: Row) -> dt.datetime:
    """When a contact reached its event: answer, abandon, or the threshold, whichever first."""
    wait = effective_wait(plan, row)
    if "threshold" in plan.knobs and plan.knobs["threshold"] is not None:
        wait = min(wait, limit_of(plan.knobs["threshold"])[1])
    if math.isinf(wait):
        wait = 0.0
    start: dt.datetime = row["queued_at"]
    if plan.knobs.get("wait_start") == "arrival" and row.get("arrived_at") is not None:
        start = row["arrived_at"]
    return start + dt.timedelta(microseconds=round(wait * 1_000_000))


def _within(wait: float, threshold: object) -> bool:
    op, limit = limit_of(threshold)
    return wait <= limit if op == "<=" else wait < limit


def _short(plan: ObjectivePlan, wait: float) -> bool:
    short = plan.knobs.get("short_abandon")
    return short is not None and _within(wait, short)


def _weight(mode: object) -> float:
    return 0.0 if mode == "excluded" else 1.0


def service_level(plan: ObjectivePlan, row: Row) -> Contribution:
    """F1-F5 and every knob of DOMAIN.md 1.1, for one contact."""
    knobs = plan.knobs
    outcome, wait = row["outcome"], effective_wait(plan, row)
    within = _within(wait, knobs["threshold"])
    if outcome == "answered":
        return (1.0 if within else 0.0, 1.0)
    if outcome == "abandoned":
        if _short(plan, wait):
            return "short abandon"
        mode = knobs["abandons_within_threshold"] if within else knobs["abandons_after_threshold"]
        if mode == "excluded":
            return "abandoned within threshold" if within else "abandoned after threshold"
        return (1.0 if mode == "success" else 0.0, 1.0)
    if outcome == "flow_out":
        return "flow-out" if knobs["flow_outs"] == "excluded" else (0.0, 1.0)
    if outcome == "callback":
        mode = knobs["callbacks"]
        if mode == "excluded":
            return "callback"
        return (1.0 if mode == "success_within_threshold" and within else 0.0, 1.0)
    return None


def abandonment_rate(plan: ObjectivePlan, row: Row) -> Contribution:
    """Abandoned over offered, short abandons removed or kept in the denominator."""
    outcome, wait = row["outcome"], effective_wait(plan, row)
    if outcome == "abandoned":
        if _short(plan, wait):
            if plan.knobs["short_abandons_in_denominator"]:
                return (0.0, 1.0)
            return "short abandon"
        return (1.0, 1.0)
    return (0.0, 1.0)


def average_speed_of_answer(plan: ObjectivePlan, row: Row) -> Contribution:
    """Mean wait of answered contacts (or of all offered)."""
    wait = effective_wait(plan, row)
    if plan.knobs["population"] == "offered" or row["outcome"] == "answered":
        return (wait, 1.0) if not math.isinf(wait) else WAIT_UNKNOWN
    return (0.0, 0.0)


def _handle(plan: ObjectivePlan, row: Row) -> float:
    components = plan.knobs["components"]
    assert isinstance(components, tuple)
    return sum(float(row.get(part) or 0) for part in components)


def average_handle_time(plan: ObjectivePlan, row: Row) -> Contribution:
    """Mean handle time of answered contacts; short calls optionally left out."""
    if row["outcome"] != "answered":
        return (0.0, 0.0)
    handle = _handle(plan, row)
    short = plan.knobs.get("short_call")
    if short is not None and _within(handle, short):
        return "short call"
    return (handle, 1.0)


def response_time(plan: ObjectivePlan, row: Row) -> Contribution:
    """Share of offered deferred contacts answered within the threshold."""
    if row["outcome"] != "answered":
        return (0.0, 1.0)
    wait = float(row["wait"] or 0)
    if plan.calendar is not None and plan.knobs.get("business"):
        wait = business_seconds(plan, row["queued_at"], wait)
    return (1.0 if _within(wait, plan.knobs["threshold"]) else 0.0, 1.0)


def business_seconds(plan: ObjectivePlan, start: dt.datetime, wait: float) -> float:
    """The wait from ``start`` counted on the calendar's opening hours, in seconds.

    With a threshold in ``business_hours`` that is the seconds of opening hours between
    ``start`` and ``start + wait``. With ``business_days`` each opening day counts as one
    day (86,400 s) whatever its length, and part of a day as its share of that day's
    opening hours: from 10:00 on a 09:00-18:00 Monday to 10:00 on Tuesday is one day.
    """
    calendar = plan.calendar
    assert calendar is not None
    by_day = plan.knobs.get("business") == "business_days"
    end = calendar.local(start + dt.timedelta(seconds=wait))
    start = calendar.local(start)
    total = 0.0
    day = start.date()
    while day <= end.date():
        if day not in calendar.holidays:
            ranges = calendar.hours.get(day.weekday(), ())
            length = sum(last - first for first, last in ranges) * 60.0
            midnight = dt.datetime.combine(day, dt.time())
            for first, last in ranges:
                opens = midnight + dt.timedelta(minutes=first)
                closes = midnight + dt.timedelta(minutes=last)
                overlap = max(0.0, (min(end, closes) - max(start, opens)).total_seconds())
                total += overlap / length * 86400.0 if by_day and length else overlap
        day += dt.timedelta(days=1)
    return total


def agent_flag_fcr(plan: ObjectivePlan, row: Row) -> Contribution:
    """Resolved as flagged by the agent, over answered contacts."""
    if row["outcome"] != "answered":
        return (0.0, 0.0)
    return (1.0 if row.get("resolved") is True else 0.0, 1.0)


def survey_fcr(plan: ObjectivePlan, row: Row) -> Contribution:
    """Resolved as the customer says in the survey."""
    resolved = row.get("resolved")
    if resolved is None:
        return "no answer"
    return (1.0 if resolved else 0.0, 1.0)


def csat(plan: ObjectivePlan, row: Row) -> Contribution:
    """Top-box share or mean score; a rating outside 0 to ``scale`` is set aside."""
    score = row.get("csat")
    if score is None:
        return "no score"
    if not 0 <= score <= plan.knobs["scale"]:
        return "rating outside the scale"
    if plan.knobs["method"] == "mean":
        return (float(score), 1.0)
    return (1.0 if score >= plan.knobs["top_box"] else 0.0, 1.0)


def nps(plan: ObjectivePlan, row: Row) -> Contribution:
    """+1 for promoters (9-10), -1 for detractors (0-6); the verdict scales to -100..100."""
    score = row.get("nps")
    if score is None:
        return "no score"
    return (1.0 if score >= 9 else -1.0 if score <= 6 else 0.0, 1.0)


def _fatal_failed(plan: ObjectivePlan, row: Row) -> bool:
    fatal = plan.knobs.get("_fatal") or ()
    return any(str(row.get(c) or "").lower() == "no" for c in fatal)  # type: ignore[attr-defined]


def qa_criterion(plan: ObjectivePlan, row: Row) -> Contribution:
    """One criterion met, n/a excluded, a failed fatal criterion failing the audit."""
    if plan.knobs["fatal_fails_audit"] and _fatal_failed(plan, row):
        return (0.0, 1.0)
    answer = str(row.get(str(plan.knobs["criterion"])) or "").lower()
    if answer == "yes":
        return (1.0, 1.0)
    if answer == "no":
        return (0.0, 1.0)
    return "not applicable"


QUALITY_PARTS = ("customer_impact", "business_impact")


def quality_index(plan: ObjectivePlan, row: Row) -> Contribution:
    """One audit's score, 0 to 1, from its customer- and business-impact parts.

    With ``scoring points`` a part scores its criteria answered ``yes`` over those answered
    ``yes`` or ``no``, and a part with only n/a answers is left out (the other part takes
    the whole weight). With ``scoring all_criteria`` a part scores 1 when none of its
    criteria is answered ``no`` (n/a ignored), else 0. The audit scores the weighted mean
    of its parts; a failed fatal criterion scores it 0, and an audit with only n/a answers
    is not applicable.
    """
    if _fatal_failed(plan, row):
        return (0.0, 1.0)
    all_criteria = plan.knobs["scoring"] == "all_criteria"
    parts = []
    for part in QUALITY_PARTS:
        criteria = plan.knobs[part]
        assert isinstance(criteria, tuple)
        answers = [str(row.get(str(c)) or "").lower() for c in criteria]
        yes, no = answers.count("yes"), answers.count("no")
        weight = plan.knobs[f"{part}_weight"]
        assert isinstance(weight, Fraction)
        if all_criteria:
            parts.append((float(weight), 0.0 if no else 1.0, yes + no))
        elif yes + no:
            parts.append((float(weight), yes / (yes + no), yes + no))
    if not any(answered for _, _, answered in parts):
        return "not applicable"
    total = sum(weight for weight, _, _ in parts)
    return (sum(weight * score for weight, score, _ in parts) / total, 1.0)


def grace_minutes(plan: ObjectivePlan) -> float:
    """The ``grace`` knob of schedule adherence in minutes."""
    grace = plan.knobs["grace"]
    assert isinstance(grace, Fraction)
    return float(grace / 60)


def schedule_adherence(plan: ObjectivePlan, row: Row) -> Contribution:
    """Adherent minutes over scheduled minutes.

    Of each row's minutes out of adherence (scheduled minus adherent), up to ``grace``
    minutes count as adherent: a late start or an early end within the grace is no breach.
    """
    scheduled = float(row.get("scheduled_minutes") or 0)
    adherent = float(row.get("adherent_minutes") or 0)
    return (adherent + min(grace_minutes(plan), max(0.0, scheduled - adherent)), scheduled)


CONTACT_METRICS = {
    "service_level": service_level,
    "abandonment_rate": abandonment_rate,
    "average_speed_of_answer": average_speed_of_answer,
    "average_handle_time": average_handle_time,
    "response_time": response_time,
}


def interval_contribution(plan: ObjectivePlan, row: Row) -> tuple[float, float, int]:
    """Numerator, denominator and volume of one interval-report row."""
    knobs = plan.knobs
    offered = int(row.get("offered") or 0)
    answered = int(row.get("answered") or 0)
    abandoned = int(row.get("abandoned") or 0)
    other = offered - answered - abandoned
    short = int(row.get("short_abandoned") or 0) if knobs.get("short_abandon") else 0
    metric = plan.metric
    if metric == "service_level":
        t = int(limit_of(knobs["threshold"])[1])
        answered_t = int(row.get(f"answered_within_{t}") or 0)
        within_modes = knobs["abandons_within_threshold"]
        after_modes = knobs["abandons_after_threshold"]
        if within_modes == after_modes:
            counted = (abandoned - short) * _weight(within_modes)
            success = abandoned - short if within_modes == "success" else 0
        else:
            abandoned_t = int(row.get(f"abandoned_within_{t}") or 0)
            counted = (abandoned_t - short) * _weight(within_modes) + (
                abandoned - abandoned_t
            ) * _weight(after_modes)
            success = abandoned_t - short if within_modes == "success" else 0
        den = answered + counted + other * _weight(knobs["flow_outs"])
        return (answered_t + success, den, offered)
    if metric == "abandonment_rate":
        in_den = bool(knobs.get("short_abandons_in_denominator"))
        return (abandoned - short, offered - (0 if in_den else short), offered)
    if metric == "average_speed_of_answer":
        return (float(row.get("total_wait") or 0), answered, offered)
    if metric == "average_handle_time":
        components = knobs["components"]
        assert isinstance(components, tuple)
        if set(components) == {"talk", "hold", "acw"} and row.get("total_handle") is not None:
            handle = float(row["total_handle"])
        else:
            handle = sum(float(row.get(f"total_{c}") or 0) for c in components)
        return (handle, answered, offered)
    if metric == "occupancy":
        handle = float(row.get("total_handle") or 0)
        return (handle, handle + float(row.get("available_time") or 0), offered)
    raise ValueError(f"{metric} is not computed from interval reports")


# ---------------------------------------------------------------------------
# The evaluator
# ---------------------------------------------------------------------------


def objective_periods(plan: ObjectivePlan) -> list[Period]:
    """The periods whose boundaries an objective's buckets must respect."""
    periods = [plan.window]
    if plan.per is not None:
        periods.append(plan.per)
    periods.extend(Period("interval", relief.minutes) for relief in plan.reliefs)
    return periods


OUTSIDE_TERM = "outside the contract term"
"""Why a record dated before or after the contract's `effective` term is set aside."""

CLOSED_DAY = "closed day"
"""Why a record of a date-only source on a day without opening hours is set aside."""


def date_only(kind: str) -> bool:
    """True when a data set's records carry a date and no time of day (adherence)."""
    field = TABLES[kind].field(TIME_FIELDS[kind])
    return field is not None and field.type == "date"


def _excluded_by_time(plan: ObjectivePlan, moment: dt.datetime) -> str | None:
    if plan.term is not None and not plan.term[0] <= moment < plan.term[1]:
        return OUTSIDE_TERM
    for outage in plan.outages:
        if outage.start <= moment < outage.end:
            return f"{outage.kind}: {outage.reason}"
    calendar = plan.calendar
    if calendar is not None and calendar.exclude_out_of_hours:
        if not date_only(plan.source_kind):  # a date is a day of the calendar's own
            moment = calendar.local(moment)
        if moment.date() in calendar.holidays:
            return "holiday"
        if date_only(plan.source_kind):  # judged by day: a day with opening hours is open
            return None if calendar.hours.get(moment.weekday()) else CLOSED_DAY
        if not calendar.is_open(moment):
            return "out of hours"
    return None


def _repeat_flags(plan: ObjectivePlan, rows: Sequence[Row]) -> dict[int, Contribution]:
    """Repeat-contact FCR: is each answered contact followed by another within the window?"""
    window = float(plan.knobs["repeat_window"])  # type: ignore[arg-type]
    key = str(plan.knobs["customer_key"])
    same_issue = bool(plan.knobs["same_issue_only"])
    offered = [r for r in rows if r["outcome"] != "not_offered"]
    data_end = max((r["queued_at"] for r in rows), default=None)
    by_customer: dict[object, list[Row]] = {}
    for row in offered:
        if row.get(key) is not None:
            by_customer.setdefault(row[key], []).append(row)
    result: dict[int, Contribution] = {}
    for row in offered:
        if row["outcome"] != "answered":
            result[id(row)] = (0.0, 0.0)
            continue
        if row.get(key) is None:
            result[id(row)] = "unidentified customer"
            continue
        start = row["queued_at"]
        limit = start + dt.timedelta(seconds=window)
        if data_end is not None and limit > data_end:
            result[id(row)] = "repeat window not over"
            continue
        repeated = any(
            other is not row
            and start < other["queued_at"] <= limit
            and (not same_issue or other.get("reason") == row.get("reason"))
            for other in by_customer[row[key]]
        )
        result[id(row)] = (0.0 if repeated else 1.0, 1.0)
    return result


def in_objective(plan: ObjectivePlan, row: Row) -> bool:
    """Whether a record belongs to the objective at all, before filters and exclusions.

    A contact record belongs when it was offered to the queue; for a rating metric
    (``csat``, ``nps``) it belongs when it carries a rating, whatever its outcome.
    Records of other kinds always belong.
    """
    if plan.source_kind != "contacts":
        return True
    if plan.metric in RATINGS:
        return row.get(RATINGS[plan.metric]) is not None
    return bool(row["outcome"] != "not_offered")


def _contribution(plan: ObjectivePlan, row: Row, repeats: dict[int, Contribution]) -> Contribution:
    kind, metric = plan.source_kind, plan.metric
    if metric == "csat":
        return csat(plan, row)
    if metric == "nps":
        return nps(plan, row)
    if kind == "contacts":
        if metric == "fcr":
            method = plan.knobs["method"]
            if method == "agent_flag":
                return agent_flag_fcr(plan, row)
            return repeats.get(id(row))
        return CONTACT_METRICS[metric](plan, row)
    if kind == "surveys":
        return survey_fcr(plan, row)
    if kind == "audits":
        return {"qa_criterion": qa_criterion, "quality_index": quality_index}[metric](plan, row)
    if kind == "adherence":
        return schedule_adherence(plan, row)
    raise ValueError(f"no reference semantics for {metric} on {kind}")


def _moment(kind: str, row: Row) -> dt.datetime:
    value = row[TIME_FIELD[kind]]
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time())


def evaluate_objective(plan: ObjectivePlan, rows: Sequence[Row]) -> Buckets:
    """Add up one objective's figures per bucket over canonical records."""
    minutes = bucket_minutes(objective_periods(plan))
    buckets: Buckets = {}
    repeats = _repeat_flags(plan, rows) if plan.repeats_contacts else {}
    notes = plan.source_kind == "contacts" and wait_matters(plan)
    for row in rows:
        if not in_objective(plan, row):
            continue
        if any(matches(f, row) is not True for f in plan.filters):
            continue
        moment = _moment(plan.source_kind, row)
        when = event_moment(plan, row) if event_attribution(plan) else moment
        figures = buckets.setdefault(bucket_start(when, minutes), Figures())
        reason = _excluded_by_time(plan, moment)
        if plan.source_kind == "intervals":
            num, den, volume = interval_contribution(plan, row)
            if reason is not None:
                figures.exclude(reason, volume)
                continue
            figures.add(Figures(num, den, volume))
            continue
        if reason is not None:
            figures.exclude(reason)
            continue
        if notes and row["outcome"] != "answered" and row["wait"] is None:
            figures.noted[UNKNOWN_WAIT_NOTE] = figures.noted.get(UNKNOWN_WAIT_NOTE, 0) + 1
        contribution = _contribution(plan, row, repeats)
        if contribution is None:
            continue
        if isinstance(contribution, str):  # set aside by the metric: still offered volume
            figures.exclude(contribution)
            figures.volume += 1
            continue
        figures.add(Figures(contribution[0], contribution[1], 1))
    return buckets


def forecast_volumes(
    plan: ObjectivePlan, relief: Relief, rows: Iterable[Row]
) -> dict[dt.datetime, float]:
    """Forecast offered volume per relief interval, filtered like the objective where possible."""
    result: dict[dt.datetime, float] = {}
    for row in rows:
        if any(matches(f, row) is False for f in plan.filters):
            continue
        start = bucket_start(row["interval_start"], relief.minutes)
        result[start] = result.get(start, 0.0) + float(row.get("forecast_offered") or 0)
    return result


def evaluate(plan: Plan, data: Mapping[str, Sequence[Row]]) -> EvaluationFigures:
    """Evaluate every objective of a plan over canonical records keyed by source id."""
    buckets = {o.id: evaluate_objective(o, data.get(o.source, ())) for o in plan.objectives}
    return EvaluationFigures(buckets, forecast_figures(plan, data))


def forecast_figures(
    plan: Plan, data: Mapping[str, Sequence[Row]]
) -> dict[str, dict[str, dict[dt.datetime, float]]]:
    """The forecast volume per relief interval of every relief of every objective."""
    return {
        o.id: {r.id: forecast_volumes(o, r, data.get(r.forecast_source, ())) for r in o.reliefs}
        for o in plan.objectives
        if o.reliefs
    }
