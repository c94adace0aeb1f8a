"""Start-up benchmark: how long `slalang check` takes as a command, beside Python's own floor.

Three commands are timed, each as a fresh process, in interleaved rounds (one of each per
round, so that the noise of a shared machine falls on all three alike):

1. ``python -c pass``: the floor, the cost of starting Python at all;
2. ``slalang check`` on one contract, ``contracts/multi-queue.sla``;
3. ``slalang check`` on ``contracts/acme-care.sla``, whose calendar names a holiday set
   (``holidays US``), so the check also loads the `holidays` package;
4. ``slalang check`` on a folder of 100 contracts (copies of the bundled ones).

Before timing, the package is byte-compiled (as an installed wheel is) and one run of each
warms the parser-table cache. It prints the median of each and the target (one contract
under 0.2 s, for the contract without a holiday set), marked PASS or FAIL. See docs/performance.md.

Usage::

    python benchmarks/check.py [--runs N]
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "contracts" / "multi-queue.sla"
WITH_HOLIDAYS = ROOT / "contracts" / "acme-care.sla"
TARGET_ONE = 0.2


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="rounds (default 20)")
    args = parser.parse_args(argv)

    compileall.compile_dir(str(ROOT / "slalang"), quiet=1)
    slalang = [sys.executable, "-m", "slalang"]
    with tempfile.TemporaryDirectory() as folder:
        bundled = sorted((ROOT / "contracts").glob("*.sla"))
        for i in range(100):
            shutil.copy(bundled[i % len(bundled)], Path(folder) / f"c{i:03}.sla")
        # the profiles the contracts name, at the same place beside them
        shutil.copytree(ROOT / "contracts" / "profiles", Path(folder) / "profiles")
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "slalang check, 1 contract": [*slalang, "check", str(CONTRACT)],
            "slalang check, holidays US": [*slalang, "check", str(WITH_HOLIDAYS)],
            "slalang check, 100 contracts": [*slalang, "check", folder],
        }
        for command in commands.values():
            timed(command)  # warm-up: bytecode and the parser-table cache
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed(command))

    print(f"{'command':<30} {'median':>9} {'min':>9}   ({args.runs} interleaved runs)")
    for name, values in times.items():
        print(f"{name:<30} {statistics.median(values):>8.3f}s {min(values):>8.3f}s")
    one = statistics.median(times["slalang check, 1 contract"])
    verdict = "PASS" if one < TARGET_ONE else "FAIL"
    print(f"\none contract: {one:.3f} s, target under {TARGET_ONE} s: {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
