"""Derived-field expressions: type checking of operators and function calls.

Types are never declared: columns are ``text``, literals and functions have fixed types,
and each operator converts its operands to a common type. The ``check_*`` functions take
typed operands, find that common type (or raise :class:`~slalang.expr.ast.ExprError`), and
return the typed node; :mod:`slalang.expr.parse` calls them while it builds the tree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from slalang.diagnostics import did_you_mean
from slalang.expr.ast import (
    BOOLEAN,
    COMPARISONS,
    DATE,
    INTEGER,
    NULL,
    NUMBER,
    TEXT,
    TIMESTAMP,
    Binary,
    Call,
    Expr,
    ExprError,
    In,
    Literal,
    Unary,
)
from slalang.expr.patterns import ROUND_DIGITS, compile_format
from slalang.expr.python import convert_text

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


_SPELLED = {
    INTEGER: "a whole number",
    NUMBER: "a number",
    DATE: "a date (YYYY-MM-DD)",
    TIMESTAMP: "a timestamp (YYYY-MM-DD HH:MM:SS)",
}


def _constant(expr: Expr, target: str, what: str, hint: str = "") -> None:
    """Refuse a text literal that becomes ``target`` here but can never be one.

    Such a conversion gives null in every row (``a + ' '`` or ``wait > 'x'``), so it is a
    mistake in the expression, not in the data.
    """
    if not (isinstance(expr, Literal) and isinstance(expr.value, str)) or target not in _SPELLED:
        return
    if convert_text(expr.value, target) is None:
        shown = repr(expr.value)
        message = f"{what} reads the text {shown} as {_SPELLED[target]}, which it is not"
        raise ExprError(message + hint, expr.column)


def check_unary(op: str, operand: Expr, column: int) -> Unary:
    """Type ``-operand`` or ``not operand``."""
    if op == "not":
        if operand.type not in (BOOLEAN, NULL):
            raise ExprError(f"`not` needs a boolean, got {operand.type}", column)
        return Unary(op, operand, BOOLEAN, column=column)
    if operand.type not in (INTEGER, NUMBER, TEXT, NULL):
        raise ExprError(f"`-` needs a number, got {operand.type}", column)
    _constant(operand, NUMBER, "`-`")
    return Unary(op, operand, INTEGER if operand.type in (INTEGER, NULL) else NUMBER, column=column)


def check_binary(op: str, left: Expr, right: Expr, column: int) -> Binary:
    """Type a logical, comparison or arithmetic operator applied to ``left`` and ``right``."""
    types = (left.type, right.type)
    if op in ("and", "or"):
        for side in types:
            if side not in (BOOLEAN, NULL):
                raise ExprError(f"`{op}` needs booleans, got {side}", column)
        return Binary(op, left, right, BOOLEAN, BOOLEAN, column=column)
    if op in COMPARISONS:
        if NULL in types:
            raise ExprError(f"`{op}` with null is always null; use is_null(...)", column)
        common = _common(list(types), f"`{op}`", column)
        for operand in (left, right):
            _constant(operand, common, f"`{op}`")
        return Binary(op, left, right, common, BOOLEAN, column=column)
    times = {DATE, TIMESTAMP, TEXT, NULL}
    if op == "-" and set(types) <= times and set(types) & {DATE, TIMESTAMP}:
        for operand in (left, right):
            _constant(operand, TIMESTAMP, "`-`")
        return Binary(op, left, right, TIMESTAMP, NUMBER, column=column)
    for side in types:
        if side not in (INTEGER, NUMBER, TEXT, NULL):
            hint = "; use add_seconds(...)" if side in (DATE, TIMESTAMP) else ""
            raise ExprError(f"`{op}` needs numbers, got {side}{hint}", column)
    integral = op != "/" and set(types) <= {INTEGER, NULL}
    kind = INTEGER if integral else NUMBER
    hint = "; join texts with concat(...)" if op == "+" else ""
    for operand in (left, right):
        _constant(operand, kind, f"`{op}`", hint)
    return Binary(op, left, right, kind, kind, column=column)


def check_in(operand: Expr, options: tuple[Expr, ...], negated: bool, column: int) -> In:
    """Type ``operand in (options)`` (``not in`` when ``negated``)."""
    common = _common([operand.type, *(o.type for o in options)], "`in`", column)
    for item in (operand, *options):
        _constant(item, common, "`in`")
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
    "round": _Function("1 or 2 arguments", lambda k: k in (1, 2)),
    "number": _exactly(1),
    "text": _exactly(1),
    "seconds": _exactly(1),
    "dotted_seconds": _exactly(1),
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
    "dotted_seconds": ((TEXT,), NUMBER),
    "add_seconds": ((TIMESTAMP, NUMBER), TIMESTAMP),
    "combine": ((DATE, NUMBER), TIMESTAMP),
}


def check_call(name: str, args: tuple[Expr, ...], column: int) -> Call:
    """Type a call: the function must exist, take that many arguments, and accept their types."""
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
            _constant(arg, target, f"{name}()")
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
        for value in values:
            _constant(value, result, f"{name}()")
        condition_at = {0} if name == "if" else set(range(0, len(args) - 1, 2))
        arg_types = tuple(BOOLEAN if i in condition_at else result for i in range(len(args)))
        return Call(name, args, arg_types, result, column=column)
    if name in ("coalesce", "nullif"):
        result = _common(types, f"{name}()", column)
        for arg in args:
            _constant(arg, result, f"{name}()")
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
    if name == "round":
        return _check_round(args, column)
    # date(s, format) and timestamp(s, format)
    fmt = args[1]
    if not isinstance(fmt, Literal) or not isinstance(fmt.value, str):
        raise ExprError(f"the format of {name}() must be a string literal", fmt.column)
    try:
        compile_format(fmt.value, needs_date=True)
    except ValueError as error:
        message, offset = error.args
        at = fmt.column + 1 + offset if offset >= 0 else fmt.column
        raise ExprError(f"bad format: {message}", at) from None
    if not _converts(types[0], TEXT):  # pragma: no cover - everything converts to text
        raise ExprError(f"{name}() needs text", args[0].column)
    return Call(name, args, (TEXT, TEXT), DATE if name == "date" else TIMESTAMP, column=column)


def _check_round(args: tuple[Expr, ...], column: int) -> Call:
    """``round(x)``, an integer, and ``round(x, digits)``, a number; ``digits`` is a literal."""
    kind = args[0].type
    if kind not in (TEXT, INTEGER, NUMBER, NULL):
        raise ExprError(f"round() needs text or a number, got {kind}", args[0].column)
    _constant(args[0], NUMBER, "round()")
    if len(args) == 1:
        source = INTEGER if kind == INTEGER else NUMBER
        return Call("round", args, (source,), INTEGER, column=column)
    digits = args[1]
    if not (
        isinstance(digits, Literal)
        and isinstance(digits.value, int)
        and not isinstance(digits.value, bool)
        and 0 <= digits.value <= ROUND_DIGITS
    ):
        raise ExprError(
            f"the digits of round() must be a whole number from 0 to {ROUND_DIGITS}", digits.column
        )
    return Call("round", args, (NUMBER, INTEGER), NUMBER, column=column)
