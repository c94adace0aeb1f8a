"""A large export with malformed rows: every one reported, in bounded memory.

Generates seeded synthetic contacts as CSV, damages a share of the lines in five ways
(a field too few, text after a closing quote, an impossible time, a negative wait, an
outcome not allowed), loads the file through the ``generic-contacts`` profile in this
process, and checks that the report counts exactly the damage done, by reason, that
read = loaded + malformed holds, and that the first problems listed are the first damaged
lines. Prints the time and the process's peak memory. See docs/performance.md.

Usage::

    python benchmarks/malformed.py [--rows N] [--share F] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = 20261202
KINDS = {
    "fewer fields": "wrong field count",
    "text after quote": "unreadable line",
    "impossible time": "unparsable value",
    "negative wait": "negative duration",
    "unknown outcome": "value not allowed",
}


def _damage(line: str, kind: str) -> str:
    fields = line.split(",")
    if kind == "fewer fields":
        fields = fields[:-2]
    elif kind == "text after quote":
        fields[2] = '"bil"ling"'
    elif kind == "impossible time":
        fields[11] = '"2026-13-45 99:00:00"'
    elif kind == "negative wait":
        fields[15] = "-7"
    else:
        fields[14] = '"TRANSFER"'
    return ",".join(fields)


def make(rows: int, share: float, folder: Path) -> tuple[Path, dict[str, int], list[int]]:
    """The damaged export, the damage done by reason, and the damaged lines."""
    clean = folder / f"contacts-{rows}.csv"
    if not clean.exists():  # in a child, so that this process's peak memory is the load's
        command = [sys.executable, "-m", "slalang", "generate", "--kind", "contacts",
                   "--rows", str(rows), "--seed", str(SEED), str(clean)]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True)
    damaged = folder / f"damaged-{rows}-{share}.csv"
    chance = random.Random(SEED)
    counts = dict.fromkeys(KINDS.values(), 0)
    lines: list[int] = []
    with clean.open(encoding="utf-8") as source, damaged.open("w", encoding="utf-8") as out:
        out.write(source.readline())
        for number, line in enumerate(source, start=2):
            if chance.random() < share:
                kind = chance.choice(list(KINDS))
                counts[KINDS[kind]] += 1
                lines.append(number)
                line = _damage(line.rstrip("\n"), kind) + "\n"
            out.write(line)
    return damaged, counts, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--share", type=float, default=0.01, help="share of lines damaged")
    parser.add_argument("--keep", type=Path, help="folder to keep (and reuse) the data in")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="slalang-malformed-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        path, expected, lines = make(args.rows, args.share, folder)
        print(f"data: {path} ({sum(expected.values()):,} of {args.rows:,} lines damaged)")
        import duckdb

        from slalang.data.load import load
        from slalang.data.profiles import load_profile

        profile, _ = load_profile("generic-contacts")
        assert profile is not None
        start = time.perf_counter()
        report = load(duckdb.connect(), path=path, profile=profile, table="calls")
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    found = {reason: report.problem_counts.get(reason, 0) for reason in expected}
    listed = [p.line for p in report.problems]
    adds_up = report.rows_read == report.rows_loaded + report.rows_malformed
    checks = [
        ("counts by reason", found == expected and set(report.problem_counts) <= set(expected)),
        ("read = loaded + malformed", adds_up and report.rows_malformed == len(lines)),
        ("rows read", report.rows_read == args.rows),
        ("first problems listed", sorted(set(listed)) == lines[: len(set(listed))]),
    ]
    print(f"rows read {report.rows_read:,}, loaded {report.rows_loaded:,}, "
          f"malformed {report.rows_malformed:,}; problems listed {len(listed):,}")  # fmt: skip
    for reason, n in sorted(found.items()):
        print(f"  {reason}: {n:,} (damaged {expected[reason]:,})")
    print(f"load {seconds:.1f} s, peak memory {peak:.0f} MiB")
    for label, passed in checks:
        print(f"{label:<28} {'PASS' if passed else 'FAIL'}")
    return 0 if all(passed for _, passed in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
