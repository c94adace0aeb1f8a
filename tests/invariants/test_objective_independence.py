"""Invariant: an objective's results do not depend on the other objectives of the contract.

Hypothesis draws a contract of two or three objectives over one contacts source (metrics
with random knobs, windows day, week, month or quarter, aggregations, critical
allocations, a credits block, account-at-risk rules naming objectives) and tens of
contact records over four months, and one variant of it: one objective removed, the
objectives in another order, or one more objective added, either a fresh one (often with
another window) or a *twin* of one of them, with one or two settings changed. For every
objective in both, the verdicts (status, actual, numerator, denominator, volume,
excluded counts) and its credits must be the same, with both evaluators, and an added
objective must be judged as it is in a contract of its own; reordering must change
nothing at all.

The contract is compiled once with the added objective; each variant is that plan with
objectives (and the rules naming them) taken out or reordered, which is what compiling
the variant's text gives (``test_variant_plans_are_compiled_variants``).

Account-at-risk rules that name only objectives present in both are compared on their
own (``test_other_objectives_change_no_rule_naming_only_others``): a rule counts the
periods of the objectives it names, so the others never change it.
"""

from __future__ import annotations

import attrs
import duckdb
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import slalang
from invariants.common import Outcome, Row, by_objective, contacts, described, judge, same_verdict
from invariants.common import store as store_rows
from invariants.objectives import (
    CATEGORY_RULES,
    Objective,
    Rule,
    contract,
    credit_settings,
    objective,
    rule,
    twin,
)
from slalang.engine import ENGINES
from slalang.engine.plan import Plan
from slalang.judge.consequences import Credit

EXAMPLES = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                    HealthCheck.data_too_large])  # fmt: skip
VARIANTS = ("removed", "permuted", "added")


class Case:
    """A drawn contract, one variant of it, and the records they are evaluated on."""

    def __init__(self, draw: st.DrawFn, *, named_rules_only: bool) -> None:
        count = draw(st.integers(2, 3))
        # for the known defect: day or month keys sort before week and quarter keys
        window = draw(st.sampled_from(["day", "month"])) if named_rules_only else None
        self.objectives = [draw(objective("o0", window=window))]
        for i in range(1, count):
            if not named_rules_only and draw(st.booleans()):
                self.objectives.append(draw(twin(draw(st.sampled_from(self.objectives)), f"o{i}")))
            else:
                self.objectives.append(draw(objective(f"o{i}", window=window)))
        first = self.objectives[0]
        if named_rules_only:
            # a rule that looks at the last period only: it sees other objectives' periods
            self.rules = [Rule(f"  rule {first.id} missed in 1 of last 1 periods", first.id)]
        else:
            self.rules = [draw(rule(first))]
            self.rules += [draw(rule(o)) for o in self.objectives[1:] if draw(st.booleans())]
            self.rules += draw(st.lists(st.sampled_from(CATEGORY_RULES), unique=True))
        self.credits = draw(credit_settings())
        self.outage = draw(st.booleans())
        self.variant = "added" if named_rules_only else draw(st.sampled_from(VARIANTS))
        if draw(st.booleans()):
            self.variant = "added"
        self.removed = draw(st.integers(0, count - 1))
        self.order = list(draw(st.permutations(range(count))))
        if named_rules_only:
            later = draw(st.sampled_from(["week", "quarter"]))
            self.extra = draw(objective("extra", window=later))
        elif draw(st.integers(0, 4)) > 0:
            self.extra = draw(twin(draw(st.sampled_from(self.objectives)), "extra"))
        else:
            self.extra = draw(objective("extra"))
        self.extra_at = draw(st.integers(0, count))
        self.rows: list[Row] = draw(contacts(min_size=10 if named_rules_only else 5))

    def __repr__(self) -> str:
        return (
            f"Case({self.variant}: removed {self.removed}, order {self.order}, extra at "
            f"{self.extra_at}\n{self.text(self.everything())}\nrows={self.rows!r})"
        )

    def everything(self) -> list[Objective]:
        """The objectives with the extra one added: the contract that is compiled."""
        return [*self.objectives[: self.extra_at], self.extra, *self.objectives[self.extra_at :]]

    def text(self, objectives: list[Objective]) -> str:
        return contract(objectives, self.rules, self.credits, self.outage)

    def chosen(self) -> list[Objective]:
        """The variant's objectives, in its order."""
        base = self.objectives
        if self.variant == "removed":
            return [o for i, o in enumerate(base) if i != self.removed]
        if self.variant == "permuted":
            return [base[i] for i in self.order]
        return self.everything()


@st.composite
def cases(draw: st.DrawFn, named_rules_only: bool = False) -> Case:
    return Case(draw, named_rules_only=named_rules_only)


def compiled(text: str) -> Plan:
    checked = slalang.check(text, path="generated.sla")
    assert checked.ok, [(d.code, d.message) for d in checked.errors]
    return slalang.compile(checked)


def restricted(plan: Plan, ids: list[str]) -> Plan:
    """The plan with only these objectives, in this order, and the rules that still apply."""
    by_id = {o.id: o for o in plan.objectives}
    rules = tuple(r for r in plan.rules if r.selector != "objective" or r.name in by_id.keys()
                  & set(ids))  # fmt: skip
    return attrs.evolve(plan, objectives=tuple(by_id[i] for i in ids), rules=rules)


def _outcomes(
    case: Case, evaluator: str, con: duckdb.DuckDBPyConnection, *, alone: bool = False
) -> tuple[Outcome, Outcome, Outcome | None]:
    """The base contract, its variant and, when asked for an added objective, that one alone."""
    store_rows(con, case.rows)
    plan = compiled(case.text(case.everything()))
    base = restricted(plan, [o.id for o in case.objectives])
    variant = restricted(plan, [o.id for o in case.chosen()])
    extra = None
    if alone and case.variant == "added":
        extra = judge(restricted(plan, [case.extra.id]), con, case.rows, evaluator)
    return (
        judge(base, con, case.rows, evaluator),
        judge(variant, con, case.rows, evaluator),
        extra,
    )


def _credits_of(outcome: Outcome, objective: str) -> set[Credit]:
    return {c for period in outcome.credits for c in period.credits if c.objective == objective}


def _periods(outcome: Outcome) -> set[str]:
    return {v.period for v in outcome.verdicts}


def _credit_table(outcome: Outcome) -> list[tuple[object, ...]]:
    return [(p.period, frozenset(p.credits), p.earned, p.cap, p.capped, p.due, p.at_cap,
             p.currency) for p in outcome.credits]  # fmt: skip


def _named_rules(outcome: Outcome) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The rules naming one objective, by label: their state and the periods behind it."""
    return {
        r.label: (r.state, r.periods)
        for r in outcome.risk.rules
        if not r.label.startswith(("any ", "credits "))
    }


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


@pytest.mark.parametrize("evaluator", ENGINES)
@EXAMPLES
@given(case=cases())
def test_other_objectives_change_no_verdict(
    evaluator: str, case: Case, con: duckdb.DuckDBPyConnection
) -> None:
    base, variant, alone = _outcomes(case, evaluator, con, alone=True)
    mine_all, theirs_all = by_objective(base), by_objective(variant)
    kept = [(o, mine_all) for o in case.objectives if o in case.chosen()]
    if alone is not None:  # the added objective judged alongside the others, and alone
        kept.append((case.extra, by_objective(alone)))
    for o, reference in kept:
        mine, theirs = reference.get(o.id, []), theirs_all.get(o.id, [])
        assert len(mine) == len(theirs), (o.id, described(mine), described(theirs))
        assert all(same_verdict(a, b) for a, b in zip(mine, theirs, strict=True)), (
            o.id, described(mine), described(theirs))  # fmt: skip
        if o is not case.extra:
            assert _credits_of(base, o.id) == _credits_of(variant, o.id), o.id
    if case.variant == "permuted":
        assert _credit_table(base) == _credit_table(variant)
        assert base.risk == variant.risk
        return
    changed = case.objectives[case.removed] if case.variant == "removed" else case.extra
    if not changed.critical:
        # no critical objective came or went: the credits are the same, period by period
        assert _credit_table(base) == _credit_table(variant)
    if _periods(base) == _periods(variant):
        # the same periods in both: rules naming objectives of both stand the same
        mine_rules, theirs_rules = _named_rules(base), _named_rules(variant)
        for label in mine_rules.keys() & theirs_rules.keys():
            assert mine_rules[label] == theirs_rules[label], label


@pytest.mark.parametrize("evaluator", ENGINES)
@settings(EXAMPLES, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(case=cases(named_rules_only=True))
def test_other_objectives_change_no_rule_naming_only_others(
    evaluator: str, case: Case, con: duckdb.DuckDBPyConnection
) -> None:
    base, variant, _ = _outcomes(case, evaluator, con)
    assert _named_rules(base) == _named_rules(variant)


@settings(EXAMPLES, max_examples=30)
@given(case=cases())
def test_variant_plans_are_compiled_variants(case: Case) -> None:
    """Taking objectives out of the compiled plan is compiling the variant's text."""
    plan = compiled(case.text(case.everything()))
    chosen = case.chosen()
    expected = compiled(case.text(chosen))
    derived = restricted(plan, [o.id for o in chosen])

    def unlined(p: Plan) -> Plan:
        return attrs.evolve(
            p,
            objectives=tuple(attrs.evolve(o, line=0) for o in p.objectives),
            rules=tuple(attrs.evolve(r, line=0) for r in p.rules),
        )

    assert unlined(derived) == unlined(expected)
