"""Generated contracts of several objectives over one contacts source.

An objective draws its metric and the metric's knobs (as
:func:`engine.test_engine_vs_reference.objective` does), a window (day, week, month or
quarter), an aggregation that fits the window, a tier (``key``, or ``critical`` with an
allocation), optional minimum volumes and a scope filter. A contract carries a credits
block and account-at-risk rules naming its objectives.
"""

from __future__ import annotations

import attrs
from hypothesis import strategies as st

WINDOWS = ("day", "week", "month", "quarter")

HEADER = """contract demo {
  client "A"
  vendor "B"
  timezone "UTC"
  effective 2026-01-01 to 2026-12-31
  currency USD
  monthly_charges 100000 USD
}

source calls: contacts

calendar hours {
  open monday to friday 08:00-20:00
  open saturday 10:00-14:00
  holiday 2026-04-03
}
"""

LEVELS = {
    "service_level": ("expected >= 80%", "minimum >= 60%", ">= 80%"),
    "abandonment_rate": ("expected <= 8%", "minimum <= 20%", "<= 8%"),
    "average_speed_of_answer": ("expected <= 30 s", "minimum <= 90 s", "<= 30 s"),
    "average_handle_time": ("expected between 120 s and 400 s",
                            "minimum between 60 s and 600 s", "between 120 s and 400 s"),
    "fcr": ("expected >= 70%", "minimum >= 40%", ">= 70%"),
    "response_time": ("expected >= 90%", "minimum >= 70%", ">= 90%"),
}  # fmt: skip


@attrs.frozen
class Objective:
    """One objective's statements, and what the contract around it needs to know."""

    id: str
    lines: tuple[str, ...]
    window: str
    critical: bool

    @property
    def text(self) -> str:
        body = "\n".join(f"  {line}" for line in self.lines)
        return f"objective {self.id} {{\n{body}\n}}\n"


ALTERNATIVES = {
    "threshold": ["<= 5 s", "< 5 s", "<= 20 s", "< 20 s", "<= 30 s", "<= 60 s"],
    "variant": ["F1", "F2", "F3", "F4", "F5"],
    "abandons_within_threshold": ["failure", "excluded", "success"],
    "abandons_after_threshold": ["failure", "excluded"],
    "short_abandon": ["< 5 s", "<= 5 s", "< 10 s"],
    "short_abandons_in_denominator": ["true", "false"],
    "flow_outs": ["failure", "excluded"],
    "attribution": ["arrival", "event"],
    "denominator": ["offered", "events"],
    "callbacks": ["failure", "excluded", "success_within_threshold"],
    "rounding": ["0", "1", "2"],
    "population": ["answered", "offered"],
    "components": ["[talk]", "[talk, hold]", "[talk, hold, acw]", "[acw]"],
    "short_call": ["< 10 s", "<= 60 s"],
    "method": ["agent_flag", "repeat_contact"],
    "repeat_window": ["1 d", "2 d", "7 d"],
    "same_issue_only": ["true", "false"],
    "wait_start": ["queue_entry", "vru_exit", "arrival"],
    "wait_end": ["answer", "ringing"],
    "window": list(WINDOWS),
}
"""Other values of the settings an objective draws, for twins."""


@st.composite
def twin(draw: st.DrawFn, of: Objective, name: str) -> Objective:
    """A copy of ``of`` named ``name`` with one or two settings (or its window) changed.

    Twins share most of their evaluation with the original (the same query, the same
    buckets, the same repeat-contact search), which is where objectives can leak into
    each other.
    """
    lines = list(of.lines)
    window = of.window
    fixed = ("method",)  # repeat_window and same_issue_only belong to repeat_contact
    if any(line.startswith(("aggregate", "min_volume")) and " per " in line for line in lines):
        fixed += ("window",)  # the sub-period fits the window it was drawn for
    changeable = [i for i, line in enumerate(lines)
                  if line.split()[0] in ALTERNATIVES and line.split()[0] not in fixed]  # fmt: skip
    count = min(len(changeable), 2 if draw(st.integers(0, 3)) == 0 else 1)
    chosen = draw(st.permutations(changeable))[:count] if changeable else []
    for index in chosen:
        setting, current = lines[index].split(" ", 1)
        value = draw(st.sampled_from([v for v in ALTERNATIVES[setting] if v != current]))
        if setting == "window":
            window = value
        lines[index] = f"{setting} {value}"
    return Objective(name, tuple(lines), window, of.critical)


def metric_lines(draw: st.DrawFn, metric: str) -> list[str]:
    """The metric's knobs, drawn."""
    lines = [f"metric {metric}"]
    if metric == "service_level":
        lines.append(f"threshold {draw(st.sampled_from(['<=', '<']))} "
                     f"{draw(st.sampled_from([5, 20, 30, 60]))} s")  # fmt: skip
        if draw(st.booleans()):
            lines.append(f"variant {draw(st.sampled_from(['F1', 'F2', 'F3', 'F4', 'F5']))}")
        else:
            lines.append(
                "abandons_within_threshold "
                + draw(st.sampled_from(["failure", "excluded", "success"]))
            )
            lines.append(
                "abandons_after_threshold " + draw(st.sampled_from(["failure", "excluded"]))
            )
            if draw(st.booleans()):
                lines.append(f"short_abandon {draw(st.sampled_from(['<', '<=']))} 5 s")
        lines.append("flow_outs " + draw(st.sampled_from(["failure", "excluded"])))
        lines.append("attribution " + draw(st.sampled_from(["arrival", "event"])))
        lines.append("denominator " + draw(st.sampled_from(["offered", "events"])))
        lines.append(
            "callbacks "
            + draw(st.sampled_from(["failure", "excluded", "success_within_threshold"]))
        )
        if draw(st.booleans()):
            lines.append(f"rounding {draw(st.integers(0, 2))}")
    elif metric == "abandonment_rate":
        if draw(st.booleans()):
            lines.append(f"short_abandon < {draw(st.sampled_from([5, 10]))} s")
            lines.append(
                "short_abandons_in_denominator " + draw(st.sampled_from(["true", "false"]))
            )
        if draw(st.booleans()):
            lines.append("denominator " + draw(st.sampled_from(["offered", "events"])))
    elif metric == "average_speed_of_answer":
        lines.append("population " + draw(st.sampled_from(["answered", "offered"])))
    elif metric == "average_handle_time":
        parts = draw(st.lists(st.sampled_from(["talk", "hold", "acw"]), min_size=1, unique=True))
        lines.append(f"components [{', '.join(parts)}]")
        if draw(st.booleans()):
            lines.append("short_call < 10 s")
    elif metric == "response_time":
        lines.append(f"threshold <= {draw(st.sampled_from([20, 60]))} s")
    else:
        method = draw(st.sampled_from(["agent_flag", "repeat_contact"]))
        lines.append(f"method {method}")
        if method == "repeat_contact":
            lines.append(f"repeat_window {draw(st.sampled_from([1, 2, 7]))} d")
            lines.append(f"same_issue_only {draw(st.sampled_from(['true', 'false']))}")
    if metric in ("service_level", "abandonment_rate", "average_speed_of_answer"):
        lines.append("wait_start " + draw(st.sampled_from(["queue_entry", "vru_exit", "arrival"])))
    if metric in ("service_level", "average_speed_of_answer"):
        lines.append("wait_end " + draw(st.sampled_from(["answer", "ringing"])))
    return lines


@st.composite
def objective(draw: st.DrawFn, name: str, window: str | None = None) -> Objective:
    """An objective named ``name``; any window unless one is given."""
    metric = draw(st.sampled_from(sorted(LEVELS)))
    expected, minimum, meeting = LEVELS[metric]
    window = window or draw(st.sampled_from(WINDOWS))
    critical = draw(st.booleans())
    tier = f"critical allocation {draw(st.sampled_from([5, 10, 20]))}%" if critical else "key"
    lines = [tier, *metric_lines(draw, metric), f"window {window}"]
    per = "60 min" if window == "day" else "day"
    aggregate = draw(st.sampled_from(["pooled", "mean", "weighted_mean", "share", "floor"]))
    if aggregate == "share":
        lines.append(f"aggregate share per {per} meeting {meeting}")
        expected, minimum = "expected >= 70%", "minimum >= 40%"
    elif aggregate != "pooled":
        lines.append(f"aggregate {aggregate} per {per}")
    if aggregate != "pooled" and draw(st.booleans()):
        lines.append(f"min_volume {draw(st.integers(1, 2))} calls per {per}")
    if draw(st.booleans()):
        lines.append(f"min_volume {draw(st.integers(1, 4))} calls")
    if metric != "fcr" and draw(st.booleans()):
        lines.append("calendar hours")
    scope = draw(st.sampled_from(["", "", 'where queue == "a"', 'where channel == "voice"',
                                  'where not (call_type in ["PS", "NE"])']))  # fmt: skip
    if scope:
        lines.append(scope)
    lines.append(expected)
    if draw(st.booleans()):
        lines.append(minimum)
    return Objective(name, tuple(lines), window, critical)


@attrs.frozen
class Rule:
    """An account-at-risk rule, and the objective it names (``None`` for a category)."""

    text: str
    names: str | None


@st.composite
def rule(draw: st.DrawFn, target: Objective) -> Rule:
    """A rule naming one objective: missed (or below minimum, when it has one) in a count."""
    condition = "missed"
    if "minimum " in target.text and draw(st.booleans()):
        condition = "below minimum"
    times = draw(st.integers(1, 3))
    if draw(st.booleans()):
        count = f"{times} consecutive periods"
    else:
        count = f"{times} of last {times + draw(st.integers(0, 3))} periods"
    return Rule(f"  rule {target.id} {condition} in {count}", target.id)


CATEGORY_RULES = (
    # quarters: every drawn window rolls up into them (`periods` is ambiguous across windows)
    Rule("  rule any critical missed in 2 of last 3 quarters", None),
    Rule("  rule any key below minimum in 2 consecutive quarters", None),
    Rule("  rule credits at cap in 1 of last 2 months", None),
)


def contract(
    objectives: list[Objective],
    rules: list[Rule],
    credits: str,
    outage: bool,
) -> str:
    """A contract of these objectives; rules naming an absent objective are left out."""
    present = {o.id for o in objectives}
    kept = [r.text for r in rules if r.names is None or r.names in present]
    text = HEADER + "\n" + "\n".join(o.text for o in objectives)
    text += f"\ncredits {{\n{credits}\n}}\n"
    if kept:
        text += "\naccount_at_risk {\n" + "\n".join(kept) + "\n  watch_margin 1\n}\n"
    if outage:
        text += '\nexclude outage "carrier" from 2026-03-10 09:00 to 2026-03-12 13:30\n'
    return text


@st.composite
def credit_settings(draw: st.DrawFn) -> str:
    """The settings of a credits block."""
    lines = [f"at_risk {draw(st.sampled_from([10, 12]))}%"]
    if draw(st.booleans()):
        lines.append(f"cap {draw(st.sampled_from(['15%', '50%', '1500 USD']))}")
    lines.append(f"trigger {draw(st.sampled_from(['missed', 'below_minimum']))}")
    if draw(st.booleans()):
        lines.append(f"earn_back {draw(st.integers(1, 2))}")
    return "\n".join(f"  {line}" for line in lines)
