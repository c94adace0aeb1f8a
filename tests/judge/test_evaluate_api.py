"""The evaluation API and the `slalang evaluate` command, end to end."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import polars
import pyarrow as pa
import pytest

import slalang
from slalang.engine import duckdb_engine as engine
from slalang.engine.plan import compile_plan
from slalang.report import render_evaluation
from slalang.synth import contacts, write

ROOT = Path(__file__).resolve().parents[2]
BANK = ROOT.parent / "shared" / "data" / "anonymous-bank" / "january-1999.txt"

EXERCISED = ("E820", "E821", "E822", "E823", "E824", "E825", "E826")
"""Diagnostic codes whose cases live in this module (see test_invalid_cases)."""

CONTRACT = """contract demo {
  client "A"
  vendor "B"
  timezone "UTC"
}

source calls: contacts {
  profile "generic-contacts"
}

scope billing = calls where queue == "billing"

objective sl "Service level" {
  critical
  metric service_level
  from billing
  threshold <= 20 s
  expected >= 80%
  minimum >= 70%
}

objective asa {
  key
  metric average_speed_of_answer
  from calls
  expected <= 30 s
}
"""


def _plan(text: str = CONTRACT) -> slalang.Plan:
    return slalang.compile(slalang.check(text, path="demo.sla"))


def test_compile_refuses_a_contract_with_errors() -> None:
    with pytest.raises(slalang.CompileError) as raised:
        slalang.compile(slalang.check("contract x {\n}\n"))
    assert raised.value.result.errors


def test_a_plan_evaluates_many_times_and_from_arrow_tables() -> None:
    plan = _plan()
    table = contacts(2000, seed=3, days=3)
    first = slalang.evaluate(plan, data=table)
    second = slalang.evaluate(plan, data={"calls": table.to_pandas()})
    third = slalang.evaluate(plan, data={"calls": polars.from_arrow(table)})
    for other in (second, third):
        assert [(v.objective, v.period, v.actual) for v in first.verdicts] == [
            (v.objective, v.period, v.actual) for v in other.verdicts
        ]
    assert {v.objective for v in first.verdicts} == {"sl", "asa"}


def test_polars_rows_with_problems_are_reported_by_row() -> None:
    frame = polars.DataFrame({
        "contact_id": ["a", "b", "c"],
        "queued_at": [dt.datetime(2026, 1, 5, 9), None, dt.datetime(2026, 1, 5, 9, 30)],
        "outcome": ["answered", "answered", "lost"],
        "wait": [3.0, 4.0, 5.0],
        "queue": ["billing", "billing", "sales"],
    })  # fmt: skip
    evaluation = slalang.evaluate(_plan(), data=frame)
    (report,) = evaluation.sources
    assert (report.rows_read, report.rows_loaded) == (3, 1)
    assert [(p.line, p.field) for p in report.problems] == [(2, "queued_at"), (3, "outcome")]


def test_files_in_each_format_give_the_same_verdicts(tmp_path: Path) -> None:
    plan = _plan()
    table = contacts(3000, seed=5, days=2)
    results = []
    for suffix in (".parquet", ".csv", ".jsonl"):
        path = tmp_path / f"calls{suffix}"
        write(table, path)
        evaluation = slalang.evaluate(plan, data=path)
        assert evaluation.sources[0].rows_loaded == 3000
        results.append([(v.objective, v.period, v.status, v.actual) for v in evaluation.verdicts])
    assert results[0] == results[1] == results[2]


def test_unbound_and_unknown_sources_are_reported() -> None:
    plan = _plan()
    with pytest.raises(slalang.EvaluationError) as raised:
        slalang.evaluate(plan, data={"cals": "x.csv"})
    assert {d.code for d in raised.value.diagnostics} == {"E820"}
    assert raised.value.io


def _unchecked_plan(text: str) -> slalang.Plan:
    """A plan compiled without the check, which would already refuse the profile."""
    contract = slalang.parse(text, path="demo.sla").contract
    assert contract is not None
    return compile_plan(contract, path="demo.sla")


def test_profile_of_another_kind_is_reported(tmp_path: Path) -> None:
    text = CONTRACT.replace('profile "generic-contacts"', 'profile "interval-csv"')
    assert [d.code for d in slalang.check(text, path="demo.sla").diagnostics] == ["E821"]
    path = tmp_path / "calls.csv"
    write(contacts(10, seed=1, days=1), path)
    with pytest.raises(slalang.EvaluationError) as raised:
        slalang.evaluate(_unchecked_plan(text), data=path)
    assert [d.code for d in raised.value.diagnostics] == ["E821"]


def test_a_profile_expression_of_the_wrong_type_is_reported_by_evaluate(tmp_path: Path) -> None:
    (tmp_path / "acd.yaml").write_text(
        "name: acd\nkind: contacts\nformat: csv\nfields:\n  contact_id: {column: id}\n"
        "  queued_at: {expr: \"timestamp(Date + ' ' + Time, '%d/%m/%Y %H:%M')\"}\n"
        "  outcome: {value: answered}\n  wait: {column: wait}\n",
        encoding="utf-8",
    )
    (tmp_path / "calls.csv").write_text("id,Date,Time,wait\n1,05/01/2026,08:30,4\n")
    text = CONTRACT.replace('profile "generic-contacts"', 'profile "acd.yaml"')
    with pytest.raises(slalang.EvaluationError) as raised:
        slalang.evaluate(_unchecked_plan(text), data=tmp_path / "calls.csv", base=tmp_path)
    (problem,) = raised.value.diagnostics
    assert problem.code == "E808"
    assert problem.span is not None
    assert problem.span.path == str(tmp_path / "acd.yaml")
    assert (problem.span.line, problem.span.column) == (6, 39)  # at the text ' '
    assert "field `queued_at`" in problem.message
    assert "`timestamp(Date + ' ' + Time, '%d/%m/%Y %H:%M')`" in problem.message
    assert "concat(" in problem.message


def test_strict_turns_malformed_rows_into_an_error(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    write(contacts(50, seed=2, days=1), path)
    lines = path.read_text().splitlines()
    lines[5] = lines[5].replace(",", ",,", 1)  # one field too many
    path.write_text("\n".join(lines) + "\n")
    relaxed = slalang.evaluate(_plan(), data=path)
    assert relaxed.sources[0].rows_loaded == 49
    assert {p.line for p in relaxed.sources[0].problems} == {6}
    with pytest.raises(slalang.EvaluationError) as raised:
        slalang.evaluate(_plan(), data=path, strict=True)
    assert [d.code for d in raised.value.diagnostics] == ["E822"]


def test_fields_an_objective_needs_must_be_in_the_data() -> None:
    text = CONTRACT + (
        "objective fcr {\n  key\n  metric fcr\n  method agent_flag\n  expected >= 70%\n}\n"
    )
    table = contacts(200, seed=4, days=1)
    fine = slalang.evaluate(_plan(text), data=table)
    assert "fcr" in {v.objective for v in fine.verdicts}
    with pytest.raises(slalang.EvaluationError) as raised:
        slalang.evaluate(_plan(text), data=table.drop_columns(["resolved", "queue"]))
    messages = sorted(d.message for d in raised.value.diagnostics)
    assert [d.code for d in raised.value.diagnostics] == ["E823", "E823"]
    assert messages == [
        "objective `fcr` needs `resolved`, which the data of source `calls` does not provide",
        "objective `sl` needs `queue`, which the data of source `calls` does not provide",
    ]


@pytest.mark.parametrize("as_file", [False, True])
def test_a_field_with_values_only_late_in_the_data_is_provided(
    tmp_path: Path, as_file: bool
) -> None:
    """The first records answer for most fields; a field empty there is looked for in all."""
    from slalang.judge.evaluation import SAMPLE_ROWS

    text = CONTRACT + (
        "objective fcr {\n  key\n  metric fcr\n  method agent_flag\n  expected >= 70%\n}\n"
    )
    table = contacts(SAMPLE_ROWS + 500, seed=4, days=1)
    late = [None] * (SAMPLE_ROWS + 499) + [True]
    data: object = table.set_column(
        table.schema.get_field_index("resolved"), "resolved", pa.array(late, pa.bool_())
    )
    if as_file:
        data = tmp_path / "calls.csv"
        write(table.set_column(table.schema.get_field_index("resolved"), "resolved",
                               pa.array(late, pa.bool_())), data)  # fmt: skip
    found = slalang.evaluate(_plan(text), data=data)
    assert "fcr" in {v.objective for v in found.verdicts}
    nowhere = table.set_column(
        table.schema.get_field_index("resolved"), "resolved", pa.nulls(table.num_rows, pa.bool_())
    )
    with pytest.raises(slalang.EvaluationError) as raised:
        slalang.evaluate(_plan(text), data=nowhere)
    assert [d.code for d in raised.value.diagnostics] == ["E823"]


def test_hostile_strings_reach_sql_only_as_parameters() -> None:
    hostile = "x'; DROP TABLE calls; --\\\" \u00e9"
    text = CONTRACT.replace('queue == "billing"', f'queue == "{hostile.replace(chr(34), "")}"')
    text = text.replace("\\", "\\\\")
    plan = compile_plan(slalang.check(text).contract)  # type: ignore[arg-type]
    con = duckdb.connect()
    rows = [
        {"queued_at": dt.datetime(2026, 1, 1, 9), "outcome": "answered", "wait": 5.0,
         "queue": hostile.replace('"', "")},
        {"queued_at": dt.datetime(2026, 1, 1, 9), "outcome": "answered", "wait": 50.0,
         "queue": "billing"},
    ]  # fmt: skip
    arrow = pa.Table.from_pylist(rows)  # noqa: F841 - read by DuckDB through its replacement scan
    con.execute("CREATE TABLE calls AS SELECT * FROM arrow")
    query, params, _ = engine._source_query(
        plan.objectives, "calls", "contacts", frozenset(rows[0]), {}
    )
    assert "DROP" not in query
    assert hostile.replace('"', "") in params
    figures = engine.evaluate(con, plan, {"calls": "calls"})
    sl = next(iter(figures.buckets["sl"].values()))
    assert (sl.num, sl.den) == (1.0, 1.0)
    assert con.execute("SELECT count(*) FROM calls").fetchone() == (2,)


def test_hostile_table_names_are_refused() -> None:
    with pytest.raises(engine.EngineError):
        engine.quote('calls"; DROP TABLE x; --')


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slalang", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


@pytest.mark.skipif(not BANK.exists(), reason="the Anonymous Bank data is not here")
def test_the_documented_command_on_the_bank_export() -> None:
    done = _run("evaluate", "contracts/anonymous-bank-1999.sla", "--data", str(BANK),
                "--format", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    results = {r["objective"]: r for r in document["results"]}
    assert results["speed_of_answer"]["period"] == "1999-01"
    assert results["speed_of_answer"]["status"] == "below_minimum"
    assert round(results["speed_of_answer"]["actual"], 6) == 0.543815
    assert document["account"]["status"] == "watch"


def test_cli_evaluate_reports_and_exit_codes(tmp_path: Path) -> None:
    contract = tmp_path / "demo.sla"
    contract.write_text(CONTRACT)
    data = tmp_path / "calls.parquet"
    write(contacts(500, seed=9, days=1), data)
    for fmt in ("table", "json", "markdown", "csv"):
        done = _run("evaluate", str(contract), "--data", str(data), "--format", fmt)
        assert done.returncode == 0, done.stderr
        assert done.stdout
    assert _run("evaluate", str(contract), "--data", str(tmp_path / "nope.csv")).returncode == 2
    assert _run("evaluate", str(contract), "--data", f"cals={data}").returncode == 2
    broken = tmp_path / "broken.sla"
    broken.write_text("contract x {\n}\n")
    assert _run("evaluate", str(broken), "--data", str(data)).returncode == 1
    assert _run("evaluate", str(tmp_path / "missing.sla"), "--data", str(data)).returncode == 2


def test_an_exclusion_for_some_objectives_leaves_the_others_alone() -> None:
    text = """
contract desk {
  client "Acme"
  vendor "BlueDesk"
  timezone "UTC"
}
source calls: contacts
template q(name) {
  scope mine = calls where queue == name
  objective sl {
    key
    metric service_level
    from mine
    threshold <= 20 s
    window day
    expected >= 80%
  }
}
apply q("billing") as billing
apply q("sales") as sales
objective asa {
  key
  metric average_speed_of_answer
  from calls
  window day
  expected <= 30 s
}
exclude outage "Carrier" from 2026-01-01 10:00 to 2026-01-01 12:00 for [billing.sl, asa]
"""
    plan = slalang.compile(slalang.check(text))
    assert {o.id: len(o.outages) for o in plan.objectives} == {
        "billing.sl": 1, "sales.sl": 0, "asa": 1
    }  # fmt: skip
    evaluation = slalang.evaluate(plan, data=contacts(20_000, seed=4, days=1))
    excluded = {v.objective: v.excluded.get("outage: Carrier", 0) for v in evaluation.verdicts}
    assert excluded["billing.sl"] > 0
    assert excluded["asa"] > excluded["billing.sl"]
    assert excluded["sales.sl"] == 0


def test_the_report_notes_clock_times_of_the_repeated_autumn_hour(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(
        "contact_id,queue,queued_at,outcome,wait\n"
        "1,billing,2026-11-01 00:30:00,answered,10\n"
        "2,billing,2026-11-01 01:15:00,answered,12\n"  # 01:00-02:00 happened twice
        "3,billing,2026-11-01 01:45:00,abandoned,40\n"
        "4,billing,2026-11-01 09:00:00,answered,5\n",
        encoding="utf-8",
    )
    plan = _plan(CONTRACT.replace('timezone "UTC"', 'timezone "America/New_York"'))
    evaluation = slalang.evaluate(plan, data=path)
    (source,) = evaluation.sources
    assert source.rows_loaded == 4
    assert source.ambiguous is not None
    assert (source.ambiguous.count, source.ambiguous.line) == (2, 3)
    document = json.loads(render_evaluation(evaluation, format="json"))
    assert document["data"][0]["ambiguous_times"] == {
        "count": 2,
        "zone": "America/New_York",
        "first": {"path": str(path), "line": 3, "field": "queued_at",
                  "value": "2026-11-01 01:15:00"},
    }  # fmt: skip
    table = render_evaluation(evaluation, format="table")
    assert "ambiguous local times: 2 rows in the hour repeated when clocks went back" in (
        " ".join(table.split())
    )
    markdown = render_evaluation(evaluation, format="markdown")
    assert "- Ambiguous local times: 2 rows" in markdown
    summer = path.read_text(encoding="utf-8").replace("2026-11-01", "2026-07-01")
    path.write_text(summer, encoding="utf-8")
    (source,) = slalang.evaluate(plan, data=path).sources
    assert source.ambiguous is None
