"""Fuzzing the front end: mutated contracts, and what every outcome must satisfy.

Shared by the fuzz tests (``tests/lang/test_fuzz.py``, through Hypothesis) and the long
campaign (``fuzz/campaign.py``, through :func:`generate`). Inputs start from the bundled
contracts and the invalid cases, changed by a few :data:`MUTATORS` (byte flips, token
deletions and duplications, line swaps, inserted keywords, numbers, huge numbers, unicode
and control characters, truncations, splices, repeated chunks), or are random bytes.

:func:`exercise` runs one input through decoding, parsing, the checks, every report
format, the formatter and the ``slalang check`` and ``slalang fmt --check`` commands
(in-process), and raises :class:`RuleBrokenError` when an outcome breaks a rule: a diagnostic
with a code missing from the catalogue or a span outside the file, a command exiting with
an internal error, a clean file whose formatting is not idempotent or does not re-check
clean. Any other exception escaping is a crash. Bad contract text must only ever give
diagnostics.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from slalang import api
from slalang.cli import main
from slalang.codes import CATALOGUE
from slalang.exitcodes import Exit
from slalang.lang.fmt import format_text
from slalang.lang.syntax import grammar_text
from slalang.render import FORMATS, render

ROOT = Path(__file__).resolve().parents[1]
SAVED = ROOT / "tests" / "cases" / "fuzz"
"""Inputs the campaign found crashing or slow; the fuzz tests replay every one."""

SECONDS_PER_100_KB = 2.0
"""Processor time an input may take per 100 KB in each stage (``check``, ``fmt``, each report
format, each command)."""

MIN_SECONDS = 1.0
"""The time limit of small inputs: below this, a slow spell of a shared machine looks slow."""


def time_limit(size: int) -> float:
    """How long an input of ``size`` bytes may take through :func:`exercise`."""
    return max(MIN_SECONDS, SECONDS_PER_100_KB * size / 100_000)


def seeds() -> list[bytes]:
    """The files mutations start from: bundled contracts and the invalid cases."""
    paths = [
        *(ROOT / "contracts").glob("*.sla"),
        *(ROOT / "tests" / "cases" / "invalid").rglob("*.sla"),
    ]
    return [path.read_bytes() for path in sorted(paths)]


KEYWORDS = sorted(set(re.findall(r'"([A-Za-z_]+)"', grammar_text())))
"""Every word the grammar spells out."""

_WORDS = [
    *KEYWORDS,
    "0", "-1", "1.5", "-0.0", "007", "1_000", "12.", ".5", "1e9", "0x1F", "NaN", "inf",
    "99999999999999999999", "100%", "-5%", "30 min", "per", "calls", "s", "min", "h", "day",
    "2024-02-30", "9999-12-31", "0000-00-00", "2024-01-01T25:61", "2024-01-01 00:00:00",
    "24:00", "99:99", "0:00", "-",
    '"UTC"', '"Asia/Jerusalem"', '"America"', '"America/"', '"/"', '""', '"../etc"',
    '"Etc/GMT+99"', '"US"', '"x\\"y"', '"\\', "\\",
    "{", "}", "(", ")", "[", "]", '"', "#", ",", ":", "=", "==", "!=", ">=", "<", "%",
    "\n", "\r\n", "\r", "\t", "\f", "\v", " ", "\u00a0",
    "é", "\u200b", "\u202e", "😀", "İ", "ß", "\ufeff", "𝟘", "Ⅻ", "e\u0301", "\U0010ffff",
    "\x00", "\x07", "\x1b", "\x7f", "\x85", "\u2028",
]  # fmt: skip
_BYTES = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\xf4\x90\x80\x80", b"\x80"]

_PIECES = re.compile(rb'\s+|[A-Za-z0-9_.]+|"[^"\n]*"?|.', re.DOTALL)


def _pieces(data: bytes) -> list[bytes]:
    return _PIECES.findall(data)


def _word(rng: random.Random, size: int) -> bytes:
    roll = rng.random()
    if roll < 0.05:
        return rng.choice(_BYTES)
    if roll < 0.10:
        return b"9" * rng.randint(16, max(16, min(size, 5_000)))
    if roll < 0.13:
        return rng.choice([b"(", b"[", b"{", b"not "]) * rng.randint(2, 80)
    return rng.choice(_WORDS).encode()


def flip_bit(data: bytes, rng: random.Random, size: int) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    index = rng.randrange(len(data))
    return data[:index] + bytes([data[index] ^ (1 << rng.randrange(8))]) + data[index + 1 :]


def set_byte(data: bytes, rng: random.Random, size: int) -> bytes:
    index = rng.randrange(len(data) + 1)
    return data[:index] + bytes([rng.randrange(256)]) + data[index + 1 :]


def delete_token(data: bytes, rng: random.Random, size: int) -> bytes:
    pieces = _pieces(data)
    if pieces:
        del pieces[rng.randrange(len(pieces))]
    return b"".join(pieces)


def duplicate_token(data: bytes, rng: random.Random, size: int) -> bytes:
    pieces = _pieces(data)
    if pieces:
        index = rng.randrange(len(pieces))
        pieces.insert(index, pieces[index])
    return b"".join(pieces)


def swap_tokens(data: bytes, rng: random.Random, size: int) -> bytes:
    pieces = _pieces(data)
    if len(pieces) > 1:
        i, j = rng.randrange(len(pieces)), rng.randrange(len(pieces))
        pieces[i], pieces[j] = pieces[j], pieces[i]
    return b"".join(pieces)


def insert_word(data: bytes, rng: random.Random, size: int) -> bytes:
    pieces = _pieces(data)
    index = rng.randrange(len(pieces) + 1)
    word = _word(rng, size)
    if rng.random() < 0.5:
        word = b" " + word + b" "
    pieces.insert(index, word)
    return b"".join(pieces)


def replace_token(data: bytes, rng: random.Random, size: int) -> bytes:
    pieces = _pieces(data)
    if pieces:
        pieces[rng.randrange(len(pieces))] = _word(rng, size)
    return b"".join(pieces)


def delete_line(data: bytes, rng: random.Random, size: int) -> bytes:
    lines = data.split(b"\n")
    del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def duplicate_line(data: bytes, rng: random.Random, size: int) -> bytes:
    lines = data.split(b"\n")
    index = rng.randrange(len(lines))
    lines.insert(index, lines[index])
    return b"\n".join(lines)


def swap_lines(data: bytes, rng: random.Random, size: int) -> bytes:
    lines = data.split(b"\n")
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def truncate(data: bytes, rng: random.Random, size: int) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def splice(data: bytes, rng: random.Random, size: int) -> bytes:
    """Put a stretch of a seed file at a random point (a block where it cannot stand)."""
    other = rng.choice(_SEEDS)
    start = rng.randrange(len(other) + 1)
    chunk = other[start : start + rng.randint(1, 400)]
    index = rng.randrange(len(data) + 1)
    return data[:index] + chunk + data[index:]


def repeat_chunk(data: bytes, rng: random.Random, size: int) -> bytes:
    """Repeat a run of lines many times, up to about ``size`` bytes: big files, many errors."""
    lines = data.split(b"\n")
    start = rng.randrange(len(lines))
    chunk = b"\n".join(lines[start : start + rng.randint(1, 12)]) + b"\n"
    times = max(1, min(rng.randint(2, 2_000), size // max(1, len(chunk))))
    index = data.find(b"\n", rng.randrange(len(data) + 1))
    index = len(data) if index < 0 else index + 1
    return data[:index] + chunk * times + data[index:]


Mutator = Callable[[bytes, random.Random, int], bytes]

MUTATORS: dict[str, Mutator] = {
    function.__name__: function
    for function in (flip_bit, set_byte, delete_token, duplicate_token, swap_tokens,
                     insert_word, replace_token, delete_line, duplicate_line, swap_lines,
                     truncate, splice, repeat_chunk)
}  # fmt: skip
"""Every mutation by name. Each takes the bytes, a random generator and a size cap."""

_SEEDS = seeds()


def mutate(data: bytes, steps: Sequence[tuple[str, int]], size: int) -> bytes:
    """Apply mutations by name, each with its own random seed, keeping under ``size`` bytes."""
    for name, seed in steps:
        data = MUTATORS[name](data, random.Random(seed), size)[: size * 2]
    return data


def generate(rng: random.Random, size: int) -> tuple[bytes, str]:
    """One input for the campaign, and how it was made (enough to make it again)."""
    roll = rng.random()
    if roll < 0.08:
        length = rng.choice([rng.randint(0, 64), rng.randint(0, 4_000), rng.randint(0, size)])
        return rng.randbytes(length), f"random bytes, {length}"
    if roll < 0.12:
        alphabet = b'abcdefgnot_ {}()[]"#\\,:=<>!%-.0123456789\n\r\t'
        length = rng.randint(0, 4_000)
        data = bytes(rng.choice(alphabet) for _ in range(length))
        return data, f"random contract characters, {length}"
    index = rng.randrange(len(_SEEDS))
    steps = [(rng.choice(list(MUTATORS)), rng.randrange(2**32)) for _ in range(rng.randint(1, 8))]
    return mutate(_SEEDS[index], steps, size), f"seed {index}, mutations {steps}"


class RuleBrokenError(AssertionError):
    """An outcome of the front end that breaks one of its rules."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise RuleBrokenError(message)


def _check_diagnostics(result: api.CheckResult, data: bytes) -> None:
    text = result.source.text if result.source is not None else None
    for diagnostic in result.diagnostics:
        _require(diagnostic.code in CATALOGUE, f"unknown code {diagnostic.code}")
        span = diagnostic.span
        if span is None:
            continue
        limit = len(text) if text is not None else len(data)
        _require(0 <= span.start <= span.end <= limit, f"{diagnostic.code} span {span} outside")
        if text is not None:
            source = result.source
            assert source is not None
            where = source.span(span.start, span.end)
            _require(
                (where.line, where.column, where.end_line, where.end_column)
                == (span.line, span.column, span.end_line, span.end_column),
                f"{diagnostic.code}: span lines {span} disagree with its offsets",
            )


def _command(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


class _Stopwatch:
    """The processor time of each stage of one input, by name.

    Processor time, not the clock: on a shared machine the clock also counts the time other
    programs had the processor, and slowness of the front end is what is looked for (a hang
    is caught by the clock, in ``fuzz/campaign.py``).
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.process_time()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.process_time() - started


def exercise(data: bytes) -> dict[str, float]:
    """Run one input through the whole front end; raise :class:`RuleBrokenError` on a broken rule.

    Returns the processor seconds each stage took (``check``, ``fmt``, each report format,
    each command): each stage must stay within :func:`time_limit` of the input's size.
    """
    watch = _Stopwatch()
    with watch.stage("check"):
        parsed = api.parse_bytes(data, path="fuzz.sla")
        result = api.check_parsed(parsed)
    _check_diagnostics(result, data)
    for format in FORMATS:
        with watch.stage(f"render {format}"):
            report = render([result], format=format, color=False)
        if format in ("json", "sarif"):
            json.loads(report)
    syntax_errors = [d for d in parsed.diagnostics if d.code.startswith("E0")]
    if parsed.source is not None and not syntax_errors:
        _check_formatting(parsed.source.text, result, watch)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.sla"
        path.write_bytes(data)
        for argv in (["check", str(path)], ["fmt", "--check", str(path)]):
            with watch.stage(f"slalang {argv[0]}"):
                code, err = _command(argv)
            _require(code in (Exit.OK, Exit.FAILED), f"slalang {argv[0]} exited {code}: {err}")
    return watch.seconds


def _check_formatting(text: str, result: api.CheckResult, watch: _Stopwatch) -> None:
    with watch.stage("fmt"):
        formatted = format_text(text, path="fuzz.sla")
    if formatted.text is None:
        _require(result.contract is None, "fmt refused a contract without syntax errors")
        return
    again = format_text(formatted.text, path="fuzz.sla")
    _require(again.text == formatted.text, "fmt is not idempotent")
    if result.errors:
        return
    checked = api.check(formatted.text, path="fuzz.sla")
    _require(not checked.errors, f"formatted clean file has errors: {checked.errors[:3]}")
    with watch.stage("fmt --explicit"):
        explicit = format_text(text, path="fuzz.sla", explicit=True)
    _require(explicit.text is not None, "fmt --explicit refused a clean file")
    assert explicit.text is not None
    _require(not api.check(explicit.text).errors, "fmt --explicit output has errors")
