"""The built wheel works on its own: installed in a fresh virtual environment outside
the repository, its ``slalang`` command checks a contract using the packaged grammar."""

from __future__ import annotations

import email.parser
import importlib.util
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
BANK = REPO / "contracts" / "anonymous-bank-1999.sla"


def _run(argv: list[str], *, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def _require(done: subprocess.CompletedProcess[str], what: str) -> None:
    if done.returncode != 0:
        pytest.fail(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def _build_wheel(out: Path) -> Path:
    """Build the project's wheel into ``out``, with ``build`` or else ``pip wheel``."""
    if importlib.util.find_spec("build") is not None:
        argv = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)]
        if importlib.util.find_spec("hatchling") is not None:
            argv.insert(4, "--no-isolation")
    elif importlib.util.find_spec("pip") is not None:
        argv = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(REPO)]
    else:
        pytest.skip("cannot build a wheel: neither the `build` module nor pip is installed")
    _require(_run(argv, cwd=out), "building the wheel")
    wheels = sorted(out.glob("slalang-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _runtime_requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))
    requirements = metadata.get_all("Requires-Dist") or []
    return [r for r in requirements if "extra ==" not in r]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_wheel(tmp_path_factory.mktemp("dist"))


def test_wheel_contains_the_grammar(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "slalang/grammar/slalang.lark" in names
    assert "slalang/cli.py" in names
    assert not any(n.startswith(("tests/", "contracts/")) for n in names)


def test_wheel_declares_its_runtime_dependencies(wheel: Path) -> None:
    names = {r.split(";")[0].split("<")[0].split(">")[0].split("=")[0].strip().lower()
             for r in _runtime_requirements(wheel)}  # fmt: skip
    assert names == {
        "lark",
        "attrs",
        "pyyaml",
        "tzdata",
        "holidays",
        "rich",
        "filelock",
        "duckdb",
        "numpy",
        "pyarrow",
    }


def test_installed_wheel_checks_a_contract(wheel: Path, tmp_path: Path) -> None:
    assert REPO not in tmp_path.parents
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _require(_run([*pip, "--no-deps", str(wheel)], cwd=tmp_path), "installing the wheel")
    _require(_run([*pip, *_runtime_requirements(wheel)], cwd=tmp_path), "installing dependencies")

    where = _run([str(python), "-c", "import slalang; print(slalang.__file__)"], cwd=tmp_path)
    _require(where, "importing slalang")
    assert Path(where.stdout.strip()).resolve().is_relative_to(env_dir.resolve())

    contract = tmp_path / "bank.sla"
    shutil.copyfile(BANK, contract)
    command = shutil.which("slalang", path=str(bin_dir))
    assert command is not None
    done = _run([command, "check", contract.name], cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no problems found in 1 file" in done.stdout
    broken = _run([command, "check", "--format", "concise", "-"], cwd=tmp_path)
    assert broken.returncode == 1
