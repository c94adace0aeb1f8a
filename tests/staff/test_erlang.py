"""The queueing models against DOMAIN.md 2.4 and against independent high-precision figures.

Every Erlang case of DOMAIN.md section 2.4 (EC1, EC3, EB1, EA1, EA2) is checked to the
decimals the table gives; loads of 1,000 to 2,500 Erlangs are checked against exact
fractions (Erlang B and C) and 30-40 digit mpmath (Erlang A), see ``oracle.py``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from slalang.staff.calculator import Question, Targets, answer, required_agents
from slalang.staff.erlang import erlang_b, erlang_b_table, erlang_c
from slalang.staff.erlang_a import erlang_a
from tests.staff.oracle import close, erlang_a_figures, erlang_b_exact, erlang_c_figures

PCT = Fraction(1, 100)


def test_EC1_staff_for_80_20_with_occupancy_cap_and_shrinkage() -> None:
    question = Question(calls=100, interval=1800, aht=180, threshold=20)
    assert question.load == 10
    found = answer(
        question,
        targets=Targets(service_level=80 * PCT, max_occupancy=85 * PCT),
        shrinkage=30 * PCT,
    )
    assert found.agents == 14
    assert round(found.service_level, 6) == 0.888350
    assert round(found.p_wait, 6) == 0.174132
    assert round(found.occupancy, 6) == 0.714286
    assert round(found.asa, 3) == 7.836
    assert found.scheduled == 20


def test_EC3_service_level_wait_and_asa_from_11_to_16_agents() -> None:
    outcome = erlang_c(np.arange(11, 17), 10.0, aht=180, threshold=20)
    assert list(np.round(outcome.answered_within, 6)) == [
        0.389614, 0.640158, 0.795595, 0.888350, 0.941453, 0.970560
    ]  # fmt: skip
    assert list(np.round(outcome.p_wait, 6)) == [
        0.682118, 0.449388, 0.285270, 0.174132, 0.102042, 0.057340
    ]  # fmt: skip
    # the table's ASA at 15 agents, 3.673, is 3.67353 cut rather than rounded (C = 0.102042,
    # 0.102042 * 180 / 5 = 3.6735): each ASA is checked to one unit of its last decimal
    asa = [122.781, 40.445, 17.116, 7.836, 3.673, 1.720]
    assert np.all(np.abs(outcome.wait_answered - asa) < 1e-3)
    assert round(float(outcome.wait_answered[4]), 4) == 3.6735
    # the boundary: 13 agents give 79.56 %, just below 80 %
    assert required_agents(Question(100, 1800, 180, 20), Targets(service_level=80 * PCT)) == 14


def test_EB1_erlang_b_for_two_percent_blocking() -> None:
    question = Question(calls=100, interval=1800, aht=180, model="b")
    found = answer(question, targets=Targets(max_abandon=2 * PCT), shrinkage=30 * PCT)
    assert found.agents == 17
    assert round(found.p_abandon, 6) == 0.012949
    assert round(float(erlang_b(16, 10.0)), 6) == 0.022302
    assert found.scheduled == 25
    assert round(found.occupancy, 6) == 0.580618


def test_EA1_erlang_a_with_five_minutes_patience() -> None:
    outcome = erlang_a(14, 10.0, aht=180, patience=300, threshold=20)
    assert round(float(outcome.p_wait), 6) == 0.145260
    assert round(float(outcome.p_abandon), 6) == 0.013984
    assert round(float(outcome.occupancy), 6) == 0.704297
    assert round(float(outcome.wait_all) / 60, 6) == 0.069919
    assert round(float(outcome.wait_all), 3) == 4.195
    assert round(float(outcome.answered_within), 6) == 0.916792
    assert round(float(outcome.abandoned_within), 6) == 0.007164
    assert round(float(outcome.service_level("F3")), 6) == 0.923956
    assert round(float(outcome.service_level("F2")), 6) == 0.923407


def test_EA2_erlang_a_staffs_one_agent_less_than_erlang_c() -> None:
    question = Question(100, 1800, 180, 20, model="a", patience=300)
    found = answer(question, targets=Targets(service_level=80 * PCT), shrinkage=30 * PCT)
    assert found.agents == 13
    assert round(found.service_level, 6) == 0.858178
    assert round(found.p_abandon, 6) == 0.024963
    assert round(found.occupancy, 6) == 0.750028
    assert round(found.p_wait, 6) == 0.225797
    assert found.mean_wait is not None
    assert round(found.mean_wait, 3) == 7.489
    assert found.scheduled == 19
    erlang = answer(Question(100, 1800, 180, 20), targets=Targets(service_level=80 * PCT),
                    shrinkage=30 * PCT)  # fmt: skip
    assert (erlang.agents, erlang.scheduled) == (14, 20)


@pytest.mark.parametrize(
    ("agents", "load"),
    [(1000, Fraction(1000)), (1040, Fraction(10007, 10)), (2060, Fraction(2000)),
     (2540, Fraction(249999, 100)), (1900, Fraction(2000))],
)  # fmt: skip
def test_erlang_b_at_thousands_of_erlangs_matches_exact_fractions(
    agents: int, load: Fraction
) -> None:
    exact = erlang_b_exact(agents, load)
    assert close(float(erlang_b(agents, float(load))), exact, 1e-12)


@pytest.mark.parametrize(
    ("agents", "load", "threshold"),
    [(1030, Fraction(1000), 20), (2060, Fraction(2000), 15), (2520, Fraction(249999, 100), 30),
     (1001, Fraction(1000), 20)],
)  # fmt: skip
def test_erlang_c_at_thousands_of_erlangs_matches_exact_fractions(
    agents: int, load: Fraction, threshold: int
) -> None:
    c, sl, asa = erlang_c_figures(agents, load, Fraction(180), Fraction(threshold))
    outcome = erlang_c(agents, float(load), aht=180, threshold=threshold)
    assert close(float(outcome.p_wait), c, 1e-11)
    assert close(float(outcome.answered_within), sl, 1e-11)
    assert close(float(outcome.wait_answered), asa, 1e-11)


@pytest.mark.parametrize(
    ("agents", "load", "patience", "threshold"),
    [(1030, 1000.0, 120, 20), (990, 1000.0, 60, 20), (2050, 2000.0, 90, 10)],
)
def test_erlang_a_at_thousands_of_erlangs_matches_mpmath(
    agents: int, load: float, patience: int, threshold: int
) -> None:
    expected = erlang_a_figures(agents, load, 180, patience, threshold, digits=30, tail=1e-24)
    outcome = erlang_a(agents, load, aht=180, patience=patience, threshold=threshold)
    assert close(float(outcome.p_wait), expected["p_wait"], 1e-11)
    assert close(float(outcome.p_abandon), expected["p_abandon"], 1e-11)
    assert close(float(outcome.wait_all), expected["mean_wait"], 1e-11)
    assert abs(float(outcome.answered_within) - float(expected["answered_within"])) < 1e-12
    assert abs(float(outcome.abandoned_within) - float(expected["abandoned_within"])) < 1e-12


@pytest.mark.parametrize(
    ("agents", "load", "patience", "threshold"),
    [(3, 2.5, 40, 20), (8, 10.0, 600, 60), (25, 20.0, 30, 5), (1, 0.3, 1000, 0)],
)
def test_erlang_a_small_cases_match_mpmath(
    agents: int, load: float, patience: int, threshold: int
) -> None:
    expected = erlang_a_figures(agents, load, 180, patience, threshold)
    outcome = erlang_a(agents, load, aht=180, patience=patience, threshold=threshold)
    for name in ("p_wait", "p_abandon", "answered_within", "abandoned_within"):
        assert abs(float(getattr(outcome, name)) - float(expected[name])) < 1e-13, name


def test_erlang_a_identities_and_its_erlang_c_limit() -> None:
    agents = np.arange(5, 40)
    outcome = erlang_a(agents, 20.0, aht=240, patience=200, threshold=20, short=5)
    # abandonment two ways: per caller ahead, and theta Lq / lambda (Little's law)
    lq = outcome.wait_all * 20.0 / 240
    assert np.allclose(outcome.p_abandon, lq * 240 / 200 / 20.0, rtol=1e-12)
    # more agents: more answered within T, less abandonment, shorter waits
    assert np.all(np.diff(outcome.answered_within) > 0)
    assert np.all(np.diff(outcome.p_abandon) < 0)
    assert np.all(np.diff(outcome.wait_answered) < 0)
    f1, f2, f3 = (outcome.service_level(v) for v in ("F1", "F2", "F3"))
    assert np.all((f1 <= f2) & (f2 <= f3))
    assert np.all(outcome.abandoned_short <= outcome.abandoned_within)
    # patience without end: Erlang C
    patient = erlang_a(agents[20:], 20.0, aht=240, patience=1e9, threshold=20)
    erlang = erlang_c(agents[20:], 20.0, aht=240, threshold=20)
    assert np.allclose(patient.answered_within, erlang.answered_within, atol=1e-6)
    assert np.allclose(patient.p_wait, erlang.p_wait, atol=1e-6)


def test_edges_no_calls_no_agents_unstable_queue() -> None:
    idle = erlang_a(0, 5.0, aht=180, patience=100, threshold=20)
    assert float(idle.p_abandon) == 1.0
    assert float(idle.answered_within) == 0.0
    assert np.isclose(float(idle.abandoned_within), 1 - np.exp(-0.2))
    quiet = erlang_c(3, 0.0, aht=180, threshold=20)
    assert float(quiet.p_wait) == 0.0
    assert float(quiet.answered_within) == 1.0
    unstable = erlang_c(10, 10.0, aht=180, threshold=20)
    assert float(unstable.answered_within) == 0.0
    assert np.isinf(unstable.wait_answered)
    assert erlang_b_table([0.0, 2.0], 3)[:, 0].tolist() == [1.0, 1.0]
    assert required_agents(Question(100, 1800, 180, 20), Targets(service_level=Fraction(1))) is None
    assert required_agents(Question(0, 1800, 180, 20), Targets(service_level=80 * PCT)) == 0


def test_erlang_b_table_agrees_with_erlang_b() -> None:
    loads = np.array([0.5, 12.0, 140.0])
    table = erlang_b_table(loads, 200)
    for n in (1, 13, 150, 200):
        assert np.allclose(table[:, n], erlang_b(n, loads), rtol=1e-14)
