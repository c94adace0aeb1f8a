"""Stage 0, sources and spans: decoded contract text and positions inside it.

A :class:`Source` holds the text of one contract file with its display name, and
turns character offsets into 1-based line and column numbers. A :class:`Span`
is a half-open range of offsets into one source; every model node and every
diagnostic carries one.
"""

from __future__ import annotations

import bisect
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

import attrs

MAX_SOURCE_BYTES = 1024 * 1024
"""Contract files larger than this are refused with a diagnostic (E006)."""


def read_limited(source: str | Path | BinaryIO, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """At most ``limit + 1`` bytes of a file or stream: enough to tell it is over the limit.

    Reading stops there, so ``/dev/zero``, an endless pipe or a huge file cost ``limit`` bytes
    of memory, not all of it. Raises :class:`OSError` as :func:`open` does.
    """
    if isinstance(source, (str, Path)):
        with open(source, "rb") as stream:
            return stream.read(limit + 1)
    return source.read(limit + 1)


@attrs.frozen
class Span:
    """A half-open range ``[start, end)`` of character offsets in a source."""

    path: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int

    def to_dict(self) -> dict[str, object]:
        """Return the span as plain data (1-based line and column)."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }


@attrs.frozen(eq=False)
class Source:
    """The decoded text of one contract file.

    Args:
        path: the name shown in diagnostics (a file path, or ``<stdin>``).
        text: the decoded text, line endings kept as they were.
    """

    path: str
    text: str

    @cached_property
    def _line_starts(self) -> list[int]:
        starts = [0]
        for index, char in enumerate(self.text):
            if char == "\n":
                starts.append(index + 1)
        return starts

    def position(self, offset: int) -> tuple[int, int]:
        """Return the 1-based ``(line, column)`` of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line_index = bisect.bisect_right(self._line_starts, offset) - 1
        return line_index + 1, offset - self._line_starts[line_index] + 1

    def span(self, start: int, end: int) -> Span:
        """Return the span covering offsets ``[start, end)``, clamped to the text."""
        size = len(self.text)
        start = max(0, min(start, size))
        end = max(start, min(end, size))
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(self.path, start, end, line, column, end_line, end_column)

    def line_text(self, line: int) -> str:
        """Return the text of a 1-based line, without its line ending."""
        starts = self._line_starts
        if line < 1 or line > len(starts):
            return ""
        begin = starts[line - 1]
        finish = starts[line] if line < len(starts) else len(self.text)
        return self.text[begin:finish].rstrip("\r\n")
