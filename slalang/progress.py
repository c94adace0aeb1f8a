"""Progress of an evaluation: which step runs, and how far DuckDB is through its query.

:func:`slalang.judge.evaluation.evaluate` calls a *progress callback* with a step label
(``loading calls``, ``evaluating``, ``judging``) and a fraction between 0 and 1, or
``None`` when the step has just begun. While a step runs DuckDB queries, a watcher
thread reads the connection's query progress a few times a second.
:class:`TerminalBar` draws the callback's reports as a bar on a terminal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import duckdb

Progress = Callable[[str, float | None], None]
"""A progress callback: ``(step label, fraction done or None)``."""

POLL_SECONDS = 0.1


@contextmanager
def watching(
    con: duckdb.DuckDBPyConnection, label: str, progress: Progress | None
) -> Iterator[None]:
    """Report ``label`` now, then DuckDB's progress through the step's queries until it ends."""
    if progress is None:
        yield
        return
    import duckdb  # only an evaluation reaches here; `slalang check` never loads DuckDB

    progress(label, None)
    settings = ("enable_progress_bar", "enable_progress_bar_print")
    before = [con.execute(f"SELECT current_setting('{name}')").fetchone() for name in settings]
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(POLL_SECONDS):
            try:
                percent = con.query_progress()
            except duckdb.Error:
                return
            if percent >= 0:
                progress(label, min(percent, 100.0) / 100)

    watcher = threading.Thread(target=watch, name="slalang-progress", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
        for name, value in zip(settings, before, strict=True):  # leave the connection as it was
            if value is not None:
                con.execute(f"SET {name} = {'true' if value[0] else 'false'}")
        progress(label, 1.0)


def bar(label: str, fraction: float | None, width: int = 30) -> str:
    """One line: the step, a bar and a percentage (no bar while the fraction is unknown).

    >>> bar("evaluating", 0.5, width=10)
    'evaluating [#####.....]  50%'
    >>> bar("loading calls", None)
    'loading calls ...'
    """
    if fraction is None:
        return f"{label} ..."
    done = round(max(0.0, min(fraction, 1.0)) * width)
    return f"{label} [{'#' * done}{'.' * (width - done)}] {round(fraction * 100):>3}%"


class TerminalBar:
    """Draws progress on a terminal, on one line rewritten in place.

    Nothing is drawn during the first ``delay`` seconds, so short runs stay quiet.
    """

    def __init__(self, stream: TextIO, *, prefix: str = "", delay: float = 0.5) -> None:
        self.stream = stream
        self.prefix = prefix
        self.delay = delay
        self.start = time.monotonic()
        self.shown = False
        self.lock = threading.Lock()

    def __call__(self, label: str, fraction: float | None) -> None:
        if time.monotonic() - self.start < self.delay:
            return
        with self.lock:
            self.stream.write(f"\r\x1b[2K{self.prefix}{bar(label, fraction)}")
            self.stream.flush()
            self.shown = True

    def clear(self) -> None:
        """Remove the line, if one was drawn."""
        with self.lock:
            if self.shown:
                self.stream.write("\r\x1b[2K")
                self.stream.flush()
                self.shown = False
