"""Derived fields: the restricted expression language of data profiles.

A data profile maps a vendor export onto a canonical table; a derived field is an
expression over the export's raw columns, all of which arrive as text. This module
parses an expression (grammar ``grammar/expr.lark``, shipped in the wheel as
``slalang/grammar/expr.lark``), infers its types, and offers two back ends with one
meaning: :func:`evaluate`, a slow and obvious reference interpreter over one row, and
:func:`to_sql`, which compiles to a DuckDB expression with every literal passed as a
parameter. The tests run both on the same rows and require the same answers.

Types are never declared: columns are ``text``, literals and functions have fixed types,
and each operator converts its operands to a common type (text to number for arithmetic
and for comparison with numbers, text to date or timestamp in ISO form, anything to
text). Conversions that cannot succeed give null; mixing types that have no common type
(a boolean with a number, say) is an :class:`ExprError` at parse time. Numbers are finite:
an overflow gives null, like a division by zero.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import attrs
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from slalang.diagnostics import did_you_mean

MAX_LENGTH = 10_000
"""The longest expression text accepted, in characters."""

MAX_DEPTH = 100
"""How deeply parentheses and operators may nest."""

TEXT, INTEGER, NUMBER, BOOLEAN, DATE, TIMESTAMP, NULL = (
    "text", "integer", "number", "boolean", "date", "timestamp", "null",
)  # fmt: skip
"""The types of values. ``null`` is the type of the literal ``null`` only."""

_SQL_TYPES = {
    TEXT: "VARCHAR", INTEGER: "BIGINT", NUMBER: "DOUBLE", BOOLEAN: "BOOLEAN", DATE: "DATE",
    TIMESTAMP: "TIMESTAMP", NULL: "VARCHAR",
}  # fmt: skip

_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1
_KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})


class ExprError(Exception):
    """A mistake in an expression: a message and the 1-based column it is at.

    The column counts characters from the start of the expression text (newlines
    included), so for a one-line expression it is the ordinary column.
    """

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"column {column}: {message}")
        self.message = message
        self.column = column


# ===================================================================
# AST
# ===================================================================


def _column() -> int:
    return attrs.field(default=1, eq=False, kw_only=True)


@attrs.frozen
class Literal:
    """A constant: ``None``, a bool, an int, a float or a str."""

    value: bool | int | float | str | None
    type: str
    column: int = _column()


@attrs.frozen
class Column:
    """A raw input column, read as text."""

    name: str
    type: str = TEXT
    column: int = _column()


@attrs.frozen
class Unary:
    """``-x`` or ``not x``."""

    op: str
    operand: Expr
    type: str
    column: int = _column()


@attrs.frozen
class Binary:
    """A comparison, arithmetic or logical operator; ``operand_type`` is what both sides become."""

    op: str
    left: Expr
    right: Expr
    operand_type: str
    type: str
    column: int = _column()


@attrs.frozen
class In:
    """``x in (a, b, ...)`` (``negated`` for ``not in``)."""

    operand: Expr
    options: tuple[Expr, ...]
    negated: bool
    operand_type: str
    type: str = BOOLEAN
    column: int = _column()


@attrs.frozen
class Call:
    """A call of a whitelisted function; ``arg_types`` are the types the arguments become."""

    name: str
    args: tuple[Expr, ...]
    arg_types: tuple[str, ...]
    type: str
    column: int = _column()


Expr = Literal | Column | Unary | Binary | In | Call
"""A parsed, type-checked expression. Build one with :func:`parse_expr`."""


@attrs.frozen
class Compiled:
    """A DuckDB SQL expression and the values of its ``?`` placeholders, in order."""

    sql: str
    params: tuple[object, ...]


# ===================================================================
# Types: which conversions exist, and the common type of operands
# ===================================================================

_CONVERTIBLE: dict[str, frozenset[str]] = {
    TEXT: frozenset({TEXT, NUMBER, DATE, TIMESTAMP}),
    INTEGER: frozenset({INTEGER, NUMBER, TEXT}),
    NUMBER: frozenset({NUMBER, TEXT}),
    BOOLEAN: frozenset({BOOLEAN, TEXT}),
    DATE: frozenset({DATE, TIMESTAMP, TEXT}),
    TIMESTAMP: frozenset({TIMESTAMP, TEXT}),
}
"""Implicit conversions: from a type (key) to each type it can become."""


def _converts(source: str, target: str) -> bool:
    return source == NULL or target in _CONVERTIBLE[source]


def _pair(a: str, b: str) -> str | None:
    if a == b or b == NULL:
        return a
    if a == NULL:
        return b
    kinds = {a, b}
    if kinds <= {INTEGER, NUMBER, TEXT}:
        return NUMBER
    if kinds <= {DATE, TIMESTAMP}:
        return TIMESTAMP
    if TEXT in kinds:
        return (kinds - {TEXT}).pop() if kinds & {DATE, TIMESTAMP} else TEXT
    return None


def _common(types: list[str], what: str, column: int) -> str:
    result = types[0]
    for other in types[1:]:
        paired = _pair(result, other)
        if paired is None:
            break
        result = paired
    else:
        if all(_converts(t, result) for t in types):
            return result
    shown = " and ".join(sorted({t for t in types if t != NULL}))
    raise ExprError(f"{what} cannot mix {shown}", column)


# ===================================================================
# Date formats
# ===================================================================

_FORMAT_CODES = "YymdHMSIp"
_TWO_DIGITS = {"m", "d", "H", "M", "S", "I"}
_YEAR4 = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"


@attrs.frozen
class _Format:
    pattern: str  # an anchored regular expression, the same in Python and RE2
    regex: re.Pattern[str]


@functools.lru_cache(maxsize=256)
def _compile_format(fmt: str, *, needs_date: bool) -> _Format:
    """Turn a strptime format into an input pattern.

    Raises ValueError(message, offset), the offset -1 when the whole format is wrong.
    """
    pieces: list[tuple[str, int]] = []  # ("%Y", offset) or (literal character, offset)
    i = 0
    while i < len(fmt):
        char = fmt[i]
        if char == "%":
            code = fmt[i + 1 : i + 2]
            if code not in set(_FORMAT_CODES) or not code:
                shown = f"%{code}" if code else "a lone %"
                raise ValueError(
                    f"unsupported format code {shown}; use %Y %y %m %d %H %M %S %I %p", i
                )
            pieces.append(("%" + code, i))
            i += 2
            continue
        if not (" " <= char <= "~"):
            raise ValueError("formats may only hold printable ASCII characters", i)
        pieces.append((char, i))
        i += 1
    codes = [p for p, _ in pieces if p.startswith("%")]
    for code in set(codes):
        if codes.count(code) > 1:
            raise ValueError(f"{code} appears twice", fmt.index(code, fmt.index(code) + 1))
    present = {c[1] for c in codes}
    if needs_date and not (present & {"Y", "y"} and {"m", "d"} <= present):
        raise ValueError("a date format needs a year (%Y or %y), a month (%m) and a day (%d)", -1)
    if "Y" in present and "y" in present:
        raise ValueError("use either %Y or %y, not both", -1)
    if ("I" in present) != ("p" in present):
        raise ValueError("%I (12-hour clock) and %p (AM/PM) go together", -1)
    if "H" in present and "I" in present:
        raise ValueError("use either %H or %I, not both", -1)
    numeric = [(p.startswith("%") and p[1] != "p") or p.isdigit() for p, _ in pieces]
    parts = []
    for index, (piece, _) in enumerate(pieces):
        if not piece.startswith("%") or len(piece) == 1:
            parts.append(piece if piece.isalnum() or piece == " " else "\\" + piece)
            continue
        code = piece[1]
        if code == "Y":
            body = _YEAR4
        elif code == "y":
            body = "[0-9]{2}"
        elif code == "p":
            body = "[AaPp][Mm]"
        else:
            glued = index + 1 < len(pieces) and numeric[index + 1]
            body = "[0-9]{2}" if glued else "[0-9]{1,2}"
        parts.append(f"(?P<{code}>{body})")
    pattern = "".join(parts)
    return _Format("^" + pattern + "$", re.compile(pattern))


_ISO_DATE = _compile_format("%Y-%m-%d", needs_date=True)
_ISO_TIMESTAMP = _compile_format("%Y-%m-%d %H:%M:%S", needs_date=True)


def _parse_datetime(text: str, fmt: _Format) -> dt.datetime | None:
    match = fmt.regex.fullmatch(text)
    if match is None:
        return None
    fields = match.groupdict()
    if fields.get("Y") is not None:
        year = int(fields["Y"])
    else:
        short = int(fields["y"])
        year = 2000 + short if short < 69 else 1900 + short
    if fields.get("I") is not None:
        hour12 = int(fields["I"])
        if not 1 <= hour12 <= 12:
            return None
        hour = hour12 % 12 + (12 if fields["p"] in ("PM", "Pm", "pM", "pm") else 0)
    else:
        hour = int(fields.get("H") or 0)
    try:
        return dt.datetime(
            year,
            int(fields["m"]),
            int(fields["d"]),
            hour,
            int(fields.get("M") or 0),
            int(fields.get("S") or 0),
        )
    except ValueError:
        return None


# ===================================================================
# Parsing
# ===================================================================


def grammar_text() -> str:
    """Return the text of the expression grammar, from the installed package or the source tree."""
    packaged = importlib.resources.files("slalang").joinpath("grammar/expr.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parent.parent / "grammar" / "expr.lark").read_text(
        encoding="utf-8"
    )


@functools.cache
def parser() -> Lark:
    """Return the compiled LALR expression parser (built once per process)."""
    return Lark(grammar_text(), parser="lalr", lexer="contextual", propagate_positions=True)


_TOKEN_NAMES = {
    "NAME": "a name", "QUOTED_NAME": "a quoted name", "STRING": "a string", "INT": "a number",
    "DECIMAL": "a number", "CMP": "a comparison", "$END": "the end of the expression",
    "LPAR": "`(`", "RPAR": "`)`", "COMMA": "`,`",
}  # fmt: skip


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
        return _unary(str(op), _build(operand), _start(op))
    if kind == "binary":
        left, op, right = children
        assert isinstance(op, Token)
        return _binary(str(op), _build(left), _build(right), _start(op))
    if kind in ("in_", "not_in"):
        operand, *rest = children
        keyword = next(c for c in rest if isinstance(c, Token) and c.type == "IN")
        options = tuple(_build(c) for c in rest if isinstance(c, Tree))
        return _in(_build(operand), options, kind == "not_in", _start(keyword))
    if kind == "call":
        callee, *arguments = children
        assert isinstance(callee, Token)
        return _call(str(callee), tuple(_build(a) for a in arguments), _start(callee))
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
        if not _INT_MIN <= integer <= _INT_MAX:
            raise ExprError("integer out of range (64 bits)", at)
        return Literal(integer, INTEGER, column=at)
    decimal = -float(token) if negate else float(token)
    if not math.isfinite(decimal):
        raise ExprError("number out of range", at)
    return Literal(decimal, NUMBER, column=at)


# ===================================================================
# Type checking of operators and functions
# ===================================================================

_COMPARISONS = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_ARITHMETIC = ("+", "-", "*", "/")


def _unary(op: str, operand: Expr, column: int) -> Unary:
    if op == "not":
        if operand.type not in (BOOLEAN, NULL):
            raise ExprError(f"`not` needs a boolean, got {operand.type}", column)
        return Unary(op, operand, BOOLEAN, column=column)
    if operand.type not in (INTEGER, NUMBER, TEXT, NULL):
        raise ExprError(f"`-` needs a number, got {operand.type}", column)
    return Unary(op, operand, INTEGER if operand.type in (INTEGER, NULL) else NUMBER, column=column)


def _binary(op: str, left: Expr, right: Expr, column: int) -> Binary:
    types = (left.type, right.type)
    if op in ("and", "or"):
        for side in types:
            if side not in (BOOLEAN, NULL):
                raise ExprError(f"`{op}` needs booleans, got {side}", column)
        return Binary(op, left, right, BOOLEAN, BOOLEAN, column=column)
    if op in _COMPARISONS:
        if NULL in types:
            raise ExprError(f"`{op}` with null is always null; use is_null(...)", column)
        common = _common(list(types), f"`{op}`", column)
        return Binary(op, left, right, common, BOOLEAN, column=column)
    times = {DATE, TIMESTAMP, TEXT, NULL}
    if op == "-" and set(types) <= times and set(types) & {DATE, TIMESTAMP}:
        return Binary(op, left, right, TIMESTAMP, NUMBER, column=column)
    for side in types:
        if side not in (INTEGER, NUMBER, TEXT, NULL):
            hint = "; use add_seconds(...)" if side in (DATE, TIMESTAMP) else ""
            raise ExprError(f"`{op}` needs numbers, got {side}{hint}", column)
    integral = op != "/" and set(types) <= {INTEGER, NULL}
    kind = INTEGER if integral else NUMBER
    return Binary(op, left, right, kind, kind, column=column)


def _in(operand: Expr, options: tuple[Expr, ...], negated: bool, column: int) -> In:
    common = _common([operand.type, *(o.type for o in options)], "`in`", column)
    return In(operand, options, negated, common, column=column)


@attrs.frozen
class _Function:
    arity: str  # for messages
    accepts: Callable[[int], bool]


def _exactly(n: int) -> _Function:
    return _Function(f"{n} argument{'s' if n != 1 else ''}", lambda k: k == n)


def _at_least(n: int) -> _Function:
    return _Function(f"{n} or more arguments", lambda k: k >= n)


FUNCTIONS: Mapping[str, _Function] = {
    "if": _exactly(3),
    "case": _Function("an odd number of arguments, 3 or more", lambda k: k >= 3 and k % 2 == 1),
    "coalesce": _at_least(2),
    "nullif": _exactly(2),
    "is_null": _exactly(1),
    "lower": _exactly(1),
    "upper": _exactly(1),
    "trim": _exactly(1),
    "concat": _at_least(2),
    "length": _exactly(1),
    "starts_with": _exactly(2),
    "int": _exactly(1),
    "number": _exactly(1),
    "text": _exactly(1),
    "seconds": _exactly(1),
    "date": _exactly(2),
    "timestamp": _exactly(2),
    "add_seconds": _exactly(2),
    "combine": _exactly(2),
}
"""The functions an expression may call, with their number of arguments."""

_SIMPLE_SIGNATURES: dict[str, tuple[tuple[str, ...], str]] = {
    "lower": ((TEXT,), TEXT),
    "upper": ((TEXT,), TEXT),
    "trim": ((TEXT,), TEXT),
    "length": ((TEXT,), INTEGER),
    "starts_with": ((TEXT, TEXT), BOOLEAN),
    "text": ((TEXT,), TEXT),
    "seconds": ((TEXT,), NUMBER),
    "add_seconds": ((TIMESTAMP, NUMBER), TIMESTAMP),
    "combine": ((DATE, NUMBER), TIMESTAMP),
}


def _call(name: str, args: tuple[Expr, ...], column: int) -> Call:
    function = FUNCTIONS.get(name)
    if function is None:
        hint = did_you_mean(name, FUNCTIONS)
        raise ExprError(f"unknown function `{name}`" + (f"; {hint}" if hint else ""), column)
    if not function.accepts(len(args)):
        raise ExprError(f"{name}() takes {function.arity}, got {len(args)}", column)
    types = [a.type for a in args]
    if name in _SIMPLE_SIGNATURES:
        wanted, result = _SIMPLE_SIGNATURES[name]
        if name == "combine" and types[0] == TIMESTAMP:
            wanted = (TIMESTAMP, NUMBER)  # the time of day is dropped
        for arg, target in zip(args, wanted, strict=True):
            if not _converts(arg.type, target):
                raise ExprError(f"{name}() needs {target} here, got {arg.type}", arg.column)
        return Call(name, args, wanted, result, column=column)
    if name in ("if", "case"):
        conditions = args[:-1:2] if name == "case" else args[:1]
        values = [*args[1::2], args[-1]] if name == "case" else list(args[1:])
        for condition in conditions:
            if condition.type not in (BOOLEAN, NULL):
                raise ExprError(
                    f"{name}() needs a boolean condition, got {condition.type}", condition.column
                )
        result = _common([v.type for v in values], f"{name}()", column)
        condition_at = {0} if name == "if" else set(range(0, len(args) - 1, 2))
        arg_types = tuple(BOOLEAN if i in condition_at else result for i in range(len(args)))
        return Call(name, args, arg_types, result, column=column)
    if name in ("coalesce", "nullif"):
        result = _common(types, f"{name}()", column)
        return Call(name, args, (result,) * len(args), result, column=column)
    if name == "is_null":
        return Call(name, args, (types[0],), BOOLEAN, column=column)
    if name == "concat":
        return Call(name, args, (TEXT,) * len(args), TEXT, column=column)
    if name in ("int", "number"):
        if types[0] not in (TEXT, INTEGER, NUMBER, NULL):
            raise ExprError(f"{name}() needs text or a number, got {types[0]}", args[0].column)
        result = INTEGER if name == "int" else NUMBER
        source = TEXT if types[0] in (TEXT, NULL) else types[0]
        return Call(name, args, (source,), result, column=column)
    # date(s, format) and timestamp(s, format)
    fmt = args[1]
    if not isinstance(fmt, Literal) or not isinstance(fmt.value, str):
        raise ExprError(f"the format of {name}() must be a string literal", fmt.column)
    try:
        _compile_format(fmt.value, needs_date=True)
    except ValueError as error:
        message, offset = error.args
        at = fmt.column + 1 + offset if offset >= 0 else fmt.column
        raise ExprError(f"bad format: {message}", at) from None
    if not _converts(types[0], TEXT):  # pragma: no cover - everything converts to text
        raise ExprError(f"{name}() needs text", args[0].column)
    return Call(name, args, (TEXT, TEXT), DATE if name == "date" else TIMESTAMP, column=column)


def type_of(expr: Expr) -> str:
    """Return the type of an expression's value: ``text``, ``integer``, ``number``,
    ``boolean``, ``date`` or ``timestamp`` (the literal ``null`` alone counts as text)."""
    return TEXT if expr.type == NULL else expr.type


def columns_of(expr: Expr) -> frozenset[str]:
    """Return the names of the input columns an expression reads."""
    names: set[str] = set()
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Column):
            names.add(node.name)
        elif isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack.extend((node.left, node.right))
        elif isinstance(node, In):
            stack.extend((node.operand, *node.options))
        elif isinstance(node, Call):
            stack.extend(node.args)
    return frozenset(names)


# ===================================================================
# Shared value helpers: the patterns both back ends use
# ===================================================================

_NUMBER_RE = r"[ \t]*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[ \t]*"
_INTEGER_RE = r"[ \t]*([+-]?[0-9]+)[ \t]*"
_SECONDS_RE = r"[ \t]*([0-9]+(?::[0-5][0-9]){0,2}(?:\.[0-9]+)?)[ \t]*"
_TRIM = " \t\r\n"
_MIN_TS = dt.datetime(1, 1, 1)
_MAX_TS = dt.datetime(9999, 12, 31, 23, 59, 59, 999999)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _int64(value: int) -> int | None:
    return value if _INT_MIN <= value <= _INT_MAX else None


def _round_half_away(value: float) -> int | None:
    if not math.isfinite(value):
        return None
    magnitude = abs(value)
    whole = math.floor(magnitude)
    if magnitude - whole >= 0.5:
        whole += 1
    return _int64(int(math.copysign(whole, value)) if whole else 0)


def _format_number(value: float) -> str:
    return repr(value)  # DuckDB prints doubles as the shortest repr, like Python


def _format_timestamp(value: dt.datetime) -> str:
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text


def _to_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _format_number(value)
    if isinstance(value, dt.datetime):
        return _format_timestamp(value)
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return str(value)


def _lower_char(char: str) -> str:
    mapped = char.lower()
    if len(mapped) == 1:
        return mapped
    return "i" if char == "\u0130" else char


def _upper_char(char: str) -> str:
    mapped = char.upper()
    if len(mapped) == 1:
        return mapped
    if char == "\u00df":
        return "\u1e9e"
    title = char.title()
    return title if len(title) == 1 else char


def lower_text(text: str) -> str:
    """Lower-case text one code point at a time, as DuckDB's ``lower`` does."""
    return "".join(map(_lower_char, text))


def upper_text(text: str) -> str:
    """Upper-case text one code point at a time, as DuckDB's ``upper`` does."""
    return "".join(map(_upper_char, text))


def _add_micros(base: dt.datetime, seconds: float) -> dt.datetime | None:
    micros = _round_half_away(seconds * 1_000_000.0)
    if micros is None:
        return None
    try:
        return base + dt.timedelta(microseconds=micros)
    except OverflowError:
        return None


# ===================================================================
# The reference interpreter
# ===================================================================


def evaluate(expr: Expr, row: Mapping[str, object | None]) -> object | None:
    """Evaluate an expression over one row, with exactly the meaning of :func:`to_sql`.

    Args:
        expr: a parsed expression.
        row: the raw column values; strings (other values are read as their text).

    Returns:
        ``None`` (null), or a str, int, float, bool, :class:`datetime.date` or
        :class:`datetime.datetime` according to :func:`type_of`.

    Raises:
        ExprError: the row has no value for a column the expression reads.
    """
    return _eval(expr, row)


def _cast(value: object | None, source: str, target: str) -> object | None:
    if value is None or source == target:
        return value
    if target == TEXT:
        return _to_text(value)
    if target == NUMBER:
        if source == INTEGER:
            assert isinstance(value, int)
            return float(value)
        assert isinstance(value, str)
        match = re.fullmatch(_NUMBER_RE, value)
        return _finite(float(match.group(1))) if match else None
    if target == INTEGER:
        if source == NUMBER:
            assert isinstance(value, float)
            return _int64(math.trunc(value))
        assert isinstance(value, str)
        match = re.fullmatch(_INTEGER_RE, value)
        return _int64(int(match.group(1))) if match else None
    if target == TIMESTAMP:
        if source == DATE:
            assert isinstance(value, dt.date)
            return dt.datetime(value.year, value.month, value.day)
        assert isinstance(value, str)
        return _parse_datetime(value, _ISO_TIMESTAMP)
    if target == DATE:
        if source == TIMESTAMP:
            assert isinstance(value, dt.datetime)
            return value.date()
        assert isinstance(value, str)
        parsed = _parse_datetime(value, _ISO_DATE)
        return parsed.date() if parsed else None
    raise AssertionError(f"no conversion from {source} to {target}")  # pragma: no cover


def _eval_as(expr: Expr, target: str, row: Mapping[str, object | None]) -> object | None:
    return _cast(_eval(expr, row), expr.type, target)


def _eval(expr: Expr, row: Mapping[str, object | None]) -> object | None:
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Column):
        if expr.name not in row:
            raise ExprError(f"unknown column `{expr.name}`", expr.column)
        raw = row[expr.name]
        return None if raw is None else _to_text(raw)
    if isinstance(expr, Unary):
        if expr.op == "not":
            value = _eval(expr.operand, row)
            return None if value is None else not value
        number = _eval_as(expr.operand, expr.type, row)
        if number is None:
            return None
        assert isinstance(number, int | float)
        return _int64(-number) if isinstance(number, int) else -number
    if isinstance(expr, Binary):
        return _eval_binary(expr, row)
    if isinstance(expr, In):
        value = _eval_as(expr.operand, expr.operand_type, row)
        options = [_eval_as(o, expr.operand_type, row) for o in expr.options]
        found: bool | None
        if value is None:
            found = None
        elif any(o is not None and o == value for o in options):
            found = True
        else:
            found = None if None in options else False
        return None if found is None else found != expr.negated
    return _eval_call(expr, row)


def _eval_binary(expr: Binary, row: Mapping[str, object | None]) -> object | None:
    op = expr.op
    if op in ("and", "or"):
        left, right = _eval(expr.left, row), _eval(expr.right, row)
        decisive = op == "or"  # the value that settles the result on its own
        if left is decisive or right is decisive:
            return decisive
        return None if left is None or right is None else not decisive
    a = _eval_as(expr.left, expr.operand_type, row)
    b = _eval_as(expr.right, expr.operand_type, row)
    if a is None or b is None:
        return None
    if op in _COMPARISONS:
        return _compare(op, a, b)
    if expr.operand_type == TIMESTAMP:
        assert isinstance(a, dt.datetime)
        assert isinstance(b, dt.datetime)
        return ((a - b) // dt.timedelta(microseconds=1)) / 1_000_000.0
    assert isinstance(a, int | float)
    assert isinstance(b, int | float)
    if op == "/":
        return None if b == 0 else _finite(float(a) / float(b))
    result = a + b if op == "+" else a - b if op == "-" else a * b
    return _int64(result) if isinstance(result, int) else _finite(result)


def _compare(op: str, a: object, b: object) -> bool:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    less, greater = bool(a < b), bool(a > b)  # type: ignore[operator]
    return {"<": less, "<=": not greater, ">": greater, ">=": not less}[op]


def _eval_call(expr: Call, row: Mapping[str, object | None]) -> object | None:
    name, args = expr.name, expr.args
    if name == "if":
        chosen = args[1] if _eval(args[0], row) is True else args[2]
        return _eval_as(chosen, expr.type, row)
    if name == "case":
        for condition, value in zip(args[:-1:2], args[1::2], strict=True):
            if _eval(condition, row) is True:
                return _eval_as(value, expr.type, row)
        return _eval_as(args[-1], expr.type, row)
    if name == "coalesce":
        for arg in args:
            found = _eval_as(arg, expr.type, row)
            if found is not None:
                return found
        return None
    if name == "is_null":
        return _eval(args[0], row) is None
    values = [_eval_as(a, t, row) for a, t in zip(args, expr.arg_types, strict=True)]
    if name == "concat":
        return "".join(_to_text(v) if v is not None else "" for v in values)
    if name == "nullif":
        return None if values[1] is not None and values[0] == values[1] else values[0]
    if name == "date" or name == "timestamp":
        text, fmt = values
        if text is None:
            return None
        assert isinstance(text, str)
        assert isinstance(fmt, str)
        parsed = _parse_datetime(text, _compile_format(fmt, needs_date=True))
        return parsed.date() if parsed and name == "date" else parsed
    if name in ("int", "number", "text"):
        return _cast(values[0], expr.arg_types[0], expr.type)
    if any(v is None for v in values):
        return None
    return _FUNCTIONS_PY[name](*values)


def _seconds(text: str) -> float | None:
    match = re.fullmatch(_SECONDS_RE, text)
    if match is None:
        return None
    total: float | None = None
    for part in match.group(1).split(":"):
        total = float(part) if total is None else total * 60 + float(part)
    return None if total is None else _finite(total)


def _combine(day: dt.date, seconds: float) -> dt.datetime | None:
    base = dt.datetime(day.year, day.month, day.day)
    return _add_micros(base, seconds)


_FUNCTIONS_PY: dict[str, Callable[..., object | None]] = {
    "lower": lower_text,
    "upper": upper_text,
    "trim": lambda s: s.strip(_TRIM),
    "length": len,
    "starts_with": lambda s, prefix: s.startswith(prefix),
    "seconds": _seconds,
    "add_seconds": _add_micros,
    "combine": _combine,
}


# ===================================================================
# The SQL compiler
# ===================================================================


def to_sql(expr: Expr, *, columns: Mapping[str, str]) -> Compiled:
    """Compile an expression to a DuckDB SQL expression with the meaning of :func:`evaluate`.

    Args:
        expr: a parsed expression.
        columns: the SQL that reads each allowed input column (already quoted,
            e.g. ``'"q_start"'``); the columns hold VARCHAR values.

    Returns:
        The SQL text and its parameters. No text of the expression reaches the SQL
        string: every literal (and every pattern derived from a date format) is a
        ``?`` placeholder.

    Raises:
        ExprError: the expression reads a column that ``columns`` does not list.
    """
    compiler = _Compiler(columns)
    sql = compiler.as_type(expr, type_of(expr))
    return Compiled(sql, tuple(compiler.params))


def _not_infinite(sql: str) -> str:
    # DuckDB expands NULLIF and IN into CASE expressions that repeat their operand, which
    # grows exponentially when nested; list lambdas bind an operand once instead.
    return f"list_filter([{sql}], lambda v: isfinite(v))[1]"


def _over_list(items: list[str], body: str) -> str:
    """Apply ``body`` (reading ``p[1]``, ``p[2]``, ...) to values that are computed once."""
    return f"list_transform([[{', '.join(items)}]], lambda p: {body})[1]"


def _timestamp_in_range(sql: str) -> str:
    return (
        f"list_filter([{sql}], lambda t: t BETWEEN TIMESTAMP '0001-01-01 00:00:00' "
        "AND TIMESTAMP '9999-12-31 23:59:59.999999')[1]"
    )


def _plus_seconds(timestamp: str, seconds: str) -> str:
    micros = f"TRY_CAST(round(({seconds}) * 1000000.0) AS BIGINT)"
    return _timestamp_in_range(f"try(({timestamp}) + to_microseconds({micros}))")


class _Compiler:
    def __init__(self, columns: Mapping[str, str]) -> None:
        self.columns = columns
        self.params: list[object] = []

    def param(self, value: object, sql_type: str) -> str:
        self.params.append(value)
        return f"CAST(? AS {sql_type})"

    def as_type(self, expr: Expr, target: str) -> str:
        if isinstance(expr, Literal) and expr.value is None:
            return self.param(None, _SQL_TYPES[target])
        return self.cast(self.node(expr), expr.type, target)

    def parse_datetime(self, text_sql: str, fmt: str) -> str:
        compiled = _compile_format(fmt, needs_date=True)
        pattern = self.param(compiled.pattern, "VARCHAR")
        fmt_sql = self.param(fmt, "VARCHAR")
        return f"try_strptime(regexp_extract({text_sql}, {pattern}, 0), {fmt_sql})"

    def cast(self, sql: str, source: str, target: str) -> str:
        if source == target:
            return sql
        if target == TEXT:
            return f"CAST({sql} AS VARCHAR)"
        if target == NUMBER:
            if source == INTEGER:
                return f"CAST({sql} AS DOUBLE)"
            extracted = f"regexp_extract({sql}, '^{_NUMBER_RE}$', 1)"
            return _not_infinite(f"TRY_CAST({extracted} AS DOUBLE)")
        if target == INTEGER:
            if source == NUMBER:
                return f"TRY_CAST(trunc({sql}) AS BIGINT)"
            return f"TRY_CAST(regexp_extract({sql}, '^{_INTEGER_RE}$', 1) AS BIGINT)"
        if target == TIMESTAMP:
            if source == DATE:
                return f"CAST({sql} AS TIMESTAMP)"
            return self.parse_datetime(sql, "%Y-%m-%d %H:%M:%S")
        if target == DATE:
            if source == TIMESTAMP:
                return f"CAST({sql} AS DATE)"
            return f"CAST({self.parse_datetime(sql, '%Y-%m-%d')} AS DATE)"
        raise AssertionError(f"no conversion from {source} to {target}")  # pragma: no cover

    def node(self, expr: Expr) -> str:
        if isinstance(expr, Literal):
            return self.param(expr.value, _SQL_TYPES[expr.type])
        if isinstance(expr, Column):
            if expr.name not in self.columns:
                hint = did_you_mean(expr.name, self.columns)
                message = f"unknown column `{expr.name}`" + (f"; {hint}" if hint else "")
                raise ExprError(message, expr.column)
            return f"CAST({self.columns[expr.name]} AS VARCHAR)"
        if isinstance(expr, Unary):
            if expr.op == "not":
                return f"(NOT {self.as_type(expr.operand, BOOLEAN)})"
            operand = self.as_type(expr.operand, expr.type)
            if expr.type == INTEGER:
                return f"try(CAST((- {operand}) AS BIGINT))"
            return f"(- {operand})"
        if isinstance(expr, Binary):
            return self.binary(expr)
        if isinstance(expr, In):
            items = [self.as_type(e, expr.operand_type) for e in (expr.operand, *expr.options)]
            places = ", ".join(f"p[{i}]" for i in range(2, len(items) + 1))
            return _over_list(items, f"p[1] {'NOT IN' if expr.negated else 'IN'} ({places})")
        return self.call(expr)

    def binary(self, expr: Binary) -> str:
        op = expr.op
        if op in ("and", "or"):
            left = self.as_type(expr.left, BOOLEAN)
            right = self.as_type(expr.right, BOOLEAN)
            return f"({left} {op.upper()} {right})"
        left = self.as_type(expr.left, expr.operand_type)
        right = self.as_type(expr.right, expr.operand_type)
        if op in _COMPARISONS:
            return f"({left} {_COMPARISONS[op]} {right})"
        if expr.operand_type == TIMESTAMP:
            return f"(CAST(epoch_us({left}) - epoch_us({right}) AS DOUBLE) / 1000000.0)"
        if op == "/":
            return _not_infinite(f"(CAST({left} AS DOUBLE) / CAST({right} AS DOUBLE))")
        if expr.operand_type == INTEGER:
            return f"try(CAST(({left} {op} {right}) AS BIGINT))"
        return _not_infinite(f"({left} {op} {right})")

    def call(self, expr: Call) -> str:
        name, args = expr.name, expr.args
        if name == "if":
            test = self.as_type(args[0], BOOLEAN)
            yes = self.as_type(args[1], expr.type)
            no = self.as_type(args[2], expr.type)
            return f"(CASE WHEN {test} THEN {yes} ELSE {no} END)"
        if name == "case":
            whens = []
            for condition, then in zip(args[:-1:2], args[1::2], strict=True):
                when = self.as_type(condition, BOOLEAN)
                whens.append(f"WHEN {when} THEN {self.as_type(then, expr.type)}")
            default = self.as_type(args[-1], expr.type)
            return f"(CASE {' '.join(whens)} ELSE {default} END)"
        if name == "is_null":
            return f"({self.node(args[0])} IS NULL)"
        if name in ("date", "timestamp"):
            fmt = args[1]
            assert isinstance(fmt, Literal)
            assert isinstance(fmt.value, str)
            parsed = self.parse_datetime(self.as_type(args[0], TEXT), fmt.value)
            return f"CAST({parsed} AS DATE)" if name == "date" else parsed
        values = [self.as_type(a, t) for a, t in zip(args, expr.arg_types, strict=True)]
        joined = ", ".join(values)
        if name == "nullif":
            return _over_list(values, "CASE WHEN p[1] = p[2] THEN NULL ELSE p[1] END")
        if name in ("coalesce", "concat", "lower", "upper", "starts_with"):
            return f"{name}({joined})"
        if name == "trim":
            return f"trim({joined}, ' ' || chr(9) || chr(13) || chr(10))"
        if name == "length":
            return f"CAST(length({joined}) AS BIGINT)"
        if name in ("int", "number", "text"):
            return self.cast(values[0], expr.arg_types[0], expr.type)
        if name == "seconds":
            extracted = f"regexp_extract({joined}, '^{_SECONDS_RE}$', 1)"
            split = f"TRY_CAST(string_split({extracted}, ':') AS DOUBLE[])"
            return _not_infinite(f"try(list_reduce({split}, lambda a, b: a * 60 + b))")
        if name == "add_seconds":
            return _plus_seconds(values[0], values[1])
        # combine(date, seconds)
        day = values[0] if expr.arg_types[0] == DATE else f"CAST({values[0]} AS DATE)"
        return _plus_seconds(f"CAST({day} AS TIMESTAMP)", values[1])
