"""Fuzz campaign: mutated contracts and random bytes through the front end, for a set time.

Each input goes through ``check``, every report format, ``fmt`` and the ``slalang check``
and ``slalang fmt --check`` commands, in-process, in worker processes (``fuzzing.exercise``
in ``tests/fuzzing.py``, the same code the fuzz tests run). An input is a finding when:

* an exception escapes (a crash), or an outcome breaks a rule of the front end (a
  diagnostic code missing from the catalogue, a span outside the file, a command exiting
  with an internal error, formatting that is not idempotent or breaks a clean file);
* a stage takes more than 2 s of processor time per 100 KB of input (at least 1 s: below
  that, a slow spell of a shared machine looks slow);
* it hangs: no answer within 30 s plus twenty times its time limit. The worker is killed
  and a new one started.

Each finding is saved under ``--out`` as ``KIND-SIGNATURE-N.sla`` (the input bytes) with
``KIND-SIGNATURE-N.txt`` beside it (what happened: the stage, the times, the traceback, how
the input was made). Findings with the same signature (the kind and where it went wrong)
are counted, and the first ``--keep`` of them saved. ``tests/lang/test_fuzz.py`` replays
every saved input, so a fixed finding stays fixed. At the end the script prints a summary:
inputs run, findings by signature, the slowest stage per 100 KB. Exit status 1 when there
was a finding. See docs/fuzzing.md.

Usage::

    python fuzz/campaign.py --minutes 60 --out tests/cases/fuzz
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import multiprocessing.connection
import random
import re
import resource
import signal
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import fuzzing  # noqa: E402

MEMORY_LIMIT = 3 * 1024**3
"""Address space of one worker: a runaway allocation is a crash (MemoryError), not a swap storm."""


def hang_limit(size: int) -> float:
    return 30.0 + 20 * fuzzing.time_limit(size)


def _work(connection: multiprocessing.connection.Connection) -> None:
    """A worker: run each input it is sent, answer with the outcome."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the campaign stops its workers itself
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    for seed in fuzzing.seeds():  # warm up: imports, parser tables, caches
        fuzzing.exercise(seed)
    connection.send("ready")
    while True:
        job = connection.recv()
        if job is None:
            return
        ident, data = job
        try:
            seconds = fuzzing.exercise(data)
        except fuzzing.RuleBrokenError as error:
            connection.send((ident, "broken", str(error), None))
        except Exception:
            connection.send((ident, "crash", traceback.format_exc(), None))
        else:
            connection.send((ident, "ok", "", seconds))


_PATHS = re.compile(r"(/[^\s\"':]+/)(?=[^/\s\"':]+)")


def _clean(text: str) -> str:
    """Text of a traceback or message without the folders of this run (file names are kept)."""

    def short(match: re.Match[str]) -> str:
        folder = match.group(1)
        for marker in ("/site-packages/", "/slalang/", "/tests/", "/fuzz/"):
            if marker in folder:
                return marker.lstrip("/") + folder.split(marker, 1)[1]
        return ""

    return _PATHS.sub(short, text)


def _signature(kind: str, detail: str) -> str:
    """What tells one finding from another: the kind and where it went wrong."""
    if kind == "crash":
        frames = re.findall(r'File "([^"]+)", line (\d+), in (\S+)', detail)
        ours = [frame for frame in frames if "site-packages" not in frame[0]] or frames
        last = ours[-1] if ours else ("?", "?", "?")
        error = detail.strip().splitlines()[-1].split(":")[0] if detail.strip() else "?"
        key = f"{error} {Path(last[0]).name}:{last[1]} {last[2]}"
    else:
        key = re.sub(r"\d+", "N", detail.splitlines()[0] if detail else "")[:120]
    return hashlib.sha256(f"{kind} {key}".encode()).hexdigest()[:8] + " " + key


class _Worker:
    def __init__(self) -> None:
        self.connection, theirs = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_work, args=(theirs,), daemon=True)
        self.process.start()
        theirs.close()
        self.ready = False
        self.job: tuple[int, bytes, str] | None = None
        self.started = 0.0

    def send(self, ident: int, data: bytes, how: str) -> None:
        self.job = (ident, data, how)
        self.started = time.monotonic()
        self.connection.send((ident, data))

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


class Campaign:
    def __init__(self, out: Path, keep: int, size: int, seed: int) -> None:
        self.out = out
        self.keep = keep
        self.size = size
        self.seed = seed
        self.rng = random.Random(seed)
        self.runs = 0
        self.outcomes: Counter[str] = Counter()
        self.findings: Counter[str] = Counter()
        self.slowest: tuple[float, int, str, str] = (0.0, 0, "", "")  # s per 100 KB, size, ...
        self.longest: tuple[float, int, str, str] = (0.0, 0, "", "")  # seconds, size, ...
        self.saved: list[Path] = []
        self.interrupted = False

    def record(self, job: tuple[int, bytes, str], kind: str, detail: str, seconds: Any) -> None:
        ident, data, how = job
        self.runs += 1
        if kind == "ok":
            stage, took = max(seconds.items(), key=lambda item: item[1])
            per = took / max(len(data), 1) * 100_000
            if len(data) >= 10_000 and per > self.slowest[0]:
                self.slowest = (per, len(data), stage, how)
            if took > self.longest[0]:
                self.longest = (took, len(data), stage, how)
            limit = fuzzing.time_limit(len(data))
            if took <= limit:
                self.outcomes["ok"] += 1
                return
            kind = "slow"
            times = ", ".join(f"{name} {value:.3f} s" for name, value in seconds.items())
            detail = f"{stage} took {took:.3f} s, limit {limit:.3f} s\nstages: {times}"
        self.outcomes[kind] += 1
        signature = _signature(kind, _clean(detail))
        self.findings[signature] += 1
        if self.findings[signature] > self.keep:
            return
        self.out.mkdir(parents=True, exist_ok=True)
        number = 1
        while (self.out / f"{kind}-{signature.split()[0]}-{number}.sla").exists():
            number += 1  # a finding of an earlier campaign: keep it
        stem = f"{kind}-{signature.split()[0]}-{number}"
        (self.out / f"{stem}.sla").write_bytes(data)
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        note = (
            f"{kind}: {signature.split(' ', 1)[1]}\n"
            f"input: {len(data)} bytes, {how}\n"
            f"campaign seed {self.seed}, input {ident}, {when}\n"
            f"\n{_clean(detail)}\n"
        )
        (self.out / f"{stem}.txt").write_text(note, encoding="utf-8")
        self.saved.append(self.out / f"{stem}.sla")
        print(f"finding {stem}: {signature.split(' ', 1)[1]}", flush=True)

    def run(self, minutes: float, workers: int) -> None:
        deadline = time.monotonic() + minutes * 60
        started = time.monotonic()
        report = started + 60
        pool = [_Worker() for _ in range(workers)]
        ident = 0
        try:
            while True:
                now = time.monotonic()
                for index, worker in enumerate(pool):
                    if worker.job is not None and now - worker.started > hang_limit(
                        len(worker.job[1])
                    ):
                        job = worker.job
                        worker.stop()
                        self.record(job, "hang", f"no answer in {now - worker.started:.0f} s", None)
                        pool[index] = _Worker()
                busy = [w for w in pool if w.job is not None]
                if now >= deadline and not busy:
                    break
                if now < deadline:
                    for worker in pool:
                        if worker.ready and worker.job is None:
                            data, how = fuzzing.generate(self.rng, self.size)
                            worker.send(ident, data, how)
                            ident += 1
                ready = multiprocessing.connection.wait([w.connection for w in pool], timeout=1.0)
                for worker in pool:
                    if worker.connection not in ready:
                        continue
                    try:
                        message = worker.connection.recv()
                    except EOFError:
                        code = worker.process.exitcode
                        if worker.job is not None:
                            self.record(worker.job, "died", f"worker died, exit code {code}", None)
                        elif not worker.ready:
                            raise SystemExit(
                                f"a worker died while warming up (exit {code})"
                            ) from None
                        pool[pool.index(worker)] = _Worker()
                        worker.stop()
                        continue
                    if message == "ready":
                        worker.ready = True
                        continue
                    job, worker.job = worker.job, None
                    assert job is not None
                    assert job[0] == message[0]
                    self.record(job, message[1], message[2], message[3])
                if time.monotonic() >= report:
                    report += 60
                    self.progress(time.monotonic() - started)
        except KeyboardInterrupt:
            self.interrupted = True
        finally:
            for worker in pool:
                if worker.process.is_alive() and worker.job is None and worker.ready:
                    worker.connection.send(None)
                    worker.process.join(timeout=10)
                worker.stop()
        self.elapsed = time.monotonic() - started

    def progress(self, elapsed: float) -> None:
        outcomes = ", ".join(f"{kind} {count}" for kind, count in sorted(self.outcomes.items()))
        print(f"{elapsed / 60:5.1f} min: {self.runs} inputs ({outcomes}); "
              f"slowest {self.slowest[0]:.3f} s per 100 KB", flush=True)  # fmt: skip

    def summary(self) -> str:
        lines = [
            f"fuzz campaign: {self.elapsed / 60:.1f} minutes, seed {self.seed}"
            + (" (interrupted)" if self.interrupted else ""),
            f"inputs run: {self.runs} ({self.runs / max(self.elapsed, 1e-9):.1f} per second)",
            "outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())),
            f"findings: {sum(self.findings.values())} in {len(self.findings)} signatures",
        ]
        lines += [f"  {count:6} x {signature}" for signature, count in self.findings.most_common()]
        per, size, stage, how = self.slowest
        lines.append(f"slowest per 100 KB (inputs of 10 KB or more): {per:.3f} s, {stage}, "
                     f"{size} bytes, {how[:120]}")  # fmt: skip
        took, size, stage, how = self.longest
        lines.append(f"longest stage: {took:.3f} s, {stage}, {size} bytes, {how[:120]}")
        lines += [f"saved: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
                  for path in self.saved]  # fmt: skip
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60, help="how long (default 60)")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "cases" / "fuzz",
                        help="where findings are saved (default tests/cases/fuzz)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: the time)")
    parser.add_argument("--size", type=int, default=300_000,
                        help="about how big inputs grow, in bytes (default 300000)")  # fmt: skip
    parser.add_argument("--keep", type=int, default=3,
                        help="inputs saved per signature (default 3)")  # fmt: skip
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else int(time.time())
    campaign = Campaign(args.out, args.keep, args.size, seed)
    print(
        f"fuzzing for {args.minutes} minutes with {args.workers} workers, seed {seed}", flush=True
    )
    campaign.run(args.minutes, args.workers)
    print(campaign.summary(), flush=True)
    return 1 if campaign.findings or campaign.interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
