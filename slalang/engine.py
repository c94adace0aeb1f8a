"""Stage 5, evaluate: run a plan on DuckDB, one scan per source for all its objectives.

For every source, one ``SELECT ... GROUP BY bucket`` computes, for each of
the source's objectives, the summed numerator, denominator and volume and the
count of excluded records per reason. The SQL text holds only fixed keywords,
validated and quoted identifiers, and ``?`` placeholders: every value that
comes from a contract (thresholds, filter strings, holidays, outage reasons)
is a bound parameter (``$n``). The semantics are those of :mod:`slalang.reference`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import duckdb

from slalang import model as m
from slalang.figures import Buckets, EvaluationFigures, Figures
from slalang.periods import bucket_minutes, bucket_start
from slalang.plan import ObjectivePlan, Plan, magnitude
from slalang.reference import (
    TIME_FIELD,
    business_seconds,
    event_attribution,
    limit_of,
    objective_periods,
)

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class EngineError(Exception):
    """The plan cannot be run on the data given (for example a missing table)."""


def quote(name: str) -> str:
    """Quote a validated identifier; anything else is refused."""
    if not _IDENTIFIER.fullmatch(name):
        raise EngineError(f"not a valid identifier: {name!r}")
    return f'"{name}"'


def _sql_type(value: object) -> str:
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "BIGINT"
    if isinstance(value, float):
        return "DOUBLE"
    if isinstance(value, dt.datetime):
        return "TIMESTAMP"
    if isinstance(value, dt.date):
        return "DATE"
    return "VARCHAR"


class _Sql:
    """An SQL fragment builder that keeps values out of the text: numbered parameters."""

    def __init__(self) -> None:
        self.params: list[object] = []
        self.seen: dict[tuple[type, object], int] = {}

    def param(self, value: object) -> str:
        """Bind a value; equal values share one typed ``$n``, which may appear many times."""
        key = (type(value), value)
        if key not in self.seen:
            self.params.append(value)
            self.seen[key] = len(self.params)
        return f"CAST(${self.seen[key]} AS {_sql_type(value)})"


# ---------------------------------------------------------------------------
# Filters, calendars, exclusions
# ---------------------------------------------------------------------------


def _operand(sql: _Sql, value: m.Quantity | m.Text | m.Ident) -> tuple[str, str]:
    if isinstance(value, m.Text):
        return sql.param(value.value), "VARCHAR"
    if isinstance(value, m.Quantity):
        return sql.param(float(magnitude(value))), "DOUBLE"
    return sql.param(value.name == "true"), "BOOLEAN"


def filter_sql(sql: _Sql, expr: m.Expr, columns: frozenset[str]) -> str:
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


def _time_exclusion(sql: _Sql, plan: ObjectivePlan, ts: str) -> str:
    """A CASE giving the code of the reason a record is excluded by time, or NULL.

    Codes index :func:`_time_reasons`; reasons written in the contract (outage
    texts) never enter the SQL text.
    """
    branches = []
    for code, outage in enumerate(plan.outages, start=1):
        branches.append(
            f"WHEN {ts} >= {sql.param(outage.start)} AND {ts} < {sql.param(outage.end)} THEN {code}"
        )
    calendar = plan.calendar
    if calendar is not None and calendar.exclude_out_of_hours:
        holiday, out_of_hours = len(plan.outages) + 1, len(plan.outages) + 2
        if calendar.holidays:
            days = ", ".join(sql.param(day) for day in sorted(calendar.holidays))
            branches.append(f"WHEN CAST({ts} AS DATE) IN ({days}) THEN {holiday}")
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
    reasons = [f"{o.kind}: {o.reason}" for o in plan.outages]
    if plan.calendar is not None and plan.calendar.exclude_out_of_hours:
        reasons += ["holiday", "out of hours"]
    return reasons


# ---------------------------------------------------------------------------
# Metrics: (numerator, denominator, metric exclusion reason) as SQL
# ---------------------------------------------------------------------------

_QUEUE_WAIT = 'COALESCE("wait", 0)'


def _wait(plan: ObjectivePlan) -> str:
    """The measured wait in SQL, as :func:`slalang.reference.effective_wait` defines it."""
    wait = _QUEUE_WAIT
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


def _bucket_time(sql: _Sql, plan: ObjectivePlan, ts: str) -> str:
    """The moment a record belongs to: its own time, or its service-level event."""
    if not event_attribution(plan):
        return ts
    wait = _wait(plan)
    if plan.knobs.get("threshold") is not None:
        wait = f"LEAST({wait}, {sql.param(limit_of(plan.knobs['threshold'])[1])})"
    start = (
        'COALESCE("arrived_at", "queued_at")' if plan.knobs.get("wait_start") == "arrival"
        else '"queued_at"'
    )  # fmt: skip
    return f"({start} + to_microseconds(CAST(round({wait} * 1000000) AS BIGINT)))"


def _attribution_key(plan: ObjectivePlan) -> tuple[object, ...]:
    """Objectives with the same key share one grouped query (the same bucket time)."""
    if not event_attribution(plan):
        return ("record",)
    return ("event", plan.knobs.get("wait_start"), plan.knobs.get("threshold"))


_O = '"outcome"'


def _within(sql: _Sql, value: str, threshold: object) -> str:
    op, limit = limit_of(threshold)
    return f"({value} {op} {sql.param(limit)})"


def _contact_metric(
    sql: _Sql, plan: ObjectivePlan, udfs: dict[str, Any]
) -> tuple[str, str, list[tuple[str, str]]]:
    knobs, metric = plan.knobs, plan.metric
    wait = _wait(plan)
    if metric == "service_level":
        within = _within(sql, wait, knobs["threshold"])
        short = _within(sql, wait, knobs["short_abandon"]) if knobs.get("short_abandon") else None
        excl: list[tuple[str, str]] = []
        if short:
            excl.append((f"{_O} = 'abandoned' AND {short}", "short abandon"))
        if knobs["abandons_within_threshold"] == "excluded":
            excl.append((f"{_O} = 'abandoned' AND {within}", "abandoned within threshold"))
        if knobs["abandons_after_threshold"] == "excluded":
            excl.append((f"{_O} = 'abandoned' AND NOT {within}", "abandoned after threshold"))
        if knobs["flow_outs"] == "excluded":
            excl.append((f"{_O} = 'flow_out'", "flow-out"))
        if knobs["callbacks"] == "excluded":
            excl.append((f"{_O} = 'callback'", "callback"))
        good = [f"{_O} = 'answered'"]
        if knobs["abandons_within_threshold"] == "success":
            good.append(f"{_O} = 'abandoned'")
        if knobs["callbacks"] == "success_within_threshold":
            good.append(f"{_O} = 'callback'")
        num = f"CASE WHEN ({' OR '.join(good)}) AND {within} THEN 1 ELSE 0 END"
        den = (
            f"CASE WHEN {_O} IN ('answered', 'abandoned', 'flow_out', 'callback') THEN 1 ELSE 0 END"
        )
        return num, den, excl
    if metric == "abandonment_rate":
        short = (
            _within(sql, wait, knobs["short_abandon"]) if knobs.get("short_abandon") else "FALSE"
        )
        in_den = bool(knobs["short_abandons_in_denominator"])
        excl = [] if in_den else [(f"{_O} = 'abandoned' AND {short}", "short abandon")]
        num = f"CASE WHEN {_O} = 'abandoned' AND NOT {short} THEN 1 ELSE 0 END"
        return num, "1", excl
    if metric == "average_speed_of_answer":
        if knobs["population"] == "offered":
            return wait, "1", []
        answered = f"{_O} = 'answered'"
        return (
            f"CASE WHEN {answered} THEN {wait} ELSE 0 END",
            f"CASE WHEN {answered} THEN 1 ELSE 0 END",
            [],
        )
    if metric == "average_handle_time":
        components = knobs["components"]
        assert isinstance(components, tuple)
        handle = " + ".join(f"COALESCE({quote(str(c))}, 0)" for c in components) or "0"
        answered = f"{_O} = 'answered'"
        excl = []
        if knobs.get("short_call"):
            excl.append(
                (
                    f"{answered} AND {_within(sql, f'({handle})', knobs['short_call'])}",
                    "short call",
                )
            )
        return (
            f"CASE WHEN {answered} THEN {handle} ELSE 0 END",
            f"CASE WHEN {answered} THEN 1 ELSE 0 END",
            excl,
        )
    if metric == "response_time":
        wait = _QUEUE_WAIT
        if plan.calendar is not None and knobs.get("business"):
            name = f"slalang_business_seconds_{len(udfs)}"
            udfs[name] = lambda start, seconds, p=plan: business_seconds(p, start, float(seconds))
            wait = f'{name}("queued_at", {_QUEUE_WAIT})'
        within = _within(sql, wait, knobs["threshold"])
        return f"CASE WHEN {_O} = 'answered' AND {within} THEN 1 ELSE 0 END", "1", []
    if metric == "fcr":
        answered = f"{_O} = 'answered'"
        if knobs["method"] == "agent_flag":
            return (
                f'CASE WHEN {answered} AND "resolved" IS TRUE THEN 1 ELSE 0 END',
                f"CASE WHEN {answered} THEN 1 ELSE 0 END",
                [],
            )
        key = quote(str(knobs["customer_key"]))
        window = float(knobs["repeat_window"])  # type: ignore[arg-type]
        excl = [
            (f"{answered} AND {key} IS NULL", "unidentified customer"),
            (
                f'{answered} AND "queued_at" + to_microseconds(CAST({sql.param(int(window * 1e6))} '
                'AS BIGINT)) > "_data_end"',
                "repeat window not over",
            ),
        ]
        return (
            f'CASE WHEN {answered} AND "_repeats" = 0 THEN 1 ELSE 0 END',
            f"CASE WHEN {answered} THEN 1 ELSE 0 END",
            excl,
        )
    raise EngineError(f"{metric} is not computed from contact records")


def _answer(column: str) -> str:
    return f"lower(CAST({quote(column)} AS VARCHAR))"


def _other_metric(sql: _Sql, plan: ObjectivePlan) -> tuple[str, str, list[tuple[str, str]]]:
    knobs, metric, kind = plan.knobs, plan.metric, plan.source_kind
    if kind == "surveys":
        if metric == "csat":
            top_box = knobs["top_box"]
            assert isinstance(top_box, Fraction)
            num = (
                'CAST("csat" AS DOUBLE)'
                if knobs["method"] == "mean"
                else f'CASE WHEN "csat" >= {sql.param(float(top_box))} THEN 1 ELSE 0 END'
            )
            return num, "1", [('"csat" IS NULL', "no score")]
        if metric == "nps":
            return (
                'CASE WHEN "nps" >= 9 THEN 1 WHEN "nps" <= 6 THEN -1 ELSE 0 END',
                "1",
                [('"nps" IS NULL', "no score")],
            )
        return (
            'CASE WHEN "resolved" THEN 1 ELSE 0 END',
            "1",
            [('"resolved" IS NULL', "no answer")],
        )
    if kind == "audits":
        fatal_columns = [str(c) for c in knobs.get("_fatal") or ()]  # type: ignore[attr-defined]
        fatal = (
            " OR ".join(f"COALESCE({_answer(c)} = 'no', FALSE)" for c in fatal_columns) or "FALSE"
        )
        if metric == "qa_criterion":
            answer = _answer(str(knobs["criterion"]))
            fatal_first = fatal if knobs["fatal_fails_audit"] else "FALSE"
            num = f"CASE WHEN {fatal_first} THEN 0 WHEN {answer} = 'yes' THEN 1 ELSE 0 END"
            excl = [
                (
                    f"NOT ({fatal_first}) AND COALESCE({answer}, '') NOT IN ('yes', 'no')",
                    "not applicable",
                )
            ]
            return num, "1", excl
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
        c_score = f"(CAST({cy} AS DOUBLE) / ({cy} + {cn}))"
        b_score = f"(CAST({by} AS DOUBLE) / ({by} + {bn}))"
        num = (
            f"CASE WHEN {fatal} THEN 0 WHEN {c_ok} AND {b_ok} THEN "
            f"({cw} * {c_score} + {bw} * {b_score}) / ({cw} + {bw}) "
            f"WHEN {c_ok} THEN {c_score} WHEN {b_ok} THEN {b_score} ELSE 0 END"
        )
        excl = [(f"NOT ({fatal}) AND NOT {c_ok} AND NOT {b_ok}", "not applicable")]
        return num, "1", excl
    if kind == "adherence":
        return 'COALESCE("adherent_minutes", 0)', 'COALESCE("scheduled_minutes", 0)', []
    raise EngineError(f"{metric} is not computed from {kind} data")


def _interval_metric(sql: _Sql, plan: ObjectivePlan, columns: frozenset[str]) -> tuple[str, str]:
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


_ZERO_ONE = re.compile(r"CASE WHEN ((?:(?!CASE|THEN).)*) THEN 1 ELSE 0 END", re.DOTALL)


Atoms = tuple[str, ...]
"""A condition as the conjunction of its parts; the empty tuple always holds."""


def _parts(condition: str) -> Atoms:
    """Split a condition of slalang's own making at its top-level ``AND``s.

    Parts are shared between figures, so fewer distinct parts make fewer groups. The
    conditions hold no string literal with `` AND `` in it (values are parameters).
    """
    parts, depth, start = [], 0, 0
    for index, char in enumerate(condition):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and condition.startswith(" AND ", index):
            parts.append(condition[start:index])
            start = index + 5
    parts.append(condition[start:])
    if len(parts) == 1:
        whole = parts[0].strip()
        if whole.startswith("(") and whole.endswith(")") and _balanced(whole[1:-1]):
            return _parts(whole[1:-1])
        return (whole,)
    return tuple(p for part in parts for p in _parts(part.strip()))


def _reads_only(part: str, keys: Atoms) -> bool:
    """True when a condition part reads no column but the given key columns."""
    read = set(re.findall(r'"([A-Za-z_][A-Za-z0-9_]*)"', part))
    return bool(read) and {f'"{name}"' for name in read} <= set(keys)


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _figure(value: str, atoms: Atoms) -> tuple[str, Atoms]:
    """Normalise a figure: a 0/1 value ``CASE WHEN c THEN 1 ELSE 0 END`` becomes a count of
    the rows where ``c`` also holds."""
    zero_one = _ZERO_ONE.fullmatch(value)
    if zero_one:
        value, atoms = "1", (*atoms, zero_one.group(1))
    parts = tuple(dict.fromkeys(p for atom in atoms for p in _parts(atom) if p != "TRUE"))
    return value, parts


class _Figures:
    """The distinct figures of a source query, each a sum of a value over a condition."""

    def __init__(self) -> None:
        self.figures: dict[tuple[str, Atoms], int] = {}

    def add(self, value: str, atoms: Atoms) -> int:
        """Return the output position (from 1) of a figure, adding it if it is new."""
        key = _figure(value, atoms)
        if key not in self.figures:
            self.figures[key] = len(self.figures) + 1
        return self.figures[key]

    def query(self, bucket: str, source: str, where: str, *, keys: Atoms = ()) -> str:
        """Group rows once by bucket and every distinct condition part, then add up.

        The inner query groups the scan by the bucket and the truth of each distinct
        condition part, counting rows and summing each distinct value; the outer query
        adds up those few groups per bucket, one ``FILTER`` per figure.
        """
        atoms = list(dict.fromkeys(a for _, parts in self.figures for a in parts))
        values = list(dict.fromkeys(v for v, _ in self.figures if v != "1"))
        # parts that read only low-cardinality key columns are judged on the groups
        outer_parts = {a for a in atoms if _reads_only(a, keys)}
        atoms = [a for a in atoms if a not in outer_parts]
        key_of = {atom: f"k{index}" for index, atom in enumerate(atoms)}
        key_of.update({part: f"({part})" for part in outer_parts})
        sum_of = {value: f"s{index}" for index, value in enumerate(values)}
        inner = ", ".join(
            [f"{bucket} AS b", *keys, *(f"{atom} AS {key_of[atom]}" for atom in atoms),
             "count(*) AS n",
             *(f"sum({value}) AS {sum_of[value]}" for value in values)]
        )  # fmt: skip
        outer = ["b"]
        for value, parts in self.figures:
            total = "n" if value == "1" else sum_of[value]
            condition = " AND ".join(key_of[a] for a in parts)
            outer.append(f"sum({total})" + (f" FILTER (WHERE {condition})" if condition else ""))
        return (
            f"SELECT {', '.join(outer)} FROM (SELECT {inner} FROM {source}{where} GROUP BY ALL) "
            "GROUP BY b"
        )


def _source_query(
    plan_objectives: Sequence[ObjectivePlan],
    table: str,
    kind: str,
    columns: frozenset[str],
    udfs: dict[str, Any],
) -> tuple[str, list[object], list[tuple[ObjectivePlan, list[str], list[str], list[int]]]]:
    """One grouped query for objectives of one source.

    Every figure (numerator, denominator, volume, records in scope, records set
    aside per reason) is a sum of a value over a conjunction of condition parts;
    :class:`_Figures` scans once, grouping by bucket and the parts.
    """
    sql = _Sql()
    figures = _Figures()
    minutes = bucket_minutes([p for o in plan_objectives for p in objective_periods(o)])
    ts_column = TIME_FIELD[kind]
    ts = f"CAST({quote(ts_column)} AS TIMESTAMP)"
    bucket_ts = _bucket_time(sql, plan_objectives[0], ts) if kind == "contacts" else ts
    bucket = f"time_bucket(INTERVAL '{minutes} minutes', {bucket_ts})"
    layout = []
    layout_names: list[list[int]] = []
    for index, objective in enumerate(plan_objectives):
        scope: Atoms = tuple(
            f"COALESCE({filter_sql(sql, f, columns)}, FALSE)" for f in objective.filters
        )
        # contacts never offered are left out by the query's WHERE clause
        time_excl = _time_exclusion(sql, objective, ts)
        time_reasons = _time_reasons(objective)
        if kind == "intervals":
            num, den = _interval_metric(sql, objective, columns)
            volume = 'COALESCE("offered", 0)' if "offered" in columns else "0"
            metric_reasons = []
        else:
            if kind == "contacts":
                num, den, metric_excl = _contact_metric(sql, objective, udfs)
            else:
                num, den, metric_excl = _other_metric(sql, objective)
            volume = ""
            metric_reasons = [reason for _, reason in metric_excl]
        if kind == "intervals":
            metric_excl = []
        kept: Atoms = (*scope, *(() if time_excl == "NULL" else (f"({time_excl}) IS NULL",)))
        counted: Atoms = (*kept, *(f"NOT COALESCE({c}, FALSE)" for c, _ in metric_excl))
        weight = volume or "1"
        names = [
            figures.add(num, counted),
            figures.add(den, counted),
            figures.add(weight, kept),
            figures.add("1", scope),
        ]
        for code in range(1, len(time_reasons) + 1):
            names.append(figures.add(weight, (*scope, f"({time_excl}) = {code}")))
        for index, (condition, _) in enumerate(metric_excl):
            earlier = [f"NOT COALESCE({c}, FALSE)" for c, _ in metric_excl[:index]]
            names.append(figures.add("1", (*kept, *earlier, f"({condition})")))
        layout_names.append(names)
        layout.append((objective, time_reasons, metric_reasons))
    source = quote(table)
    if any(
        o.metric == "fcr" and o.knobs.get("method") == "repeat_contact" for o in plan_objectives
    ):
        source = _repeat_source(sql, plan_objectives, table, columns)
    where = f" WHERE {_O} <> 'not_offered'" if kind == "contacts" else ""
    keys: Atoms = (_O,) if kind == "contacts" else ()
    query = figures.query(bucket, source, where, keys=keys)
    columns_of = layout_names
    return query, sql.params, [(*item, cols) for item, cols in zip(layout, columns_of, strict=True)]


def _repeat_source(
    sql: _Sql, objectives: Sequence[ObjectivePlan], table: str, columns: frozenset[str]
) -> str:
    objective = next(o for o in objectives if o.metric == "fcr")
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


def _rebucket(rows: Mapping[dt.datetime, Figures], minutes: int) -> Buckets:
    result: Buckets = {}
    for start, figures in rows.items():
        result.setdefault(bucket_start(start, minutes), Figures()).add(figures)
    return result


def evaluate(
    con: duckdb.DuckDBPyConnection, plan: Plan, tables: Mapping[str, str]
) -> EvaluationFigures:
    """Evaluate a plan over canonical tables (source id -> table name) in DuckDB."""
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
        columns = _columns(con, table)
        udfs: dict[str, Any] = {}
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
        for objective, time_reasons, metric_reasons, positions in layout:
            per_bucket: dict[dt.datetime, Figures] = {}
            n, d, v, r, *reason_positions = positions
            for row in result:
                if row[0] is None or not row[r]:
                    continue  # a bucket exists when a record of the objective falls in it
                figures = Figures(float(row[n] or 0), float(row[d] or 0), int(row[v] or 0))
                for reason, index in zip(
                    (*time_reasons, *metric_reasons), reason_positions, strict=True
                ):
                    count = int(row[index] or 0)
                    if count:
                        figures.exclude(reason, count)
                per_bucket[row[0]] = figures
            own = bucket_minutes(objective_periods(objective))
            buckets[objective.id] = _rebucket(per_bucket, own)
    forecasts = {}
    for objective in plan.objectives:
        if objective.relief is not None:
            forecasts[objective.id] = _forecasts(con, objective, tables)
    return EvaluationFigures(buckets, forecasts)


def _forecasts(
    con: duckdb.DuckDBPyConnection, objective: ObjectivePlan, tables: Mapping[str, str]
) -> dict[dt.datetime, float]:
    assert objective.relief is not None
    table = tables.get(objective.relief.forecast_source)
    if table is None:
        raise EngineError(f"no data for source `{objective.relief.forecast_source}`")
    columns = _columns(con, table)
    sql = _Sql()
    where = (
        " AND ".join(f"({filter_sql(sql, f, columns)}) IS NOT FALSE" for f in objective.filters)
        or "TRUE"
    )
    query = (
        f"SELECT time_bucket(INTERVAL '{objective.relief.minutes} minutes', "
        f'CAST("interval_start" AS TIMESTAMP)) AS b, SUM(COALESCE("forecast_offered", 0)) '
        f"FROM {quote(table)} WHERE {where} GROUP BY ALL"
    )
    return {row[0]: float(row[1]) for row in con.execute(query, sql.params).fetchall()}
