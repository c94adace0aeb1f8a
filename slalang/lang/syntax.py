"""Stage 1, syntax: contract bytes in, a Lark parse tree and syntax diagnostics out.

The grammar ships as ``grammar/slalang.lark`` (inside the wheel as
``slalang/grammar/slalang.lark``) and is compiled once by a cached factory.
Parsing recovers from syntax errors line by line, so that every independent
mistake of a file is reported in one run: the statement (or the whole block a
broken opening line starts) is blanked out and parsing resumes from the end of
line before it (:mod:`slalang.lang.resume`), so recovery costs one pass over the
file however many errors it holds. Names declared by blanked statements are
returned as *poisoned*, so later checks do not report references to them as
unknown.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import gc
import re
from collections.abc import Iterator

import attrs
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from slalang.codes import diag
from slalang.diagnostics import Diagnostic
from slalang.lang import grammars, resume
from slalang.source import MAX_SOURCE_BYTES, Source

MAX_DEPTH = 64
"""How deep brackets, parentheses, braces and `not` chains may nest (E007)."""

MAX_RECOVERIES = 50
"""How many syntax errors of one file are reported before parsing gives up."""

_KEYWORDS = (
    "contract", "source", "scope", "calendar", "objective", "credits", "account_at_risk",
    "trends",
    "relief", "exclude", "template", "apply", "critical", "key", "metric", "from", "where",
    "window", "aggregate", "expected", "minimum", "min_volume", "open", "closed", "holiday",
    "holidays",
    "rule", "between", "and", "or", "not", "in",
)  # fmt: skip

_TERMINAL_NAMES = {
    "NAME": "a name",
    "STRING": "a string",
    "NUMBER": "a number",
    "CMP": "a comparison (`>=`, `<=`, ...)",
    "DATE": "a date",
    "DATETIME": "a date and time",
    "TIME": "a time of day",
    "PERCENT": "`%`",
    "_NL": "end of line",
    "$END": "end of file",
}


def grammar_text() -> str:
    """Return the text of the Lark grammar, from the installed package or the source tree."""
    return grammars.grammar_text("slalang")


@functools.cache
def parser() -> Lark:
    """Return the compiled LALR parser (built once per process)."""
    return grammars.parser(
        "slalang",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
    )


@attrs.frozen
class ParseResult:
    """A parse tree (``None`` when nothing could be parsed) and what went wrong.

    ``tokens`` are the tokens the tree was parsed from, ``_NL`` tokens (with the comments)
    included, as the formatter needs them; they are the input's own tokens when there are
    no syntax errors.
    """

    tree: Tree[Token] | None
    diagnostics: tuple[Diagnostic, ...]
    poisoned: frozenset[str]
    tokens: tuple[Token, ...] = ()


def decode(data: bytes, path: str) -> tuple[Source | None, list[Diagnostic]]:
    """Decode contract bytes as UTF-8, refusing oversized, binary or invalid input.

    Returns the source (``None`` when it cannot be used) and any diagnostics.
    """
    if len(data) > MAX_SOURCE_BYTES:
        return None, [
            diag(
                "E006",
                f"contract file is larger than the {MAX_SOURCE_BYTES:,}-byte limit",
                None,
                help="split the contract, or check that this is the right file",
            )
        ]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        prefix = data[: error.start].decode("utf-8", errors="replace")
        source = Source(path, prefix)
        return None, [
            diag(
                "E004",
                f"invalid UTF-8 at byte {error.start}",
                source.span(len(prefix), len(prefix)),
                label="invalid byte sequence here",
                help="save the file as UTF-8",
            )
        ]
    source = Source(path, text)
    diagnostics = []
    for match in re.finditer(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        diagnostics.append(
            diag(
                "E005",
                f"control character U+{ord(match.group()):04X} in contract text",
                source.span(match.start(), match.end()),
                label="not allowed here",
                help="remove it; contract files are plain text",
            )
        )
        if len(diagnostics) >= 10:
            break
    return (None if diagnostics else source), diagnostics


_QUOTED = r'"(?:[^"\\\r\n]|\\.)*(?:"|\\?(?=[\r\n]|\Z))|#[^\n]*'
"""A string, closed or not (an unclosed one runs to the end of its line), or a comment.

An unclosed string is taken whole, so that scanning a line full of ``\\"`` stays linear: a
pattern that needs the closing quote would try again from every quote of the line."""

_NESTING_TOKENS = re.compile(_QUOTED + r'|[(\[{]|[)\]}]|\bnot\b|[^\s"#()\[\]{}]+')
_BRACES = re.compile(_QUOTED + r"|[{}]")


def _nesting_error(source: Source) -> Diagnostic | None:
    """Refuse brackets, or chains of ``not``, nested deeper than ``MAX_DEPTH`` (E007).

    A run of ``not`` nests one level per ``not``; the depth of a point is its
    bracket depth plus the ``not`` runs still open at each enclosing level.
    """
    depth = 0
    runs: list[int] = []  # the `not` run open at each enclosing bracket level
    run = 0
    open_nots = 0  # sum(runs), kept incrementally
    text = source.text
    for match in _NESTING_TOKENS.finditer(text):
        token = match.group()
        if token in ("(", "[", "{"):
            depth += 1
            runs.append(run)
            open_nots += run
            run = 0
        elif token in (")", "]", "}"):
            depth = max(0, depth - 1)
            if runs:
                open_nots -= runs.pop()
            run = 0
        elif token == "not":
            run += 1
        else:
            if not token.startswith("#"):
                run = 0
            continue
        if depth + open_nots + run > MAX_DEPTH:
            what = "`not` chains" if token == "not" else "brackets"
            return diag(
                "E007",
                f"{what} nest more than {MAX_DEPTH} levels deep",
                source.span(match.start(), match.end()),
                label="too deep",
                help="flatten the expression",
            )
    return None


def _describe(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    try:
        pattern = parser().get_terminal(name).pattern
    except KeyError:
        return name.lower()
    return f"`{pattern.value}`" if pattern.type == "str" else name.lower()


def _token_text(token: Token) -> str:
    if token.type == "$END":
        return "end of file"
    if token.type == "_NL":
        return "end of line"
    return f"`{token.value}`"


def _line_bounds(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end < 0 else end


def _block_end(text: str, line_start: int, line_end: int) -> int:
    """Return where the statement starting this line ends: its line, or its closing brace."""
    depth = 0
    opened = False
    for match in _BRACES.finditer(text, line_start):
        token = match.group()
        if token == "{":
            depth += 1
            opened = True
        elif token == "}":
            depth -= 1
            if opened and depth == 0:
                return _line_bounds(text, match.end())[1]
            if depth < 0:
                return line_end
        if not opened and match.start() >= line_end:
            return line_end
    return line_end if not opened else len(text)


class _OpenBraces:
    """The `{` still open at a point of the text, found by scanning forward from the last point.

    Recovery asks at line starts further and further down the file, and changes the text only
    after the point last asked (so the part already scanned stays as it was); each character is
    scanned once. Asking at an earlier point scans again from the start.
    """

    def __init__(self) -> None:
        self.position = 0
        self.opened: list[int] = []

    def innermost(self, text: str, offset: int) -> int | None:
        """Return the offset of the innermost `{` still open at ``offset`` (a line start)."""
        if offset < self.position:
            self.position = 0
            self.opened = []
        for match in _BRACES.finditer(text, self.position, offset):
            if match.group() == "{":
                self.opened.append(match.start())
            elif match.group() == "}" and self.opened:
                self.opened.pop()
        self.position = offset
        return self.opened[-1] if self.opened else None


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + re.sub(r"[^\r\n]", " ", text[start:end]) + text[end:]


_DECLARED = re.compile(r"\s*[A-Za-z_]+\s+([A-Za-z_][A-Za-z0-9_]*)")


class _Recovery:
    """Parse, and after each error blank the broken statement and parse on from before it.

    Parsing on gives what parsing the changed text again from its start would give: the
    text before the change is the same, and :class:`~slalang.lang.resume.Resumable` goes
    back to the parser as it stood at an end of line before the change.
    """

    def __init__(self, source: Source) -> None:
        self.source = source
        self.text = source.text if source.text.endswith("\n") else source.text + "\n"
        self.diagnostics: list[Diagnostic] = []
        self.poisoned: set[str] = set()
        self.braces = _OpenBraces()
        self.tokens: list[Token] = []

    def run(self) -> Tree[Token] | None:
        seen: set[int] = set()
        parsing = resume.Resumable(parser(), self.text)
        self.tokens = parsing.tokens
        for _ in range(MAX_RECOVERIES):
            try:
                return parsing.parse()
            except UnexpectedInput as error:
                offset = self._record(error)
                changed = None if offset in seen else self._recover(offset)
                if changed is None:
                    return None
                seen.add(offset)
                parsing.rewind(self.text, changed)
        return None

    def _record(self, error: UnexpectedInput) -> int:
        source = self.source
        if isinstance(error, UnexpectedToken) and error.token.type == "$END":
            return self._unclosed()
        if isinstance(error, UnexpectedEOF):
            return self._unclosed()
        if isinstance(error, UnexpectedCharacters):
            offset = error.pos_in_stream or 0
            char = self.text[offset]
            if char == '"':
                line_end = _line_bounds(self.text, offset)[1]
                self.diagnostics.append(
                    diag(
                        "E003",
                        "string is not closed on this line",
                        source.span(offset, line_end),
                        label="string starts here",
                        help='close it with `"`; strings cannot span lines',
                    )
                )
            else:
                self.diagnostics.append(
                    diag(
                        "E002",
                        f"unexpected character `{char}`",
                        source.span(offset, offset + 1),
                        label="not part of the language",
                    )
                )
            return offset
        assert isinstance(error, UnexpectedToken)
        token = error.token
        offset = token.start_pos if token.start_pos is not None else len(self.text)
        expected = sorted({_describe(name) for name in error.expected})
        help_text = ""
        if token.type == "NAME":
            keywords = [k for k in _KEYWORDS if f"`{k}`" in expected]
            close = difflib.get_close_matches(str(token.value), keywords, n=1, cutoff=0.6)
            if close:
                help_text = f"did you mean `{close[0]}`?"
        if not help_text and expected:
            shown = expected[:8]
            more = ", ..." if len(expected) > 8 else ""
            help_text = "expected " + ", ".join(shown) + more
        length = 0 if token.type == "_NL" else len(str(token.value))
        self.diagnostics.append(
            diag(
                "E001",
                f"unexpected {_token_text(token)}",
                source.span(offset, offset + length),
                label="not expected here",
                help=help_text,
            )
        )
        return offset

    def _unclosed(self) -> int:
        depth_stack: list[int] = []
        for match in _BRACES.finditer(self.text):
            if match.group() == "{":
                depth_stack.append(match.start())
            elif match.group() == "}" and depth_stack:
                depth_stack.pop()
        offset = depth_stack[-1] if depth_stack else len(self.source.text)
        if depth_stack:
            self.diagnostics.append(
                diag(
                    "E008",
                    "block is never closed",
                    self.source.span(offset, offset + 1),
                    label="this `{` has no matching `}`",
                    help="add `}` on a line of its own at the end of the block",
                )
            )
        else:
            self.diagnostics.append(
                diag(
                    "E001",
                    "unexpected end of file",
                    self.source.span(offset, offset),
                    label="the statement is incomplete",
                )
            )
        return -1 - offset

    def _recover(self, offset: int) -> int | None:
        """Change the text past the error; return where the change starts (``None``: give up)."""
        if offset < 0:
            depth = self.text.count("{") - self.text.count("}")
            if depth <= 0:
                return None
            changed = len(self.text)
            self.text += "}\n" * depth
            return changed
        line_start, line_end = _line_bounds(self.text, offset)
        end = _block_end(self.text, line_start, line_end)
        declared = _DECLARED.match(self.text, line_start, line_end)
        if declared:
            self.poisoned.add(declared.group(1))
        enclosing = self.braces.innermost(self.text, line_start)
        if enclosing is not None:
            block_start, block_end = _line_bounds(self.text, enclosing)
            owner = _DECLARED.match(self.text, block_start, block_end)
            if owner:
                self.poisoned.add(owner.group(1))
        if not self.text[line_start:end].strip():
            return None
        self.text = _blank(self.text, line_start, end)
        return line_start


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a stage allocates a tree of a big file.

    Parse trees and models hold no reference cycles (reference counting frees them), but
    the collector still walks every object alive, again and again as the tree grows: with
    it running, parsing a 1 MiB contract took three to five times as long. The collector is
    turned back on (if it was on) when the stage ends, so no cycle is kept for long.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse(source: Source) -> ParseResult:
    """Parse a decoded source into a Lark tree, reporting every syntax error found."""
    with gc_paused():
        return _parse(source)


def _parse(source: Source) -> ParseResult:
    nesting = _nesting_error(source)
    if nesting is not None:
        return ParseResult(None, (nesting,), frozenset())
    recovery = _Recovery(source)
    tree = recovery.run()
    diagnostics, poisoned = tuple(recovery.diagnostics), frozenset(recovery.poisoned)
    return ParseResult(tree, diagnostics, poisoned, tuple(recovery.tokens))
