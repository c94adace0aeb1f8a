"""A threshold in business hours is measured by a Python function inside DuckDB's scan; both
evaluators must give the same figures (DuckDB 2 once refused the function for its arity)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

import slalang
from slalang.synth import contacts

CONTRACT = """
contract hours {
  client "Acme"
  vendor "BlueDesk"
  timezone "UTC"
  calendar office
}
calendar office {
  open monday to friday 08:00-18:00
  closed saturday, sunday
  out_of_hours excluded
}
source calls: contacts
scope email = calls where channel == "email"
objective email_response {
  key
  metric response_time
  from email
  threshold <= 2 business_hours
  calendar office
  window day
  expected >= 80%
}
"""


def _emails() -> pa.Table:
    table = contacts(3000, seed=21, days=7)
    channel = pa.array(["email"] * table.num_rows)
    table = table.set_column(table.schema.get_field_index("channel"), "channel", channel)
    waits = pc.multiply(table["wait"], pa.scalar(150.0))  # seconds to hours of waiting
    return table.set_column(table.schema.get_field_index("wait"), "wait", waits)


def test_business_hours_thresholds_agree_between_the_evaluators() -> None:
    plan = slalang.compile(slalang.check(CONTRACT))
    data = _emails()
    fast = slalang.evaluate(plan, data=data)
    slow = slalang.evaluate(plan, data=data, evaluator="reference")
    assert [(v.period, v.status, v.numerator, v.denominator) for v in fast.verdicts] == [
        (v.period, v.status, v.numerator, v.denominator) for v in slow.verdicts
    ]
    assert len(fast.verdicts) >= 5
    statuses = {v.status for v in fast.verdicts}
    assert statuses & {"met"}, statuses
    assert statuses & {"missed", "below_minimum"}, statuses
