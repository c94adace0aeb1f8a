"""The model stage: what the builder and the template expansion produce."""

from __future__ import annotations

import slalang
from slalang.lang import model as m
from slalang.lang.checks.windows import expand_days
from slalang.lang.expand import expand

HEADER = 'contract c {\n  client "A"\n  vendor "B"\n  timezone "UTC"\n}\n'


def _contract(text: str) -> m.Contract:
    parsed = slalang.parse(HEADER + text)
    assert parsed.diagnostics == ()
    assert parsed.contract is not None
    return parsed.contract


def test_day_range_and_day_list_differ() -> None:
    ranged = _contract("calendar h {\n  open monday to friday 08:00-20:00\n}\n")
    listed = _contract("calendar h {\n  open monday, friday 08:00-20:00\n}\n")
    assert ranged.calendars[0].open_hours[0].through
    assert not listed.calendars[0].open_hours[0].through
    assert ranged != listed
    days = ranged.calendars[0].open_hours[0]
    assert [d.text for d in expand_days(days.days, days.through)] == [
        "monday", "tuesday", "wednesday", "thursday", "friday",
    ]  # fmt: skip
    days = listed.calendars[0].open_hours[0]
    assert [d.text for d in expand_days(days.days, days.through)] == ["monday", "friday"]


def test_day_range_wraps_past_sunday() -> None:
    contract = _contract("calendar h {\n  open friday to monday 10:00-14:00\n}\n")
    hours = contract.calendars[0].open_hours[0]
    assert [d.text for d in expand_days(hours.days, hours.through)] == [
        "friday", "saturday", "sunday", "monday",
    ]  # fmt: skip


def test_layout_does_not_change_the_model() -> None:
    compact = _contract('source s: contacts\nscope x = s where queue == "a"\n')
    spaced = _contract('\n\nsource   s :contacts   # data\n\nscope x=s where queue=="a"\n')
    assert compact == spaced
    assert compact.scopes[0].span != spaced.scopes[0].span


def test_spans_point_at_the_text() -> None:
    contract = _contract("source calls: contacts\n")
    span = contract.sources[0].id.span
    assert (span.line, span.column, span.end_column) == (6, 8, 13)


def test_template_expansion_prefixes_ids_and_fills_titles() -> None:
    contract = _contract(
        "source calls: contacts\n"
        "template t(q) {\n"
        "  scope mine = calls where queue == q\n"
        '  objective sl "Service level, {q}" {\n'
        "    metric service_level\n"
        "    from mine\n"
        "    threshold <= 20 s\n"
        "    expected >= 80%\n"
        "  }\n"
        "}\n"
        'apply t("billing") as billing\n'
    )
    expanded = expand(contract)
    (objective,) = expanded.objectives
    assert objective.id.text == "billing.sl"
    assert objective.title == m.Text("Service level, billing")
    assert objective.source == m.Name("billing.mine")
    scope = next(s for s in expanded.scopes if s.id.text == "billing.mine")
    assert scope.where == m.Compare(m.Name("queue"), "==", m.Text("billing"))


def test_and_chains_are_flat() -> None:
    contract = _contract(
        'source s: contacts\nscope x = s where queue == "a" and site == "b" and priority > 1\n'
    )
    where = contract.scopes[0].where
    assert isinstance(where, m.And)
    assert len(where.operands) == 3
