"""Derived-field expressions: the value types, the error, and the typed syntax tree.

Every node carries its ``type`` (one of the type names below) and the 1-based ``column``
of the expression text it starts at; node equality ignores the column. Parsing and type
checking (:mod:`slalang.expr.parse`) build the tree; the two back ends
(:mod:`slalang.expr.python`, :mod:`slalang.expr.sql`) read it.
"""

from __future__ import annotations

import attrs

TEXT, INTEGER, NUMBER, BOOLEAN, DATE, TIMESTAMP, NULL = (
    "text", "integer", "number", "boolean", "date", "timestamp", "null",
)  # fmt: skip
"""The types of values. ``null`` is the type of the literal ``null`` only."""

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
"""The range of ``integer`` values (64 bits); beyond it a value is null."""

COMPARISONS = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
"""The comparison operators, each with its SQL spelling."""


class ExprError(Exception):
    """A mistake in an expression: a message and the 1-based column it is at.

    The column counts characters from the start of the expression text (newlines
    included), so for a one-line expression it is the ordinary column.
    """

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"column {column}: {message}")
        self.message = message
        self.column = column


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
"""A parsed, type-checked expression. Build one with :func:`slalang.expr.parse.parse_expr`."""


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
