"""Evaluations of the Anonymous Bank export agree with its independent ground truth.

The figures below are those of ``GROUND-TRUTH.md`` beside the data (computed
there with hand-written SQL). The tests skip when the shared data folder is
not next to the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import slalang
from slalang.judge.results import Evaluation

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "anonymous-bank" / "january-1999.txt"
CONTRACT = ROOT / "contracts" / "anonymous-bank-1999.sla"

pytestmark = pytest.mark.skipif(not DATA.exists(), reason="the Anonymous Bank data is not here")

HEADER = """contract adhoc {
  client "Anonymous Bank"
  vendor "In-house contact center"
  timezone "Asia/Jerusalem"
}

source calls: contacts {
  profile "anonymous-bank"
}

scope ps = calls where call_type == "PS"
"""

VARIANTS = {
    # T: F1, F2, F3, F4, F5 (all call types), percentages to 4 decimals
    20: (54.3815, 56.2579, 57.7169, 60.6135, 54.6497),
    30: (59.6366, 62.4527, 64.1458, 66.4708, None),
    60: (71.0918, 76.4203, 78.0644, 79.2387, None),
}
PS_VARIANTS = {
    20: (57.2414, 58.7753, 59.8511, 61.9024),
    60: (74.5836, 78.8910, 80.0436, 80.6567),
}


def _evaluate(text: str, *, evaluator: str = "duckdb") -> Evaluation:
    result = slalang.check(text, path="adhoc.sla")
    assert result.ok, [d.message for d in result.diagnostics]
    return slalang.evaluate(slalang.compile(result), data=DATA, evaluator=evaluator)


def _objective(name: str, body: str, source: str = "calls") -> str:
    lines = "\n".join(f"  {line}" for line in body.strip().splitlines())
    return f"objective {name} {{\n  key\n  from {source}\n{lines}\n}}\n"


def _pct(value: float | None) -> float:
    assert value is not None
    return round(value * 100, 4)


@pytest.fixture(scope="module")
def bank() -> Evaluation:
    return slalang.evaluate(slalang.compile_file(CONTRACT), data=DATA)


def test_bank_contract_figures(bank: Evaluation) -> None:
    by_id = {v.objective: v for v in bank.verdicts}
    assert {v.period for v in bank.verdicts} == {"1999-01"}
    soa = by_id["speed_of_answer"]
    assert _pct(soa.actual) == 54.3815
    assert (soa.numerator, soa.denominator, soa.volume) == (16402, 30161, 30161)
    assert soa.status == "below_minimum"
    at_all_times = by_id["speed_of_answer_at_all_times"]
    assert (at_all_times.meeting, at_all_times.judged) == (234, 750)
    assert _pct(at_all_times.actual) == 31.2
    assert at_all_times.status == "below_minimum"
    abandonment = by_id["abandonment"]
    assert _pct(abandonment.actual) == 9.8391
    assert abandonment.excluded == {"short abandon": 148}
    assert abandonment.status == "missed"
    asa = by_id["average_speed_of_answer"]
    assert round(asa.actual or 0, 4) == 35.0280
    assert asa.status == "below_minimum"
    regular = by_id["regular_customers_speed_of_answer"]
    assert _pct(regular.actual) == 78.8910
    assert regular.volume == 22033
    assert regular.status == "below_minimum"
    handle = by_id["handle_time"]
    assert round(handle.actual or 0, 4) == 183.4517
    assert handle.status == "met"


def test_bank_data_counts(bank: Evaluation) -> None:
    (source,) = bank.sources
    assert source.rows_read == 31599
    assert source.excluded == {"phantom record": 240}
    assert source.problem_counts == {}


def test_bank_account_is_on_watch(bank: Evaluation) -> None:
    assert bank.risk.status == "watch"
    states = {r.label: r.state for r in bank.risk.rules}
    assert states == {"7 Chronic failure": "watch", "7 Repeated misses": "ok"}


@pytest.mark.parametrize("threshold", sorted(VARIANTS))
def test_service_level_variants(threshold: int) -> None:
    body = ""
    expected = {}
    for index, value in enumerate(VARIANTS[threshold]):
        if value is None:
            continue
        variant = f"F{index + 1}"
        body += _objective(
            f"sl_{variant.lower()}",
            f"metric service_level\nthreshold <= {threshold} s\nvariant {variant}\nexpected >= 80%",
        )
        expected[f"sl_{variant.lower()}"] = value
    evaluation = _evaluate(HEADER + body)
    assert {v.objective: _pct(v.actual) for v in evaluation.verdicts} == expected


@pytest.mark.parametrize("threshold", sorted(PS_VARIANTS))
def test_service_level_variants_call_type_ps(threshold: int) -> None:
    body = "".join(
        _objective(
            f"sl_f{index + 1}",
            f"metric service_level\nthreshold <= {threshold} s\nvariant F{index + 1}\n"
            "expected >= 80%",
            source="ps",
        )
        for index in range(4)
    )
    evaluation = _evaluate(HEADER + body)
    assert [_pct(v.actual) for v in evaluation.verdicts] == list(PS_VARIANTS[threshold])


def test_period_views() -> None:
    body = (
        _objective("intervals_all", "metric service_level\nthreshold <= 20 s\n"
                   "aggregate share per 30 min meeting >= 80%\nexpected >= 50%")
        + _objective("interval_mean", "metric service_level\nthreshold <= 20 s\n"
                     "aggregate mean per 30 min\nexpected >= 80%")
        + _objective("days", "metric service_level\nthreshold <= 20 s\n"
                     "aggregate share per day meeting >= 80%\nexpected >= 50%")
        + _objective("day_mean", "metric service_level\nthreshold <= 20 s\n"
                     "aggregate mean per day\nexpected >= 80%")
        + _objective("ps_intervals", "metric service_level\nthreshold <= 20 s\n"
                     "aggregate share per 30 min meeting >= 80%\nexpected >= 50%", source="ps")
        + _objective("ps_interval_mean", "metric service_level\nthreshold <= 20 s\n"
                     "aggregate mean per 30 min\nexpected >= 80%", source="ps")
        + _objective("ps_days", "metric service_level\nthreshold <= 20 s\n"
                     "aggregate share per day meeting >= 80%\nexpected >= 50%", source="ps")
        + _objective("ps_day_mean", "metric service_level\nthreshold <= 20 s\n"
                     "aggregate mean per day\nexpected >= 80%", source="ps")
        + _objective("ps_asa", "metric average_speed_of_answer\nexpected <= 30 s", source="ps")
        + _objective("abandoned", "metric abandonment_rate\nexpected <= 8%")
        + _objective("ps_abandoned", "metric abandonment_rate\nexpected <= 8%", source="ps")
    )  # fmt: skip
    by_id = {v.objective: v for v in _evaluate(HEADER + body).verdicts}
    assert (by_id["intervals_all"].meeting, by_id["intervals_all"].judged) == (263, 797)
    assert _pct(by_id["interval_mean"].actual) == 62.5789
    assert (by_id["days"].meeting, by_id["days"].judged) == (1, 29)
    assert _pct(by_id["day_mean"].actual) == 60.9114
    assert (by_id["ps_intervals"].meeting, by_id["ps_intervals"].judged) == (273, 787)
    assert _pct(by_id["ps_interval_mean"].actual) == 63.8073
    assert (by_id["ps_days"].meeting, by_id["ps_days"].judged) == (4, 29)
    assert _pct(by_id["ps_day_mean"].actual) == 62.9966
    assert round(by_id["ps_asa"].actual or 0, 3) == 32.342
    assert _pct(by_id["abandoned"].actual) == 10.2815
    ps = by_id["ps_abandoned"]
    assert (ps.numerator, ps.denominator) == (1659, 22033)
    assert _pct(ps.actual) == 7.5296


def test_reference_evaluator_agrees_on_the_bank_data(bank: Evaluation) -> None:
    slow = slalang.evaluate(slalang.compile_file(CONTRACT), data=DATA, evaluator="reference")
    assert [(v.objective, v.status, v.actual, v.excluded) for v in slow.verdicts] == [
        (v.objective, v.status, v.actual, v.excluded) for v in bank.verdicts
    ]


def _independent_f5(threshold: int) -> float:
    """F5 computed straight from the export with the csv module, independently of slalang."""
    import csv

    answered_within = answered = abandoned = short = 0
    with DATA.open(newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader)
        for record in reader:
            outcome, q_start, q_time = record[12], record[9], int(record[11])
            if outcome == "AGENT":
                answered += 1
                answered_within += q_time <= threshold
            elif outcome == "HANG" and q_start != "0:00:00":
                abandoned += 1
                short += q_time < 5
    return round(100 * answered_within / (answered + abandoned - short), 4)


@pytest.mark.parametrize("threshold", [20, 30, 60])
def test_variant_f5_against_an_independent_computation(threshold: int) -> None:
    body = _objective(
        "sl_f5", f"metric service_level\nthreshold <= {threshold} s\nvariant F5\nexpected >= 80%"
    )
    (verdict,) = _evaluate(HEADER + body).verdicts
    assert _pct(verdict.actual) == _independent_f5(threshold)
    if threshold == 20:
        assert _pct(verdict.actual) == 54.6497
