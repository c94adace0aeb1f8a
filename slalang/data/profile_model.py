"""Data profiles, the model: what a checked profile holds, and the canonical field types.

:class:`Profile` is a checked profile as :mod:`slalang.data.profiles` reads it from YAML:
the table kind it feeds, how the export is read, and a :class:`FieldMap` per mapped field
and a :class:`Rule` per ``exclude`` or ``validate`` rule. :func:`field_type` gives the
storage type of any field a canonical table can have, pattern fields included.
"""

from __future__ import annotations

import re

import attrs

from slalang.expr import Expr, columns_of
from slalang.lang.canonical import CHANNELS, OUTCOMES, TABLES, Table
from slalang.source import Source, Span

FORMATS = ("csv", "tsv", "parquet", "jsonl", "yaml")
"""File formats a profile can read."""

TEXT_FORMATS = ("csv", "tsv")
"""Formats with a delimiter, a header line, a quote character and an encoding."""

ENCODINGS = ("utf-8", "utf-16", "latin-1")
"""Encodings of delimited text exports."""

TYPES = ("text", "integer", "number", "boolean", "timestamp", "date")
"""Canonical storage types (see :mod:`slalang.lang.canonical`)."""

ALLOWED_VALUES: dict[str, tuple[str, ...]] = {"outcome": OUTCOMES, "channel": CHANNELS}
"""Text fields whose values are a closed set; other values make a row malformed."""

BOOLEAN_SPELLINGS: dict[bool, tuple[str, ...]] = {
    True: ("true", "t", "yes", "y", "1"),
    False: ("false", "f", "no", "n", "0"),
}
"""The texts a boolean field reads, in any letter case, after trimming spaces (``docs/data.md``
lists them); any other non-empty text is an unparsable value."""

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
"""A plain name: what extra fields and QA criteria are called."""
_BUCKET = re.compile(r"(answered|abandoned)_within_[0-9]+\Z")


@attrs.frozen
class FieldMap:
    """Where one field of the canonical table comes from.

    Exactly one of ``column``, ``value`` and ``expr`` is set.

    Attributes:
        name: the canonical field (or an extra field such as ``answered_within_20``).
        type: its storage type, one of :data:`TYPES`.
        column: the export column copied into the field, converted to ``type``.
        value: a literal written into every row.
        expr: a parsed expression over the export's columns.
        text: the expression as written (empty for columns and values).
        nullable: the expression gives null on purpose for some rows, so a null
            result from non-empty columns is not reported as unparsable.
        optional: the column may be missing from the file; the field is then
            null (or, for pattern fields such as ``answered_within_30``, absent).
        span: where the field is named in the profile.
        source_span: where its column, value or expression is written.
    """

    name: str
    type: str
    column: str | None = None
    value: str | int | float | bool | None = None
    expr: Expr | None = attrs.field(default=None, eq=False)
    text: str = ""
    nullable: bool = False
    optional: bool = False
    span: Span | None = attrs.field(default=None, eq=False)
    source_span: Span | None = attrs.field(default=None, eq=False)

    @property
    def kind(self) -> str:
        """``column``, ``value`` or ``expr``."""
        if self.column is not None:
            return "column"
        if self.expr is not None:
            return "expr"
        return "value"

    @property
    def columns(self) -> frozenset[str]:
        """The export columns this field reads."""
        if self.column is not None:
            return frozenset((self.column,))
        if self.expr is not None:
            return columns_of(self.expr)
        return frozenset()


@attrs.frozen
class Rule:
    """An ``exclude`` or ``validate`` rule: rows where ``when`` is true match."""

    when: Expr = attrs.field(eq=False)
    text: str
    reason: str
    span: Span | None = attrs.field(default=None, eq=False)

    @property
    def columns(self) -> frozenset[str]:
        """The export columns the rule reads."""
        return columns_of(self.when)


@attrs.frozen(eq=False)
class Profile:
    """A checked data profile.

    Attributes:
        name: the profile's name.
        description: one paragraph saying what export it reads.
        kind: the canonical table it feeds (a key of :data:`slalang.lang.canonical.TABLES`).
        format: one of :data:`FORMATS`.
        delimiter, header, quote, encoding: how delimited text is read.
        timezone: the IANA zone of the export's wall-clock times, or ``None`` when
            they are already in the contract's zone.
        fields: the mapped fields, in the order written.
        exclude: rules that set rows aside, counted by reason.
        validate: rules that mark rows malformed.
        source: the profile text, for reports.
    """

    name: str
    description: str
    kind: str
    format: str
    delimiter: str
    header: bool
    quote: str
    encoding: str
    timezone: str | None
    fields: tuple[FieldMap, ...]
    exclude: tuple[Rule, ...]
    validate: tuple[Rule, ...]
    source: Source

    @property
    def table(self) -> Table:
        """The canonical table this profile feeds."""
        return TABLES[self.kind]

    @property
    def path(self) -> str:
        """The profile's path as shown in diagnostics."""
        return self.source.path

    def field(self, name: str) -> FieldMap | None:
        """The mapping of one field, if the profile maps it."""
        return next((f for f in self.fields if f.name == name), None)

    @property
    def columns(self) -> frozenset[str]:
        """Every export column the profile reads."""
        used: set[str] = set()
        for field in self.fields:
            used |= field.columns
        for rule in (*self.exclude, *self.validate):
            used |= rule.columns
        return frozenset(used)


DEFAULT_PROFILES = {
    "contacts": "generic-contacts",
    "intervals": "interval-csv",
    "surveys": "generic-surveys",
    "adherence": "generic-adherence",
    "forecasts": "generic-forecasts",
}
"""The bundled profile a source reads when it names none, by kind. QA audits have none: their
criteria are columns whose names only the source's own profile can give."""


def field_type(kind: str, name: str) -> str | None:
    """The storage type of a field of a canonical table, including pattern fields.

    ``answered_within_20`` and the like are integers in interval reports; QA
    criteria are text in audits. Returns ``None`` for names the table cannot have.
    """
    table = TABLES[kind]
    known = table.field(name)
    if known is not None and not name.startswith("<") and not name.endswith("_T"):
        return known.type
    if kind == "intervals" and _BUCKET.match(name):
        return "integer"
    if kind == "audits" and IDENTIFIER.match(name):
        return "text"
    return None


def canonical_names(kind: str) -> tuple[str, ...]:
    """The concrete canonical field names of a table (without pattern fields)."""
    return tuple(
        f.name for f in TABLES[kind].fields if not f.name.startswith("<") and "_T" not in f.name
    )
