"""Progress reports: every step is announced, fractions stay within 0..1, the bar draws (with
rich, loaded only then) and clears, and a caller's connection keeps its settings."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time

import duckdb
import pytest

import slalang
from slalang.progress import TerminalBar, bar
from slalang.synth import contacts

ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

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


def test_the_terminal_bar_stays_quiet_during_its_delay() -> None:
    stream = io.StringIO()
    quiet = TerminalBar(stream, delay=60)
    quiet("evaluating", 0.5)
    quiet.clear()
    assert stream.getvalue() == ""
    assert not quiet.shown


def test_the_terminal_bar_draws_with_rich_and_clears(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")  # rich drops the bar's colours: plain text to compare
    stream = io.StringIO()  # not a terminal: the bar draws as if it were one
    shown = TerminalBar(stream, prefix="x.sla: ", delay=0)
    shown("loading calls", None)
    shown("evaluating", 0.25)
    assert shown.shown
    shown("evaluating", 7.0)  # out of range: kept within 0..1
    shown.clear()
    shown.clear()  # a second clear is harmless
    drawn = stream.getvalue()
    assert not shown.shown
    assert "\r\x1b[2K" in drawn  # the line is rewritten in place
    assert "x.sla: evaluating" in drawn
    assert "100%" in drawn
    assert "\x1b[?25l" in drawn  # the cursor was hidden ...
    assert drawn.endswith("\x1b[?25h\r\x1b[1A\x1b[2K")  # ... shown again, and the bar erased
    assert "\x1b[3" not in drawn  # NO_COLOR: no colours
    assert bar("judging", 1.0, width=4) == "judging [####] 100%"


def test_the_terminal_bar_shows_steps_and_fractions() -> None:
    stream = io.StringIO()
    shown = TerminalBar(stream, delay=0)
    shown("loading calls", None)
    time.sleep(0.25)  # the pulse of an unknown fraction is drawn by rich's refresh thread
    shown("evaluating", 0.5)
    shown.clear()
    text = ESCAPE.sub("", stream.getvalue())
    assert "loading calls" in text
    assert "evaluating" in text
    assert " 50%" in text
    assert "%" not in text[: text.index("evaluating")]  # no percentage while it is unknown


def test_the_terminal_bar_leaves_the_standard_streams_alone() -> None:
    before = (sys.stdout, sys.stderr)
    shown = TerminalBar(io.StringIO(), delay=0)
    shown("evaluating", 0.5)
    assert (sys.stdout, sys.stderr) == before
    shown.clear()
    assert (sys.stdout, sys.stderr) == before


def test_progress_does_not_load_rich_until_a_bar_is_drawn() -> None:
    code = (
        "import io, sys\n"
        "from slalang.progress import TerminalBar\n"
        "bar = TerminalBar(io.StringIO(), delay=60)\n"
        "bar('evaluating', 0.5)\n"
        "bar.clear()\n"
        "print(sorted(m for m in sys.modules if m == 'rich' or m.startswith('rich.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
