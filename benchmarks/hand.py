"""The benchmark's figures computed by hand: DuckDB SQL as an analyst would write it, and pandas.

Both read the data file themselves, Parquet or CSV by the file's suffix, and give the figures
of the ten objectives of ``ten-objectives.sla``, keyed as slalang's verdicts are. This module
imports neither slalang nor any data library at the top, so that a fresh process running it
(``--fresh`` in run.py) pays only for what the approach itself needs::

    python benchmarks/hand.py duckdb-sql|pandas FILE

prints the figures as one JSON object on standard output.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

Figures = dict[tuple[str, str], tuple[float, float, float | None]]
"""(objective, period) -> (numerator, denominator, value), as slalang's verdicts give them.

For pooled objectives the numerator and denominator are the metric's sums; for
``sl_at_all_times`` (share of half-hours) they are the half-hours meeting 80 % and the
half-hours judged; for ``sl_daily_mean`` the days meeting 80 % and the days judged."""

FORMATS = ("parquet", "csv")


def file_format(path: Path) -> str:
    """``csv`` for a ``.csv`` file, else ``parquet``."""
    return "csv" if path.suffix.lower() == ".csv" else "parquet"


# ---------------------------------------------------------------------------
# DuckDB SQL written by hand
# ---------------------------------------------------------------------------

READERS = {"parquet": "read_parquet", "csv": "read_csv"}
"""The DuckDB table function that reads each format. ``read_csv`` is left to detect the
columns' types itself, as an analyst would: on the synthetic contacts the timestamps come out
as TIMESTAMP, the whole-second durations (wait, talk, hold, acw) as BIGINT, ``resolved`` as
BOOLEAN and the text columns as VARCHAR, so the sums and tests below are the same as over
Parquet's DOUBLE durations."""

HAND_SQL = """
WITH half_hours AS (
    SELECT
        time_bucket(INTERVAL 30 MINUTE, queued_at) AS half_hour,
        count(*) AS offered,
        count(*) FILTER (WHERE outcome = 'answered') AS answered,
        count(*) FILTER (WHERE outcome = 'answered' AND wait <= 20) AS answered_20,
        count(*) FILTER (WHERE outcome = 'answered' AND wait <= 30) AS answered_30,
        count(*) FILTER (WHERE outcome = 'abandoned') AS abandoned,
        count(*) FILTER (WHERE outcome = 'abandoned' AND wait <= 30) AS abandoned_30,
        count(*) FILTER (WHERE outcome = 'abandoned' AND wait < 5) AS abandoned_short,
        count(*) FILTER (WHERE outcome = 'flow_out') AS flow_outs,
        sum(wait) FILTER (WHERE outcome = 'answered') AS answered_wait,
        sum(coalesce(talk, 0) + coalesce(hold, 0) + coalesce(acw, 0))
            FILTER (WHERE outcome = 'answered') AS handle,
        count(*) FILTER (WHERE outcome = 'answered' AND resolved) AS resolved,
        count(*) FILTER (WHERE queue = 'billing' AND outcome = 'answered' AND wait <= 20)
            AS billing_answered_20,
        count(*) FILTER (WHERE queue = 'billing' AND outcome IN ('answered', 'abandoned',
            'flow_out')) AS billing_counted
    FROM {reader}($path)
    WHERE outcome <> 'not_offered'
    GROUP BY half_hour
),
months AS (
    SELECT strftime(half_hour, '%Y-%m') AS month,
        sum(answered_20) AS answered_20, sum(answered_30) AS answered_30,
        sum(answered) AS answered, sum(abandoned) AS abandoned,
        sum(abandoned_30) AS abandoned_30, sum(abandoned_short) AS abandoned_short,
        sum(flow_outs) AS flow_outs, sum(offered) AS offered,
        sum(answered_wait) AS answered_wait, sum(handle) AS handle, sum(resolved) AS resolved,
        sum(billing_answered_20) AS billing_answered_20,
        sum(billing_counted) AS billing_counted
    FROM half_hours GROUP BY month
),
pooled AS (
    SELECT month, 'sl_f1_20' AS objective, answered_20 AS num,
        answered + abandoned + flow_outs AS den FROM months
    UNION ALL SELECT month, 'sl_f2_30', answered_30,
        answered + abandoned - abandoned_30 + flow_outs FROM months
    UNION ALL SELECT month, 'sl_f5_20', answered_20,
        answered + abandoned - abandoned_short + flow_outs FROM months
    UNION ALL SELECT month, 'abandonment', abandoned - abandoned_short,
        offered - abandoned_short FROM months
    UNION ALL SELECT month, 'asa', answered_wait, answered FROM months
    UNION ALL SELECT month, 'aht', handle, answered FROM months
    UNION ALL SELECT month, 'billing_sl', billing_answered_20, billing_counted FROM months
    UNION ALL SELECT month, 'fcr', resolved, answered FROM months
),
at_all_times AS (  -- half-hours with a service level and at least 10 offered calls
    SELECT strftime(half_hour, '%Y-%m') AS month,
        count(*) FILTER (WHERE 100 * answered_20 >= 80 * (answered + abandoned + flow_outs))
            AS meeting,
        count(*) AS judged
    FROM half_hours
    WHERE answered + abandoned + flow_outs > 0 AND offered >= 10
    GROUP BY month
),
days AS (
    SELECT strftime(half_hour, '%Y-%m') AS month,
        sum(answered_20) / sum(answered + abandoned + flow_outs) AS service_level
    FROM half_hours
    GROUP BY month, CAST(half_hour AS DATE)
    HAVING sum(answered + abandoned + flow_outs) > 0
)
SELECT objective, month, num, den, num / den FROM pooled
UNION ALL
SELECT 'sl_at_all_times', month, meeting, judged, meeting / judged FROM at_all_times
UNION ALL
SELECT 'sl_daily_mean', month, count(*) FILTER (WHERE service_level >= 0.8), count(*),
    avg(service_level)
FROM days GROUP BY month
"""


def run_duckdb(data: Path) -> Figures:
    """The ten objectives in one SQL statement over the file, read by DuckDB's own reader."""
    import duckdb

    sql = HAND_SQL.format(reader=READERS[file_format(data)])
    rows = duckdb.connect().execute(sql, {"path": str(data)}).fetchall()
    return {
        (str(objective), str(month)): (float(num), float(den), float(value))
        for objective, month, num, den, value in rows
    }


# ---------------------------------------------------------------------------
# pandas
# ---------------------------------------------------------------------------


def run_pandas(data: Path) -> Figures:
    """The ten objectives with pandas: boolean masks, one groupby per half-hour, roll-ups.

    Parquet is read with ``read_parquet``, CSV with ``read_csv`` (its default C parser), the
    timestamps parsed with ``parse_dates``; only the eight columns used are read."""
    import pandas as pd

    columns = ["queued_at", "outcome", "wait", "talk", "hold", "acw", "queue", "resolved"]
    if file_format(data) == "csv":
        df = pd.read_csv(data, usecols=columns, parse_dates=["queued_at"])
    else:
        df = pd.read_parquet(data, columns=columns)
    df = df[df["outcome"] != "not_offered"]
    outcome, wait = df["outcome"], df["wait"].fillna(0)
    answered = outcome == "answered"
    abandoned = outcome == "abandoned"
    flow_out = outcome == "flow_out"
    billing = df["queue"] == "billing"
    handle = df["talk"].fillna(0) + df["hold"].fillna(0) + df["acw"].fillna(0)
    parts = pd.DataFrame(
        {
            "offered": 1,
            "answered": answered,
            "answered_20": answered & (wait <= 20),
            "answered_30": answered & (wait <= 30),
            "abandoned": abandoned,
            "abandoned_30": abandoned & (wait <= 30),
            "abandoned_short": abandoned & (wait < 5),
            "flow_outs": flow_out,
            "answered_wait": wait.where(answered, 0.0),
            "handle": handle.where(answered, 0.0),
            "resolved": answered & (df["resolved"] == True),  # noqa: E712 (nulls are not resolved)
            "billing_answered_20": billing & answered & (wait <= 20),
            "billing_counted": billing & (answered | abandoned | flow_out),
        }
    )
    half = parts.groupby(df["queued_at"].dt.floor("30min")).sum()
    half["counted"] = half["answered"] + half["abandoned"] + half["flow_outs"]
    month_of = half.index.strftime("%Y-%m")
    months = half.groupby(month_of).sum()
    result: Figures = {}

    def pooled(objective: str, num: pd.Series, den: pd.Series) -> None:
        for month in months.index:
            n, d = float(num[month]), float(den[month])
            result[(objective, str(month))] = (n, d, n / d)

    m = months
    pooled("sl_f1_20", m["answered_20"], m["counted"])
    pooled("sl_f2_30", m["answered_30"], m["counted"] - m["abandoned_30"])
    pooled("sl_f5_20", m["answered_20"], m["counted"] - m["abandoned_short"])
    pooled(
        "abandonment", m["abandoned"] - m["abandoned_short"], m["offered"] - m["abandoned_short"]
    )
    pooled("asa", m["answered_wait"], m["answered"])
    pooled("aht", m["handle"], m["answered"])
    pooled("billing_sl", m["billing_answered_20"], m["billing_counted"])
    pooled("fcr", m["resolved"], m["answered"])

    judged = half[(half["counted"] > 0) & (half["offered"] >= 10)]
    meeting = (100 * judged["answered_20"] >= 80 * judged["counted"]).groupby(
        judged.index.strftime("%Y-%m")
    )
    for month, flags in meeting:
        n, d = float(flags.sum()), float(len(flags))
        result[("sl_at_all_times", str(month))] = (n, d, n / d)

    days = half.groupby(half.index.floor("D"))[["answered_20", "counted"]].sum()
    days = days[days["counted"] > 0]
    level = days["answered_20"] / days["counted"]
    for month, values in level.groupby(days.index.strftime("%Y-%m")):
        n, d = float((values >= 0.8).sum()), float(len(values))
        result[("sl_daily_mean", str(month))] = (n, d, float(values.mean()))
    return result


APPROACHES: dict[str, Callable[[Path], Figures]] = {"duckdb-sql": run_duckdb, "pandas": run_pandas}


def rows(figures: Figures) -> list[list[object]]:
    """The figures as JSON rows ``[objective, period, numerator, denominator, value]``."""
    return [[*key, *value] for key, value in sorted(figures.items())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("approach", choices=sorted(APPROACHES))
    parser.add_argument("data", type=Path, help="a .parquet or .csv file of contacts")
    args = parser.parse_args(argv)
    print(json.dumps({"figures": rows(APPROACHES[args.approach](args.data))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
