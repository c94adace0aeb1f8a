"""Documentation stage: generate ``docs/diagnostics.md`` from the code catalogue.

Each code of :data:`slalang.codes.CATALOGUE` gets a section with its title,
severity and explanation, and an example: the smallest invalid contract for
that code in ``tests/cases/invalid`` and the report ``slalang check`` prints for
it. Codes that need input a text file cannot show (bad bytes, missing files)
use a small generated input instead.

Run ``python -m slalang.docgen`` to write the page, or ``--check`` to exit 1
when the committed page is stale.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs
import duckdb

from slalang import api
from slalang.codes import CATALOGUE, Code
from slalang.data import profiles
from slalang.diagnostics import Diagnostic, normalize
from slalang.exitcodes import Exit
from slalang.judge.results import EvaluationError
from slalang.render import render
from slalang.source import MAX_SOURCE_BYTES, Source

ROOT = Path(__file__).resolve().parent.parent
"""The source tree: the page and the cases are found relative to it."""

CASES = Path("tests") / "cases" / "invalid"
PROFILE_CASES = Path("tests") / "cases" / "profiles"
OUTPUT = Path("docs") / "diagnostics.md"

SHORT_CASE_LINES = 12
"""Cases up to this many lines are shown whole; longer ones show the mistaken block."""

_VALID_HEAD = b"""contract demo "Demo contract" {
  client "Acme Telecom"
  vendor "BlueDesk BPO"
  timezone "America/Chicago"
}
"""


@attrs.frozen
class Example:
    """An example for one code: what to show as input, and the checked result."""

    source: str
    language: str
    result: api.CheckResult


def _checked(path: str, data: bytes) -> api.CheckResult:
    return api.check_parsed(api.parse_bytes(data, path=path))


def _special_utf8() -> Example:
    data = _VALID_HEAD.replace(b'"Acme Telecom"', b'"Acme T\xe9l\xe9com"')
    shown = (
        "# saved as Latin-1: each é below is the single byte 0xE9\n"
        + _VALID_HEAD.decode().replace('"Acme Telecom"', '"Acme Télécom"')
    )
    return Example(shown, "sla", _checked("latin1.sla", data))


def _special_control() -> Example:
    data = _VALID_HEAD.replace(b"BlueDesk BPO", b"BlueDesk\x00BPO")
    shown = "# a NUL byte (shown as ␀) between the two words of the vendor\n" + (
        _VALID_HEAD.decode().replace("BlueDesk BPO", "BlueDesk␀BPO")
    )
    return Example(shown, "sla", _checked("nul.sla", data))


def _special_large() -> Example:
    size = MAX_SOURCE_BYTES + 1
    data = _VALID_HEAD + b"#" * (size - len(_VALID_HEAD) - 1) + b"\n"
    shown = f"# a contract file of {size:,} bytes (a header, then one very long comment)"
    return Example(shown, "sla", _checked("huge.sla", data))


def _special_missing() -> Example:
    path = "no-such-folder/missing.sla"
    return Example(f"$ slalang check {path}", "console", api.check_file(path))


_EVALUATED = """contract demo {
  client "Acme Telecom"
  vendor "BlueDesk BPO"
  timezone "UTC"
}

source calls: contacts {
  profile "PROFILE"
}

objective asa {
  key
  metric average_speed_of_answer
  expected <= 30 s
}
"""


def _evaluation_example(code: str) -> Example:
    """Run `slalang evaluate` the way that gives ``code``, in a scratch folder."""
    from slalang.synth import contacts, write

    contract = _EVALUATED.replace("PROFILE", "generic-contacts")
    if code == "E823":
        contract = contract.replace(
            "metric average_speed_of_answer\n  expected <= 30 s",
            "metric fcr\n  method agent_flag\n  expected >= 70%",
        ).replace("objective asa", "objective fcr")
    data: object = {"cals": "calls.csv"} if code == "E820" else "calls.csv"
    command = {
        "E820": "slalang evaluate demo.sla --data cals=calls.csv",
        "E822": "slalang evaluate demo.sla --data calls.csv --strict",
        "E823": "slalang evaluate demo.sla --data calls.csv",
        "E824": "slalang evaluate demo.sla --data calls.csv --memory-limit 4G",
        "E825": "slalang evaluate demo.sla --data calls.csv --temp-dir calls.csv",
        "E826": "slalang evaluate demo.sla --data calls.csv --memory-limit 16MiB",
    }[code]
    memory_limit = {"E824": "4G", "E826": "16MiB"}.get(code)
    temp_dir = "calls.csv" if code == "E825" else None
    # 10.8 MB: DuckDB's reading buffers alone need more than 16 MiB
    rows = 50_000 if code == "E826" else 20
    here = Path.cwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            table = contacts(rows, seed=1, days=1)
            if code == "E823":
                table = table.drop_columns(["resolved"])
            write(table, Path("calls.csv"))
            if code == "E822":
                lines = Path("calls.csv").read_text(encoding="utf-8").splitlines()
                lines[5] += ",extra"
                Path("calls.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
            plan = api.compile(api.check(contract, path="demo.sla"))
            # one thread: where a parallel reading runs out of memory varies from run to run
            con = duckdb.connect(config={"threads": 1})
            try:
                api.evaluate(
                    plan,
                    data=data,
                    strict=code == "E822",
                    memory_limit=memory_limit,
                    temp_dir=temp_dir,
                    connection=con,
                )
                found: tuple[Diagnostic, ...] = ()
            except EvaluationError as error:
                found = error.diagnostics
            finally:
                con.close()
        finally:
            os.chdir(here)
    shown = (
        f"# {command}\n"
        + ("# (line 6 of calls.csv has one field too many)\n" if code == "E822" else "")
        + ("# (calls.csv: 50,000 contacts, 10.8 MB)\n" if code == "E826" else "")
        + contract
    )
    return Example(shown, "sla", api.CheckResult(None, None, found))


def _store_example(code: str) -> Example:
    """Run an evaluation through a history store the way that gives ``code``, in a scratch
    folder."""
    import filelock

    from slalang.history.stored import evaluate_stored
    from slalang.synth import contacts, write

    contract = _EVALUATED.replace("PROFILE", "generic-contacts")
    command, note = {
        "E830": ("slalang evaluate demo.sla --data calls.csv --store calls.csv", ""),
        "E831": ("slalang evaluate demo.sla --data calls.csv --store other.duckdb",
                 "# (other.duckdb holds the history of contract `other`)\n"),
        "E832": ("slalang evaluate demo.sla --store history.duckdb",
                 "# (the contract's level changed since history.duckdb stored calls.csv, "
                 "which was deleted since)\n"),
        "E833": ("slalang evaluate demo.sla --data calls.csv --store history.duckdb",
                 "# (while another run writes history.duckdb)\n"),
    }[code]  # fmt: skip
    here = Path.cwd()
    found: tuple[Diagnostic, ...] = ()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            write(contacts(20, seed=1, days=1), Path("calls.csv"))
            plan = api.compile(api.check(contract, path="demo.sla"))
            store = {"E830": "calls.csv", "E831": "other.duckdb"}.get(code, "history.duckdb")
            if code == "E831":
                other = contract.replace("contract demo", "contract other", 1)
                evaluate_stored(api.compile(api.check(other)), data="calls.csv", store=store)
            if code == "E832":
                evaluate_stored(plan, data="calls.csv", store=store)
                Path("calls.csv").unlink()
                plan = api.compile(api.check(contract.replace("30 s", "40 s"), path="demo.sla"))
            try:
                if code == "E833":
                    with filelock.FileLock(store + ".lock"):
                        evaluate_stored(plan, data="calls.csv", store=store, wait=0)
                else:
                    evaluate_stored(plan, data=None if code == "E832" else "calls.csv",
                                    store=store)  # fmt: skip
            except EvaluationError as error:
                # the scratch folder's name changes from run to run: paths are shown relative
                cut = [str(Path(folder).resolve()) + os.sep, folder + os.sep]
                found = tuple(
                    attrs.evolve(d, message=d.message.replace(cut[0], "").replace(cut[1], ""))
                    for d in error.diagnostics
                )
        finally:
            os.chdir(here)
    shown = f"# {command}\n" + note + contract
    return Example(shown, "sla", api.CheckResult(None, None, found))


_STAFFED = """contract demo {
  client "Acme Telecom"
  vendor "BlueDesk BPO"
  timezone "UTC"
}

source calls: contacts

OBJECTIVES
"""

_SPEED = """objective speed {
  key
  metric service_level
  threshold <= 20 s
  window month
  expected >= 80%
}"""

_STAFFING_CASES: dict[str, tuple[str, str]] = {
    # code: (the objectives, the command's options after the forecast)
    "E902": (_SPEED, ""),
    "E903": ("objective abandonment {\n  key\n  metric abandonment_rate\n  window month\n"
             "  expected <= 5%\n}", ""),
    "E904": ("objective handle_time {\n  key\n  metric average_handle_time\n  window month\n"
             "  expected between 240 s and 420 s\n}", ""),
    "E905": ("objective at_all_times {\n  key\n  metric service_level\n  threshold <= 20 s\n"
             "  window month\n  aggregate share per 30 min meeting >= 70%\n  expected >= 90%\n}",
             ""),
    "E906": (_SPEED, " --contacts calls.csv"),
    "W901": (_SPEED + '\n\nobjective priority {\n  key\n  metric service_level\n'
             '  where call_type == "priority"\n  threshold <= 10 s\n  window month\n'
             "  expected >= 90%\n}", ""),
    "W902": (_SPEED.replace("  key\n", "  key\n  calendar weekdays\n")
             + "\n\ncalendar weekdays {\n  open monday to friday 08:00-20:00\n}", ""),
}  # fmt: skip


def _staffing_example(code: str) -> Example:
    """Run the staffing command that gives ``code``, the way the command line does."""
    from fractions import Fraction

    import pyarrow.compute as pc

    from slalang.staff.calculator import unmet
    from slalang.synth import contacts, forecasts, write

    if code == "E901":
        command = "slalang erlang --calls 100 --aht 180s --service-level 100%"
        answer = api.erlang(calls=100, interval=1800, aht=180,
                            targets=api.erlang_targets(service_level=Fraction(1)))  # fmt: skip
        return Example(f"$ {command}", "console", api.CheckResult(None, None, unmet([answer])))
    objectives, options = _STAFFING_CASES[code]
    contract = _STAFFED.replace("OBJECTIVES", objectives)
    here = Path.cwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            forecast = forecasts(5_000, seed=1, days=7, queues=("support",),
                                 minutes=60 if code == "E905" else 30)  # fmt: skip
            if code == "E902":
                forecast = forecast.drop_columns(["forecast_aht"])
            write(forecast, Path("forecast.csv"))
            records = contacts(2_000, seed=1, days=7, queues=("support",))
            if code == "E906":
                records = records.filter(pc.not_equal(records.column("outcome"), "abandoned"))
            write(records, Path("calls.csv"))
            plan = api.compile(api.check(contract, path="demo.sla"))
            try:
                made = api.staff(plan, forecast="forecast.csv",
                                 contacts="calls.csv" if code == "E906" else None)  # fmt: skip
                found = made.diagnostics
            except EvaluationError as error:
                found = error.diagnostics
        finally:
            os.chdir(here)
    shown = (
        f"# slalang staff demo.sla --forecast forecast.csv{options}\n"
        + {
            "E902": "# (forecast.csv has no forecast_aht column)\n",
            "E905": "# (forecast.csv has one row per hour)\n",
            "E906": "# (calls.csv has no abandoned call)\n",
            "W902": "# (forecast.csv has calls every day of the week)\n",
        }.get(code, "")
        + contract
    )
    return Example(shown, "sla", api.CheckResult(None, None, found))


_SPECIAL: dict[str, Callable[[], Example]] = {
    "E004": _special_utf8,
    "E005": _special_control,
    "E006": _special_large,
    "E009": _special_missing,
    "E820": lambda: _evaluation_example("E820"),
    "E822": lambda: _evaluation_example("E822"),
    "E823": lambda: _evaluation_example("E823"),
    "E824": lambda: _evaluation_example("E824"),
    "E825": lambda: _evaluation_example("E825"),
    "E826": lambda: _evaluation_example("E826"),
    **{code: functools.partial(_store_example, code) for code in ("E830", "E831", "E832", "E833")},
    **{
        code: functools.partial(_staffing_example, code)
        for code in ("E901", "E902", "E903", "E904", "E905", "E906", "W901", "W902")
    },
}
"""Codes whose example is generated here rather than read from a case file."""


def _excerpt(text: str, line: int) -> str:
    """The whole text if short, else the top-level statement holding ``line``."""
    lines = text.splitlines()
    if len(lines) <= SHORT_CASE_LINES:
        return text
    index = min(max(line - 1, 0), len(lines) - 1)
    start = index
    while start > 0 and (not lines[start][:1].strip() or lines[start][:1] in "}#"):
        start -= 1
    end = start
    if lines[start].rstrip().endswith("{"):
        end = max(end, index)
        while end < len(lines) - 1 and lines[end] != "}":
            end += 1
    else:
        end = max(end, index)
    shown = lines[start : end + 1]
    if start > 0:
        shown.insert(0, "# ...")
    if end < len(lines) - 1:
        shown.append("# ...")
    return "\n".join(shown) + "\n"


def case_examples(root: Path = ROOT) -> dict[str, Example]:
    """The smallest single-mistake case of each code found in the invalid cases."""
    best: dict[str, tuple[int, str, Example]] = {}
    for path in sorted((root / CASES).glob("*.sla")):
        if path.stem.startswith("multi-"):
            continue
        data = path.read_bytes()
        result = _checked(path.relative_to(root).as_posix(), data)
        codes = {d.code for d in result.diagnostics}
        if len(codes) != 1:
            continue
        (code,) = codes
        first = result.diagnostics[0]
        text = data.decode("utf-8")
        shown = _excerpt(text, first.span.line if first.span is not None else 1)
        rank = (len(data), path.name)
        if code not in best or rank < best[code][:2]:
            best[code] = (*rank, Example(shown, "sla", result))
    return {code: entry[2] for code, entry in best.items()}


def profile_case(path: Path, root: Path = ROOT) -> api.CheckResult:
    """Check one invalid-profile case: a profile file, optionally with directives.

    Leading comment lines may say ``# profile: NAME`` (load that bundled profile
    or path instead of the file itself), ``# columns: a, b`` (check the profile
    against a data file with these columns) or ``# data: FILE`` (check that a data
    file beside the case can be read).
    """
    shown = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    directives = {
        key.strip(): value.strip()
        for key, _, value in (
            line[1:].partition(":") for line in text.splitlines() if line.startswith("# ")
        )
        if key.strip() in ("profile", "columns", "data")
    }
    found: list[Diagnostic] = []
    if "profile" in directives:
        profile, found = profiles.load_profile(directives["profile"], base=path.parent)
    else:
        profile, found = profiles.parse_profile(text, path=shown)
    if profile is not None and "columns" in directives:
        columns = [c.strip() for c in directives["columns"].split(",")]
        found += profiles.check_columns(profile, columns)
    if "data" in directives:
        data = path.parent / directives["data"]
        found += profiles.check_data_path(data, shown=data.relative_to(root).as_posix())
    return api.CheckResult(Source(shown, text), None, normalize(found))


def profile_examples(root: Path = ROOT) -> dict[str, Example]:
    """The smallest single-code case of each code found in the invalid-profile cases."""
    best: dict[str, tuple[int, str, Example]] = {}
    for path in sorted((root / PROFILE_CASES).glob("*.yaml")):
        result = profile_case(path, root)
        codes = {d.code for d in result.diagnostics}
        if len(codes) != 1:
            continue
        (code,) = codes
        text = path.read_text(encoding="utf-8")
        rank = (len(text), path.name)
        if code not in best or rank < best[code][:2]:
            best[code] = (*rank, Example(text, "yaml", result))
    return {code: entry[2] for code, entry in best.items()}


_INTRO = """\
# Diagnostics

<!-- Generated by `python -m slalang.docgen` from slalang/codes.py and the cases in
tests/cases/invalid and tests/cases/profiles; do not edit by hand. -->

`slalang check` reports every mistake it finds in one run. Each diagnostic has a
stable code; this page lists them all, each with a small contract that triggers it
and the report `slalang check` prints for it (`slalang explain CODE` prints the same
explanation, a shorter example and the fix in the terminal).

## Codes

The first letter is the severity: `E` for errors, `W` for warnings. The first digit
is the band, which names the stage or the part of the contract concerned:

| Band | About |
| --- | --- |
| `E0xx` | reading the file and syntax |
| `E1xx` | structure: repeated, missing or impossible statements |
| `E2xx` | names: references, settings, kinds and choices that do not exist |
| `E3xx` | units, types and ranges of values |
| `E4xx` | expected and minimum levels |
| `E5xx` | credits and account at risk |
| `E6xx` | windows, periods and calendars |
| `E7xx` | data: what a source can provide |
| `E8xx` | data profiles and data files (most examples are profiles, not contracts) |
| `E9xx` | staffing: `slalang erlang` and `slalang staff` (the examples are commands) |
| `Wxxx` | warnings, in the same bands: the contract is valid but probably not meant |

## Reading a report

The default `full` format prints each diagnostic as a block:

{sample}
- The first line is the severity, the code and a terse message.
- `-->` gives the file, line and column (both counted from 1) of the mistake.
- The source line follows with `^` under the mistake and a short label.
- Lines starting `:::` point at related places (such as the first of two
  declarations), underlined with `-`.
- `= help:` says how to fix it, when there is an obvious fix.

A summary line ends the report. `--format concise` prints one line per
diagnostic (`path:line:col: CODE [severity] message`); `json`, `github` (workflow
annotations) and `sarif` suit tools.

## Exit codes

| Exit | Meaning |
| --- | --- |
| `{ok}` | no errors (warnings allowed, unless `--warnings-as-errors`) |
| `{failed}` | errors found (or warnings, with `--warnings-as-errors`) |
| `{usage}` | usage error, or a file or folder that cannot be read |
"""


def _sample() -> api.CheckResult:
    """A small report to explain the full format with: one error with a help line."""
    text = _VALID_HEAD.decode() + (
        '\nsource calls: contacts {\n  profile "generic-contacts"\n}\n\n'
        'objective speed "Speed of answer" {\n  key\n  metric service_level\n'
        "  from call\n  threshold <= 20 s\n  expected >= 80%\n}\n"
    )
    return api.check(text, path="contract.sla")


def _fence(text: str, language: str) -> str:
    body = text if text.endswith("\n") else text + "\n"
    fence = "````" if "```" in body else "```"
    return f"{fence}{language}\n{body}{fence}\n"


def _section(code: Code, example: Example | None) -> str:
    parts = [
        f"### {code.code}\n",
        f"**{code.title}** ({code.severity.value})\n",
        f"{code.explanation}\n",
        f"**Fix:** {code.fix}\n",
    ]
    if example is None:
        parts.append("No example yet.\n")
    else:
        parts.append("Example:\n")
        parts.append(_fence(example.source, example.language))
        parts.append("Report:\n")
        parts.append(_fence(render([example.result], format="full"), "text"))
    return "\n".join(parts)


def generate(root: Path = ROOT) -> str:
    """Return the text of ``docs/diagnostics.md``.

    Args:
        root: the source tree holding ``tests/cases/invalid``.
    """
    examples = case_examples(root)
    for code, example in profile_examples(root).items():
        examples.setdefault(code, example)
    for code, make in _SPECIAL.items():
        examples.setdefault(code, make())
    intro = _INTRO.format(
        sample=_fence(render([_sample()], format="full"), "text"),
        ok=int(Exit.OK),
        failed=int(Exit.FAILED),
        usage=int(Exit.USAGE),
    )
    sections = [intro, "## Reference\n"]
    for entry in CATALOGUE.values():
        sections.append(_section(entry, examples.get(entry.code)))
    return "\n".join(sections)


def main(argv: Sequence[str] | None = None) -> int:
    """Write ``docs/diagnostics.md``, or with ``--check`` report whether it is stale.

    Returns:
        0 when the page was written or is up to date, 1 when ``--check`` finds it stale.
    """
    parser = argparse.ArgumentParser(
        prog="python -m slalang.docgen", description="Generate docs/diagnostics.md."
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    args = parser.parse_args(argv)
    target = ROOT / OUTPUT
    text = generate()
    current = target.read_text(encoding="utf-8") if target.exists() else None
    if args.check:
        if current != text:
            print(
                f"{OUTPUT.as_posix()} is stale; run `python -m slalang.docgen`",
                file=sys.stderr,
            )
            return int(Exit.FAILED)
        return int(Exit.OK)
    if current != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return int(Exit.OK)


if __name__ == "__main__":
    sys.exit(main())
