"""Derived-field expressions: the reference interpreter, over one row in Python.

:func:`evaluate` is slow and obvious on purpose: it states the meaning that
:func:`slalang.expr.sql.to_sql` must reproduce in DuckDB, and the tests run both on the same
rows and require the same answers. That includes DuckDB's ways with values: numbers print
as the shortest ``repr``, case mapping goes one code point at a time, integers are 64 bits,
and an overflow, a division by zero or a text that does not convert gives null.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping

from slalang.expr.ast import (
    COMPARISONS,
    DATE,
    INT_MAX,
    INT_MIN,
    INTEGER,
    NUMBER,
    TEXT,
    TIMESTAMP,
    Binary,
    Call,
    Column,
    Expr,
    ExprError,
    In,
    Literal,
    Unary,
)
from slalang.expr.patterns import (
    DOTTED_SECONDS_RE,
    INTEGER_RE,
    ISO_DATE,
    ISO_TIMESTAMP,
    NUMBER_RE,
    SECONDS_RE,
    Format,
    compile_format,
)

_TRIM = " \t\r\n"
_ISO_DATE = compile_format(ISO_DATE, needs_date=True)
_ISO_TIMESTAMP = compile_format(ISO_TIMESTAMP, needs_date=True)


# ===================================================================
# Values: conversions that match DuckDB's
# ===================================================================


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _int64(value: int) -> int | None:
    return value if INT_MIN <= value <= INT_MAX else None


def _half_away(magnitude: float) -> float | None:
    """A magnitude (zero or more) rounded to a whole number, halves up; None when infinite."""
    if not math.isfinite(magnitude):
        return None
    whole = float(math.floor(magnitude))
    return whole + 1.0 if magnitude - whole >= 0.5 else whole


def _round_half_away(value: float) -> int | None:
    whole = _half_away(abs(value))
    if whole is None:
        return None
    return _int64(int(math.copysign(whole, value)) if whole else 0)


def round_digits(value: float, digits: int) -> float | None:
    """``value`` rounded half away from zero to ``digits`` decimals, as ``round(x, digits)``.

    The steps are those of the SQL: ``|value| * 10^digits`` rounded half up, the sign put
    back, divided by ``10^digits``; each is one IEEE operation, so both back ends agree.
    """
    scale = 10.0**digits
    whole = _half_away(abs(value) * scale)
    if whole is None:
        return None
    return _finite(math.copysign(whole, value) / scale) if whole else 0.0


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


def _parse_datetime(text: str, fmt: Format) -> dt.datetime | None:
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
# The interpreter
# ===================================================================


def evaluate(expr: Expr, row: Mapping[str, object | None]) -> object | None:
    """Evaluate an expression over one row, with exactly the meaning of SQL from ``to_sql``.

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
        match = re.fullmatch(NUMBER_RE, value)
        return _finite(float(match.group(1))) if match else None
    if target == INTEGER:
        if source == NUMBER:
            assert isinstance(value, float)
            return _int64(math.trunc(value))
        assert isinstance(value, str)
        match = re.fullmatch(INTEGER_RE, value)
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


def convert_text(value: str, target: str) -> object | None:
    """A text converted to ``target`` as an expression converts it: null when it cannot be."""
    return _cast(value, TEXT, target)


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
    if op in COMPARISONS:
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
        parsed = _parse_datetime(text, compile_format(fmt, needs_date=True))
        return parsed.date() if parsed and name == "date" else parsed
    if name in ("int", "number", "text"):
        return _cast(values[0], expr.arg_types[0], expr.type)
    if name == "round":
        return _round(values, expr.arg_types[0])
    if any(v is None for v in values):
        return None
    return _FUNCTIONS_PY[name](*values)


def _seconds(text: str) -> float | None:
    match = re.fullmatch(SECONDS_RE, text)
    if match is None:
        return None
    total: float | None = None
    for part in match.group(1).split(":"):
        total = float(part) if total is None else total * 60 + float(part)
    return None if total is None else _finite(total)


def _dotted_seconds(text: str) -> float | None:
    match = re.fullmatch(DOTTED_SECONDS_RE, text)
    if match is None:
        return None
    hours, minutes, seconds = (float(part) for part in match.group(1).split("."))
    return _finite((hours * 60 + minutes) * 60 + seconds)


def _round(values: list[object | None], source: str) -> object | None:
    value = values[0]
    if value is None:
        return None
    if source == INTEGER:
        return value  # a whole number is its own rounding
    assert isinstance(value, float)
    if len(values) == 1:
        return _round_half_away(value)
    digits = values[1]
    assert isinstance(digits, int)
    return round_digits(value, digits)


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
    "dotted_seconds": _dotted_seconds,
    "add_seconds": _add_micros,
    "combine": _combine,
}
