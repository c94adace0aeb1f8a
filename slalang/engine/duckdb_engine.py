"""Stage 5, evaluate: run a plan on DuckDB, one scan per source for all its objectives.

For every source, one ``SELECT ... GROUP BY bucket`` computes, for each of
the source's objectives, the summed numerator, denominator and volume and the
count of excluded records per reason. The SQL text holds only fixed keywords,
validated and quoted identifiers, and ``?`` placeholders: every value that
comes from a contract (thresholds, filter strings, holidays, outage reasons)
is a bound parameter (``$n``). The semantics are those of :mod:`slalang.engine.reference`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs
import duckdb

from slalang.engine.figures import Buckets, EvaluationFigures, Figures
from slalang.engine.periods import bucket_minutes, bucket_start
from slalang.engine.plan import ObjectivePlan, Plan, Relief, magnitude
from slalang.engine.reference import (
    CLOSED_DAY,
    OUTSIDE_TERM,
    RATINGS,
    TIME_FIELD,
    UNKNOWN_WAIT_NOTE,
    WAIT_UNKNOWN,
    business_seconds,
    date_only,
    event_attribution,
    grace_minutes,
    limit_of,
    objective_periods,
    wait_matters,
)
from slalang.engine.scan import (
    Check,
    Cond,
    Cut,
    GroupedScan,
    Known,
    Not,
    Sql,
    Term,
    all_of,
    outcome_in,
)
from slalang.lang import model as m

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class EngineError(Exception):
    """The plan cannot be run on the data given (for example a missing table)."""


ScreenCounts = list[tuple[object, ...]]
"""Per screen group: the values of the screen's columns, then the number of records."""


@attrs.frozen
class Screen:
    """A source's records before some are set aside, read once for figures and counts.

    The loader of a text export counts the records its checks set aside as it reads
    them; given a screen, the engine's first scan of the source reads every record of
    ``relation`` (the canonical columns plus ``columns``), groups them by ``columns``
    too, keeps the figures of the groups ``counted`` accepts, and hands the number of
    records of every group to ``done`` before any other query reads the source. So the
    file is read once for both. A first scan that cannot screen (a window over the
    records, a Python function) calls ``done(None)`` and reads the source as usual.
    """

    relation: str
    columns: tuple[str, ...]
    counted: Callable[[tuple[object, ...]], bool]
    done: Callable[[ScreenCounts | None], None]


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def quote(name: str) -> str:
    """Quote a validated identifier; anything else is refused."""
    if not _IDENTIFIER.fullmatch(name):
        raise EngineError(f"not a valid identifier: {name!r}")
    return f'"{name}"'


# ---------------------------------------------------------------------------
# Filters, calendars, exclusions
# ---------------------------------------------------------------------------


def _operand(sql: Sql, value: m.Quantity | m.Text | m.Ident) -> tuple[str, str]:
    if isinstance(value, m.Text):
        return sql.param(value.value), "VARCHAR"
    if isinstance(value, m.Quantity):
        return sql.param(float(magnitude(value))), "DOUBLE"
    return sql.param(value.name == "true"), "BOOLEAN"


def filter_sql(sql: Sql, expr: m.Expr, columns: frozenset[str]) -> str:
    """A filter as SQL with three-valued logic; fields the table lacks read as NULL."""
    if isinstance(expr, m.Compare):
        if expr.field.text not in columns:
            return "NULL"
        placeholder, kind = _operand(sql, expr.operand)
        return (
            f"(CAST({quote(expr.field.text)} AS {kind}) {expr.op.replace('==', '=')} {placeholder})"
        )
    if isinstance(expr, m.Member):
        if expr.field.text not in columns:
            return "NULL"
        items = [i for i in expr.values.items if isinstance(i, m.Quantity | m.Text | m.Ident)]
        if not items:
            return "TRUE" if expr.negated else "FALSE"
        kind = "DOUBLE" if all(isinstance(i, m.Quantity) for i in items) else "VARCHAR"
        values = ", ".join(
            sql.param(float(magnitude(i)) if isinstance(i, m.Quantity) else
                      (i.value if isinstance(i, m.Text) else i.name == "true"))
            for i in items
        )  # fmt: skip
        negation = "NOT " if expr.negated else ""
        return f"(CAST({quote(expr.field.text)} AS {kind}) {negation}IN ({values}))"
    if isinstance(expr, m.Not):
        return f"(NOT {filter_sql(sql, expr.operand, columns)})"
    joiner = " AND " if isinstance(expr, m.And) else " OR "
    return "(" + joiner.join(filter_sql(sql, e, columns) for e in expr.operands) + ")"


def _time_exclusion(sql: Sql, plan: ObjectivePlan, ts: str) -> str:
    """A CASE giving the code of the reason a record is excluded by time, or NULL.

    Codes index :func:`_time_reasons`; reasons written in the contract (outage
    texts) never enter the SQL text.
    """
    branches = []
    first = 1
    if plan.term is not None:
        start, after = (sql.param(moment) for moment in plan.term)
        branches.append(f"WHEN {ts} < {start} OR {ts} >= {after} THEN 1")
        first = 2
    for code, outage in enumerate(plan.outages, start=first):
        branches.append(
            f"WHEN {ts} >= {sql.param(outage.start)} AND {ts} < {sql.param(outage.end)} THEN {code}"
        )
    calendar = plan.calendar
    if calendar is not None and calendar.exclude_out_of_hours:
        holiday = first + len(plan.outages)
        out_of_hours = holiday + 1
        if calendar.shift is not None and not date_only(plan.source_kind):
            # the record's clock time on the calendar's clock (a date stays the same day)
            source, target = (sql.param(zone) for zone in calendar.shift)
            ts = f"timezone({target}, timezone({source}, {ts}))"
        if calendar.holidays:
            days = ", ".join(sql.param(day) for day in sorted(calendar.holidays))
            branches.append(f"WHEN CAST({ts} AS DATE) IN ({days}) THEN {holiday}")
        if date_only(plan.source_kind):  # judged by day: a day with opening hours is open
            open_days = ", ".join(
                sql.param(day + 1) for day, r in sorted(calendar.hours.items()) if r
            )
            closed = f"isodow({ts}) NOT IN ({open_days})" if open_days else "TRUE"
            branches.append(f"WHEN {closed} THEN {out_of_hours}")
            return "CASE " + " ".join(branches) + " END"
        minute = f"(hour({ts}) * 60 + minute({ts}))"
        open_parts = [
            f"(isodow({ts}) = {sql.param(day + 1)} AND {minute} >= {sql.param(start)} "
            f"AND {minute} < {sql.param(end)})"
            for day, ranges in sorted(calendar.hours.items())
            for start, end in ranges
        ]
        is_open = " OR ".join(open_parts) if open_parts else "FALSE"
        branches.append(f"WHEN NOT ({is_open}) THEN {out_of_hours}")
    if not branches:
        return "NULL"
    return "CASE " + " ".join(branches) + " END"


def _time_reasons(plan: ObjectivePlan) -> list[str]:
    """The reasons behind the codes of :func:`_time_exclusion`, code 1 first."""
    reasons = [OUTSIDE_TERM] if plan.term is not None else []
    reasons += [f"{o.kind}: {o.reason}" for o in plan.outages]
    if plan.calendar is not None and plan.calendar.exclude_out_of_hours:
        reasons += ["holiday", CLOSED_DAY if date_only(plan.source_kind) else "out of hours"]
    return reasons


# ---------------------------------------------------------------------------
# Metrics: (numerator, denominator, metric exclusion reason) as SQL
# ---------------------------------------------------------------------------

_QUEUE_WAIT = 'COALESCE("wait", 0)'


def _unknown(wait: str) -> Cond:
    """The wait was not recorded: the measured wait is infinite. A cut at infinity shares
    the band key of the wait's other cuts, so it costs no key of its own in the scan."""
    return Not(Cut(wait, "<", math.inf))


_NOT_ANSWERED = outcome_in("abandoned", "flow_out", "callback")


def _wait(plan: ObjectivePlan) -> str:
    """The measured wait in SQL, as :func:`slalang.engine.reference.effective_wait` defines it.

    An unknown wait is infinite: longer than every threshold.
    """
    wait = "COALESCE(\"wait\", CAST('infinity' AS DOUBLE))"
    if plan.knobs.get("wait_end") == "ringing":
        wait = (
            f"CASE WHEN {_O} = 'answered' THEN GREATEST(0.0, {wait} - COALESCE(\"ring\", 0)) "
            f"ELSE {wait} END"
        )
    if plan.knobs.get("wait_start") != "arrival":
        return f"({wait})"
    return (
        f'({wait} + CASE WHEN "arrived_at" IS NOT NULL THEN '
        '(epoch_us("queued_at") - epoch_us("arrived_at")) / 1000000.0 ELSE 0 END)'
    )


def _bucket_time(sql: Sql, plan: ObjectivePlan, ts: str) -> str:
    """The moment a record belongs to: its own time, or its service-level event."""
    if not event_attribution(plan):
        return ts
    wait = _wait(plan)
    if plan.knobs.get("threshold") is not None:
        wait = f"LEAST({wait}, {sql.param(limit_of(plan.knobs['threshold'])[1])})"
    wait = f"(CASE WHEN isinf({wait}) THEN 0.0 ELSE {wait} END)"
    start = (
        'COALESCE("arrived_at", "queued_at")' if plan.knobs.get("wait_start") == "arrival"
        else '"queued_at"'
    )  # fmt: skip
    return f"({start} + to_microseconds(CAST(round({wait} * 1000000) AS BIGINT)))"


def _attribution_key(plan: ObjectivePlan) -> tuple[object, ...]:
    """Objectives with the same key share one grouped query: the same bucket time, and the
    same repeat-contact flags (one set of repeat settings per query)."""
    knobs = plan.knobs
    repeats: tuple[object, ...] = ()
    if plan.repeats_contacts:
        repeats = ("repeats", knobs["customer_key"], knobs["repeat_window"],
                   knobs["same_issue_only"])  # fmt: skip
    if not event_attribution(plan):
        return ("record", *repeats)
    return ("event", knobs.get("wait_start"), knobs.get("wait_end"), knobs.get("threshold"),
            *repeats)  # fmt: skip


_O = '"outcome"'
ANSWERED = outcome_in("answered")
ABANDONED = outcome_in("abandoned")
OFFERED = outcome_in("answered", "abandoned", "flow_out", "callback")
_OFFERED = Check(_O, "{} <> 'not_offered'")

Metric = tuple[Term, Term, list[tuple[Cond, str]]]
"""A metric as (numerator, denominator, exclusions as (condition, reason))."""


def _within(value: str, threshold: object) -> Cut:
    op, limit = limit_of(threshold)
    return Cut(value, op, limit)


def _contact_scope(plan: ObjectivePlan) -> Cond:
    """The contact records that belong to an objective, as
    :func:`slalang.engine.reference.in_objective` defines it."""
    if plan.metric not in RATINGS:
        return _OFFERED
    return Check(quote(RATINGS[plan.metric]), "{} IS NOT NULL")


def _contact_metric(sql: Sql, plan: ObjectivePlan, udfs: dict[str, Any]) -> Metric:
    knobs, metric = plan.knobs, plan.metric
    if metric in RATINGS:
        return _rating_metric(sql, plan)
    wait = _wait(plan)
    if metric == "service_level":
        within = _within(wait, knobs["threshold"])
        excl: list[tuple[Cond, str]] = []
        if knobs.get("short_abandon"):
            excl.append((all_of(ABANDONED, _within(wait, knobs["short_abandon"])), "short abandon"))
        if knobs["abandons_within_threshold"] == "excluded":
            excl.append((all_of(ABANDONED, within), "abandoned within threshold"))
        if knobs["abandons_after_threshold"] == "excluded":
            excl.append((all_of(ABANDONED, Not(within)), "abandoned after threshold"))
        if knobs["flow_outs"] == "excluded":
            excl.append((outcome_in("flow_out"), "flow-out"))
        if knobs["callbacks"] == "excluded":
            excl.append((outcome_in("callback"), "callback"))
        good = ["answered"]
        if knobs["abandons_within_threshold"] == "success":
            good.append("abandoned")
        if knobs["callbacks"] == "success_within_threshold":
            good.append("callback")
        return Term("1", all_of(outcome_in(*good), within)), Term("1", OFFERED), excl
    if metric == "abandonment_rate":
        if not knobs.get("short_abandon"):
            return Term("1", ABANDONED), Term("1"), []
        short = _within(wait, knobs["short_abandon"])
        in_den = bool(knobs["short_abandons_in_denominator"])
        excl = [] if in_den else [(all_of(ABANDONED, short), "short abandon")]
        return Term("1", all_of(ABANDONED, Not(short))), Term("1"), excl
    if metric == "average_speed_of_answer":
        if knobs["population"] == "offered":
            return Term(wait), Term("1"), [(_unknown(wait), WAIT_UNKNOWN)]
        unknown = all_of(ANSWERED, _unknown(wait))
        return Term(wait, ANSWERED), Term("1", ANSWERED), [(unknown, WAIT_UNKNOWN)]
    if metric == "average_handle_time":
        components = knobs["components"]
        assert isinstance(components, tuple)
        handle = "(" + (" + ".join(f"COALESCE({quote(str(c))}, 0)" for c in components) or "0")
        handle += ")"
        excl = []
        if knobs.get("short_call"):
            excl.append((all_of(ANSWERED, _within(handle, knobs["short_call"])), "short call"))
        return Term(handle, ANSWERED), Term("1", ANSWERED), excl
    if metric == "response_time":
        wait = _QUEUE_WAIT
        if plan.calendar is not None and knobs.get("business"):
            name = f"slalang_business_seconds_{len(udfs)}"
            udfs[name] = _business_function(plan)
            wait = f'{name}("queued_at", {_QUEUE_WAIT})'
        return Term("1", all_of(ANSWERED, _within(wait, knobs["threshold"]))), Term("1"), []
    if metric == "fcr":
        if knobs["method"] == "agent_flag":
            resolved = Check('"resolved"', "{} IS TRUE")
            return Term("1", all_of(ANSWERED, resolved)), Term("1", ANSWERED), []
        key = quote(str(knobs["customer_key"]))
        window = sql.param(int(float(knobs["repeat_window"]) * 1e6))  # type: ignore[arg-type]
        excl = [
            (all_of(ANSWERED, Check(f"{key} IS NULL")), "unidentified customer"),
            (
                all_of(ANSWERED, Check(
                    f'"queued_at" + to_microseconds(CAST({window} AS BIGINT)) > "_data_end"'
                )),
                "repeat window not over",
            ),
        ]  # fmt: skip
        return Term("1", all_of(ANSWERED, Check('"_repeats" = 0'))), Term("1", ANSWERED), excl
    raise EngineError(f"{metric} is not computed from contact records")


def _business_function(plan: ObjectivePlan) -> Callable[[dt.datetime, float], float]:
    """The business seconds of a wait, as a function of exactly the two arguments DuckDB
    passes (DuckDB counts a function's parameters, defaults included)."""

    def seconds_in_hours(start: dt.datetime, seconds: float) -> float:
        return business_seconds(plan, start, float(seconds))

    return seconds_in_hours


def _answer(column: str) -> str:
    return f"lower(CAST({quote(column)} AS VARCHAR))"


def _rating_metric(sql: Sql, plan: ObjectivePlan) -> Metric:
    """CSAT or NPS from a rating, on survey responses or on contact records alike."""
    knobs = plan.knobs
    if plan.metric == "csat":
        top_box = knobs["top_box"]
        assert isinstance(top_box, Fraction)
        num = (
            Term('CAST("csat" AS DOUBLE)')
            if knobs["method"] == "mean"
            else Term("1", Check(f'"csat" >= {sql.param(float(top_box))}'))
        )
        scale = knobs["scale"]
        assert isinstance(scale, Fraction)
        outside = Check(f'"csat" < 0 OR "csat" > {sql.param(float(scale))}')
        excluded: list[tuple[Cond, str]] = [
            (Check('"csat" IS NULL'), "no score"),
            (outside, "rating outside the scale"),
        ]
        return num, Term("1"), excluded
    return (
        Term('CASE WHEN "nps" >= 9 THEN 1 WHEN "nps" <= 6 THEN -1 ELSE 0 END'),
        Term("1"),
        [(Check('"nps" IS NULL'), "no score")],
    )


def _other_metric(sql: Sql, plan: ObjectivePlan) -> Metric:
    knobs, metric, kind = plan.knobs, plan.metric, plan.source_kind
    if metric in RATINGS:
        return _rating_metric(sql, plan)
    if kind == "surveys":
        no_answer: list[tuple[Cond, str]] = [(Check('"resolved" IS NULL'), "no answer")]
        return Term("1", Check('"resolved"')), Term("1"), no_answer
    if kind == "audits":
        fatal_columns = [str(c) for c in knobs.get("_fatal") or ()]  # type: ignore[attr-defined]
        fatal = (
            " OR ".join(f"COALESCE({_answer(c)} = 'no', FALSE)" for c in fatal_columns) or "FALSE"
        )
        if metric == "qa_criterion":
            answer = _answer(str(knobs["criterion"]))
            fatal_first = fatal if knobs["fatal_fails_audit"] else "FALSE"
            passed = f"CASE WHEN {fatal_first} THEN 0 WHEN {answer} = 'yes' THEN 1 ELSE 0 END"
            na = f"NOT ({fatal_first}) AND COALESCE({answer}, '') NOT IN ('yes', 'no')"
            return Term(passed), Term("1"), [(Check(na), "not applicable")]
        parts = []
        for part in ("customer_impact", "business_impact"):
            criteria = knobs[part]
            assert isinstance(criteria, tuple)
            yes = " + ".join(
                f"CASE WHEN {_answer(str(c))} = 'yes' THEN 1 ELSE 0 END" for c in criteria
            )
            no = " + ".join(
                f"CASE WHEN {_answer(str(c))} = 'no' THEN 1 ELSE 0 END" for c in criteria
            )
            weight = sql.param(float(knobs[f"{part}_weight"]))  # type: ignore[arg-type]
            parts.append((f"({yes})", f"({no})", weight))
        (cy, cn, cw), (by, bn, bw) = parts
        c_ok, b_ok = f"({cy} + {cn}) > 0", f"({by} + {bn}) > 0"
        if knobs["scoring"] == "all_criteria":
            c_met = f"(CASE WHEN {cn} > 0 THEN 0.0 ELSE 1.0 END)"
            b_met = f"(CASE WHEN {bn} > 0 THEN 0.0 ELSE 1.0 END)"
            score = (
                f"CASE WHEN {fatal} THEN 0 ELSE "
                f"({cw} * {c_met} + {bw} * {b_met}) / ({cw} + {bw}) END"
            )
        else:
            c_score = f"(CAST({cy} AS DOUBLE) / ({cy} + {cn}))"
            b_score = f"(CAST({by} AS DOUBLE) / ({by} + {bn}))"
            score = (
                f"CASE WHEN {fatal} THEN 0 WHEN {c_ok} AND {b_ok} THEN "
                f"({cw} * {c_score} + {bw} * {b_score}) / ({cw} + {bw}) "
                f"WHEN {c_ok} THEN {c_score} WHEN {b_ok} THEN {b_score} ELSE 0 END"
            )
        na = f"NOT ({fatal}) AND NOT {c_ok} AND NOT {b_ok}"
        return Term(score), Term("1"), [(Check(na), "not applicable")]
    if kind == "adherence":
        adherent, scheduled = 'COALESCE("adherent_minutes", 0)', 'COALESCE("scheduled_minutes", 0)'
        grace = sql.param(grace_minutes(plan))
        forgiven = f"LEAST({grace}, GREATEST(0.0, {scheduled} - {adherent}))"
        return Term(f"({adherent} + {forgiven})"), Term(scheduled), []
    raise EngineError(f"{metric} is not computed from {kind} data")


def _interval_metric(sql: Sql, plan: ObjectivePlan, columns: frozenset[str]) -> tuple[str, str]:
    knobs, metric = plan.knobs, plan.metric

    def col(name: str) -> str:
        return f"COALESCE({quote(name)}, 0)" if name in columns else "0"

    offered, answered, abandoned = col("offered"), col("answered"), col("abandoned")
    short = col("short_abandoned") if knobs.get("short_abandon") else "0"
    other = f"({offered} - {answered} - {abandoned})"
    if metric == "service_level":
        t = int(limit_of(knobs["threshold"])[1])
        answered_t = col(f"answered_within_{t}")
        within, after = knobs["abandons_within_threshold"], knobs["abandons_after_threshold"]
        weight = {"excluded": "0", "failure": "1", "success": "1"}
        if within == after:
            counted = f"({abandoned} - {short}) * {weight[str(within)]}"
            success = f"({abandoned} - {short})" if within == "success" else "0"
        else:
            abandoned_t = col(f"abandoned_within_{t}")
            counted = (
                f"(({abandoned_t} - {short}) * {weight[str(within)]} + "
                f"({abandoned} - {abandoned_t}) * {weight[str(after)]})"
            )
            success = f"({abandoned_t} - {short})" if within == "success" else "0"
        flow = "0" if knobs["flow_outs"] == "excluded" else "1"
        return f"({answered_t} + {success})", f"({answered} + {counted} + {other} * {flow})"
    if metric == "abandonment_rate":
        in_den = bool(knobs.get("short_abandons_in_denominator"))
        return f"({abandoned} - {short})", f"({offered} - {'0' if in_den else short})"
    if metric == "average_speed_of_answer":
        return col("total_wait"), answered
    if metric == "average_handle_time":
        components = knobs["components"]
        assert isinstance(components, tuple)
        parts = " + ".join(col(f"total_{c}") for c in components) or "0"
        if set(components) == {"talk", "hold", "acw"} and "total_handle" in columns:
            handle = f"COALESCE({quote('total_handle')}, {parts})"
        else:
            handle = f"({parts})"
        return handle, answered
    if metric == "occupancy":
        handle = col("total_handle")
        return handle, f"({handle} + {col('available_time')})"
    raise EngineError(f"{metric} is not computed from interval reports")


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> frozenset[str]:
    try:
        rows = con.execute(f"DESCRIBE {quote(table)}").fetchall()
    except duckdb.Error as error:
        raise EngineError(f"cannot read table {table!r}: {error}") from error
    return frozenset(str(r[0]) for r in rows)


ORIGIN = dt.datetime(1800, 1, 1)
"""Bucket numbers count from here; loaded data holds no earlier moment (years 1900-2200)."""
_ORIGIN_US = (dt.datetime(1970, 1, 1) - ORIGIN) // dt.timedelta(microseconds=1)


def _query_minutes(objectives: Sequence[ObjectivePlan]) -> int:
    """The bucket of a source query: a whole number of minutes that divides a day."""
    return bucket_minutes([p for o in objectives for p in objective_periods(o)])


def _source_query(
    plan_objectives: Sequence[ObjectivePlan],
    table: str,
    kind: str,
    columns: frozenset[str],
    udfs: dict[str, Any],
    screen: Sequence[str] = (),
) -> tuple[str, list[object], list[tuple[ObjectivePlan, list[str], list[str], list[int], int]]]:
    """One grouped query for objectives of one source.

    Every figure (numerator, denominator, volume, records in scope, records set
    aside per reason) is a :class:`~slalang.engine.scan.Term` under conditions;
    :class:`~slalang.engine.scan.GroupedScan` reads the source once for all of them.
    """
    sql = Sql()
    scan = GroupedScan(sql)
    ts_column = TIME_FIELD[kind]
    ts = f"CAST({quote(ts_column)} AS TIMESTAMP)"
    bucket_ts = _bucket_time(sql, plan_objectives[0], ts) if kind == "contacts" else ts
    # buckets numbered from ORIGIN: integer arithmetic, cheaper than time_bucket
    width = _query_minutes(plan_objectives) * 60_000_000
    bucket = f"(epoch_us({bucket_ts}) + {_ORIGIN_US}) // {width}"
    layout = []
    for objective in plan_objectives:
        filters = (Known(Check(filter_sql(sql, f, columns))) for f in objective.filters)
        # contacts never offered are in no figure (a test of the outcome key, not a WHERE
        # clause: the scan groups by the outcome anyway)
        scope = all_of(*((_contact_scope(objective),) if kind == "contacts" else ()),
                       *filters)  # fmt: skip
        time_excl = _time_exclusion(sql, objective, ts)
        time_reasons = _time_reasons(objective)
        metric_excl: list[tuple[Cond, str]] = []
        if kind == "intervals":
            num_sql, den_sql = _interval_metric(sql, objective, columns)
            num, den = Term(num_sql), Term(den_sql)
            weight = Term('COALESCE("offered", 0)' if "offered" in columns else "0")
        else:
            num, den, metric_excl = (
                _contact_metric(sql, objective, udfs) if kind == "contacts"
                else _other_metric(sql, objective)
            )  # fmt: skip
            weight = Term("1")
        kept = scope if time_excl == "NULL" else all_of(scope, Check(time_excl, "{} IS NULL"))
        counted = all_of(kept, *(Not(Known(c)) for c, _ in metric_excl))
        positions = [
            scan.add(num, counted),
            scan.add(den, counted),
            scan.add(weight, kept),
            scan.add(Term("1"), scope),
        ]
        for code in range(1, len(time_reasons) + 1):
            positions.append(scan.add(weight, scope, Check(time_excl, f"{{}} = {code}")))
        for index, (condition, _) in enumerate(metric_excl):
            earlier = [Not(Known(c)) for c, _ in metric_excl[:index]]
            positions.append(scan.add(Term("1"), kept, *earlier, condition))
        note = -1
        if kind == "contacts" and wait_matters(objective):
            note = scan.add(Term("1"), kept, _NOT_ANSWERED, _unknown(_wait(objective)))
        metric_reasons = [reason for _, reason in metric_excl]
        layout.append((objective, time_reasons, metric_reasons, positions, note))
    source = quote(table)
    if any(o.repeats_contacts for o in plan_objectives):
        source = _repeat_source(sql, plan_objectives, table, columns)
    return scan.query(bucket, source, screen), sql.params, layout


def _repeat_source(
    sql: Sql, objectives: Sequence[ObjectivePlan], table: str, columns: frozenset[str]
) -> str:
    objective = next(o for o in objectives if o.repeats_contacts)
    # Loaded tables number their rows in ``_line`` (a view over a file has no rowid).
    row = '"_line"' if "_line" in columns else "rowid"
    key = quote(str(objective.knobs["customer_key"]))
    window = int(float(objective.knobs["repeat_window"]) * 1e6)  # type: ignore[arg-type]
    partition = f'{key}, "reason"' if objective.knobs["same_issue_only"] else key
    frame = f'PARTITION BY {partition} ORDER BY "queued_at"'
    return (
        f"(SELECT t.*, COALESCE(r._repeats, 0) AS _repeats, "
        f'(SELECT max("queued_at") FROM {quote(table)}) AS _data_end FROM {quote(table)} t '
        f"LEFT JOIN (SELECT {row} AS _rid, "
        f"COUNT(*) OVER ({frame} RANGE BETWEEN CURRENT ROW AND "
        f"to_microseconds(CAST({sql.param(window)} AS BIGINT)) FOLLOWING) "
        f"- COUNT(*) OVER ({frame} RANGE BETWEEN CURRENT ROW AND CURRENT ROW) AS _repeats "
        f"FROM {quote(table)} WHERE \"outcome\" <> 'not_offered' AND {key} IS NOT NULL) r "
        f"ON t.{row} = r._rid)"
    )


def evaluate(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    tables: Mapping[str, str],
    screens: Mapping[str, Screen] | None = None,
    *,
    forecasts: bool = True,
) -> EvaluationFigures:
    """Evaluate a plan over canonical tables (source id -> table name) in DuckDB; a
    source with a :class:`Screen` is read through it by its first scan. Without
    ``forecasts``, the reliefs' forecast volumes are left out (their sources need no table)."""
    waiting = dict(screens or {})
    figures = _evaluate(con, plan, tables, waiting, forecasts)
    for screen in waiting.values():
        screen.done(None)  # a source no scan read
    return figures


def _screened(
    result: list[tuple[Any, ...]], screen: Screen
) -> tuple[list[tuple[Any, ...]], ScreenCounts]:
    """The rows of a screened scan whose records count, and the records per screen group."""
    width = len(screen.columns)
    counts: dict[tuple[object, ...], int] = {}
    kept = []
    for row in result:
        key = tuple(_hashable(value) for value in row[-1 - width : -1])
        counts[key] = counts.get(key, 0) + int(row[-1])
        if screen.counted(key):
            kept.append(row[: -1 - width])
    return kept, [(*key, n) for key, n in counts.items()]


def _evaluate(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    tables: Mapping[str, str],
    waiting: dict[str, Screen],
    forecasts: bool,
) -> EvaluationFigures:
    buckets: dict[str, Buckets] = {}
    groups: dict[tuple[object, ...], list[ObjectivePlan]] = {}
    for objective in plan.objectives:
        key = (objective.source, *_attribution_key(objective))
        groups.setdefault(key, []).append(objective)
    for objectives in groups.values():
        source = objectives[0].source
        table = tables.get(source)
        if table is None:
            raise EngineError(f"no data for source `{source}`")
        kind = objectives[0].source_kind
        screen = waiting.pop(source, None)
        if screen is not None and any(o.repeats_contacts for o in objectives):
            screen.done(None)  # the repeats are a window over the loaded records
            screen = None
        columns = _columns(con, table)
        udfs: dict[str, Any] = {}
        read = table if screen is None else screen.relation
        shown = () if screen is None else screen.columns
        query, params, layout = _source_query(objectives, read, kind, columns, udfs, shown)
        if screen is not None and udfs:
            screen.done(None)  # a Python function is not run on records set aside
            screen = None
            udfs = {}
            query, params, layout = _source_query(objectives, table, kind, columns, udfs)
        for name, function in udfs.items():
            con.create_function(
                name,
                function,
                ["TIMESTAMP", "DOUBLE"],
                "DOUBLE",
                side_effects=False,
            )
        try:
            result = con.execute(query, params).fetchall()
        finally:
            for name in udfs:
                con.remove_function(name)
        if screen is not None:
            result, counts = _screened(result, screen)
            screen.done(counts)
        minutes = _query_minutes(objectives)
        moments = {
            row[0]: ORIGIN + dt.timedelta(minutes=row[0] * minutes)
            for row in result
            if row[0] is not None
        }
        starts: dict[int, dict[int, dt.datetime]] = {}
        for objective, time_reasons, metric_reasons, positions, note in layout:
            n, d, v, r, *reason_positions = positions
            reasons = tuple(zip((*time_reasons, *metric_reasons), reason_positions, strict=True))
            own = bucket_minutes(objective_periods(objective))
            if own not in starts:
                starts[own] = {b: bucket_start(moment, own) for b, moment in moments.items()}
            start_of = starts[own]
            per_bucket: Buckets = {}
            for row in result:
                if row[0] is None or not row[r]:
                    continue  # a bucket exists when a record of the objective falls in it
                excluded = {reason: int(row[i]) for reason, i in reasons if row[i]}
                noted = {UNKNOWN_WAIT_NOTE: int(row[note])} if note >= 0 and row[note] else {}
                sums = Figures(
                    float(row[n] or 0), float(row[d] or 0), int(row[v] or 0), excluded, noted
                )
                per_bucket.setdefault(start_of[row[0]], Figures()).add(sums)
            buckets[objective.id] = per_bucket
    return EvaluationFigures(buckets, forecast_figures(con, plan, tables) if forecasts else {})


def forecast_figures(
    con: duckdb.DuckDBPyConnection, plan: Plan, tables: Mapping[str, str]
) -> dict[str, dict[str, dict[dt.datetime, float]]]:
    """The forecast volume per relief interval of every relief of every objective."""
    return {
        objective.id: {r.id: _forecasts(con, objective, r, tables) for r in objective.reliefs}
        for objective in plan.objectives
        if objective.reliefs
    }


def _forecasts(
    con: duckdb.DuckDBPyConnection,
    objective: ObjectivePlan,
    relief: Relief,
    tables: Mapping[str, str],
) -> dict[dt.datetime, float]:
    table = tables.get(relief.forecast_source)
    if table is None:
        raise EngineError(f"no data for source `{relief.forecast_source}`")
    columns = _columns(con, table)
    sql = Sql()
    where = (
        " AND ".join(f"({filter_sql(sql, f, columns)}) IS NOT FALSE" for f in objective.filters)
        or "TRUE"
    )
    query = (
        f"SELECT time_bucket(INTERVAL '{int(relief.minutes)} minutes', "
        f'CAST("interval_start" AS TIMESTAMP)) AS b, SUM(COALESCE("forecast_offered", 0)) '
        f"FROM {quote(table)} WHERE {where} GROUP BY ALL"
    )
    return {row[0]: float(row[1]) for row in con.execute(query, sql.params).fetchall()}
