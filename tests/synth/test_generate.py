"""The synthetic data generator: determinism, canonical schemas, invariants, interval sums,
file formats and the command line."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from slalang import synth as generate
from slalang.lang import canonical

ARROW = {
    "text": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
}


def canonical_schema(table: canonical.Table) -> list[tuple[str, pa.DataType]]:
    return [(f.name, ARROW[f.type]) for f in table.fields if "<" not in f.name]


def schema_of(table: pa.Table) -> list[tuple[str, pa.DataType]]:
    return [(f.name, f.type) for f in table.schema]


@pytest.fixture(scope="module")
def big() -> pa.Table:
    return generate.contacts(100_000, seed=7)


@pytest.fixture(scope="module")
def small() -> pa.Table:
    return generate.contacts(3_000, seed=11, days=7, channels=("voice", "chat"))


# -- determinism -------------------------------------------------------------------------------

MAKERS = {
    "contacts": lambda seed: generate.contacts(2_000, seed=seed, channels=("voice", "email")),
    "intervals": lambda seed: generate.intervals(
        generate.contacts(2_000, seed=seed), thresholds=(20, 30), seed=seed
    ),
    "audits": lambda seed: generate.audits(300, seed=seed),
    "surveys": lambda seed: generate.surveys(300, seed=seed),
    "adherence": lambda seed: generate.adherence(12, seed=seed),
    "forecasts": lambda seed: generate.forecasts(2_000, seed=seed, days=3),
}


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_same_seed_same_table_other_seed_other_table(kind: str) -> None:
    make = MAKERS[kind]
    assert make(3).equals(make(3))
    assert not make(3).equals(make(4))


# -- schemas -----------------------------------------------------------------------------------


def test_contacts_schema_is_canonical(small: pa.Table) -> None:
    assert schema_of(small) == canonical_schema(canonical.CONTACTS)


def test_surveys_and_adherence_schemas_are_canonical() -> None:
    assert schema_of(generate.surveys(10)) == canonical_schema(canonical.SURVEYS)
    assert schema_of(generate.adherence(3)) == canonical_schema(canonical.ADHERENCE)


def test_audits_schema_has_one_text_column_per_criterion() -> None:
    table = generate.audits(500, criteria=("greeting", "policy"))
    expected = [*canonical_schema(canonical.AUDITS), ("greeting", pa.string())]
    assert schema_of(table) == [*expected, ("policy", pa.string())]
    for name in ("greeting", "policy"):
        counts = Counter(table[name].to_pylist())
        assert set(counts) == {"yes", "no", "na"}
        assert counts["yes"] > counts["no"] + counts["na"]


def test_intervals_schema_expands_thresholds(small: pa.Table) -> None:
    table = generate.intervals(small, thresholds=(30, 20), abandon_thresholds=(10,))
    names = table.column_names
    assert names[:7] == [
        "queue",
        "channel",
        "interval_start",
        "offered",
        "answered",
        "abandoned",
        "short_abandoned",
    ]
    assert names[7:10] == ["answered_within_20", "answered_within_30", "abandoned_within_10"]
    assert names[10:] == [
        "total_wait",
        "total_talk",
        "total_hold",
        "total_acw",
        "total_handle",
        "available_time",
        "forecast_offered",
    ]
    assert all(table.schema.field(n).type == pa.int64() for n in names[3:10])
    assert table.schema.field("interval_start").type == pa.timestamp("us")


def test_empty_tables_keep_their_schema() -> None:
    table = generate.contacts(0)
    assert table.num_rows == 0
    assert schema_of(table) == canonical_schema(canonical.CONTACTS)
    assert generate.intervals(table).num_rows == 0
    assert generate.audits(0).num_rows == generate.surveys(0).num_rows == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda: generate.contacts(-1),
        lambda: generate.contacts(10, days=0),
        lambda: generate.contacts(10, start="January"),
        lambda: generate.contacts(10, channels=("fax",)),
        lambda: generate.contacts(10, queues=()),
        lambda: generate.intervals(generate.contacts(10), minutes=7),
        lambda: generate.audits(10, criteria=("agent",)),
    ],
)
def test_bad_arguments_raise_value_error(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        call()


# -- contact invariants ------------------------------------------------------------------------


def rows(table: pa.Table) -> list[dict[str, Any]]:
    return table.to_pylist()


def test_row_invariants(small: pa.Table) -> None:
    seconds = dt.timedelta(seconds=1)
    for row in rows(small):
        outcome, wait = row["outcome"], row["wait"]
        assert isinstance(wait, float)
        assert wait >= 0
        assert wait == int(wait)
        assert row["arrived_at"] <= row["queued_at"] <= row["ended_at"]
        assert row["contact_id"]
        if outcome == "answered":
            assert row["answered_at"] == row["queued_at"] + wait * seconds
            assert row["agent"] is not None
            assert row["talk"] > 0
            handle = (row["talk"] + row["hold"]) * seconds
            assert row["ended_at"] == row["answered_at"] + handle
        else:
            assert row["answered_at"] is None
            assert row["agent"] is None
            assert row["talk"] == row["hold"] == row["acw"] == 0
            assert row["resolved"] is False
            assert row["ended_at"] == row["queued_at"] + wait * seconds
        if outcome == "not_offered":
            assert wait == 0
        if row["direction"] == "outbound":
            assert outcome == "answered"
            assert wait == 0


def test_voice_is_closed_at_night(big: pa.Table) -> None:
    hours = {t.hour for t in big["queued_at"].to_pylist()}
    assert hours <= set(range(7, 22))
    assert {9, 10, 11, 14, 15, 16} <= hours


def test_shares_are_plausible(big: pa.Table) -> None:
    n = big.num_rows
    outcomes = Counter(big["outcome"].to_pylist())
    share = {k: outcomes[k] / n for k in canonical.OUTCOMES}
    assert 0.82 <= share["answered"] <= 0.88
    assert 0.07 <= share["abandoned"] <= 0.13
    assert 0.01 <= share["flow_out"] <= 0.03
    assert 0.005 <= share["callback"] <= 0.02
    assert 0.01 <= share["not_offered"] <= 0.03

    data = rows(big.select(["outcome", "wait", "talk", "hold", "acw", "queue", "queued_at"]))
    answered = [r for r in data if r["outcome"] == "answered"]
    abandoned = [r for r in data if r["outcome"] == "abandoned"]
    within = sum(r["wait"] <= 20 for r in answered)
    service = within / (len(answered) + len(abandoned))
    assert 0.72 <= service <= 0.85
    short = sum(r["wait"] < 5 for r in abandoned) / len(abandoned)
    assert 0.02 <= short <= 0.4
    aht = sum(r["talk"] + r["hold"] + r["acw"] for r in answered) / len(answered)
    assert 260 <= aht <= 340

    # Service level varies by interval: some half hours of a queue are much worse than the month.
    per: dict[object, list[int]] = defaultdict(lambda: [0, 0])
    for r in answered + abandoned:
        t = r["queued_at"]
        key = (r["queue"], t.date(), t.hour, t.minute // 30)
        per[key][0] += r["outcome"] == "answered" and r["wait"] <= 20
        per[key][1] += 1
    levels = [a / b for a, b in per.values() if b >= 10]
    assert sum(level < 0.5 for level in levels) >= 0.03 * len(levels)
    assert sum(level >= 0.9 for level in levels) >= 0.3 * len(levels)


def test_weekends_are_quieter(big: pa.Table) -> None:
    days = Counter(t.weekday() for t in big["queued_at"].to_pylist())
    dates = [dt.date(2026, 1, 1) + dt.timedelta(days=k) for k in range(31)]
    weeks = Counter(d.weekday() for d in dates)
    per_day = {d: days[d] / weeks[d] for d in range(7)}
    assert per_day[6] < per_day[5] < 0.6 * min(per_day[d] for d in range(5))


def test_repeat_contact_fcr_is_plausible(big: pa.Table) -> None:
    data = rows(big.select(["customer_id", "queued_at", "outcome", "resolved"]))
    by_customer: dict[object, list[dt.datetime]] = defaultdict(list)
    for r in data:
        if r["customer_id"] is not None:
            by_customer[r["customer_id"]].append(r["queued_at"])
    for times in by_customer.values():
        times.sort()
    last = dt.datetime(2026, 1, 25)  # contacts later than this are censored
    eligible = repeated = 0
    for r in data:
        t = r["queued_at"]
        if r["outcome"] != "answered" or r["customer_id"] is None or t >= last:
            continue
        eligible += 1
        later = by_customer[r["customer_id"]]
        repeated += any(t < u <= t + dt.timedelta(days=7) for u in later)
    fcr = 1 - repeated / eligible
    assert 0.70 <= fcr <= 0.80
    assert 0.01 <= big["customer_id"].null_count / big.num_rows <= 0.05
    resolved = sum(bool(r["resolved"]) for r in data if r["outcome"] == "answered")
    assert 0.8 <= resolved / sum(r["outcome"] == "answered" for r in data) <= 0.95


def test_channels_queues_and_fields_are_filled(small: pa.Table) -> None:
    assert set(small["channel"].to_pylist()) == {"voice", "chat"}
    assert set(small["queue"].to_pylist()) == {"billing", "sales", "support"}
    for name in ("channel", "queue", "call_type", "site", "priority", "direction", "reason"):
        assert small[name].null_count == 0, name
    assert set(small["direction"].to_pylist()) <= {"inbound", "outbound"}
    assert len(set(small["contact_id"].to_pylist())) == small.num_rows


# -- intervals ---------------------------------------------------------------------------------


def slow_intervals(table: pa.Table, minutes: int, threshold: int) -> dict[tuple, dict[str, float]]:
    """The obvious per-row aggregation the vectorised one must agree with."""
    out: dict[tuple, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in rows(table):
        if r["outcome"] == "not_offered":
            continue
        t = r["queued_at"]
        start = t.replace(minute=t.minute - t.minute % minutes, second=0, microsecond=0)
        acc = out[(r["queue"], r["channel"], start)]
        answered = r["outcome"] == "answered"
        abandoned = r["outcome"] == "abandoned"
        acc["offered"] += r["outcome"] in ("answered", "abandoned", "flow_out", "callback")
        acc["answered"] += answered
        acc["abandoned"] += abandoned
        acc["short_abandoned"] += abandoned and r["wait"] < 5
        acc[f"answered_within_{threshold}"] += answered and r["wait"] <= threshold
        acc["abandoned_within_10"] += abandoned and r["wait"] <= 10
        if answered:
            acc["total_wait"] += r["wait"]
            acc["total_talk"] += r["talk"]
            acc["total_handle"] += r["talk"] + r["hold"] + r["acw"]
    return out


@pytest.mark.parametrize(("minutes", "threshold"), [(30, 20), (15, 30), (60, 20)])
def test_intervals_match_a_slow_computation(small: pa.Table, minutes: int, threshold: int) -> None:
    report = generate.intervals(
        small, minutes=minutes, thresholds=(threshold,), abandon_thresholds=(10,)
    )
    expected = slow_intervals(small, minutes, threshold)
    got = {(r["queue"], r["channel"], r["interval_start"]): r for r in rows(report)}
    assert set(got) == set(expected)
    for key, sums in expected.items():
        for name, value in sums.items():
            assert got[key][name] == pytest.approx(value), (key, name)
    keys = list(got)
    assert keys == sorted(keys, key=lambda k: (k[2], k[0], k[1]))
    for r in got.values():
        assert r["offered"] >= r["answered"] + r["abandoned"]
        assert r["available_time"] >= 0
        assert r["forecast_offered"] >= 0


def test_interval_forecast_is_noisy_but_close(big: pa.Table) -> None:
    report = generate.intervals(big, forecast_noise=0.1, seed=5)
    offered = sum(report["offered"].to_pylist())
    forecast = sum(report["forecast_offered"].to_pylist())
    assert forecast != offered
    assert abs(forecast / offered - 1) < 0.05
    exact = generate.intervals(big, forecast_noise=0.0)
    assert exact["forecast_offered"].to_pylist() == [float(x) for x in exact["offered"].to_pylist()]


# -- files -------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".tsv", ".jsonl"])
@pytest.mark.parametrize(
    "kind", ["contacts", "intervals", "audits", "surveys", "adherence", "forecasts"]
)
def test_write_round_trips_through_duckdb(tmp_path: Path, kind: str, suffix: str) -> None:
    duckdb = pytest.importorskip("duckdb")
    table = MAKERS[kind](1)
    if kind == "contacts":  # text that needs quoting and escaping in every format
        odd = pa.array(['say "hi", \\ then\ttab', "line\nbreak", "ünï €"] + [None] * 1997)
        table = table.set_column(table.schema.get_field_index("reason"), "reason", odd)
    path = tmp_path / f"{kind}{suffix}"
    generate.write(table, path)
    reader = {
        ".parquet": "read_parquet(?)",
        ".csv": "read_csv(?, header = true, all_varchar = true)",
        ".tsv": "read_csv(?, header = true, delim = '\t', all_varchar = true)",
        ".jsonl": "read_json(?, format = 'newline_delimited')",
    }[suffix]
    back = duckdb.connect().sql(f"select * from {reader}", params=[str(path)]).to_arrow_table()
    assert back.column_names == table.column_names
    back = pa.Table.from_arrays(
        [
            column.cast(pa.string()).cast(field.type)
            if pa.types.is_boolean(field.type)
            else column.cast(field.type)
            for column, field in zip(back.columns, table.schema, strict=True)
        ],
        schema=table.schema,
    )
    assert back.equals(table)


def test_csv_timestamps_are_iso_to_the_second(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    generate.write(generate.contacts(5, seed=2), path)
    header, first = path.read_text().splitlines()[:2]
    assert header.split(",")[11] == '"queued_at"'
    stamp = first.split(",")[11].strip('"')
    assert dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")


def test_write_refuses_unknown_suffixes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown file type"):
        generate.write(generate.contacts(3), tmp_path / "x.xlsx")


# -- command line ------------------------------------------------------------------------------


def test_main_writes_the_file_and_reports_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "iv.parquet"
    options = ["--kind", "intervals", "--rows", "500", "--seed", "2", "--thresholds", "20,30"]
    assert generate.main([*options, str(out)]) == 0
    err = capsys.readouterr().err
    assert "intervals" in err
    assert str(out) in err
    import pyarrow.parquet as pq

    table = pq.read_table(out)
    assert "answered_within_30" in table.column_names


def test_main_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert generate.main(["--kind", "contacts", str(tmp_path / "x.txt")]) == 2
    assert "unknown file type" in capsys.readouterr().err
    assert generate.main(["--kind", "nothing", str(tmp_path / "x.csv")]) == 2


@pytest.mark.slow
def test_module_runs_as_a_script(tmp_path: Path) -> None:
    out = tmp_path / "a.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "slalang.synth", "--kind", "audits", "--rows", "20", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "wrote 20 rows of audits" in done.stderr
    assert len(out.read_text().splitlines()) == 20


def test_main_writes_a_forecast_that_loads_with_its_profile(tmp_path: Path) -> None:
    out = tmp_path / "forecast.csv"
    argv = ["--kind", "forecasts", "--rows", "5000", "--days", "2", "--queues", "a,b", str(out)]
    assert generate.main(argv) == 0
    duckdb = pytest.importorskip("duckdb")
    from slalang.data.load import load
    from slalang.data.profiles import load_profile

    profile, problems = load_profile("generic-forecasts")
    assert profile is not None
    assert not problems
    con = duckdb.connect()
    report = load(con, path=out, profile=profile, table="f")
    assert report.ok
    assert report.rows_malformed == 0
    total, queues, aht = con.execute(
        "SELECT sum(forecast_offered), count(DISTINCT queue), min(forecast_aht) FROM f"
    ).fetchone() or (0, 0, 0)
    assert total == pytest.approx(5000)
    assert queues == 2
    assert aht > 0
