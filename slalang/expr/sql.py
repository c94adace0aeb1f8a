"""Derived-field expressions: compiling to a DuckDB SQL expression with bound parameters.

:func:`to_sql` gives an expression the meaning of the reference interpreter
(:func:`slalang.expr.python.evaluate`) over VARCHAR columns. No text of the expression
reaches the SQL string: every literal, and every pattern derived from a date format, is a
``?`` placeholder. Values that DuckDB would repeat or let overflow are bound once in list
lambdas and kept finite and in range.
"""

from __future__ import annotations

from collections.abc import Mapping

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
    Column,
    Expr,
    ExprError,
    In,
    Literal,
    Unary,
    type_of,
)
from slalang.expr.patterns import (
    DOTTED_SECONDS_RE,
    INTEGER_RE,
    ISO_DATE,
    ISO_TIMESTAMP,
    NUMBER_RE,
    SECONDS_RE,
    compile_format,
)

_SQL_TYPES = {
    TEXT: "VARCHAR", INTEGER: "BIGINT", NUMBER: "DOUBLE", BOOLEAN: "BOOLEAN", DATE: "DATE",
    TIMESTAMP: "TIMESTAMP", NULL: "VARCHAR",
}  # fmt: skip


@attrs.frozen
class Compiled:
    """A DuckDB SQL expression and the values of its ``?`` placeholders, in order."""

    sql: str
    params: tuple[object, ...]


def to_sql(expr: Expr, *, columns: Mapping[str, str]) -> Compiled:
    """Compile an expression to a DuckDB SQL expression with the meaning of ``evaluate``.

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
        compiled = compile_format(fmt, needs_date=True)
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
            extracted = f"regexp_extract({sql}, '^{NUMBER_RE}$', 1)"
            return _not_infinite(f"TRY_CAST({extracted} AS DOUBLE)")
        if target == INTEGER:
            if source == NUMBER:
                return f"TRY_CAST(trunc({sql}) AS BIGINT)"
            return f"TRY_CAST(regexp_extract({sql}, '^{INTEGER_RE}$', 1) AS BIGINT)"
        if target == TIMESTAMP:
            if source == DATE:
                return f"CAST({sql} AS TIMESTAMP)"
            return self.parse_datetime(sql, ISO_TIMESTAMP)
        if target == DATE:
            if source == TIMESTAMP:
                return f"CAST({sql} AS DATE)"
            return f"CAST({self.parse_datetime(sql, ISO_DATE)} AS DATE)"
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
        if op in COMPARISONS:
            return f"({left} {COMPARISONS[op]} {right})"
        if expr.operand_type == TIMESTAMP:
            return f"(CAST(epoch_us({left}) - epoch_us({right}) AS DOUBLE) / 1000000.0)"
        if op == "/":
            return _not_infinite(f"(CAST({left} AS DOUBLE) / CAST({right} AS DOUBLE))")
        if expr.operand_type == INTEGER:
            return f"try(CAST(({left} {op} {right}) AS BIGINT))"
        return _not_infinite(f"({left} {op} {right})")

    def round(self, expr: Call, value: str) -> str:
        """``round(x)`` and ``round(x, digits)``: half away from zero, step by step as
        :func:`slalang.expr.python.round_digits` does it."""
        if expr.arg_types[0] == INTEGER:
            return value
        digits = expr.args[1] if len(expr.args) == 2 else None
        scale = 1.0
        if digits is not None:
            assert isinstance(digits, Literal)
            assert isinstance(digits.value, int)
            scale = 10.0**digits.value
        # p[1] is the value, p[2] the scale; a is |value| * scale and w its rounding
        a = "(abs(p[1]) * p[2])"
        w = f"(floor({a}) + CASE WHEN {a} - floor({a}) >= 0.5 THEN 1 ELSE 0 END)"
        if digits is None:
            body = f"CASE WHEN isfinite({a}) THEN TRY_CAST(sign(p[1]) * {w} AS BIGINT) END"
        else:
            body = (
                f"CASE WHEN NOT isfinite({a}) THEN NULL WHEN {w} = 0 THEN CAST(0 AS DOUBLE) "
                f"ELSE sign(p[1]) * {w} / p[2] END"
            )
        result = _over_list([value, self.param(scale, "DOUBLE")], body)
        return result if digits is None else _not_infinite(result)

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
        if name == "round":  # the digits are a literal, bound as a scale instead
            return self.round(expr, self.as_type(args[0], expr.arg_types[0]))
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
        if name in ("seconds", "dotted_seconds"):
            pattern, mark = (SECONDS_RE, ":") if name == "seconds" else (DOTTED_SECONDS_RE, ".")
            extracted = f"regexp_extract({joined}, '^{pattern}$', 1)"
            split = f"TRY_CAST(string_split({extracted}, '{mark}') AS DOUBLE[])"
            return _not_infinite(f"try(list_reduce({split}, lambda a, b: a * 60 + b))")
        if name == "add_seconds":
            return _plus_seconds(values[0], values[1])
        # combine(date, seconds)
        day = values[0] if expr.arg_types[0] == DATE else f"CAST({values[0]} AS DATE)"
        return _plus_seconds(f"CAST({day} AS TIMESTAMP)", values[1])
