"""Progress of an evaluation: which step runs, and how far DuckDB is through its query.

:func:`slalang.judge.evaluation.evaluate` calls a *progress callback* with a step label
(``loading calls``, ``evaluating``, ``judging``) and a fraction between 0 and 1, or
``None`` when the step has just begun. While a step runs DuckDB queries, a watcher
thread reads the connection's query progress a few times a second.
:class:`TerminalBar` draws the callback's reports as a bar on a terminal, with rich
(loaded only when a bar is drawn).
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import duckdb
    import rich.progress

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
    """Draws progress on a terminal with a rich progress bar, on the lines it rewrites.

    Nothing is drawn during the first ``delay`` seconds, so short runs stay quiet.
    After that, the step (after ``prefix``) is shown with a bar and its percentage,
    or with a pulsing bar while the fraction is unknown. The bar is transient:
    :meth:`clear` removes it (and it is removed at exit if :meth:`clear` was never
    called). The stream is drawn on as a terminal: the caller decides whether it is
    one. Colours follow rich, which leaves them out under ``NO_COLOR``.
    """

    def __init__(self, stream: TextIO, *, prefix: str = "", delay: float = 0.5) -> None:
        self.stream = stream
        self.prefix = prefix
        self.delay = delay
        self.start = time.monotonic()
        self.shown = False
        self.lock = threading.Lock()
        self._progress: rich.progress.Progress | None = None
        self._task: rich.progress.TaskID | None = None
        self._description = ""
        self._known = False

    def __call__(self, label: str, fraction: float | None) -> None:
        if time.monotonic() - self.start < self.delay:
            return
        with self.lock:
            progress = self._progress if self._progress is not None else self._begin()
            description = f"{self.prefix}{label}"
            same_step = self._task is not None and description == self._description
            if fraction is None:
                if same_step and not self._known:
                    return  # the step is still at its start: the bar keeps pulsing
                self._new_task(progress, description, total=None)
            elif not same_step:
                self._new_task(progress, description, total=100.0)
            assert self._task is not None
            if fraction is None:
                progress.update(self._task, visible=True)
            else:
                done = max(0.0, min(fraction, 1.0)) * 100
                progress.update(self._task, total=100.0, completed=done, visible=True)
            self._known = fraction is not None

    def _new_task(
        self, progress: rich.progress.Progress, description: str, *, total: float | None
    ) -> None:
        """Show a new step in place of the last one (rich cannot unset a task's total)."""
        if self._task is not None:
            progress.remove_task(self._task)
        # hidden until its fraction is set, so that a known step never flashes 0%
        self._task = progress.add_task(description, total=total, visible=False)
        self._description = description

    def _begin(self) -> rich.progress.Progress:
        # rich is loaded only once a bar is drawn: it costs start-up, and short runs draw none
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

        console = Console(file=self.stream, force_terminal=True, highlight=False)
        progress = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(bar_width=30),
            TaskProgressColumn(),
            console=console,
            transient=True,
            redirect_stdout=False,  # leave sys.stdout and sys.stderr alone
            redirect_stderr=False,
        )
        progress.start()
        self._progress = progress
        self.shown = True
        atexit.register(self.clear)  # an interrupted run still gets its cursor back
        return progress

    def clear(self) -> None:
        """Remove the bar, if one was drawn, and show the cursor again."""
        with self.lock:
            if self._progress is not None:
                self._progress.stop()
                atexit.unregister(self.clear)
            self._progress = None
            self._task = None
            self.shown = False
