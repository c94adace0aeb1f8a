"""Formatting: contract text in, the same contract in canonical layout out.

The formatter re-prints the token stream of the real parser, so keywords and
names are told apart exactly as the parser does, and only whitespace changes:
``parse(format_text(x).text).contract == parse(x).contract``. Comments are
kept (they live inside the grammar's ``_NL`` tokens). Files with syntax errors
(codes ``E0xx``) are never formatted.

Canonical layout: two spaces of indentation per brace depth; one space between
tokens, except none before ``,`` ``)`` ``]`` ``:`` and ``%``, none after ``(``
and ``[``, none around the ``-`` of a time range and none between a template
name and its ``(``; ``{`` ends its line and ``}`` stands alone (an empty block
is ``{}``); one blank line between top-level declarations (one-line
declarations of one kind, such as a run of ``scope`` lines, may stay together),
at most one blank line kept inside blocks; trailing comments two spaces after
the code; ``\\n`` line ends and exactly one final newline.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import attrs
from lark import Token

from slalang.diagnostics import Diagnostic
from slalang.lang import outcome, schema, syntax
from slalang.lang.checks.settings import variant_problems
from slalang.lang.model import Contract, Ident, Name, Objective, Setting
from slalang.source import Source

INDENT = "  "
"""One level of indentation."""

_NO_SPACE_BEFORE = frozenset({"COMMA", "RPAR", "RSQB", "COLON", "PERCENT", "MINUS"})
_NO_SPACE_AFTER = frozenset({"LPAR", "LSQB", "MINUS"})


@attrs.frozen
class Formatted:
    """The outcome of formatting one text.

    Attributes:
        text: the formatted text, or ``None`` when the input has syntax errors.
        diagnostics: the syntax errors that prevented formatting (empty on success).
        changed: whether ``text`` differs from the input.
    """

    text: str | None
    diagnostics: tuple[Diagnostic, ...]
    changed: bool


def format_text(text: str, *, path: str = "<string>", explicit: bool = False) -> Formatted:
    """Format contract text in the canonical layout.

    Args:
        text: the contract text (``\\r\\n`` line ends are accepted).
        path: the name shown in diagnostics.
        explicit: also write out, in each objective whose metric is known, the knobs the
            author left at their defaults (from :func:`slalang.lang.schema.explicit_defaults`).

    Returns:
        A :class:`Formatted`; its ``text`` is ``None`` when the input has syntax errors,
        which are then its ``diagnostics``. Never raises for bad contract text.
    """
    source = Source(path, text)
    result = syntax.parse(source)
    parsed = outcome.from_syntax(source, result)
    errors = tuple(d for d in parsed.diagnostics if d.code.startswith("E0"))
    if errors or parsed.contract is None:
        return Formatted(None, errors or parsed.diagnostics, False)
    objectives = _objectives_by_offset(parsed.contract) if explicit else {}
    printer = _Printer(objectives)
    with syntax.gc_paused():
        formatted = printer.run(_kept(result.tokens))
    if printer.inserted:
        # the inserted knob lines are laid out canonically (and must parse)
        again = format_text(formatted, path=path)
        if again.text is None:
            raise RuntimeError("explicit defaults produced text that does not parse")
        formatted = again.text
    return Formatted(formatted, (), formatted != text)


def _explicit_defaults(objective: Objective) -> list[tuple[str, str]]:
    """Return ``(knob, default source text)`` for the knobs the objective leaves out.

    The default variant is not written out when a written knob says otherwise than it
    (``abandons_within_threshold excluded`` beside no variant): a written variant would
    contradict that knob (E307). Every other knob of the variant is written out, so the
    meaning stays the same.
    """
    defaults = schema.explicit_defaults(objective)
    for knob, value in defaults:
        if knob == "variant":
            written = Setting(Name("variant"), Ident(value))
            with_variant = attrs.evolve(objective, settings=(*objective.settings, written))
            if any(variant_problems(with_variant, ())):
                return [(k, v) for k, v in defaults if k != "variant"]
    return defaults


def _objectives_by_offset(contract: Contract) -> dict[int, Objective]:
    objectives = list(contract.objectives)
    for template in contract.templates:
        objectives.extend(template.objectives)
    return {o.span.start: o for o in objectives}


def _kept(tokens: Sequence[Token]) -> list[Token]:
    """The tokens of the parse, ``_NL`` tokens (with comments) included, to print."""
    # an empty block written over several lines, without comments, becomes `{}`
    kept: list[Token] = []
    for index, token in enumerate(tokens):
        if (
            token.type == "_NL"
            and "#" not in token
            and 0 < index < len(tokens) - 1
            and tokens[index - 1].type == "LBRACE"
            and tokens[index + 1].type == "RBRACE"
        ):
            continue
        kept.append(token)
    return kept


@attrs.define
class _Line:
    depth: int
    tokens: list[Token]
    comment: str | None = None
    raw: str | None = None

    @property
    def opens(self) -> bool:
        return bool(self.tokens) and self.tokens[-1].type == "LBRACE"

    @property
    def closes(self) -> bool:
        return bool(self.tokens) and self.tokens[0].type == "RBRACE"

    def render(self) -> str:
        parts: list[str] = []
        previous: Token | None = None
        for token in self.tokens:
            if previous is not None and _spaced(previous, token):
                parts.append(" ")
            parts.append(str(token))
            previous = token
        code = self.raw if self.raw is not None else "".join(parts)
        line = INDENT * self.depth + code
        return f"{line}  {self.comment}" if self.comment else line


def _separated(prev: _Line, nxt: _Line | None) -> bool:
    """Whether a blank line must come before ``nxt``: it starts a top-level declaration.

    One-line declarations of one kind (a run of ``scope`` lines) may stay together.
    """
    if nxt is None or nxt.depth or nxt.closes:
        return False
    if prev.depth or prev.opens or prev.closes or nxt.opens or not prev.tokens:
        return True
    return prev.tokens[0].type != nxt.tokens[0].type


def _spaced(left: Token, right: Token) -> bool:
    if right.type in _NO_SPACE_BEFORE or left.type in _NO_SPACE_AFTER:
        return False
    if left.type == "LBRACE" and right.type == "RBRACE":
        return False
    return not (left.type == "NAME" and right.type == "LPAR")


_BLANK = None
_Entry = _Line | str | None
"""A line of code, a full-line comment, or a blank line (``None``)."""


@attrs.define
class _Block:
    depth: int
    objective: Objective | None
    heads: set[str] = attrs.Factory(set)


class _Printer:
    """Turn the token stream into lines, then lay out blank lines and comments."""

    def __init__(self, objectives: dict[int, Objective]) -> None:
        self.objectives = objectives
        self.entries: list[_Entry] = []
        self.current: list[Token] = []
        self.depth = 0
        self.blocks: list[_Block] = []
        self.inserted = False

    def run(self, tokens: list[Token]) -> str:
        for token in tokens:
            if token.type == "_NL":
                self._newline(str(token))
            else:
                self._token(token)
        self._flush(None)
        return self._layout()

    def _token(self, token: Token) -> None:
        if self.current and self.current[-1].type == "LBRACE" and token.type != "RBRACE":
            self._flush(None)
        if token.type == "RBRACE" and self.current and self.current[-1].type != "LBRACE":
            self._flush(None)
        self.current.append(token)

    def _newline(self, text: str) -> None:
        segments = [segment.strip() for segment in text.split("\n")]
        if self.current:
            self._flush(segments[0] or None)
            segments = segments[1:]
        for segment in segments[:-1]:
            self.entries.append(segment or _BLANK)
        if segments and segments[-1]:  # a comment at the very end, without a line end
            self.entries.append(segments[-1])

    def _flush(self, comment: str | None) -> None:
        if not self.current:
            return
        tokens, self.current = self.current, []
        if tokens[0].type == "RBRACE":
            self.depth -= 1
            block = self.blocks.pop() if self.blocks else None
            if block is not None and block.objective is not None and tokens[-1].type != "LBRACE":
                self._knobs(block)
        line = _Line(self.depth, tokens, comment)
        if self.blocks and self.blocks[-1].depth == self.depth:
            self.blocks[-1].heads.add(str(tokens[0]))
        self.entries.append(line)
        if line.opens:
            objective = None
            if tokens[0].type == "OBJECTIVE" and tokens[0].start_pos is not None:
                objective = self.objectives.get(tokens[0].start_pos)
            self.blocks.append(_Block(self.depth + 1, objective))
            self.depth += 1

    def _knobs(self, block: _Block) -> None:
        objective = block.objective
        if objective is None or objective.metric is None:
            return
        for knob, value in _explicit_defaults(objective):
            if knob not in block.heads:
                self.entries.append(_Line(block.depth, [], raw=f"{knob} {value}"))
                self.inserted = True

    def _layout(self) -> str:
        out: list[str] = []
        lines = [i for i, e in enumerate(self.entries) if isinstance(e, _Line)]
        bounds = [-1, *lines, len(self.entries)]
        for before, after in itertools.pairwise(bounds):
            gap = self.entries[before + 1 : after]
            prev = self.entries[before] if before >= 0 else None
            nxt = self.entries[after] if after < len(self.entries) else None
            assert prev is None or isinstance(prev, _Line)
            assert nxt is None or isinstance(nxt, _Line)
            out.extend(self._gap(gap, prev, nxt))
            if nxt is not None:
                out.append(nxt.render())
        return "\n".join(out) + "\n" if out else ""

    def _gap(self, gap: list[_Entry], prev: _Line | None, nxt: _Line | None) -> Iterator[str]:
        items: list[str | None] = []
        for entry in gap:
            assert not isinstance(entry, _Line)
            if entry is _BLANK and items and items[-1] is _BLANK:
                continue
            items.append(entry)
        if nxt is None or nxt.closes:
            while items and items[-1] is _BLANK:
                items.pop()
        if prev is None or prev.opens:
            if items and items[0] is _BLANK:
                items.pop(0)
        elif _separated(prev, nxt) and items[:1] != [_BLANK]:
            items.insert(0, _BLANK)  # one blank line between top-level declarations
        depth = 0 if nxt is None else nxt.depth + (1 if nxt.closes else 0)
        for item in items:
            yield "" if item is _BLANK else INDENT * depth + item
