"""Derived-field expressions: parsing, errors, and the interpreter checked against DuckDB.

Every expression runs twice, through :func:`evaluate` and through :func:`to_sql` in DuckDB
over VARCHAR columns, and the answers must agree.
"""

from __future__ import annotations

import datetime as dt
import functools
import math

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slalang.expr import (
    MAX_DEPTH,
    Column,
    Compiled,
    ExprError,
    Literal,
    columns_of,
    evaluate,
    lower_text,
    parse_expr,
    to_sql,
    type_of,
    upper_text,
)

NAMES = ("a", "b", "c")


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def run_sql(
    con: duckdb.DuckDBPyConnection,
    compiled: Compiled,
    names: tuple[str, ...],
    row: tuple[object, ...],
) -> object:
    values = ", ".join("CAST(? AS VARCHAR)" for _ in names)
    aliases = ", ".join(quote(n) for n in names)
    sql = f"SELECT {compiled.sql} FROM (VALUES ({values})) AS t({aliases})"
    return con.execute(sql, [*compiled.params, *row]).fetchone()[0]  # type: ignore[index]


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return type(a) is type(b) and a == b


def check(
    con: duckdb.DuckDBPyConnection,
    text: str,
    row: tuple[object, ...],
    names: tuple[str, ...] = NAMES,
) -> object:
    """Evaluate in Python and in DuckDB; assert they agree; return the value."""
    expr = parse_expr(text)
    compiled = to_sql(expr, columns={n: quote(n) for n in names})
    python = evaluate(expr, dict(zip(names, row, strict=True)))
    sql = run_sql(con, compiled, names, row)
    assert same(python, sql), (text, row, python, sql, compiled.sql)
    return python


# ===================================================================
# Parsing
# ===================================================================


def test_parse_shapes_and_types() -> None:
    assert parse_expr("a") == Column("a")
    assert parse_expr("-5") == Literal(-5, "integer")
    assert parse_expr("-9223372036854775808") == Literal(-(2**63), "integer")
    assert parse_expr("`vru+line`") == Column("vru+line")
    assert parse_expr("'it\\'s\\n'") == Literal("it's\n", "text")
    assert parse_expr('"\\u00e9"') == Literal("é", "text")
    assert parse_expr("a + 1") == parse_expr("a  +\n 1")
    assert type_of(parse_expr("a + 1")) == "number"
    assert type_of(parse_expr("int(a) + 1")) == "integer"
    assert type_of(parse_expr("int(a) / 1")) == "number"
    assert type_of(parse_expr("a in ('x', 'y')")) == "boolean"
    assert type_of(parse_expr("date(a, '%d/%m/%Y')")) == "date"
    assert type_of(parse_expr("combine(date(a, '%Y%m%d'), seconds(b))")) == "timestamp"
    assert type_of(parse_expr("null")) == "text"
    assert type_of(parse_expr("if(true, 1, 2.5)")) == "number"


def test_columns_of() -> None:
    expr = parse_expr("concat(a, `b c`, lower(d)) == 'x' and e in (f, 'g')")
    assert columns_of(expr) == {"a", "b c", "d", "e", "f"}
    assert columns_of(parse_expr("1 + 2")) == frozenset()


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("a +", 4, "end of expression"),
        ("a = 1", 3, "`==`"),
        ("a == 'x", 6, "unterminated string"),
        ("`abc", 1, "unterminated quoted name"),
        ("a < b < c", 7, "unexpected `<`"),
        ("lowr(a)", 1, "did you mean `lower`"),
        ("lower(a, b)", 1, "lower() takes 1 argument, got 2"),
        ("case(a == 'x', 1)", 1, "odd number"),
        ("concat(a)", 1, "2 or more"),
        ("'a\\qb'", 3, "unknown escape"),
        ("a == null", 3, "is_null"),
        ("not a", 1, "`not` needs a boolean"),
        ("true + 1", 6, "needs numbers"),
        ("if(a, 1, 2)", 4, "boolean condition"),
        ("if(a == 'x', true, 2)", 1, "cannot mix"),
        ("date(a, '%Y-%m-%q')", 16, "unsupported format code %q"),
        ("date(a, '%H:%M')", 9, "needs a year"),
        ("timestamp(a, '%Y-%m-%d %I:%M')", 14, "%p"),
        ("date(a, b)", 9, "string literal"),
        ("99999999999999999999", 1, "out of range"),
        ("1e999", 1, "out of range"),
        ("a and", 6, "end"),
        ("and", 1, "unexpected `and`"),
        ("not(a == 'x') and null(a)", 23, "unexpected `(`"),
        ("``", 1, "empty column name"),
        ("a == 1 \x00", 8, "U+0000"),
        ("x $ y", 3, "unexpected character `$`"),
        ("date(a, '%Y-%m-%d') + 1", 21, "add_seconds"),
        # a text constant read as a number, date or timestamp that it can never be
        ("Date + ' ' + Time", 8, "the text ' ' as a number, which it is not; join texts"),
        ("a * 'x'", 5, "`*` reads the text 'x' as a number"),
        ("-'x'", 2, "`-` reads the text 'x'"),
        ("int(a) > 'ten'", 10, "`>` reads the text 'ten' as a number"),
        ("a in (1, 'y')", 10, "`in` reads the text 'y' as a number"),
        ("if(a == '1', 2, 'x')", 17, "if() reads the text 'x' as a number"),
        ("coalesce(int(a), 'q')", 18, "coalesce() reads"),
        ("add_seconds('2026-01-01', 3)", 13, "as a timestamp (YYYY-MM-DD HH:MM:SS)"),
        ("date(a, '%d/%m/%Y') < '05/01/2026'", 23, "as a date (YYYY-MM-DD)"),
        ("date(a, '%d/%m/%Y') - '2026-02-30'", 23, "as a timestamp"),
    ],
)
def test_errors_and_positions(text: str, column: int, fragment: str) -> None:
    with pytest.raises(ExprError) as caught:
        parse_expr(text)
    assert fragment in caught.value.message
    assert caught.value.column == column
    assert str(caught.value).startswith(f"column {column}:")


def test_length_cap_and_deep_nesting() -> None:
    with pytest.raises(ExprError, match="longer than"):
        parse_expr("1" + " " * 10_000)
    parse_expr("1" + " " * 9_999)
    with pytest.raises(ExprError, match="longer than"):
        parse_expr("(" * 10_000 + "1" + ")" * 10_000)
    with pytest.raises(ExprError, match="nest") as caught:
        parse_expr("(" * 10_000)
    assert caught.value.column == MAX_DEPTH + 1
    with pytest.raises(ExprError, match="nest"):
        parse_expr("(" * 4_999 + "1" + ")" * 4_999)
    with pytest.raises(ExprError, match="nest"):
        parse_expr("- " * 4_000 + "a")
    with pytest.raises(ExprError, match="nest"):
        parse_expr("not " * 2_000 + "true")
    with pytest.raises(ExprError, match="nest"):
        parse_expr("a" + " + a" * 2_000)
    with pytest.raises(ExprError, match="nest"):
        parse_expr("lower(" * 1_000 + "a" + ")" * 1_000)


def test_nesting_at_the_limit_compiles_and_runs(con: duckdb.DuckDBPyConnection) -> None:
    depth = MAX_DEPTH // 2
    check(con, "a" + " + a" * (depth - 1), ("1", None, None))
    check(con, "lower(" * (depth - 1) + "a" + ")" * (depth - 1), ("X", None, None))
    check(
        con, "(" * (MAX_DEPTH - 1) + "seconds(a) * 2" + ")" * (MAX_DEPTH - 1), ("1:00", None, None)
    )


@pytest.mark.parametrize(
    "text",
    [
        "a + ' 3.5 '",
        "a > '1e3'",
        "int(a) in (1, '2')",
        "if(a == 'x', 1, '2')",
        "add_seconds('2026-01-05 08:00:00', 3)",
        "date(a, '%d/%m/%Y') < '2026-01-05'",
        "a < 'x'",  # text with text: compared as text
        "concat(a, ' ', b)",
    ],
)
def test_text_constants_that_convert_are_accepted(text: str) -> None:
    parse_expr(text)


def test_unknown_column_in_sql_and_rows() -> None:
    expr = parse_expr("q_tim + 1")
    with pytest.raises(ExprError, match="did you mean `q_time`") as caught:
        to_sql(expr, columns={"q_time": '"q_time"'})
    assert caught.value.column == 1
    with pytest.raises(ExprError, match="unknown column"):
        evaluate(expr, {"q_time": "1"})


def test_literals_are_parameters() -> None:
    compiled = to_sql(parse_expr("if(a == 'x', 1, 2.5)"), columns={"a": '"a"'})
    assert compiled.params == ("x", 1, 2.5)
    assert "'x'" not in compiled.sql
    assert compiled.sql.count("?") == 3


# ===================================================================
# Every function and operator, Python against DuckDB
# ===================================================================

ROWS = [
    ("12", "1:02:03", "2024-01-02"),
    (" -3.5 ", "75:30", "2024-02-30"),
    ("x", "00:00:00.25", "2024-1-2 10:00:00"),
    (None, None, None),
    ("", "", ""),
    ("9223372036854775807", "59", "2024-01-02 23:59:59"),
    ("1e400", "1:60", "31/12/1999"),
    ("İstanbul ß", "  42\t", "12/31/99 11:05 PM"),
    ("TRUE", "-1", "0000-01-01"),
    ("0", "0.0", "9999-12-31 23:59:59"),
]

CASES = [
    # operators
    "a + 1",
    "a - b",
    "a * 2",
    "a / b",
    "a / 0",
    "-a",
    "- int(a)",
    "int(a) + int(b)",
    "int(a) * 9223372036854775807",
    "-int(a) - 9223372036854775807",
    "number(a) * 1e308",
    "a == b",
    "a != 'x'",
    "a < b",
    "a <= 12",
    "a > 1.5",
    "a >= b",
    "int(a) == 12",
    "a in ('12', 'x', null)",
    "a not in ('12', 'x')",
    "number(a) in (12, -3.5)",
    "a == 'x' and b == '59'",
    "a == 'x' or is_null(b)",
    "not (a == '12')",
    "(a == 'x') == true",
    "true and null",
    "false and null",
    "true or null",
    "not null",
    # functions
    "if(a == '12', 'yes', 'no')",
    "if(null, 1, 2)",
    "case(a == '12', 1, a == 'x', 2.5, 0)",
    "case(b == '59', b, c)",
    "coalesce(a, b, 'none')",
    "coalesce(number(a), seconds(b), -1)",
    "nullif(a, 'x')",
    "nullif(number(a), 12)",
    "is_null(a)",
    "is_null(number(a))",
    "lower(a)",
    "upper(a)",
    "trim(b)",
    "trim(a)",
    "concat(a, '|', b, '|', c)",
    "concat(null, null)",
    "concat(a, 1, 2.5, true, date(c, '%Y-%m-%d'))",
    "length(a)",
    "length(concat(a, b))",
    "starts_with(a, '1')",
    "starts_with(c, b)",
    "int(a)",
    "int(b)",
    "int(number(a))",
    "int(1e300)",
    "number(a)",
    "number(b)",
    "number(int(a))",
    "text(number(a))",
    "text(int(a))",
    "text(a == '12')",
    "text(seconds(b))",
    "text(combine(c, 0.5))",
    "text(timestamp(c, '%Y-%m-%d %H:%M:%S'))",
    "seconds(b)",
    "seconds(a)",
    "seconds(c)",
    "date(c, '%Y-%m-%d')",
    "date(c, '%d/%m/%Y')",
    "date(c, '%m/%d/%y %I:%M %p')",
    "timestamp(c, '%Y-%m-%d %H:%M:%S')",
    "timestamp(c, '%m/%d/%y %I:%M %p')",
    "timestamp(c, '%Y-%m-%d')",
    "add_seconds(timestamp(c, '%Y-%m-%d %H:%M:%S'), seconds(b))",
    "add_seconds(c, b)",
    "add_seconds(c, 1e300)",
    "add_seconds(date(c, '%Y-%m-%d'), -0.0000005)",
    "combine(c, seconds(b))",
    "combine(date(c, '%Y-%m-%d'), 86400 * 365 * 9000)",
    "combine(timestamp(c, '%Y-%m-%d %H:%M:%S'), 1)",
    "timestamp(c, '%Y-%m-%d %H:%M:%S') - c",
    "c - date(c, '%Y-%m-%d')",
    "date(c, '%Y-%m-%d') < c",
    "c == date('2024-01-02', '%Y-%m-%d')",
    "round(a)",
    "round(b)",
    "round(int(a))",
    "round(a, 2)",
    "round(number(a) / 7, 3)",
    "round(seconds(b) / 60)",
    "dotted_seconds(a)",
    "dotted_seconds(b)",
    "dotted_seconds(concat('0.', b))",
]


def _exactly_alike(con: duckdb.DuckDBPyConnection, text: str, value: str) -> object:
    """The value of ``text`` over ``a = value``, the same in both back ends to the bit."""
    expr = parse_expr(text)
    compiled = to_sql(expr, columns={"a": quote("a")})
    python = evaluate(expr, {"a": value})
    sql = run_sql(con, compiled, ("a",), (value,))
    assert type(python) is type(sql), (text, value, python, sql)
    assert python == sql, (text, value, python, sql)
    if isinstance(python, float):
        assert math.copysign(1.0, python) == math.copysign(1.0, sql)  # type: ignore[arg-type]
    return python


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        # halves go away from zero, in both directions
        ("round(a)", "2.5", 3),
        ("round(a)", "-2.5", -3),
        ("round(a)", "0.5", 1),
        ("round(a)", "-0.5", -1),
        ("round(a)", "1.4999999", 1),
        ("round(a)", "0.49999999999999994", 0),  # the largest double below a half
        ("round(a)", "-0.4", 0),
        ("round(a)", " 7 ", 7),
        ("round(a)", "1e400", None),
        ("round(a)", "9223372036854775807", None),  # 2**63 as a double: out of range
        ("round(a)", "-9223372036854775808", -(2**63)),
        ("round(a)", "x", None),
        ("round(a)", "", None),
        ("round(int(a))", "9223372036854775807", 2**63 - 1),
        ("int(a)", "2.5", None),  # int() reads whole numbers only
        ("int(number(a))", "2.9", 2),  # and truncates a number
        ("int(number(a))", "-2.9", -2),
        ("round(a, 0)", "2.5", 3.0),
        ("round(a, 0)", "-0.4", 0.0),  # zero, never minus zero
        ("round(a, 1)", "0.25", 0.3),
        ("round(a, 1)", "-0.25", -0.3),
        ("round(a, 2)", "0.125", 0.13),
        ("round(a, 2)", "-0.125", -0.13),
        ("round(a, 2)", "2.675", 2.68),
        ("round(a, 2)", "1.005", 1.0),  # 1.005 is stored as 1.00499999999999989...
        ("round(a, 3)", "1234.5675", 1234.568),
        ("round(a, 10)", "0.00000000005", 0.0000000001),
        ("round(a, 2)", "1e307", None),  # a hundred times it overflows
        ("round(a, 2)", "-0.001", 0.0),
    ],
)
def test_round_is_the_same_in_both_back_ends(
    con: duckdb.DuckDBPyConnection, text: str, value: str, expected: object
) -> None:
    assert _exactly_alike(con, text, value) == expected


@given(
    value=st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(-(10**6), 10**6).map(lambda n: n / 2),  # halves
        st.integers(-(10**6), 10**6).map(lambda n: n / 1000 + 0.0005),
    ),
    digits=st.sampled_from([None, 0, 1, 2, 3, 6, 10]),
)
def test_round_agrees_to_the_bit_on_any_number(
    con: duckdb.DuckDBPyConnection, value: float, digits: int | None
) -> None:
    text = "round(a)" if digits is None else f"round(a, {digits})"
    _exactly_alike(con, text, repr(value))


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("round(a, b)", 10, "the digits of round() must be a whole number from 0 to 10"),
        ("round(a, 11)", 10, "from 0 to 10"),
        ("round(a, -1)", 10, "from 0 to 10"),
        ("round(a, 1.5)", 10, "from 0 to 10"),
        ("round(a, 1, 2)", 1, "round() takes 1 or 2 arguments, got 3"),
        ("round(a == 'x')", 9, "round() needs text or a number, got boolean"),
        ("round('half')", 7, "round() reads the text 'half' as a number"),
    ],
)
def test_round_refuses(text: str, column: int, fragment: str) -> None:
    with pytest.raises(ExprError) as caught:
        parse_expr(text)
    assert fragment in caught.value.message
    assert caught.value.column == column


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.02.23", 143.0),
        ("1.00.00", 3600.0),
        ("12.34.56", 45296.0),
        (" 100.00.01\t", 360001.0),
        ("0.00.00", 0.0),
        # malformed: null (so a loaded field reports the row as unparsable), never zero
        ("0.2.23", None),
        ("0.02.60", None),
        ("0.60.00", None),
        ("0:02:23", None),
        ("2.23", None),
        ("0.02.23.5", None),
        ("-0.02.23", None),
        ("", None),
        ("abc", None),
        ("9" * 400 + ".00.00", None),
    ],
)
def test_dotted_seconds(con: duckdb.DuckDBPyConnection, value: str, expected: object) -> None:
    assert _exactly_alike(con, "dotted_seconds(a)", value) == expected


@pytest.mark.parametrize("text", CASES)
def test_function_agrees_with_duckdb(con: duckdb.DuckDBPyConnection, text: str) -> None:
    for row in ROWS:
        check(con, text, row)


@pytest.mark.parametrize(
    ("text", "row", "expected"),
    [
        ("seconds(a)", ("1:02:03",), 3723.0),
        ("seconds(a)", ("75:30",), 4530.0),
        ("seconds(a)", ("1:75",), None),
        ("seconds(a)", ("90",), 90.0),
        ("int(a)", ("12.5",), None),
        ("int(a)", ("junk",), None),
        ("number(a)", (" 1e3 ",), 1000.0),
        ("1 / 0", ("",), None),
        ("concat(a, null, 'x')", (None,), "x"),
        ("date(a, '%d.%m.%Y')", ("02.01.2024",), dt.date(2024, 1, 2)),
        ("date(a, '%d.%m.%Y')", ("31.02.2024",), None),
        (
            "timestamp(a, '%m/%d/%Y %I:%M %p')",
            ("1/2/2024 12:05 AM",),
            dt.datetime(2024, 1, 2, 0, 5),
        ),
        ("combine(a, 3600)", ("2024-01-02",), dt.datetime(2024, 1, 2, 1, 0)),
        ("add_seconds(a, 1.5)", ("2024-01-02 00:00:00",), dt.datetime(2024, 1, 2, 0, 0, 1, 500000)),
        ("if(null, 'y', 'n')", ("",), "n"),
        ("a in ('x', null)", ("y",), None),
        ("int(a) * 9223372036854775807", ("2",), None),
    ],
)
def test_known_values(
    con: duckdb.DuckDBPyConnection, text: str, row: tuple[object, ...], expected: object
) -> None:
    assert same(check(con, text, row, names=("a",)), expected)


def test_case_mapping_matches_duckdb_on_every_code_point(con: duckdb.DuckDBPyConnection) -> None:
    chars = [chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000]
    rows = con.execute(
        "SELECT s, lower(s), upper(s) FROM (SELECT unnest(?) AS s)", [chars]
    ).fetchall()
    wrong = [s for s, lo, up in rows if lo != lower_text(s) or up != upper_text(s)]
    assert wrong == []


# ===================================================================
# Hostile input
# ===================================================================

HOSTILE = [
    "'", '"', "\\", "`", '"; DROP TABLE x; --', "'; DROP TABLE x; --", "a\nb", "nul\x00byte",
    "é🙂", "\u202e", "?", "$1", "/* c */", "%s", "\r\n", "\t",
]  # fmt: skip


def _string_literal(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace("\x00", "\\0")
    return "'" + escaped + "'"


def _quoted_name(value: str) -> str:
    return "`" + value.replace("\\", "\\\\").replace("`", "\\`") + "`"


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_string_literals_never_reach_sql(
    con: duckdb.DuckDBPyConnection, value: str
) -> None:
    template = "if(a == {0}, concat(a, {0}), 'no')"
    text = template.format(_string_literal(value))
    compiled = to_sql(parse_expr(text), columns={"a": '"a"'})
    baseline = to_sql(parse_expr(template.format("'z'")), columns={"a": '"a"'})
    assert compiled.sql == baseline.sql  # the literal changes parameters only
    if len(value) > 1:
        assert value not in compiled.sql
    assert compiled.params == (value, value, "no")
    assert check(con, text, (value,), names=("a",)) == value + value
    assert check(con, text, ("other",), names=("a",)) == "no"


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_column_names(con: duckdb.DuckDBPyConnection, name: str) -> None:
    text = f"concat({_quoted_name(name)}, '!')"
    expr = parse_expr(text)
    assert columns_of(expr) == {name}
    compiled = to_sql(expr, columns={name: quote(name)})
    assert check(con, text, ("v",), names=(name,)) == "v!"
    assert compiled.sql.count(quote(name)) == 1
    # with a column mapping that does not know the name, nothing is emitted at all
    with pytest.raises(ExprError):
        to_sql(expr, columns={"other": '"other"'})


def test_hostile_date_format_literal_characters() -> None:
    fmt = "%Y-%m-%d'; DROP TABLE x; --"
    compiled = to_sql(parse_expr(f'date(a, "{fmt}")'), columns={"a": '"a"'})
    assert "DROP" not in compiled.sql
    assert fmt in compiled.params


@given(st.text())
def test_any_string_literal_changes_only_the_parameters(value: str) -> None:
    compiled = to_sql(parse_expr(f"starts_with(a, {_string_literal(value)})"), columns={"a": "a"})
    assert compiled.sql == to_sql(parse_expr("starts_with(a, '')"), columns={"a": "a"}).sql
    assert compiled.params == (value,)


@given(st.text(max_size=40))
def test_arbitrary_text_raises_only_expr_error(text: str) -> None:
    column = 1
    try:
        parse_expr(text)
    except ExprError as error:
        column = error.column
    assert 1 <= column <= len(text) + 1


# ===================================================================
# Generated expressions: DuckDB == Python
# ===================================================================

FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%y %I:%M %p", "%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S"]


@functools.cache
def _expr(kind: str, depth: int) -> st.SearchStrategy[str]:
    leaves: dict[str, st.SearchStrategy[str]] = {
        "text": st.one_of(
            st.sampled_from(NAMES),
            st.text(alphabet="ab1:-. \t'\"\\\x00éİß", max_size=5).map(_string_literal),
        ),
        # text that operators read as a number or a timestamp: a column, or a constant that
        # converts (a constant that cannot is refused when the expression is parsed)
        "numtext": st.one_of(
            st.sampled_from(NAMES),
            st.one_of(st.integers().map(str), st.floats(allow_nan=False).map(repr)).map(
                lambda v: _string_literal(f" {v}")
            ),
        ),
        "tstext": st.one_of(st.sampled_from(NAMES), st.just("'2024-01-02 10:11:12'")),
        "integer": st.integers(-(2**63), 2**63 - 1).map(str),
        "number": st.floats(allow_nan=False, allow_infinity=False).map(repr),
        "boolean": st.sampled_from(["true", "false", "(null and true)", "is_null(a)"]),
        "date": st.sampled_from([f"date(c, '{f}')" for f in FORMATS]),
        "timestamp": st.sampled_from([f"timestamp(c, '{f}')" for f in FORMATS]),
    }
    if depth <= 0:
        return leaves[kind]

    def sub(k: str) -> st.SearchStrategy[str]:
        return _expr(k, depth - 1)

    def call(name: str, *kinds: str) -> st.SearchStrategy[str]:
        return st.tuples(*(sub(k) for k in kinds)).map(lambda a: f"{name}({', '.join(a)})")

    def infix(op: st.SearchStrategy[str], k1: str, k2: str) -> st.SearchStrategy[str]:
        return st.tuples(sub(k1), op, sub(k2)).map(lambda t: f"({t[0]} {t[1]} {t[2]})")

    arith = st.sampled_from(["+", "-", "*", "/"])
    cmp = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
    options: dict[str, list[st.SearchStrategy[str]]] = {
        "text": [
            call("lower", "text"),
            call("upper", "text"),
            call("trim", "text"),
            call("concat", "text", "integer", "number"),
            call("text", "number"),
            call("text", "timestamp"),
            call("text", "boolean"),
            call("if", "boolean", "text", "text"),
            call("coalesce", "text", "text"),
            call("nullif", "text", "text"),
            call("case", "boolean", "text", "boolean", "text", "text"),
        ],
        "integer": [
            call("int", "text"),
            call("int", "number"),
            call("round", "number"),
            call("round", "numtext"),
            call("length", "text"),
            infix(st.sampled_from(["+", "-", "*"]), "integer", "integer"),
            sub("integer").map(lambda s: f"-({s})"),
            call("coalesce", "integer", "integer"),
        ],
        "number": [
            call("number", "text"),
            call("seconds", "text"),
            call("dotted_seconds", "text"),
            call("round", "number").map(lambda s: s[:-1] + ", 2)"),
            infix(arith, "number", "numtext"),
            infix(arith, "integer", "number"),
            infix(arith, "numtext", "numtext"),
            infix(st.just("-"), "timestamp", "timestamp"),
            call("if", "boolean", "number", "integer"),
            call("nullif", "number", "integer"),
        ],
        "boolean": [
            infix(cmp, "text", "text"),
            infix(cmp, "numtext", "number"),
            infix(cmp, "integer", "integer"),
            infix(cmp, "timestamp", "date"),
            infix(cmp, "boolean", "boolean"),
            infix(st.sampled_from(["and", "or"]), "boolean", "boolean"),
            sub("boolean").map(lambda s: f"(not ({s}))"),
            call("starts_with", "text", "text"),
            call("is_null", "number"),
            st.tuples(sub("numtext"), sub("numtext"), sub("number")).map(
                lambda t: f"({t[0]} in ({t[1]}, {t[2]}))"
            ),
        ],
        "date": [call("date", "text").map(lambda s: s[:-1] + ", '%Y-%m-%d')")],
        "timestamp": [
            call("add_seconds", "timestamp", "number"),
            call("combine", "date", "number"),
            call("add_seconds", "tstext", "integer"),
        ],
    }
    # computed texts are no constants: any of them may stand where a number is read
    options["numtext"] = options["tstext"] = options["text"]
    return st.one_of(leaves[kind], *options[kind])


VALUES = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.sampled_from(
        [
            "1",
            "-2",
            " 3.5 ",
            "1e3",
            "1:02:03",
            "75:30",
            "2024-01-02",
            "2024-01-02 10:11:12",
            "02/01/2024",
            "12/31/99 11:05 PM",
            "20240102101112",
            "true",
            "9223372036854775807",
            "abc",
            "",
            "İ",
            "ß",
            "0",
            "-0.0",
            "1e400",
        ]
    ),
    st.integers().map(str),
    st.floats(allow_nan=False).map(repr),
)


@given(
    kind=st.sampled_from(["text", "integer", "number", "boolean", "date", "timestamp"]),
    data=st.data(),
    row=st.tuples(VALUES, VALUES, VALUES),
)
def test_generated_expressions_agree_with_duckdb(
    con: duckdb.DuckDBPyConnection, kind: str, data: st.DataObject, row: tuple[object, ...]
) -> None:
    text = data.draw(_expr(kind, 3))
    expr = parse_expr(text)
    assert type_of(expr) == kind
    check(con, text, row)


@given(
    fmt=st.lists(
        st.sampled_from(["%Y", "%y", "%m", "%d", "%H", "%M", "%S", "-", "/", " ", ":", "T", "1"]),
        max_size=8,
    ),
    value=st.text(alphabet="0123456789-/ :T", max_size=16),
)
def test_generated_date_formats_agree_with_duckdb(
    con: duckdb.DuckDBPyConnection, fmt: list[str], value: str
) -> None:
    text = f"timestamp(a, '{''.join(fmt)}')"
    try:
        parse_expr(text)
    except ExprError:
        return
    check(con, text, (value,), names=("a",))
