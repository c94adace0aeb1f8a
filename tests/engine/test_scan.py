"""The grouped scan judges conditions on groups exactly as on each record.

Random condition trees over keys and cuts (NULLs, NaN and values on the limits included)
are summed by :class:`slalang.engine.scan.GroupedScan` and, record by record, by a plain filtered
aggregate of :func:`slalang.engine.scan.row_sql`; the two must agree.
"""

from __future__ import annotations

import math

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from slalang.engine.scan import (
    FALSE,
    TRUE,
    All,
    AnyOf,
    Check,
    Cond,
    Cut,
    GroupedScan,
    Known,
    Not,
    Sql,
    Term,
    all_of,
    outcome_in,
    row_sql,
)

OUTCOMES = ["answered", "abandoned", "flow_out", "callback", "not_offered"]
LIMITS = [5.0, 20.0, 30.0]

values = st.one_of(st.none(), st.just(math.nan), st.sampled_from([*LIMITS, 19.5, 20.5]),
                   st.floats(-1, 40, allow_nan=False))  # fmt: skip
records = st.lists(
    st.fixed_dictionaries(
        {
            "bucket": st.integers(0, 2),
            "outcome": st.sampled_from(OUTCOMES),
            "queue": st.one_of(st.none(), st.sampled_from(["billing", "sales"])),
            "wait": values,
            "talk": values,
        }
    ),
    max_size=40,
)

leaves: st.SearchStrategy[Cond] = st.one_of(
    st.builds(Cut, st.sampled_from(['"wait"', 'COALESCE("talk", 0)']),
              st.sampled_from(["<", "<="]), st.sampled_from(LIMITS)),
    st.sampled_from(OUTCOMES).map(outcome_in),
    st.just(Check('"queue"', "{} = 'billing'")),
    st.just(Check('"wait" IS NULL')),
    st.just(TRUE),
    st.just(FALSE),
)  # fmt: skip
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.builds(Known, inner),
        st.lists(inner, max_size=3).map(lambda c: All(tuple(c))),
        st.lists(inner, max_size=3).map(lambda c: AnyOf(tuple(c))),
    ),
    max_leaves=8,
)
terms = st.builds(Term, st.sampled_from(["1", '"wait"', 'COALESCE("talk", 0)']), conditions)


def _table(rows: list[dict[str, object]]) -> pa.Table:
    schema = pa.schema([("bucket", pa.int64()), ("outcome", pa.string()), ("queue", pa.string()),
                        ("wait", pa.float64()), ("talk", pa.float64())])  # fmt: skip
    return pa.Table.from_pylist(rows, schema=schema)


def _same(a: object, b: object) -> bool:
    if a is None or b is None:
        return (a or 0) == (b or 0)
    assert isinstance(a, int | float)
    assert isinstance(b, int | float)
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=150, deadline=None)
@given(rows=records, figures=st.lists(terms, min_size=1, max_size=6))
def test_grouped_figures_equal_figures_judged_record_by_record(
    rows: list[dict[str, object]], figures: list[Term]
) -> None:
    con = duckdb.connect()
    con.register("t", _table(rows))
    sql = Sql()
    scan = GroupedScan(sql)
    positions = [scan.add(term) for term in figures]
    grouped = {
        row[0]: row for row in con.execute(scan.query('"bucket"', "t"), sql.params).fetchall()
    }
    plain = Sql()
    sums = ", ".join(
        f"sum({term.value}) FILTER (WHERE {row_sql(plain, term.when)})" for term in figures
    )
    direct = con.execute(f'SELECT "bucket", {sums} FROM t GROUP BY 1', plain.params).fetchall()
    assert set(grouped) == {row[0] for row in direct}
    for row in direct:
        for index, position in enumerate(positions):
            assert _same(grouped[row[0]][position], row[index + 1]), (figures[index], row)


def test_cuts_of_one_value_share_one_band_key() -> None:
    sql = Sql()
    scan = GroupedScan(sql)
    for op, limit in (("<", 5.0), ("<=", 20.0), ("<=", 30.0), ("<=", 20.0)):
        scan.add(Term("1", Cut('"wait"', op, limit)))
    query = scan.query('"b"', '"t"')
    assert query.count(" AS c") == 1  # one band column for the three distinct limits
    assert sql.params == [5.0, 20.0, 30.0]


def test_bands_keep_each_cut_on_its_limit() -> None:
    """``< 20`` and ``<= 20`` differ only at 20; NULL stays unknown, NaN is above all."""
    con = duckdb.connect()
    waits = [None, math.nan, 4.0, 5.0, 19.5, 20.0, 20.5, 30.0, 31.0]
    con.register("t", _table([{"bucket": 0, "outcome": "answered", "queue": None, "wait": w,
                               "talk": None} for w in waits]))  # fmt: skip
    cuts = [Cut('"wait"', op, limit) for limit in LIMITS for op in ("<", "<=")]
    sql = Sql()
    scan = GroupedScan(sql)
    positions = [scan.add(Term("1", cut)) for cut in cuts]
    positions += [scan.add(Term("1", Not(cut))) for cut in cuts]
    row = con.execute(scan.query('"bucket"', "t"), sql.params).fetchall()[0]
    numbers = [w for w in waits if w is not None]
    expected = [sum(1 for w in numbers if (w < c.limit if c.op == "<" else w <= c.limit))
                for c in cuts]  # fmt: skip
    expected += [sum(1 for w in numbers if not (w < c.limit if c.op == "<" else w <= c.limit))
                 for c in cuts]  # fmt: skip
    assert [row[p] or 0 for p in positions] == expected


def test_all_of_flattens_and_drops_repeats() -> None:
    a, b = outcome_in("answered"), Check('"queue"', "{} = 'billing'")
    assert all_of(a, All((a, b)), TRUE) == All((a, b))
    assert all_of(a) == a
    assert all_of() == TRUE
