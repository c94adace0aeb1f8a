"""The house's layout: one folder per stage, imports pointing one way, small modules.

Stages, in pipeline order (a module may import its own stage and earlier ones only):

0. the core at the top of the package: ``source``, ``diagnostics``, ``codes``,
   ``exitcodes``, ``progress``;
1. ``lang``: contract text to a checked model;
2. ``expr``: the profile expression language;
3. ``data``: canonical data sets loaded from exports through profiles;
4. ``engine``: plans and the evaluators that compute figures;
5. ``judge``: verdicts, consequences and the evaluation;
6. ``report``, ``render``, ``synth``, ``staff``, ``history``: output, synthetic data, staffing
   (queueing models, plans and predicted verdicts) and the history store, which nothing
   before them uses;
7. the front: ``api``, ``cli``, ``docgen``, ``__init__``, ``__main__``.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "slalang"

CORE = {"source", "diagnostics", "codes", "exitcodes", "progress"}
FRONT = {"api", "cli", "docgen", "__init__", "__main__"}
RANKS = {
    "lang": 1,
    "expr": 2,
    "data": 3,
    "engine": 4,
    "judge": 5,
    "report": 6,
    "render": 6,
    "synth": 6,
    "staff": 6,
    "history": 6,
}
HEAVY = ("duckdb", "pyarrow", "numpy", "pandas", "polars")


def stage_of(module: str) -> tuple[str, int]:
    """The stage of a dotted module name below ``slalang`` and its rank."""
    parts = module.split(".")
    if parts[0] != "slalang":
        raise ValueError(module)
    head = parts[1] if len(parts) > 1 else "__init__"
    if head in CORE:
        return "core", 0
    if head in FRONT:
        return "front", 7
    return head, RANKS[head]


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every slalang module a file imports, anywhere in it (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("slalang")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "slalang":
                for alias in node.names:
                    target = f"slalang.{alias.name}"
                    name = alias.name
                    known = (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").exists()
                    found.append((node.lineno, target if known else "slalang"))
            elif node.module.startswith("slalang."):
                found.append((node.lineno, node.module))
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_the_walk_sees_every_stage() -> None:
    stages = {stage_of(module_name(p))[0] for p in MODULES}
    assert stages == {"core", "front", *RANKS}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_pipeline(path: Path) -> None:
    stage, rank = stage_of(module_name(path))
    wrong = []
    for line, target in imports_of(path):
        if target == "slalang":
            continue  # the package's own lazy names (__version__)
        other, other_rank = stage_of(target)
        if other != stage and other_rank >= rank and stage != "front":
            wrong.append(f"line {line}: {stage} imports {target} ({other})")
        if stage == "core" and other != "core":
            wrong.append(f"line {line}: the core imports {target}")
    assert not wrong, "\n".join(wrong)


def test_a_wrong_arrow_is_caught(tmp_path: Path) -> None:
    """The walk itself: a lang module importing the engine is found."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from slalang.engine.plan import Plan\n", encoding="utf-8")
    assert imports_of(bad) == [(2, "slalang.engine.plan")]
    assert stage_of("slalang.engine.plan")[1] > stage_of("slalang.lang.model")[1]


def test_the_top_holds_at_most_ten_modules() -> None:
    assert len(list(PACKAGE.glob("*.py"))) <= 10


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 800


LIGHT_COMMANDS = {
    "check": ["check", "{contract}"],
    "fmt": ["fmt", "--check", "{contract}"],
    "explain": ["explain", "E201"],
}


@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(LIGHT_COMMANDS))
def test_light_commands_load_no_data_engine(command: str) -> None:
    contract = PACKAGE.parent / "contracts" / "acme-care.sla"
    argv = [a.format(contract=contract) for a in LIGHT_COMMANDS[command]]
    probe = (
        "import sys\n"
        "from slalang.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('loaded:', ','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = [line for line in done.stderr.splitlines() if line.startswith("loaded:")]
    assert loaded == ["loaded: "], done.stderr


@pytest.mark.slow
def test_evaluating_a_text_file_loads_no_table_library(tmp_path: Path) -> None:
    """A CSV export is read by DuckDB: pyarrow, numpy, pandas and polars serve only tables
    passed in memory (or Parquet's fallbacks), and importing them costs a fresh process
    about 0.2 s."""
    from slalang.synth import contacts, write

    data = tmp_path / "calls.csv"
    write(contacts(300, seed=3, days=1), data)
    contract = PACKAGE.parent / "benchmarks" / "ten-objectives.sla"
    probe = (
        "import sys\n"
        "from slalang.cli import main\n"
        "try:\n"
        f"    main(['evaluate', {str(contract)!r}, '--data', 'calls=' + {str(data)!r},"
        f" '--format', 'json', '--output', {str(tmp_path / 'out.json')!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"libraries = {HEAVY[1:]!r}\n"
        "print('loaded:', ','.join(m for m in libraries if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = [line for line in done.stderr.splitlines() if line.startswith("loaded:")]
    assert loaded == ["loaded: "], done.stderr
    assert json.loads((tmp_path / "out.json").read_text())["results"]
