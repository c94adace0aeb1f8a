"""Interval reports and contact records tell the same story where the data allows it.

The interval-report contract (``contracts/acd-intervals.sla``) is evaluated on
interval data aggregated from the same calls as the contact-record contract
(``contracts/anonymous-bank-1999.sla``). Every objective both contracts hold
must agree. Where interval data cannot say as much, the checker explains why:
a threshold without a bucket (E702), a filter on a field that interval reports
do not have (E206). Interval reports do not tell call-backs from flow-outs
(both are offered contacts neither answered nor abandoned, treated by the
`flow_outs` knob), so the generated comparison leaves call-backs out.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.compute as pc
import pytest

import slalang
from slalang.data.load import load
from slalang.data.profiles import load_profile
from slalang.synth import contacts, intervals

ROOT = Path(__file__).resolve().parents[2]
BANK = ROOT.parent / "shared" / "data" / "anonymous-bank" / "january-1999.txt"
SHARED = ("speed_of_answer", "speed_of_answer_at_all_times", "abandonment",
          "average_speed_of_answer", "handle_time")  # fmt: skip


def _by_id(evaluation: slalang.Evaluation) -> dict[str, tuple[str, str, float | None]]:
    return {v.objective: (v.period, v.status, v.actual) for v in evaluation.verdicts}


def _agree(contact_side: slalang.Evaluation, interval_side: slalang.Evaluation) -> None:
    contact_verdicts, interval_verdicts = _by_id(contact_side), _by_id(interval_side)
    for objective in SHARED:
        period, status, actual = contact_verdicts[objective]
        other_period, other_status, other_actual = interval_verdicts[objective]
        assert (period, status) == (other_period, other_status), objective
        assert actual is not None
        assert other_actual == pytest.approx(actual, rel=1e-12), objective


@pytest.mark.skipif(not BANK.exists(), reason="the Anonymous Bank data is not here")
def test_bank_intervals_agree_with_bank_calls() -> None:
    con = duckdb.connect()
    profile, problems = load_profile("anonymous-bank")
    assert profile is not None, problems
    load(con, path=BANK, profile=profile, table="calls")
    calls = con.sql("SELECT * FROM calls").to_arrow_table()
    report = intervals(calls, minutes=30, thresholds=(20,), short_abandon=5.0)
    contact_side = slalang.evaluate(
        slalang.compile_file(ROOT / "contracts" / "anonymous-bank-1999.sla"), data=BANK
    )
    interval_side = slalang.evaluate(
        slalang.compile_file(ROOT / "contracts" / "acd-intervals.sla"), data=report
    )
    _agree(contact_side, interval_side)


def test_generated_intervals_agree_with_generated_contacts() -> None:
    generated = contacts(20_000, seed=11, start="1999-01-01", days=10, queues=("q",))
    calls = generated.filter(pc.not_equal(generated["outcome"], "callback"))
    report = intervals(calls, minutes=30, thresholds=(20,), short_abandon=5.0)
    text = (ROOT / "contracts" / "anonymous-bank-1999.sla").read_text(encoding="utf-8")
    text = text.replace('profile "anonymous-bank"', 'profile "generic-contacts"')
    text = text.replace("  components [talk]  # the export has talk time only\n", "")
    contact_plan = slalang.compile(slalang.check(text, path="calls.sla"))
    contact_side = slalang.evaluate(contact_plan, data=calls)
    interval_side = slalang.evaluate(
        slalang.compile_file(ROOT / "contracts" / "acd-intervals.sla"), data=report
    )
    _agree(contact_side, interval_side)


def _codes(text: str) -> list[str]:
    return [d.code for d in slalang.check(text, path="intervals.sla").errors]


def test_interval_data_explains_what_it_cannot_measure() -> None:
    text = (ROOT / "contracts" / "acd-intervals.sla").read_text(encoding="utf-8")
    thirty = text.replace(
        "threshold <= 20 s\n  variant F1\n  window month\n  aggregate pooled",
        "threshold <= 30 s\n  variant F1\n  window month\n  aggregate pooled",
    )
    assert _codes(thirty) == ["E702"]
    regular = text.replace("  from acd\n  window month\n  expected <= 30 s",
                           '  from acd\n  where call_type == "PS"\n  window month\n'
                           "  expected <= 30 s")  # fmt: skip
    assert _codes(regular) == ["E206"]
    ignored = text.replace(
        "variant F1\n  window month\n  aggregate pooled",
        "variant F2\n  window month\n  aggregate pooled",
    )
    assert _codes(ignored) == ["E702"]
