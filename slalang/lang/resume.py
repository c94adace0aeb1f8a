"""Parsing that can go back to an earlier end of line and go on over changed text.

Syntax recovery (:mod:`slalang.lang.syntax`) blanks out a broken statement and parses
again. Parsing the whole file again after each error costs the length of the file per
error; :class:`Resumable` instead keeps, at ends of line (``_NL`` tokens), the parser as
it stood just before that token, and after a change goes back to the last such point
before the change and parses on from there. It takes a fresh interactive parser from Lark
and sets its stacks and its lexer's position to those of the point;
``tests/lang/test_recovery.py`` checks the outcome against parsing the whole text again,
tree positions included.

That gives the same tokens, tree and errors as parsing the changed text from its start:
the text before the point is unchanged, and no token before it depends on text after it.
A token's match looks at most one character past its end (two after a ``\\r``), only
``_NL`` matches across a line break, and a point sits where an ``_NL`` starts, before the
line break that precedes the change.

The parse tree is built while parsing, and Lark's tree builder extends the children list
of a tree still on the parser's stack in place (its optimisation for left-recursive rules
such as ``statement*``). So a point also keeps the length of each such list, and going back
cuts the lists back to those lengths; nothing else of a tree on the stack changes later.

Any point before the change will do; the last one parses least again. Errors are found
further and further down the file, so points are kept at each of the last :data:`RECENT`
ends of line and, before those, only at every :data:`SPARSE`-th one.
"""

from __future__ import annotations

import bisect
from typing import Any

import attrs
from lark import Lark, Token, Tree

RECENT = 32
"""Points kept at each of the last this many ends of line."""

SPARSE = 32
"""Before those, a point kept at every this many-th end of line only (memory stays small)."""


@attrs.frozen
class _Point:
    """The parser just before an ``_NL`` token was fed, and where that token starts."""

    start: int
    seq: int
    fed: int
    line: int
    column: int
    last_token: Token | None
    states: tuple[Any, ...]
    values: tuple[Any, ...]
    lengths: tuple[tuple[list[Any], int], ...]


class Resumable:
    """An LALR parse of ``text`` that can be sent back before a change of the text."""

    def __init__(self, lark: Lark, text: str) -> None:
        self._lark = lark
        self.tokens: list[Token] = []
        """Every token fed so far, ``_NL`` tokens (with their comments) included."""
        self._points: list[_Point] = []
        self._starts: list[int] = []
        self._seq = 0
        self._last: Token | None = None
        self._start(text, None)

    def _start(self, text: str, point: _Point | None) -> None:
        interactive = self._lark.parse_interactive(text)
        self._state = interactive.parser_state
        self._thread = interactive.lexer_thread
        self._last = None
        if point is None:
            self.tokens.clear()
            self._seq = 0
            return
        lexer = self._thread.state
        assert lexer is not None
        counter = lexer.line_ctr
        counter.char_pos = point.start
        counter.line = point.line
        counter.column = point.column
        counter.line_start_pos = point.start - point.column + 1
        lexer.last_token = self._last = point.last_token
        del self.tokens[point.fed :]
        self._seq = point.seq
        for children, length in point.lengths:
            del children[length:]
        self._state.state_stack = list(point.states)
        self._state.value_stack = list(point.values)

    def parse(self) -> Tree[Token]:
        """Parse on to the end of the text; raises Lark's ``UnexpectedInput`` on an error."""
        state = self._state
        last = self._last
        tokens = self.tokens
        for token in self._thread.lex(state):  # type: ignore[no-untyped-call]
            if token.type == "_NL":
                self._keep(token, last)
            tokens.append(token)
            state.feed_token(token)
            last = self._last = token
        end = Token("$END", "", 0, 1, 1) if last is None else Token.new_borrow_pos("$END", "", last)
        tree: Tree[Token] = state.feed_token(end, True)
        return tree

    def _keep(self, token: Token, last: Token | None) -> None:
        state = self._state
        values = tuple(state.value_stack)
        lengths = tuple((v.children, len(v.children)) for v in values if isinstance(v, Tree))
        start = token.start_pos or 0
        line, column = token.line or 1, token.column or 1
        states = tuple(state.state_stack)
        fed, seq = len(self.tokens), self._seq
        self._seq += 1
        self._points.append(_Point(start, seq, fed, line, column, last, states, values, lengths))
        self._starts.append(start)
        if len(self._points) > RECENT and self._points[-RECENT - 1].seq % SPARSE:
            del self._points[-RECENT - 1]
            del self._starts[-RECENT - 1]

    def rewind(self, text: str, changed: int) -> None:
        """Go back before offset ``changed``, from where ``text`` may differ from the old text."""
        index = bisect.bisect_left(self._starts, changed)
        point = self._points[index - 1] if index else None
        # the point is kept again when its `_NL` is fed again
        keep = max(index - 1, 0)
        del self._points[keep:]
        del self._starts[keep:]
        self._start(text, point)
