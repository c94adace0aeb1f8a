"""Staffing stage: a staffing plan as a table, CSV or JSON.

Every format has one row per forecast interval with calls or agents: the line (queue and
channel), the interval, the forecast, agents and scheduled agents, the predicted service
level, ASA, occupancy and abandonment, and what bound the interval. The table and JSON add
the totals against the naive plan and the predicted verdicts (JSON: the evaluation document
of docs/reports.md, each verdict marked ``"predicted": true``).
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from slalang.judge.results import to_json
from slalang.staff.staffing import CLOSED, StaffingPlan

FORMATS = ("table", "csv", "json")
"""The formats :func:`render_plan` writes, default first."""

COLUMNS = ("queue", "channel", "interval_start", "calls", "aht_s", "agents", "scheduled",
           "service_level", "asa_s", "occupancy", "p_abandon", "bound_by")  # fmt: skip
"""The columns of every interval row (CSV header, JSON keys)."""


def _number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def interval_rows(staffing: StaffingPlan) -> list[dict[str, Any]]:
    """One dict per forecast interval with calls or agents, in forecast order."""
    forecast = staffing.forecast
    prediction = staffing.prediction
    scheduled = staffing.scheduled()
    found = []
    for row in range(forecast.rows):
        calls = float(forecast.calls[row])
        agents = int(staffing.agents[row])
        if calls <= 0 and agents == 0:
            continue
        queue, channel = forecast.lines[int(forecast.line[row])]
        start = str(forecast.start[row].astype("datetime64[us]").astype("datetime64[s]"))
        # out of hours: nobody answers and no objective counts them, so nothing is predicted
        has_calls = calls > 0 and staffing.bound_by[row] != CLOSED
        found.append({
            "queue": queue,
            "channel": channel,
            "interval_start": start.replace("T", " "),
            "calls": calls,
            "aht_s": float(forecast.aht[row]) if has_calls else None,
            "agents": agents,
            "scheduled": int(scheduled[row]),
            "service_level": _number(prediction.service_level[row]) if has_calls else None,
            "asa_s": _number(prediction.asa[row]) if has_calls else None,
            "occupancy": _number(prediction.occupancy[row]) if has_calls else None,
            "p_abandon": _number(prediction.p_abandon[row]) if has_calls else None,
            "bound_by": staffing.bound_by[row],
        })  # fmt: skip
    return found


def totals(staffing: StaffingPlan) -> dict[str, Any]:
    """Agent-hours of the plan and of the naive plan, and the saving."""
    found: dict[str, Any] = {
        "agent_hours": staffing.hours(),
        "scheduled_hours": staffing.hours(staffing.scheduled()),
    }
    if staffing.naive is not None:
        naive = staffing.hours(staffing.naive)
        found["naive_agent_hours"] = naive
        found["naive_scheduled_hours"] = staffing.hours(staffing.scheduled(staffing.naive))
        found["saving_hours"] = naive - found["agent_hours"]
        found["saving_share"] = (naive - found["agent_hours"]) / naive if naive else 0.0
    return found


def _model(staffing: StaffingPlan) -> dict[str, Any]:
    options = staffing.options
    patience = options.patience
    shown: object = patience
    if isinstance(patience, dict):
        shown = {str(k): v for k, v in patience.items()}
    return {
        "model": options.model,
        "patience_s": shown if options.model == "a" else None,
        "interval_minutes": staffing.forecast.minutes,
        "shrinkage": float(options.shrinkage),
        "max_occupancy": None if options.max_occupancy is None else float(options.max_occupancy),
        "min_agents": options.min_agents,
    }


def render_plan(staffing: StaffingPlan, *, format: str) -> str:
    """The plan in one of :data:`FORMATS`.

    Raises:
        ValueError: an unknown format.
    """
    if format == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in interval_rows(staffing):
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
        return out.getvalue()
    if format == "json":
        document = {
            "contract": {"id": staffing.plan.contract_id, "path": staffing.plan.path},
            **_model(staffing),
            "objectives": [r.id for r in staffing.requirements],
            "totals": totals(staffing),
            "intervals": interval_rows(staffing),
            "predicted": {k: v for k, v in to_json(staffing.evaluation).items() if k != "data"},
        }
        return json.dumps(document, indent=2) + "\n"
    if format == "table":
        return _table(staffing)
    raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")


def _cell(value: object, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "pct":
        return f"{100 * float(value):.1f}%"  # type: ignore[arg-type]
    if kind == "s":
        return f"{float(value):.1f}"  # type: ignore[arg-type]
    if kind == "n":
        return f"{float(value):.1f}"  # type: ignore[arg-type]
    return str(value)


def _table(staffing: StaffingPlan) -> str:
    model = _model(staffing)
    name = "Erlang A" if model["model"] == "a" else "Erlang C"
    head = [f"Staffing plan for {staffing.plan.contract_id} ({staffing.plan.path}), {name}, "
            f"{staffing.forecast.minutes}-minute intervals"]  # fmt: skip
    found = totals(staffing)
    head.append(
        f"agent-hours {found['agent_hours']:,.1f} (scheduled "
        f"{found['scheduled_hours']:,.1f}, shrinkage {100 * model['shrinkage']:g}%)"
    )
    if "naive_agent_hours" in found:
        head.append(
            f"every interval at its objectives' levels: {found['naive_agent_hours']:,.1f} "
            f"agent-hours; saving {found['saving_hours']:,.1f} "
            f"({100 * found['saving_share']:.1f}%)"
        )
    kinds = {"calls": "n", "aht_s": "s", "service_level": "pct", "asa_s": "s",
             "occupancy": "pct", "p_abandon": "pct"}  # fmt: skip
    rows = [list(COLUMNS)]
    for row in interval_rows(staffing):
        rows.append([_cell(row[c], kinds.get(c, "")) for c in COLUMNS])
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) if i in (0, 1, 2, 11) else c.rjust(w)
                       for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()
             for r in rows]  # fmt: skip
    verdicts = ["predicted verdicts:"]
    for v in staffing.evaluation.verdicts:
        actual = "-" if v.actual is None else (
            f"{100 * v.actual:.2f}%" if v.unit == "ratio" else f"{v.actual:.2f} s")  # fmt: skip
        verdicts.append(f"  {v.objective:<32} {v.period:<10} {v.status:<14} {actual}")
    return "\n".join([*head, "", *lines, "", *verdicts]) + "\n"
