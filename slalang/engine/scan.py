"""Stage 5, evaluate: conditions over records and the grouped scan that sums figures.

Every figure the engine computes is a :class:`Term`: the sum of a value over the
records where a condition holds. A condition is a small tree (:class:`All`,
:class:`AnyOf`, :class:`Not`, :class:`Known`) over two kinds of leaf:

* :class:`Check`, a test of one *key*: an SQL expression with few distinct values
  (``"outcome"``, a scope filter, a calendar code), and
* :class:`Cut`, a comparison of a numeric value with a limit (``wait <= 20``).

:class:`GroupedScan` reads a source once. The inner query groups records by time
bucket and by every distinct key; all the cuts of one value share a single *band*
key (which of the intervals between the sorted limits the value falls in), so
three thresholds on the wait cost one key, not three. The outer query judges each
figure's condition on the groups. Records of one group agree on every key, so a
condition judged on a group is the condition judged on each of its records, with
three-valued logic kept (a NULL key is a group of its own).

SQL text is built from fixed keywords, quoted identifiers and ``$n`` parameters
(:class:`Sql`); no value written in a contract or profile becomes SQL text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence

import attrs


def _sql_type(value: object) -> str:
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "BIGINT"
    if isinstance(value, float):
        return "DOUBLE"
    if isinstance(value, dt.datetime):
        return "TIMESTAMP"
    if isinstance(value, dt.date):
        return "DATE"
    return "VARCHAR"


class Sql:
    """Keeps values out of SQL text: numbered, typed parameters."""

    def __init__(self) -> None:
        self.params: list[object] = []
        self.seen: dict[tuple[type, object], int] = {}

    def param(self, value: object) -> str:
        """Bind a value; equal values share one typed ``$n``, which may appear many times."""
        key = (type(value), value)
        if key not in self.seen:
            self.params.append(value)
            self.seen[key] = len(self.params)
        return f"CAST(${self.seen[key]} AS {_sql_type(value)})"


# ---------------------------------------------------------------------------
# Conditions
# ---------------------------------------------------------------------------


@attrs.frozen
class Check:
    """``template`` applied to the key expression ``key`` (``{}`` stands for the key)."""

    key: str
    template: str = "{}"


@attrs.frozen
class Cut:
    """``value op limit`` for a numeric value; ``op`` is ``<`` or ``<=``."""

    value: str
    op: str
    limit: float


@attrs.frozen
class Not:
    operand: Cond


@attrs.frozen
class All:
    """All operands hold; no operand at all always holds."""

    operands: tuple[Cond, ...]


@attrs.frozen
class AnyOf:
    """Some operand holds; no operand at all never holds."""

    operands: tuple[Cond, ...]


@attrs.frozen
class Known:
    """The operand holds, an unknown (NULL) truth reading as false."""

    operand: Cond


Cond = Check | Cut | Not | All | AnyOf | Known
Leaf = Check | Cut

TRUE: Cond = All(())
FALSE: Cond = AnyOf(())


def all_of(*conditions: Cond) -> Cond:
    """The conjunction, flattened and without repeated parts."""
    parts: dict[Cond, None] = {}
    for condition in conditions:
        for part in condition.operands if isinstance(condition, All) else (condition,):
            parts[part] = None
    return next(iter(parts)) if len(parts) == 1 else All(tuple(parts))


def outcome_in(*outcomes: str) -> Check:
    """The record's outcome is one of these (slalang's own fixed outcome names)."""
    assert all(o.isidentifier() for o in outcomes)
    if len(outcomes) == 1:
        return Check('"outcome"', f"{{}} = '{outcomes[0]}'")
    return Check('"outcome"', "{} IN (" + ", ".join(f"'{o}'" for o in outcomes) + ")")


def leaves(condition: Cond) -> Iterator[Leaf]:
    if isinstance(condition, Check | Cut):
        yield condition
    elif isinstance(condition, Not | Known):
        yield from leaves(condition.operand)
    else:
        for operand in condition.operands:
            yield from leaves(operand)


def render(condition: Cond, leaf: Callable[[Leaf], str]) -> str:
    """A condition as SQL, each leaf written by ``leaf``."""
    if isinstance(condition, Check | Cut):
        return leaf(condition)
    if isinstance(condition, Not):
        return f"(NOT {render(condition.operand, leaf)})"
    if isinstance(condition, Known):
        return f"COALESCE({render(condition.operand, leaf)}, FALSE)"
    if not condition.operands:
        return "TRUE" if isinstance(condition, All) else "FALSE"
    joiner = " AND " if isinstance(condition, All) else " OR "
    return "(" + joiner.join(render(o, leaf) for o in condition.operands) + ")"


def row_sql(sql: Sql, condition: Cond) -> str:
    """A condition as SQL over one record."""

    def leaf(item: Leaf) -> str:
        if isinstance(item, Check):
            return "(" + item.template.format(item.key) + ")"
        return f"({item.value} {item.op} {sql.param(item.limit)})"

    return render(condition, leaf)


@attrs.frozen
class Term:
    """The sum of ``value`` over the records where ``when`` holds; ``"1"`` counts them."""

    value: str
    when: Cond = TRUE


# ---------------------------------------------------------------------------
# The grouped scan
# ---------------------------------------------------------------------------


def _cut_order(cut: Cut) -> tuple[float, int]:
    # ``v < c`` implies ``v <= c``, which implies ``v < d`` for any d > c
    return cut.limit, 0 if cut.op == "<" else 1


class GroupedScan:
    """The distinct figures of one source query, each a sum of a value over a condition."""

    def __init__(self, sql: Sql) -> None:
        self.sql = sql
        self.figures: dict[tuple[str, Cond], int] = {}

    def add(self, term: Term, *conditions: Cond) -> int:
        """The output position (from 1) of the term where all conditions also hold."""
        key = (term.value, all_of(term.when, *conditions))
        if key not in self.figures:
            self.figures[key] = len(self.figures) + 1
        return self.figures[key]

    def query(self, bucket: str, source: str, screen: Sequence[str] = ()) -> str:
        """Group records once by bucket and every key and band, then add up per figure.

        With ``screen`` (column names of ``source``), the records are also grouped by
        those columns, which follow the figures in each output row with the count of the
        records, so that one reading of the source also says how many records fall in
        each screen group (the loader's checks, say); the caller keeps the figures of the
        groups it counts."""
        found = [item for _, condition in self.figures for item in leaves(condition)]
        keys: dict[str, str] = {}  # key expression -> its column in the inner query
        for item in found:
            if isinstance(item, Check):
                keys.setdefault(item.key, f"k{len(keys)}")
        cuts: dict[str, list[Cut]] = {}
        for item in dict.fromkeys(found):
            if isinstance(item, Cut):
                cuts.setdefault(item.value, []).append(item)
        outer_cut: dict[Cut, str] = {}
        inner = [f"{bucket} AS b", *(f"{expr} AS {name}" for expr, name in keys.items())]
        for index, (value, some) in enumerate(cuts.items()):
            name = f"c{index}"
            ordered = sorted(some, key=_cut_order)  # distinct already
            if len(ordered) == 1:
                cut = ordered[0]
                inner.append(f"({value} {cut.op} {self.sql.param(cut.limit)}) AS {name}")
                outer_cut[cut] = name
                continue
            branches = " ".join(
                f"WHEN {value} {cut.op} {self.sql.param(cut.limit)} THEN {band}"
                for band, cut in enumerate(ordered)
            )
            inner.append(f"CASE WHEN {value} IS NULL THEN NULL {branches} "
                         f"ELSE {len(ordered)} END AS {name}")  # fmt: skip
            outer_cut.update((cut, f"({name} <= {band})") for band, cut in enumerate(ordered))
        inner += [f"{column} AS x{index}" for index, column in enumerate(screen)]
        values = list(dict.fromkeys(v for v, _ in self.figures if v != "1"))
        sums = {value: f"s{index}" for index, value in enumerate(values)}
        inner += ["count(*) AS n", *(f"sum({value}) AS {sums[value]}" for value in values)]

        def leaf(item: Leaf) -> str:
            if isinstance(item, Check):
                return "(" + item.template.format(keys[item.key]) + ")"
            return outer_cut[item]

        outer = ["b"]
        for value, condition in self.figures:
            total = "n" if value == "1" else sums[value]
            test = "" if condition == TRUE else f" FILTER (WHERE {render(condition, leaf)})"
            outer.append(f"sum({total}){test}")
        screened = [f"x{index}" for index in range(len(screen))]
        if screened:
            outer += [*screened, "sum(n)"]
        return (
            f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {source} "
            f"GROUP BY ALL) GROUP BY {', '.join(['b', *screened])}"
        )
