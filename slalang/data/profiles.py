"""Data profiles: how a vendor export maps onto a canonical data set.

A profile is a small YAML file. It names the canonical table it feeds
(:data:`slalang.lang.canonical.TABLES`), the file format of the export, the export's
wall-clock time zone, and for each canonical field where its value comes from:
a column of the export, a literal value, or an expression of the restricted
expression language (:mod:`slalang.expr`). ``exclude`` rules set rows aside
with a counted reason; ``validate`` rules mark rows malformed. The format is
documented in ``docs/data.md``.

Loading a profile checks it completely and reports every mistake as a
:class:`~slalang.diagnostics.Diagnostic` (codes ``E8xx``) with the profile
file's path, line and column; it never raises for a bad profile. Bundled
profiles live in the ``profiles`` folder of this package; the types of a checked profile are
in :mod:`slalang.data.profile_model`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path

import attrs
import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from slalang.codes import diag
from slalang.data.profile_model import (
    ALLOWED_VALUES,
    DEFAULT_PROFILES,
    ENCODINGS,
    FORMATS,
    IDENTIFIER,
    TEXT_FORMATS,
    TYPES,
    FieldMap,
    Profile,
    Rule,
    canonical_names,
    field_type,
)
from slalang.diagnostics import Diagnostic, did_you_mean
from slalang.expr import Expr, ExprError, parse_expr, type_of
from slalang.lang.canonical import TABLES, where_field_belongs
from slalang.lang.units import time_zone
from slalang.source import MAX_SOURCE_BYTES, Source, Span, read_limited

__all__ = [
    "ALLOWED_VALUES",
    "DEFAULT_PROFILES",
    "ENCODINGS",
    "FORMATS",
    "TEXT_FORMATS",
    "TYPES",
    "FieldMap",
    "Profile",
    "Rule",
    "bundled_names",
    "canonical_names",
    "check_columns",
    "check_data_path",
    "field_type",
    "is_path",
    "load_profile",
    "parse_profile",
    "profile_path",
]

_TOP_KEYS = (
    "name",
    "description",
    "kind",
    "format",
    "delimiter",
    "header",
    "quote",
    "encoding",
    "timezone",
    "fields",
    "exclude",
    "validate",
)
_REQUIRED_TOP = ("name", "kind", "format", "fields")
_FIELD_KEYS = ("column", "value", "expr", "type", "nullable", "optional", "doc")
_RULE_KEYS = ("when", "reason")
_FITS: dict[str, frozenset[str]] = {
    "text": frozenset(TYPES),
    "integer": frozenset({"integer", "number", "text"}),
    "number": frozenset({"integer", "number", "text"}),
    "boolean": frozenset({"boolean", "text"}),
    "timestamp": frozenset({"timestamp", "date", "text"}),
    "date": frozenset({"date", "timestamp", "text"}),
}
"""Which expression result types can be stored in a field of each type."""
_BUNDLED_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\Z")


def bundled_names() -> tuple[str, ...]:
    """The names of the profiles shipped with slalang, sorted."""
    folder = resources.files("slalang.data") / "profiles"
    return tuple(
        sorted(
            entry.name.removesuffix(".yaml")
            for entry in folder.iterdir()
            if entry.name.endswith(".yaml")
        )
    )


def is_path(name_or_path: str) -> bool:
    """Whether a profile reference is a file path rather than a bundled name."""
    return "/" in name_or_path or "\\" in name_or_path or name_or_path.endswith((".yaml", ".yml"))


def profile_path(name_or_path: str, base: Path | None) -> Path:
    """Where a profile given as a path is read from: relative paths start at ``base``."""
    path = Path(name_or_path)
    return base / path if not path.is_absolute() and base is not None else path


def load_profile(
    name_or_path: str, *, base: Path | None = None
) -> tuple[Profile | None, list[Diagnostic]]:
    """Find, read and check a profile.

    Args:
        name_or_path: a bundled profile name such as ``anonymous-bank``, or a path
            (it contains ``/`` or ends in ``.yaml``) to a profile file.
        base: the folder relative paths are resolved from (the contract's folder);
            the current folder when ``None``.

    Returns:
        The profile (``None`` when it has errors) and the diagnostics found.
    """
    if is_path(name_or_path):
        path = profile_path(name_or_path, base)
        display = str(path)
        try:
            data = read_limited(path)
        except OSError as error:
            reason = error.strerror or str(error)
            return None, [diag("E801", f"cannot read profile `{display}`: {reason}", None)]
    else:
        if _BUNDLED_NAME.match(name_or_path) is None or name_or_path not in bundled_names():
            return None, [
                diag(
                    "E801",
                    f"no bundled profile named `{name_or_path}`",
                    None,
                    help=did_you_mean(name_or_path, bundled_names())
                    or "give a path to a profile file instead",
                )
            ]
        entry = resources.files("slalang.data") / "profiles" / f"{name_or_path}.yaml"
        data = entry.read_bytes()
        display = f"slalang/data/profiles/{name_or_path}.yaml"
    if len(data) > MAX_SOURCE_BYTES:
        message = f"profile `{display}` is larger than the {MAX_SOURCE_BYTES:,}-byte limit"
        return None, [diag("E801", message, None)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        message = f"profile `{display}` is not UTF-8 (byte {error.start})"
        return None, [diag("E801", message, None)]
    return parse_profile(text, path=display)


def parse_profile(text: str, *, path: str) -> tuple[Profile | None, list[Diagnostic]]:
    """Check profile text.

    Args:
        text: the YAML text of the profile.
        path: the name shown in diagnostics.

    Returns:
        The profile (``None`` when there are errors) and the diagnostics.
    """
    source = Source(path, text)
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        span = source.span(mark.index, mark.index + 1) if mark is not None else None
        message = f"profile is not valid YAML: {error.problem or error.context or 'syntax error'}"
        return None, [diag("E802", message, span)]
    except yaml.YAMLError as error:
        return None, [diag("E802", f"profile is not valid YAML: {error}", None)]
    if len(nodes) != 1:
        span = _span(source, nodes[1]) if len(nodes) > 1 else source.span(0, 0)
        what = "is empty" if not nodes else "holds more than one YAML document"
        return None, [diag("E802", f"profile {what}", span)]
    return _Reader(source).profile(nodes[0])


def check_columns(profile: Profile, columns: Iterable[str]) -> list[Diagnostic]:
    """Report every column the profile reads that the export does not have.

    Args:
        profile: a checked profile.
        columns: the column names of the export (from its header or schema).

    Returns:
        One ``E811`` diagnostic per missing column and place it is used.
    """
    present = set(columns)
    found: list[Diagnostic] = []
    places: list[tuple[frozenset[str], Span | None, str]] = [
        (f.columns, f.source_span, f"field `{f.name}`") for f in profile.fields if not f.optional
    ]
    places += [(r.columns, r.span, "a rule") for r in (*profile.exclude, *profile.validate)]
    for used, where, what in places:
        for column in sorted(used - present):
            found.append(
                diag(
                    "E811",
                    f"column `{column}` is not in the data file",
                    where,
                    label=f"read by {what}",
                    help=did_you_mean(column, present),
                )
            )
    return found


def check_data_path(path: Path, *, shown: str | None = None) -> list[Diagnostic]:
    """Report a data file that does not exist or is not a regular file (``E812``).

    Args:
        path: the data file.
        shown: how to name it in the message (default: the path as given).
    """
    name = str(path) if shown is None else shown
    if not path.exists():
        return [diag("E812", f"cannot read data file `{name}`: no such file", None)]
    if not path.is_file():
        return [diag("E812", f"cannot read data file `{name}`: not a regular file", None)]
    return []


# ---------------------------------------------------------------------------
# Reading the YAML node tree
# ---------------------------------------------------------------------------


def _span(source: Source, node: yaml.Node) -> Span:
    return source.span(node.start_mark.index, node.end_mark.index)


class _Reader:
    """Walks a composed YAML tree and collects diagnostics."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.found: list[Diagnostic] = []
        self._constructor = SafeConstructor()

    def error(
        self, code: str, message: str, node: yaml.Node | None, *, label: str = "", help: str = ""
    ) -> None:
        span = _span(self.source, node) if node is not None else None
        self.found.append(diag(code, message, span, label=label, help=help))

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The entries of a mapping node by key; reports a wrong shape or a repeated key."""
        if not isinstance(node, yaml.MappingNode):
            self.error("E803", f"{what} must be a mapping of `key: value` entries", node)
            return {}
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                self.error("E803", f"keys of {what} must be plain names", key)
                continue
            if key.value in entries:
                self.error("E803", f"`{key.value}` is given twice in {what}", key)
                continue
            entries[key.value] = (key, value)
        return entries

    def text(self, node: yaml.Node, what: str) -> str | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
            return str(node.value)
        self.error("E803", f"{what} must be text", node)
        return None

    def boolean(self, node: yaml.Node, what: str) -> bool | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
            return bool(self._constructor.construct_object(node))
        self.error("E803", f"{what} must be `true` or `false`", node)
        return None

    def choice(self, node: yaml.Node, what: str, choices: Sequence[str]) -> str | None:
        value = self.text(node, what)
        if value is None:
            return None
        if value not in choices:
            self.error(
                "E805",
                f"unknown {what} `{value}`",
                node,
                help=did_you_mean(value, choices),
            )
            return None
        return value

    def literal(self, node: yaml.Node) -> tuple[bool, str | int | float | bool | None]:
        if not isinstance(node, yaml.ScalarNode):
            self.error("E803", "a `value` must be a single text, number or boolean", node)
            return False, None
        try:
            value = self._constructor.construct_object(node)
        except ConstructorError:
            self.error("E803", "a `value` must be a single text, number or boolean", node)
            return False, None
        if value is None or isinstance(value, str | int | float | bool):
            return True, value
        return True, str(node.value)

    def expression(self, node: yaml.Node, what: str) -> tuple[Expr | None, str]:
        text = self.text(node, what)
        if text is None:
            return None, ""
        try:
            return parse_expr(text), text
        except ExprError as error:
            self.found.append(
                diag(
                    "E808",
                    f"bad expression in {what}, `{_shorten(text)}`: {error.message}",
                    self._expr_span(node, text, error.column),
                )
            )
            return None, text

    def _expr_span(self, node: yaml.Node, text: str, column: int | None) -> Span:
        """Point inside a single-line plain or quoted expression; else at the whole value."""
        whole = _span(self.source, node)
        if column is None or "\n" in text or not isinstance(node, yaml.ScalarNode):
            return whole
        style = node.style or ""
        start = node.start_mark.index + (1 if style in ("'", '"') else 0)
        if style in ("|", ">"):
            return whole
        raw = self.source.text[start : start + len(text)]
        if raw != text:  # escapes in a quoted string: offsets would not line up
            return whole
        offset = min(max(column - 1, 0), len(text))
        return self.source.span(start + offset, start + min(offset + 1, len(text)))

    # --- the profile ----------------------------------------------------------------

    def profile(self, root: yaml.Node) -> tuple[Profile | None, list[Diagnostic]]:
        entries = self.mapping(root, "a profile")
        if not isinstance(root, yaml.MappingNode):
            return None, self.found
        for key, (key_node, _) in entries.items():
            if key not in _TOP_KEYS:
                self.error(
                    "E803",
                    f"unknown profile setting `{key}`",
                    key_node,
                    help=did_you_mean(key, _TOP_KEYS),
                )
        for key in _REQUIRED_TOP:
            if key not in entries:
                self.error(
                    "E804", f"profile has no `{key}`", root.value[0][0] if root.value else root
                )
        name = self._get_text(entries, "name")
        description = self._get_text(entries, "description") or ""
        kind = None
        if "kind" in entries:
            kind = self.choice(entries["kind"][1], "table kind", tuple(TABLES))
        fmt = None
        if "format" in entries:
            fmt = self.choice(entries["format"][1], "file format", FORMATS)
        delimiter, header, quote, encoding = self._text_options(entries, fmt)
        timezone = self._timezone(entries)
        fields: tuple[FieldMap, ...] = ()
        if "fields" in entries and kind is not None:
            fields = self._fields(entries["fields"][1], kind)
        exclude = self._rules(entries, "exclude")
        validate = self._rules(entries, "validate")
        if self.found or name is None or kind is None or fmt is None:
            return None, self.found
        profile = Profile(
            name=name,
            description=description,
            kind=kind,
            format=fmt,
            delimiter=delimiter,
            header=header,
            quote=quote,
            encoding=encoding,
            timezone=timezone,
            fields=fields,
            exclude=exclude,
            validate=validate,
            source=self.source,
        )
        return profile, self.found

    def _get_text(self, entries: Mapping[str, tuple[yaml.Node, yaml.Node]], key: str) -> str | None:
        if key not in entries:
            return None
        return self.text(entries[key][1], f"`{key}`")

    def _text_options(
        self, entries: Mapping[str, tuple[yaml.Node, yaml.Node]], fmt: str | None
    ) -> tuple[str, bool, str, str]:
        delimiter = "\t" if fmt == "tsv" else ","
        header, quote, encoding = True, '"', "utf-8"
        for key in ("delimiter", "header", "quote", "encoding"):
            if key not in entries:
                continue
            key_node, node = entries[key]
            if fmt is not None and fmt not in TEXT_FORMATS:
                self.error("E803", f"`{key}` only applies to csv and tsv files", key_node)
                continue
            if key == "header":
                header = bool(self.boolean(node, "`header`"))
            elif key == "encoding":
                encoding = self.choice(node, "encoding", ENCODINGS) or encoding
            else:
                value = self.text(node, f"`{key}`")
                if value is None:
                    continue
                if len(value) != 1 and not (key == "quote" and value == ""):
                    self.error("E805", f"`{key}` must be a single character", node)
                elif value in ("\n", "\r"):
                    self.error("E805", f"`{key}` cannot be a line break", node)
                elif key == "delimiter":
                    delimiter = value
                else:
                    quote = value
        if quote and quote == delimiter:
            self.error("E805", "the quote character and the delimiter are the same", None)
        return delimiter, header, quote, encoding

    def _timezone(self, entries: Mapping[str, tuple[yaml.Node, yaml.Node]]) -> str | None:
        if "timezone" not in entries:
            return None
        node = entries["timezone"][1]
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return None
        value = self.text(node, "`timezone`")
        if value is None:
            return None
        if time_zone(value) is None:
            self.error(
                "E809",
                f"unknown time zone `{value}`",
                node,
                help="time zones are IANA names such as `America/Chicago`",
            )
            return None
        return value

    def _fields(self, node: yaml.Node, kind: str) -> tuple[FieldMap, ...]:
        entries = self.mapping(node, "`fields`")
        result: list[FieldMap] = []
        for name, (key_node, value_node) in entries.items():
            item = self._field(name, key_node, value_node, kind)
            if item is not None:
                result.append(item)
        for field in TABLES[kind].fields:
            if field.required and field.name not in entries:
                self.error(
                    "E810",
                    f"required field `{field.name}` is not mapped",
                    node,
                    label=f"`fields` of a {kind} profile",
                    help=f"add `{field.name}:` with a `column`, `value` or `expr`",
                )
        return tuple(result)

    def _field(self, name: str, key_node: yaml.Node, node: yaml.Node, kind: str) -> FieldMap | None:
        canonical = field_type(kind, name)
        entries = self.mapping(node, f"field `{name}`")
        if not isinstance(node, yaml.MappingNode):
            return None
        for key, (sub_key, _) in entries.items():
            if key not in _FIELD_KEYS:
                self.error(
                    "E803",
                    f"unknown setting `{key}` in field `{name}`",
                    sub_key,
                    help=did_you_mean(key, _FIELD_KEYS),
                )
        declared = None
        if "type" in entries:
            declared = self.choice(entries["type"][1], "type", TYPES)
        if canonical is None:
            if declared is None or IDENTIFIER.match(name) is None:
                self.error(
                    "E806",
                    f"`{name}` is not a field of the {kind} table",
                    key_node,
                    help=where_field_belongs(name, kind)
                    or did_you_mean(name, canonical_names(kind))
                    or "an extra field needs a `type` and a plain name",
                )
                return None
            canonical = declared
        elif declared is not None and declared != canonical:
            self.error(
                "E805",
                f"field `{name}` is {canonical} in the {kind} table, not {declared}",
                entries["type"][1],
            )
        given = [key for key in ("column", "value", "expr") if key in entries]
        if len(given) != 1:
            what = "none" if not given else " and ".join(f"`{k}`" for k in given)
            self.error(
                "E807",
                f"field `{name}` needs exactly one of `column`, `value` or `expr`, not {what}",
                key_node,
            )
            return None
        (source_key,) = given
        source_node = entries[source_key][1]
        nullable = False
        if "nullable" in entries:
            nullable = bool(self.boolean(entries["nullable"][1], "`nullable`"))
            if source_key != "expr":
                self.error("E803", "`nullable` only applies to an `expr`", entries["nullable"][0])
        optional = False
        if "optional" in entries:
            optional = bool(self.boolean(entries["optional"][1], "`optional`"))
            if source_key != "column":
                self.error("E803", "`optional` only applies to a `column`", entries["optional"][0])
            elif optional and name in _required_names(kind):
                message = f"required field `{name}` cannot be optional"
                self.error("E805", message, entries["optional"][1])
        base = FieldMap(
            name=name,
            type=canonical,
            nullable=nullable,
            optional=optional,
            span=_span(self.source, key_node),
            source_span=_span(self.source, source_node),
        )
        if source_key == "column":
            column = self.text(source_node, "`column`")
            if column is None:
                return None
            if column == "":
                self.error("E805", "`column` cannot be empty", source_node)
                return None
            return attrs.evolve(base, column=column)
        if source_key == "value":
            ok, value = self.literal(source_node)
            if not ok:
                return None
            if not self._literal_fits(value, canonical, name, source_node):
                return None
            return attrs.evolve(base, value=value)
        expr, text = self.expression(source_node, f"field `{name}`")
        if expr is None:
            return None
        result = type_of(expr)
        if result not in _FITS[canonical]:
            self.error(
                "E808",
                f"expression of field `{name}`, `{_shorten(text)}`, gives {result}, which cannot "
                f"become {canonical}",
                source_node,
            )
            return None
        return attrs.evolve(base, expr=expr, text=text)

    def _literal_fits(
        self, value: str | int | float | bool | None, type_: str, name: str, node: yaml.Node
    ) -> bool:
        allowed = ALLOWED_VALUES.get(name)
        if value is None:
            return True
        fits = True
        if type_ == "integer":
            fits = isinstance(value, int) and not isinstance(value, bool)
        elif type_ == "number":
            fits = isinstance(value, int | float) and not isinstance(value, bool)
        elif type_ == "boolean":
            fits = isinstance(value, bool)
        elif type_ == "timestamp":
            fits = isinstance(value, str | dt.datetime) and _iso(str(value), dt.datetime)
        elif type_ == "date":
            fits = isinstance(value, str | dt.date) and _iso(str(value), dt.date)
        elif allowed is not None:
            fits = value in allowed
        if not fits:
            hint = did_you_mean(str(value), allowed) if allowed else ""
            self.error(
                "E805", f"value `{value}` does not fit field `{name}` ({type_})", node, help=hint
            )
        return fits

    def _rules(
        self, entries: Mapping[str, tuple[yaml.Node, yaml.Node]], key: str
    ) -> tuple[Rule, ...]:
        if key not in entries:
            return ()
        node = entries[key][1]
        if not isinstance(node, yaml.SequenceNode):
            self.error("E803", f"`{key}` must be a list of `when` / `reason` rules", node)
            return ()
        rules: list[Rule] = []
        for item in node.value:
            rule = self.mapping(item, f"a `{key}` rule")
            if not isinstance(item, yaml.MappingNode):
                continue
            for sub, (sub_key, _) in rule.items():
                if sub not in _RULE_KEYS:
                    self.error(
                        "E803",
                        f"unknown setting `{sub}` in a `{key}` rule",
                        sub_key,
                        help=did_you_mean(sub, _RULE_KEYS),
                    )
            missing = [k for k in _RULE_KEYS if k not in rule]
            for k in missing:
                self.error("E804", f"a `{key}` rule has no `{k}`", item)
            if missing:
                continue
            reason = self.text(rule["reason"][1], "`reason`")
            if reason is not None and not reason.strip():
                self.error("E805", "`reason` cannot be empty", rule["reason"][1])
                reason = None
            expr, text = self.expression(rule["when"][1], f"a `{key}` rule")
            if expr is not None and type_of(expr) != "boolean":
                message = (
                    f"the `when` of a `{key}` rule, `{_shorten(text)}`, must be a condition, "
                    f"not {type_of(expr)}"
                )
                self.error("E808", message, rule["when"][1])
                expr = None
            if expr is not None and reason is not None:
                rules.append(Rule(expr, text, reason, _span(self.source, rule["when"][1])))
        return tuple(rules)


def _shorten(text: str, width: int = 60) -> str:
    """An expression on one line, cut to ``width`` characters, to name it in a message."""
    line = " ".join(part.strip() for part in text.splitlines())
    return line if len(line) <= width else line[: width - 3] + "..."


def _required_names(kind: str) -> frozenset[str]:
    return frozenset(f.name for f in TABLES[kind].fields if f.required)


def _iso(text: str, kind: type[dt.date]) -> bool:
    try:
        kind.fromisoformat(text)
    except ValueError:
        return False
    return True
