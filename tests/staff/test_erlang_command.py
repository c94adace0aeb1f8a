"""``slalang erlang``: the flags, the JSON keys, lists of volumes and the exit codes."""

from __future__ import annotations

import json

import pytest

from slalang.cli import main

KEYS_C = ["model", "calls", "interval_s", "aht_s", "threshold_s", "variant", "agents",
          "offered_load", "service_level", "p_wait", "asa_s", "occupancy", "scheduled"]  # fmt: skip


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["erlang", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_issue_example_with_agents(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("--calls", "360", "--interval", "30min", "--aht", "240s", "--threshold", "15s",
            "--agents", "55", "--format", "json")  # fmt: skip
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    found = json.loads(out)
    assert list(found) == KEYS_C
    assert found["model"] == "c"
    assert found["agents"] == 55
    assert found["offered_load"] == 48.0
    assert found["scheduled"] == 55
    assert 0 < found["p_wait"] < 1
    assert 0 < found["service_level"] < 1
    assert found["occupancy"] == pytest.approx(48 / 55)
    code, table, _ = run(capsys, *argv[:-2])
    assert code == 0
    assert "Erlang C: 30 min intervals, AHT 240 s, threshold 15 s" in table
    assert "87.27 %" in table  # the occupancy, 48 / 55


def test_targets_give_the_fewest_agents_and_shrinkage_the_scheduled(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ("--calls", "100", "--aht", "3min", "--service-level", "80%", "--max-occupancy", "85%",
            "--shrinkage", "30%", "--format", "json")  # fmt: skip
    code, out, _ = run(capsys, *argv)
    assert code == 0
    found = json.loads(out)
    assert (found["agents"], found["scheduled"]) == (14, 20)  # DOMAIN.md EC1
    assert found["asa_s"] == pytest.approx(7.836, abs=5e-4)


def test_every_target_must_hold(capsys: pytest.CaptureFixture[str]) -> None:
    base = ("--calls", "100", "--aht", "180s", "--format", "json")
    agents = {}
    for flags in (("--service-level", "80%"), ("--asa", "3s"), ("--max-occupancy", "60%")):
        _, out, _ = run(capsys, *base, *flags)
        agents[flags[0]] = json.loads(out)["agents"]
    every = ("--service-level", "80%", "--asa", "3s", "--max-occupancy", "60%")
    _, out, _ = run(capsys, *base, *every)
    assert json.loads(out)["agents"] == max(agents.values())
    assert agents == {"--service-level": 14, "--asa": 16, "--max-occupancy": 17}


def test_a_list_of_calls_gives_a_json_array(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--calls", "300,360,420", "--aht", "240s", "--service-level",
                       "80%", "--model", "a", "--patience", "300s", "--format", "json")  # fmt: skip
    assert code == 0
    found = json.loads(out)
    assert [r["calls"] for r in found] == [300, 360, 420]
    assert all({"p_abandon", "patience_s", "mean_wait_s"} <= set(r) for r in found)
    assert [r["agents"] for r in found] == sorted(r["agents"] for r in found)
    assert all(r["service_level"] >= 0.8 for r in found)
    _, one, _ = run(capsys, "--calls", "360", "--aht", "240s", "--agents", "50", "--format", "json")
    assert isinstance(json.loads(one), dict)


def test_erlang_b_reports_blocking_as_abandonment(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--calls", "100", "--aht", "180s", "--max-abandon", "2%",
                       "--model", "b", "--shrinkage", "30%", "--format", "json")  # fmt: skip
    assert code == 0
    found = json.loads(out)
    assert (found["agents"], found["scheduled"]) == (17, 25)  # DOMAIN.md EB1
    assert found["p_abandon"] == pytest.approx(0.012949, abs=5e-7)
    assert found["p_wait"] == 0


def test_variants_of_erlang_a(capsys: pytest.CaptureFixture[str]) -> None:
    levels = {}
    for variant in ("F1", "F2", "F3"):
        argv = ("--calls", "100", "--aht", "3min", "--agents", "14", "--model", "a",
                "--patience", "5min", "--variant", variant, "--format", "json")  # fmt: skip
        _, out, _ = run(capsys, *argv)
        levels[variant] = round(json.loads(out)["service_level"], 6)
    assert levels == {"F1": 0.916792, "F2": 0.923407, "F3": 0.923956}  # DOMAIN.md EA1


def test_an_unstable_queue_has_no_asa(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--calls", "100", "--aht", "180s", "--agents", "10",
                       "--format", "json")  # fmt: skip
    assert code == 0
    found = json.loads(out)
    assert found["asa_s"] is None
    assert found["service_level"] == 0


def test_targets_no_staffing_meets_exit_1_with_E901(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--calls", "100,200", "--aht", "180s", "--service-level", "100%",
                         "--format", "json")  # fmt: skip
    assert code == 1
    assert [r["agents"] for r in json.loads(out)] == [None, None]
    assert err.count("error[E901]") == 2


@pytest.mark.parametrize(
    "argv",
    [
        ("--calls", "100", "--aht", "180"),  # no unit
        ("--calls", "100", "--aht", "180s"),  # neither agents nor targets
        ("--calls", "100", "--aht", "180s", "--agents", "5", "--service-level", "80%"),
        ("--calls", "100", "--aht", "180s", "--agents", "5", "--model", "a"),  # no patience
        ("--calls", "100", "--aht", "180s", "--agents", "5", "--patience", "60s"),
        ("--calls", "a lot", "--aht", "180s", "--agents", "5"),
        ("--calls", "100", "--aht", "180s", "--service-level", "80"),  # not a percentage
        ("--calls", "100", "--aht", "180s", "--agents", "5", "--shrinkage", "100%"),
        ("--calls", "100", "--aht", "0s", "--agents", "5"),
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "error" in err
