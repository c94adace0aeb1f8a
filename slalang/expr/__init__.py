"""Derived fields: the restricted expression language of data profiles.

A data profile maps a vendor export onto a canonical table; a derived field is an
expression over the export's raw columns, all of which arrive as text. An expression is
parsed (grammar ``grammar/expr.lark``, shipped in the wheel as
``slalang/grammar/expr.lark``), its types inferred, and it runs on two back ends with one
meaning: :func:`evaluate`, a slow and obvious reference interpreter over one row, and
:func:`to_sql`, which compiles to a DuckDB expression with every literal passed as a
parameter. The tests run both on the same rows and require the same answers.

Types are never declared: columns are ``text``, literals and functions have fixed types,
and each operator converts its operands to a common type (text to number for arithmetic
and for comparison with numbers, text to date or timestamp in ISO form, anything to
text). Conversions that cannot succeed give null; mixing types that have no common type
(a boolean with a number, say) is an :class:`ExprError` at parse time. Numbers are finite:
an overflow gives null, like a division by zero.

This module is the language's public face; the work is done in

- :mod:`slalang.expr.ast`: the value types, :class:`ExprError` and the typed syntax tree;
- :mod:`slalang.expr.parse`: text to tree, with :mod:`slalang.expr.check` typing each node;
- :mod:`slalang.expr.patterns`: the number, duration and date patterns both back ends use;
- :mod:`slalang.expr.python`: :func:`evaluate`;
- :mod:`slalang.expr.sql`: :func:`to_sql`.
"""

from __future__ import annotations

from slalang.expr.ast import Column, Expr, ExprError, Literal, columns_of, type_of
from slalang.expr.parse import MAX_DEPTH, parse_expr
from slalang.expr.python import evaluate, lower_text, upper_text
from slalang.expr.sql import Compiled, to_sql

__all__ = [
    "MAX_DEPTH",
    "Column",
    "Compiled",
    "Expr",
    "ExprError",
    "Literal",
    "columns_of",
    "evaluate",
    "lower_text",
    "parse_expr",
    "to_sql",
    "type_of",
    "upper_text",
]
