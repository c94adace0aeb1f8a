"""Shared Hypothesis strategies: random valid contract models, and messy layouts of a text.

``contracts()`` builds :class:`slalang.lang.model.Contract` objects that the grammar can
express (identifiers avoid keywords, ``and``/``or`` chains are built the way the parser
flattens them, settings are unique per block). ``messy(text)`` re-lays out valid contract
text with random spacing, blank lines, comments and line ends, keeping its tokens.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from slalang.lang import model as m
from slalang.lang.syntax import grammar_text, parser

KEYWORDS = frozenset(re.findall(r'"([A-Za-z_]+)"', grammar_text()))
"""Every word the grammar spells out; identifiers avoid them."""

Strategy = st.SearchStrategy

# --- names and literals --------------------------------------------------------------

identifiers: Strategy[str] = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,7}", fullmatch=True).filter(
    lambda text: text not in KEYWORDS
)
names: Strategy[m.Name] = identifiers.map(m.Name)

texts: Strategy[m.Text] = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\r\n"
    )
    | st.sampled_from('"\\# '),
    max_size=12,
).map(m.Text)

numbers: Strategy[Decimal] = st.one_of(
    st.integers(min_value=-1000, max_value=10**9).map(Decimal),
    st.decimals(min_value=-1000, max_value=10**6, places=3, allow_nan=False, allow_infinity=False),
)
units: Strategy[str | None] = st.none() | st.just("%") | identifiers
quantities: Strategy[m.Quantity] = st.builds(m.Quantity, numbers, units)

dates: Strategy[m.DateValue] = st.dates().map(m.DateValue)
datetimes: Strategy[m.DateTimeValue] = st.datetimes().map(
    lambda moment: m.DateTimeValue(moment.replace(microsecond=0))
)
times: Strategy[m.TimeValue] = st.integers(min_value=0, max_value=24 * 60).map(m.TimeValue)
ops: Strategy[str] = st.sampled_from(["<", ">", "<=", ">=", "==", "!="])

comparisons: Strategy[m.Comparison] = st.builds(m.Comparison, ops, quantities)
bands: Strategy[m.Band] = st.builds(m.Band, quantities, quantities)
targets: Strategy[m.Target] = comparisons | bands


def _date_ranges() -> Strategy[m.DateRange]:
    return st.builds(m.DateRange, dates, dates)


_scalars: Strategy[Any] = st.one_of(
    quantities,
    texts,
    identifiers.map(m.Ident),
    dates,
    datetimes,
    times,
    _date_ranges(),
    comparisons,
    bands,
)
values: Strategy[m.Value] = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3).map(lambda items: m.ListValue(tuple(items))),
    max_leaves=5,
)
lists: Strategy[m.ListValue] = st.lists(values, max_size=3).map(
    lambda items: m.ListValue(tuple(items))
)


def settings_blocks(max_size: int = 3) -> Strategy[tuple[m.Setting, ...]]:
    """Settings with distinct names (a repeated setting is dropped by the parser)."""
    return st.lists(
        st.builds(m.Setting, names, values),
        max_size=max_size,
        unique_by=lambda setting: setting.name.text,
    ).map(tuple)


# --- filter expressions ------------------------------------------------------------------

_atoms: Strategy[m.Expr] = st.one_of(
    st.builds(
        m.Compare,
        names,
        ops,
        st.one_of(quantities, texts, identifiers.map(m.Ident)),
    ),
    st.builds(m.Member, names, lists, st.booleans()),
)


def _chains(inner: Strategy[m.Expr]) -> Strategy[m.Expr]:
    # `(a and b) and c` reads back as one flat chain, so a chain never starts with its own kind
    def chain(kind: type[m.And] | type[m.Or]) -> Strategy[m.Expr]:
        return (
            st.lists(inner, min_size=2, max_size=3)
            .filter(lambda operands: not isinstance(operands[0], kind))
            .map(lambda operands: kind(tuple(operands)))
        )

    return st.one_of(inner.map(m.Not), chain(m.And), chain(m.Or))


exprs: Strategy[m.Expr] = st.recursive(_atoms, _chains, max_leaves=6)

# --- declarations ------------------------------------------------------------------------

periods: Strategy[m.Period] = st.one_of(
    names.map(lambda name: m.Period(name=name)),
    quantities.map(lambda length: m.Period(length=length)),
)

tiers: Strategy[m.Tier] = st.one_of(
    st.just(m.Tier(False)),
    st.builds(m.Tier, st.just(True), st.none() | quantities),
)


@st.composite
def objectives(draw: st.DrawFn) -> m.Objective:
    """An objective with any mix of statements (each at most once, as the parser keeps)."""
    kinds = draw(st.lists(st.sampled_from(["expected", "minimum"]), unique=True, max_size=2))
    return m.Objective(
        id=draw(names),
        title=draw(st.none() | texts),
        tier=draw(st.none() | tiers),
        metric=draw(st.none() | names),
        source=draw(st.none() | names),
        where=draw(st.none() | exprs),
        window=draw(st.none() | periods),
        aggregate=draw(
            st.none() | st.builds(m.Aggregate, names, st.none() | periods, st.none() | targets)
        ),
        levels=tuple(m.Level(kind, draw(targets)) for kind in kinds),
        min_volumes=tuple(
            draw(st.lists(st.builds(m.MinVolume, quantities, st.none() | periods), max_size=2))
        ),
        settings=draw(settings_blocks()),
    )


_day_specs = st.one_of(
    st.tuples(names, names).map(lambda pair: (pair, True)),
    st.lists(names, min_size=1, max_size=4).map(lambda days: (tuple(days), False)),
)


@st.composite
def _open_hours(draw: st.DrawFn) -> m.OpenHours:
    days, through = draw(_day_specs)
    return m.OpenHours(days, draw(times), draw(times), through=through)


@st.composite
def _closed_days(draw: st.DrawFn) -> m.ClosedDays:
    days, through = draw(_day_specs)
    return m.ClosedDays(days, through=through)


calendars: Strategy[m.CalendarDecl] = st.builds(
    m.CalendarDecl,
    names,
    st.none() | texts,
    st.lists(_open_hours(), max_size=2).map(tuple),
    st.lists(_closed_days(), max_size=2).map(tuple),
    st.lists(st.builds(m.Holiday, dates, st.none() | texts), max_size=2).map(tuple),
    settings_blocks(2),
)

selectors: Strategy[m.Selector] = st.one_of(
    names.map(lambda name: m.Selector("objective", name)),
    (names | st.sampled_from(["critical", "key"]).map(m.Name)).map(
        lambda name: m.Selector("any", name)
    ),
    st.just(m.Selector("credits")),
)
counts: Strategy[m.Count] = st.builds(
    m.Count,
    st.integers(min_value=0, max_value=60),
    st.none() | st.integers(min_value=0, max_value=60),
    names,
)
rules: Strategy[m.Rule] = st.builds(
    m.Rule,
    st.none() | texts,
    selectors,
    st.sampled_from(["below_minimum", "missed", "at_cap"]),
    counts,
)

scopes: Strategy[m.ScopeDecl] = st.builds(m.ScopeDecl, names, names, st.none() | exprs)

templates: Strategy[m.Template] = st.builds(
    m.Template,
    names,
    st.lists(names, max_size=3).map(tuple),
    st.lists(scopes, max_size=2).map(tuple),
    st.lists(objectives(), max_size=2).map(tuple),
)


def _few(strategy: Strategy[Any]) -> Strategy[tuple[Any, ...]]:
    return st.lists(strategy, max_size=2).map(tuple)


@st.composite
def contracts(draw: st.DrawFn) -> m.Contract:
    """A random contract model the grammar can express."""
    return m.Contract(
        header=draw(st.none() | st.builds(m.Header, names, st.none() | texts, settings_blocks())),
        sources=draw(_few(st.builds(m.SourceDecl, names, names, settings_blocks(2)))),
        scopes=draw(_few(scopes)),
        calendars=draw(_few(calendars)),
        objectives=draw(_few(objectives())),
        credits=draw(st.none() | settings_blocks().map(m.CreditsDecl)),
        risk=draw(
            st.none()
            | st.builds(m.RiskDecl, st.lists(rules, max_size=3).map(tuple), settings_blocks(2))
        ),
        reliefs=draw(_few(st.builds(m.ReliefDecl, names, st.none() | texts, settings_blocks(2)))),
        exclusions=draw(
            _few(st.builds(m.Exclusion, names, texts, datetimes, datetimes, st.none() | lists))
        ),
        templates=draw(_few(templates)),
        applies=draw(_few(st.builds(m.Apply, names, _few(values), names))),
    )


# --- messy layouts ----------------------------------------------------------------------

_comment_texts = st.text(alphabet="abc #\t-", max_size=8).map(lambda text: "#" + text)


@st.composite
def messy(draw: st.DrawFn, text: str) -> str:
    """Re-lay out valid contract ``text``: same tokens, random whitespace and comments."""
    interactive = parser().parse_interactive(text if text.endswith("\n") else text + "\n")
    tokens = list(interactive.iter_parse())
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    out: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "_NL":
            if draw(st.booleans()):
                out.append(draw(st.sampled_from(["", " ", "   "])) + draw(_comment_texts))
            out.append(eol)
            for _ in range(draw(st.integers(min_value=0, max_value=2))):
                line = draw(st.sampled_from(["", "  ", "\t"]))
                if draw(st.booleans()):
                    line += draw(_comment_texts)
                out.append(line + eol)
            out.append(draw(st.sampled_from(["", " ", "    ", "\t"])))
            continue
        out.append(str(token))
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is None or following.type == "_NL":
            continue
        if token.type == "LBRACE" and following.type == "RBRACE":
            out.append(draw(st.sampled_from(["", " ", eol])))
        else:
            out.append(draw(st.sampled_from([" ", "  ", "\t"])))
    return "".join(out)


__all__ = [
    "KEYWORDS",
    "calendars",
    "contracts",
    "datetimes",
    "exprs",
    "messy",
    "objectives",
    "quantities",
    "texts",
    "values",
]
