"""Derived-field expressions: parsing text into a typed syntax tree.

The grammar is ``grammar/expr.lark`` (shipped in the wheel as ``slalang/grammar/expr.lark``),
parsed LALR with positions kept. :func:`parse_expr` bounds the text's length and nesting,
turns Lark's errors into :class:`~slalang.expr.ast.ExprError` messages with a column,
unescapes strings and quoted names, and builds the tree bottom-up through the type checks of
:mod:`slalang.expr.check`.
"""

from __future__ import annotations

import functools
import math
import re

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from slalang.expr.ast import (
    BOOLEAN,
    INT_MAX,
    INT_MIN,
    INTEGER,
    NULL,
    NUMBER,
    TEXT,
    Column,
    Expr,
    ExprError,
    Literal,
)
from slalang.expr.check import check_binary, check_call, check_in, check_unary
from slalang.lang import grammars

MAX_LENGTH = 10_000
"""The longest expression text accepted, in characters."""

MAX_DEPTH = 100
"""How deeply parentheses and operators may nest."""

_KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})


def grammar_text() -> str:
    """Return the text of the expression grammar, from the installed package or the source tree."""
    return grammars.grammar_text("expr")


@functools.cache
def parser() -> Lark:
    """Return the compiled LALR expression parser (built once per process)."""
    return grammars.parser("expr", lexer="contextual", propagate_positions=True)


def parse_expr(text: str) -> Expr:
    """Parse and type-check an expression.

    Args:
        text: the expression, at most :data:`MAX_LENGTH` characters.

    Returns:
        The typed AST; node equality ignores positions.

    Raises:
        ExprError: a syntax error, a nesting deeper than :data:`MAX_DEPTH`, an unknown
            function or wrong number of arguments, an invalid date format, or operands
            with no common type.
    """
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression longer than {MAX_LENGTH} characters", MAX_LENGTH + 1)
    _check_parentheses(text)
    try:
        tree = parser().parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(text, error) from None
    _check_depth(tree)
    return _build(tree)


def _check_parentheses(text: str) -> None:
    depth = 0
    quote = ""
    escaped = False
    for offset, char in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "'\"`":
            quote = char
        elif char == "(":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExprError(f"parentheses nest deeper than {MAX_DEPTH} levels", offset + 1)
        elif char == ")":
            depth -= 1


def _check_depth(tree: Tree[Token]) -> None:
    stack: list[tuple[Tree[Token], int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExprError(f"expression nests deeper than {MAX_DEPTH} levels", _start(node))
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


def _start(node: Tree[Token] | Token) -> int:
    if isinstance(node, Token):
        return (node.start_pos or 0) + 1
    return (getattr(node.meta, "start_pos", 0) or 0) + 1


def _syntax_error(text: str, error: UnexpectedInput) -> ExprError:
    column = (error.pos_in_stream or 0) + 1 if error.pos_in_stream is not None else len(text) + 1
    if isinstance(error, UnexpectedCharacters):
        char = text[error.pos_in_stream or 0]
        if char in "'\"":
            return ExprError("unterminated string", column)
        if char == "`":
            return ExprError("unterminated quoted name", column)
        if char == "=":
            return ExprError("unexpected `=`; compare with `==`", column)
        if char.isprintable():
            return ExprError(f"unexpected character `{char}`", column)
        return ExprError(f"unexpected character U+{ord(char):04X}", column)
    if isinstance(error, UnexpectedToken):
        token = error.token
        if token.type == "$END":
            return ExprError("unexpected end of expression", len(text) + 1)
        return ExprError(f"unexpected `{token}`", _start(token))
    if isinstance(error, UnexpectedEOF):
        return ExprError("unexpected end of expression", len(text) + 1)
    return ExprError("syntax error", column)


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "\\": "\\", "'": "'", '"': '"', "`": "`"}


def _unescape(token: Token) -> str:
    body = str(token)[1:-1]
    base = (token.start_pos or 0) + 2
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        code = body[i + 1]
        if code in _ESCAPES:
            out.append(_ESCAPES[code])
            i += 2
            continue
        digits = body[i + 2 : i + 6]
        if code == "u" and re.fullmatch("[0-9A-Fa-f]{4}", digits):
            value = int(digits, 16)
            if 0xD800 <= value < 0xE000:
                raise ExprError("surrogate code points are not characters", base + i)
            out.append(chr(value))
            i += 6
            continue
        raise ExprError(
            "unknown escape; use \\n \\r \\t \\0 \\\\ \\' \\\" \\` or \\uXXXX", base + i
        )
    return "".join(out)


def _build(tree: Tree[Token] | Token) -> Expr:
    if isinstance(tree, Token):  # pragma: no cover - every token sits inside a rule
        raise ExprError("syntax error", _start(tree))
    kind = str(tree.data)
    children = tree.children
    if kind == "literal":
        token = children[0]
        assert isinstance(token, Token)
        return _literal(token)
    if kind == "column":
        token = children[0]
        assert isinstance(token, Token)
        if token.type == "QUOTED_NAME":
            name = _unescape(token)
            if not name:
                raise ExprError("empty column name", _start(token))
        else:
            name = str(token)
            if name in _KEYWORDS:
                raise ExprError(f"unexpected keyword `{name}`", _start(token))
        return Column(name, column=_start(token))
    if kind == "unary":
        op, operand = children
        assert isinstance(op, Token)
        if op.type == "MINUS" and isinstance(operand, Tree) and str(operand.data) == "literal":
            number = operand.children[0]
            assert isinstance(number, Token)
            if number.type in ("INT", "DECIMAL"):
                return _literal(number, negate=True, column=_start(op))
        return check_unary(str(op), _build(operand), _start(op))
    if kind == "binary":
        left, op, right = children
        assert isinstance(op, Token)
        return check_binary(str(op), _build(left), _build(right), _start(op))
    if kind in ("in_", "not_in"):
        operand, *rest = children
        keyword = next(c for c in rest if isinstance(c, Token) and c.type == "IN")
        options = tuple(_build(c) for c in rest if isinstance(c, Tree))
        return check_in(_build(operand), options, kind == "not_in", _start(keyword))
    if kind == "call":
        callee, *arguments = children
        assert isinstance(callee, Token)
        return check_call(str(callee), tuple(_build(a) for a in arguments), _start(callee))
    raise ExprError("syntax error", _start(tree))  # pragma: no cover


def _literal(token: Token, *, negate: bool = False, column: int | None = None) -> Literal:
    at = column if column is not None else _start(token)
    kind = token.type
    if kind == "STRING":
        return Literal(_unescape(token), TEXT, column=at)
    if kind in ("TRUE", "FALSE"):
        return Literal(kind == "TRUE", BOOLEAN, column=at)
    if kind == "NULL":
        return Literal(None, NULL, column=at)
    if kind == "INT":
        integer = -int(token) if negate else int(token)
        if not INT_MIN <= integer <= INT_MAX:
            raise ExprError("integer out of range (64 bits)", at)
        return Literal(integer, INTEGER, column=at)
    decimal = -float(token) if negate else float(token)
    if not math.isfinite(decimal):
        raise ExprError("number out of range", at)
    return Literal(decimal, NUMBER, column=at)
