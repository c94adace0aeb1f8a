"""Progress reports: every step is announced, fractions stay within 0..1, the bar draws and
clears, and a caller's connection keeps its settings."""

from __future__ import annotations

import io

import duckdb

import slalang
from slalang.progress import TerminalBar, bar
from slalang.synth import contacts

CONTRACT = """
contract demo {
  client "Acme"
  vendor "BlueDesk"
  timezone "UTC"
}
source calls: contacts
objective sl {
  key
  metric service_level
  threshold <= 20 s
  window day
  expected >= 80%
}
"""


def test_every_step_is_reported_in_order() -> None:
    plan = slalang.compile(slalang.check(CONTRACT))
    seen: list[tuple[str, float | None]] = []
    evaluation = slalang.evaluate(
        plan, data=contacts(50_000, seed=2, days=2), progress=lambda s, f: seen.append((s, f))
    )
    assert evaluation.verdicts
    steps = list(dict.fromkeys(step for step, _ in seen))
    assert steps == ["loading calls", "evaluating", "judging"]
    for step in steps:
        mine = [fraction for name, fraction in seen if name == step]
        assert mine[0] is None  # announced as it begins
        assert mine[-1] == 1.0  # and done at the end
        assert all(0.0 <= f <= 1.0 for f in mine[1:] if f is not None)


def test_a_callers_connection_keeps_its_settings() -> None:
    plan = slalang.compile(slalang.check(CONTRACT))
    con = duckdb.connect()
    slalang.evaluate(plan, data=contacts(1000, seed=2), connection=con,
                     progress=lambda s, f: None)  # fmt: skip
    setting = "SELECT current_setting('enable_progress_bar')"
    assert con.execute(setting).fetchone() == (False,)


def test_the_terminal_bar_draws_after_its_delay_and_clears() -> None:
    stream = io.StringIO()
    quiet = TerminalBar(stream, delay=60)
    quiet("evaluating", 0.5)
    quiet.clear()
    assert stream.getvalue() == ""
    shown = TerminalBar(stream, prefix="x.sla: ", delay=0)
    shown("evaluating", 0.25)
    shown.clear()
    assert stream.getvalue() == "\r\x1b[2Kx.sla: " + bar("evaluating", 0.25) + "\r\x1b[2K"
    assert bar("judging", 1.0, width=4) == "judging [####] 100%"
