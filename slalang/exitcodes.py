"""Exit codes: one table for every subcommand of the ``slalang`` command."""

from __future__ import annotations

import enum


class Exit(enum.IntEnum):
    """What the ``slalang`` command's exit status means."""

    OK = 0
    """Success: no errors (warnings allowed unless ``--warnings-as-errors``)."""
    FAILED = 1
    """The command ran and found problems: contract errors, files that need formatting."""
    USAGE = 2
    """Bad command line, a file or folder that cannot be read or written, or an evaluation
    that does not fit in its memory limit."""
    INTERNAL = 3
    """An internal error of slalang: a bug to report, never a verdict or a contract problem."""
    INTERRUPTED = 130
    """Interrupted (Ctrl-C)."""
    BROKEN_PIPE = 141
    """The reader of the output went away (``slalang fmt --diff | head``)."""


TABLE = "\n".join(
    [
        "exit codes (every subcommand):",
        "  0  success: no errors found",
        "  1  problems found: contract errors (or warnings with --warnings-as-errors),",
        "     files that fmt --check / --diff would change",
        "  2  usage error, a file or folder that cannot be read or written,",
        "     or an evaluation that does not fit in its memory limit",
        "  3  internal error of slalang (a bug: please report it)",
        "  130  interrupted; 141  the reader of the output went away",
    ]
)
