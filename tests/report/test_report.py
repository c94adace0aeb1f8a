"""Evaluation reports: every format over a sample evaluation, with golden files.

The sample (``tests/report/samples.py``) is a small contract evaluated over
three months of hand-made figures. Set ``SLALANG_REGEN=1`` to rewrite the
golden files in ``tests/report/golden/``, then review the diff.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import jsonschema  # type: ignore[import-untyped,unused-ignore]
import pytest

from report import samples
from slalang.engine.figures import EvaluationFigures
from slalang.engine.plan import Target
from slalang.judge.consequences import AccountRisk
from slalang.judge.results import Evaluation, to_json
from slalang.judge.verdicts import Verdict
from slalang.report import REPORT_FORMATS, render_evaluation, table
from slalang.report import csv as csv_report
from slalang.report.markdown import escape

ROOT = Path(__file__).parents[2]
HERE = Path(__file__).parent
GOLDEN = Path(__file__).parent / "golden"
SCHEMA = json.loads((ROOT / "docs" / "verdicts.schema.json").read_text(encoding="utf-8"))
DOCS = ROOT / "docs" / "reports.md"
REGEN = os.environ.get("SLALANG_REGEN") == "1"
SUFFIX = {
    "table": "txt",
    "json": "json",
    "markdown": "md",
    "csv": "csv",
    "grid-csv": "grid.csv",
    "status": "status.txt",
}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def sample() -> Evaluation:
    return samples.evaluation()


@pytest.fixture(scope="module")
def empty() -> Evaluation:
    """The sample contract with no figures at all: no verdicts, no credits, no data."""
    return samples.evaluation(data=EvaluationFigures(buckets={}, forecasts={}))


@pytest.fixture(autouse=True)
def _fixed_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


def validator() -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    return jsonschema.Draft202012Validator(SCHEMA)


def verdict(**changes: Any) -> Verdict:
    """A met ratio verdict of an objective ``x``, with some fields changed."""
    base = Verdict(
        objective="x",
        title="X",
        line=3,
        critical=False,
        period="2026-01",
        status="met",
        actual=0.9,
        unit="ratio",
        expected=Target(">=", Fraction(4, 5)),
        minimum=None,
        numerator=9,
        denominator=10,
        volume=10,
        aggregate="pooled",
    )
    return attrs.evolve(base, **changes)


def with_verdicts(evaluation: Evaluation, *found: Verdict) -> Evaluation:
    return attrs.evolve(
        evaluation, verdicts=found, credits=(), risk=AccountRisk("ok", None, ()), sources=()
    )


# ---------------------------------------------------------------------------
# the interface
# ---------------------------------------------------------------------------


def test_formats_are_fixed() -> None:
    assert REPORT_FORMATS == ("table", "json", "markdown", "csv", "grid-csv", "status")


def test_unknown_format_is_refused(sample: Evaluation) -> None:
    with pytest.raises(ValueError, match="unknown format 'html'"):
        render_evaluation(sample, format="html")


@pytest.mark.parametrize("format", REPORT_FORMATS)
def test_every_format_ends_with_a_newline(format: str, sample: Evaluation) -> None:
    text = render_evaluation(sample, format=format)
    assert text.endswith("\n")
    assert not text.endswith("\n\n")


# ---------------------------------------------------------------------------
# golden files
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("format", REPORT_FORMATS)
def test_golden(format: str, sample: Evaluation) -> None:
    golden(f"sample.{SUFFIX[format]}", render_evaluation(sample, format=format))


@pytest.mark.parametrize("format", REPORT_FORMATS)
def test_golden_empty(format: str, empty: Evaluation) -> None:
    golden(f"empty.{SUFFIX[format]}", render_evaluation(empty, format=format))


@pytest.fixture(scope="module")
def drifting() -> Evaluation:
    """The sample judged as of 2026-03-18 over daily figures of March that drift."""
    return samples.drifting()


@pytest.mark.parametrize("format", REPORT_FORMATS)
def test_golden_drifting(format: str, drifting: Evaluation) -> None:
    """Trends and the outlook in every format."""
    golden(f"drifting.{SUFFIX[format]}", render_evaluation(drifting, format=format))


@pytest.mark.parametrize("width", [60, 160])
def test_golden_table_widths(width: int, sample: Evaluation) -> None:
    golden(f"sample-{width}.txt", table.render(sample, width=width))


def test_golden_table_in_colour(sample: Evaluation) -> None:
    golden("sample-color.txt", render_evaluation(sample, format="table", color=True))


def test_docs_show_the_golden_examples() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    shown = ("sample.txt", "sample.json", "sample.md", "sample.csv", "sample.grid.csv",
             "drifting.status.txt")  # fmt: skip
    for name in shown:
        example = (GOLDEN / name).read_text(encoding="utf-8")
        if name == "sample.json":  # the docs show the start of the document only
            example = example[: example.index('    {\n      "objective": "abandonment"')]
        assert example in docs, f"docs/reports.md is out of date with {name}"


# ---------------------------------------------------------------------------
# table
# ---------------------------------------------------------------------------


def test_table_shows_the_director_what_matters(sample: Evaluation) -> None:
    text = render_evaluation(sample, format="table")
    assert text.startswith("Northwind customer care (northwind_care)\n")
    assert "Time zone: Europe/London" in text
    grid = text[text.index("Objectives by month") : text.index("Evidence, 2026-03")]
    header = next(line for line in grid.splitlines() if line.lstrip().startswith("Objective "))
    assert header.split()[-3:] == ["2026-01", "2026-02", "2026-03"]
    voice = next(line for line in grid.splitlines() if "Voice service level" in line)
    cells = ["75.12", "%", "missed", "54.38", "%", "BELOW", "MIN", "82.30", "%"]
    assert voice.split()[-9:] == cells
    assert "2026-02 Voice service level *    BELOW MINIMUM" in text  # an earlier miss
    assert "54.38 %" in text
    assert "16,402 / 30,161" in text
    assert "35.0 s" in text
    assert "86.2 pts" in text
    assert "34.17" in text
    assert "240.0 to 420.0 s" in text
    assert "short abandon 148" in text
    ledger = text[text.index("Service credits (GBP)") : text.index("Account status")]
    assert "2026-02  Abandonment            32        30 %  2,880.00  lost       due" in ledger
    assert "2026-02  9,600.00  9,600.00 reached   9,600.00" in ledger
    assert "Contract year 2026-01-01/2026-12-31: earned 16,320.00" in ledger
    assert "Account status: at risk (as of 2026-03)" in text
    assert "2026-03  at risk *  Chronic failure fired (2026-02, 2026-03: Abandonment," in text
    assert "malformed rows: 11 (12 problems: unparsable value 7" in text
    assert "data/northwind-2026-q1.csv:118: unparsable value (wait)" in text
    assert "data/northwind-2026-q1.csv:8911: negative duration (talk)" in text
    assert "data/northwind-2026-q1.csv:9888" not in text  # only the first 10 are listed
    assert "... and 2 more" in text


@pytest.mark.parametrize("width", [70, 80, 100, 120, 160, 200])
def test_table_fits_the_width(width: int, sample: Evaluation) -> None:
    text = table.render(sample, width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert text.count("BELOW MINIMUM") == 7
    assert "every_half_hour" in text  # an id is never broken


def test_table_columns_are_aligned(sample: Evaluation) -> None:
    lines = table.render(sample, width=200).splitlines()
    evidence = lines.index("Evidence, 2026-03")
    header = next(line for line in lines[evidence:] if line.lstrip().startswith("Objective"))
    rule = lines[lines.index(header) + 1]
    starts = [m.start() for m in re.finditer(r"-+", rule)]
    assert len(starts) == 8
    status_column = starts[1]
    rows = lines[lines.index(header) + 2 : lines.index(header) + 9]
    assert [row[status_column:].split("  ")[0] for row in rows] == [
        "met",
        "BELOW MINIMUM",
        "BELOW MINIMUM",
        "met",
        "BELOW MINIMUM",
        "met",
        "met",
    ]


def test_table_colours_statuses(sample: Evaluation) -> None:
    plain = render_evaluation(sample, format="table")
    coloured = render_evaluation(sample, format="table", color=True)
    assert "\x1b[" not in plain
    assert ANSI.sub("", coloured) == plain
    assert "\x1b[32mmet\x1b[0m" in coloured
    assert "\x1b[33mmissed\x1b[0m" in coloured
    assert "\x1b[1;31mBELOW MINIMUM\x1b[0m" in coloured
    assert "\x1b[2mnot measurable\x1b[0m" in coloured
    assert "\x1b[2mno data\x1b[0m" in coloured
    assert "Account status: \x1b[1;31mat risk\x1b[0m" in coloured


@pytest.mark.parametrize("width", [40, 60, 80, 120, 160])
@pytest.mark.parametrize("which", ["sample", "empty"])
def test_coloured_table_is_the_plain_table_with_escapes(
    which: str, width: int, sample: Evaluation, empty: Evaluation
) -> None:
    evaluation = sample if which == "sample" else empty
    plain = table.render(evaluation, width=width)
    coloured = table.render(evaluation, width=width, color=True)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == plain
    assert plain == table.render(evaluation, width=width, color=False)


def test_narrow_blocks_colour_their_status(sample: Evaluation) -> None:
    coloured = table.render(sample, width=40, color=True)
    assert ": \x1b[1;31mBELOW MINIMUM\x1b[0m\n" in coloured  # the one-block-per-objective layout


def test_colour_asked_for_is_given_whatever_the_environment(
    sample: Evaluation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caller weighs NO_COLOR and the terminal (the command line does); rich must not."""
    expected = render_evaluation(sample, format="table", color=True)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("COLUMNS", "50")
    assert table.render(sample, color=True, width=120) == expected
    assert "\x1b[" not in table.render(sample, width=120)


def test_styled_text_keeps_its_spans_through_joins() -> None:
    line = "  " + table.paint("met", "green") + "   "
    assert line.text == "  met   "
    assert line.spans == ((2, 5, "green"),)
    stripped = (line + table.paint(" ", "dim")).rstrip()
    assert stripped == table.Styled("  met", ((2, 5, "green"),))
    assert table.paint("", "green").spans == ()


def test_plain_tables_do_not_load_rich(sample: Evaluation) -> None:
    code = (
        "import sys\n"
        "sys.path.insert(0, 'tests')\n"
        "import slalang.report.table, slalang.progress\n"
        "from report import samples\n"
        "slalang.report.table.render(samples.evaluation())\n"
        "print(sorted(m for m in sys.modules if m == 'rich' or m.startswith('rich.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60,
        cwd=ROOT,
    )  # fmt: skip
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("format", ["json", "markdown", "csv"])
def test_only_the_table_uses_colour(format: str, sample: Evaluation) -> None:
    assert render_evaluation(sample, format=format, color=True) == render_evaluation(
        sample, format=format
    )


def test_table_without_verdicts(empty: Evaluation) -> None:
    text = render_evaluation(empty, format="table")
    assert "No verdicts" in text
    assert "Account status: ok" in text
    assert "No data files were read." in text


def test_table_without_rules(sample: Evaluation) -> None:
    text = render_evaluation(with_verdicts(sample, verdict()), format="table")
    assert "Account status: ok\n  The contract has no account-at-risk rules." in text


def test_actual_none_is_a_dash(sample: Evaluation) -> None:
    found = verdict(status="not_measurable", actual=None, numerator=3, denominator=4, volume=4)
    evaluation = with_verdicts(sample, found)
    text = render_evaluation(evaluation, format="table")
    grid = next(line for line in text.splitlines() if line.startswith("  X "))
    assert grid.split() == ["X", ">=", "80.00", "%", "-", "not", "measurable"]
    evidence = text[text.index("Evidence, 2026-01") :]
    line = next(line for line in evidence.splitlines() if line.startswith("  X "))
    assert line.split() == [
        "X",
        "not",
        "measurable",
        "-",
        ">=",
        "80.00",
        "%",
        "-",
        "3",
        "/",
        "4",
        "4",
    ]
    assert "| X | not measurable | - |" in render_evaluation(evaluation, format="markdown")


def test_wide_characters_keep_columns_aligned(sample: Evaluation) -> None:
    evaluation = with_verdicts(sample, verdict(title="応答率"), verdict(title="Answer rate"))
    lines = table.render(evaluation, width=120).splitlines()
    rows = [line for line in lines if "met" in line]
    assert rows[0].index("met") + 3 == rows[1].index("met")  # 3 wide characters = 6 columns


# ---------------------------------------------------------------------------
# markdown
# ---------------------------------------------------------------------------


def test_markdown_tables_are_well_formed(sample: Evaluation) -> None:
    text = render_evaluation(sample, format="markdown")
    assert text.startswith("# Northwind customer care\n")
    for block in text.split("\n\n"):
        rows = block.splitlines()
        if not rows or not rows[0].startswith("| "):
            continue
        cells = [len(re.findall(r"(?<!\\)\|", row)) for row in rows]
        assert len(set(cells)) == 1, block
        assert re.fullmatch(r"\| (---:?( \| )?)+ \|", rows[1])
    assert "| 2026-02 Voice service level \\* | **BELOW MINIMUM** | 54.38 % |" in text
    assert "| Voice service level \\* | >= 80.00 % | >= 70.00 % | 75.12 % missed | " in text
    assert "## Account status: **at risk** (as of 2026-03)" in text
    assert "  - `data/northwind-2026-q1.csv:118: unparsable value (wait)`" in text


def test_markdown_escapes_cell_text(sample: Evaluation) -> None:
    evaluation = with_verdicts(sample, verdict(title="Sales | *VIP* <b>", excluded={"a|b": 2}))
    text = render_evaluation(evaluation, format="markdown")
    assert "| Sales \\| \\*VIP\\* &lt;b> |" in text
    assert "| a\\|b 2 |" in text
    assert escape("every_half_hour") == "every_half_hour"
    assert escape("_x_ <= 5") == "\\_x\\_ <= 5"


# ---------------------------------------------------------------------------
# json and the schema
# ---------------------------------------------------------------------------


def test_json_is_to_json(sample: Evaluation) -> None:
    text = render_evaluation(sample, format="json")
    assert json.loads(text) == to_json(sample)
    assert text == json.dumps(to_json(sample), indent=2, sort_keys=False) + "\n"


@pytest.mark.parametrize("which", ["sample", "empty", "edge"])
def test_json_follows_the_schema(which: str, sample: Evaluation, empty: Evaluation) -> None:
    evaluation = {
        "sample": sample,
        "empty": empty,
        "edge": with_verdicts(
            sample,
            verdict(status="no_data", actual=None, numerator=0, denominator=0, volume=0),
            verdict(
                unit="score",
                actual=-42.5,
                expected=Target("between", Fraction(-50), Fraction(50)),
                title=None,
            ),
        ),
    }[which]
    document = json.loads(render_evaluation(evaluation, format="json"))
    errors = list(validator().iter_errors(document))
    assert errors == []


def broken_documents(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Copies of a valid document, each with one mistake."""

    def copy() -> dict[str, Any]:
        result: dict[str, Any] = json.loads(json.dumps(document))
        return result

    cases = []
    doc = copy()
    doc["results"][0]["status"] = "passed"
    cases.append(("unknown status", doc))
    doc = copy()
    del doc["results"][0]["actual"]
    cases.append(("missing actual", doc))
    doc = copy()
    doc["results"][0]["colour"] = "red"
    cases.append(("extra key", doc))
    doc = copy()
    doc["results"][0]["actual"] = 75.12  # a percentage where a fraction belongs
    cases.append(("ratio above 1", doc))
    doc = copy()
    doc["results"][0]["actual"] = None  # a judged verdict has a value
    cases.append(("met without actual", doc))
    doc = copy()
    doc["results"][0]["unit"] = "percent"
    cases.append(("unknown unit", doc))
    doc = copy()
    doc["results"][0]["expected"] = {"op": "between", "value": 1, "unit": "ratio"}
    cases.append(("band without bounds", doc))
    doc = copy()
    doc["results"][0]["period"] = "January 2026"
    cases.append(("period key", doc))
    doc = copy()
    doc["credits"][0]["items"][0]["state"] = "paid"
    cases.append(("credit state", doc))
    doc = copy()
    doc["account"]["status"] = "at risk"
    cases.append(("account status", doc))
    doc = copy()
    doc["account"]["rules"][0]["state"] = "fire"
    cases.append(("rule state", doc))
    doc = copy()
    doc["data"][0]["rows_read"] = -1
    cases.append(("negative count", doc))
    doc = copy()
    doc["schema_version"] = 2
    cases.append(("schema version", doc))
    doc = copy()
    del doc["account_history"]
    cases.append(("missing account history", doc))
    doc = copy()
    del doc["data"]
    cases.append(("missing data", doc))
    return cases


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("name", ["sample", "empty"])
def test_older_documents_still_follow_their_schema(version: int, name: str) -> None:
    """Documents slalang wrote before the current schema version (kept in tests/report/v1/
    and v2/) validate against docs/verdicts.vN.schema.json, and not against the current one."""
    path = ROOT / "docs" / f"verdicts.v{version}.schema.json"
    old = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(old)
    document = json.loads((HERE / f"v{version}" / f"{name}.json").read_text(encoding="utf-8"))
    assert document["schema_version"] == version
    assert list(jsonschema.Draft202012Validator(old).iter_errors(document)) == []
    assert not validator().is_valid(document)


def test_schema_rejects_broken_documents(sample: Evaluation) -> None:
    check = validator()
    document = to_json(sample)
    assert check.is_valid(document)
    for name, broken in broken_documents(document):
        assert not check.is_valid(broken), name


def test_schema_lists_every_key_of_to_json(sample: Evaluation) -> None:
    """Every object with a fixed shape is closed, and lists exactly the keys to_json writes."""
    document = to_json(sample)
    defs = SCHEMA["$defs"]
    assert set(SCHEMA["properties"]) == set(document)
    assert set(defs["verdict"]["properties"]) == set(document["results"][0])
    assert set(defs["period_credits"]["properties"]) == set(document["credits"][0])
    assert set(defs["source"]["properties"]) == set(document["data"][0])
    assert set(SCHEMA["properties"]["account"]["properties"]) == set(document["account"])
    for shape in (SCHEMA, defs["verdict"], defs["period_credits"], defs["source"]):
        assert shape["additionalProperties"] is False
        assert set(shape["required"]) == set(shape["properties"])


# ---------------------------------------------------------------------------
# csv
# ---------------------------------------------------------------------------


def test_csv_parses_back(sample: Evaluation) -> None:
    rows = list(csv.DictReader(io.StringIO(render_evaluation(sample, format="csv"))))
    assert len(rows) == len(sample.verdicts) == 21
    assert list(rows[0]) == list(csv_report.HEADER)
    first = rows[0]
    assert first["period"] == "2026-01"
    assert first["objective"] == "service_level"
    assert first["critical"] == "true"
    assert first["status"] == "missed"
    assert float(first["actual"]) == pytest.approx(22_540 / 30_005)
    assert (first["expected_op"], first["expected_value"], first["expected_high"]) == (
        ">=",
        "0.8",
        "",
    )
    assert (first["minimum_op"], first["minimum_value"]) == (">=", "0.7")
    assert first["excluded"] == "short abandon=248"
    statuses = {row["status"] for row in rows}
    assert statuses == {"met", "missed", "below_minimum", "not_measurable", "no_data"}
    band = next(row for row in rows if row["objective"] == "handle_time")
    assert (band["expected_op"], band["expected_value"], band["expected_high"]) == (
        "between",
        "240.0",
        "420.0",
    )
    share = next(row for row in rows if row["objective"] == "every_half_hour")
    assert (share["judged_periods"], share["meeting_periods"]) == ("4", "3")


def test_csv_leaves_none_empty(sample: Evaluation) -> None:
    found = verdict(status="not_measurable", actual=None, title=None)
    text = render_evaluation(with_verdicts(sample, found), format="csv")
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["actual"] == ""
    assert row["title"] == ""
    assert row["minimum_op"] == row["minimum_value"] == row["minimum_high"] == ""
    assert row["judged_periods"] == row["meeting_periods"] == row["excluded"] == ""


def test_csv_without_verdicts(empty: Evaluation) -> None:
    text = render_evaluation(empty, format="csv")
    assert text == ",".join(csv_report.HEADER) + "\n"


def test_csv_excluded_reasons_are_escaped() -> None:
    cell = csv_report.excluded_cell({"outage: a=b; c": 3, "100% busy": 1})
    assert cell == "outage: a%3Db%3B c=3;100%25 busy=1"
    parsed = dict(item.split("=") for item in cell.split(";"))
    assert set(parsed) == {"outage: a%3Db%3B c", "100%25 busy"}


def test_json_writes_whole_counts_as_integers(sample: Evaluation) -> None:
    """Counts of contacts and periods are integers in the JSON (16402, not 16402.0)."""
    document = json.loads(render_evaluation(sample, format="json"))
    pairs = [(r["numerator"], r["denominator"]) for r in document["results"]]
    assert pairs
    for value in (v for pair in pairs for v in pair if v is not None):
        if float(value).is_integer():
            assert isinstance(value, int), value
    halves = with_verdicts(sample, verdict(numerator=12.5, denominator=3.0))
    (result,) = json.loads(render_evaluation(halves, format="json"))["results"]
    assert result["numerator"] == 12.5
    assert result["denominator"] == 3
    assert isinstance(result["denominator"], int)


def test_long_histories_show_the_latest_periods_and_misses(sample: Evaluation) -> None:
    """Sixty daily verdicts, all missed: the grid shows the latest 31 days, the evidence
    the latest 25 earlier misses; the rest is in the machine formats."""
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(60)]
    found = [verdict(period=d.isoformat(), status="missed", actual=0.7) for d in days]
    evaluation = with_verdicts(sample, *found)
    text = table.render(evaluation, width=200)
    assert "The latest 31 periods; 29 earlier ones are in the grid-csv and json formats" in text
    assert "2026-01-29" not in text.split("Evidence")[0]  # the grid starts on the 30th
    assert "2026-01-30" in text.split("Evidence")[0]
    assert "... and 34 more (every verdict is in the csv and json formats)" in text
    markdown = render_evaluation(evaluation, format="markdown")
    assert (
        "The latest 31 periods; 29 earlier ones are in the grid-csv and json formats." in markdown
    )
    grid_csv = render_evaluation(evaluation, format="grid-csv")
    assert grid_csv.splitlines()[0].count(" status") == 60
