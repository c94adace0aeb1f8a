"""The ``slalang`` command, run in-process through ``main(argv)`` and as a real subprocess."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from slalang.cli import main
from slalang.codes import CATALOGUE
from slalang.codes.guide import GUIDE
from slalang.exitcodes import Exit

REPO = Path(__file__).resolve().parents[2]
CONTRACTS = REPO / "contracts"
BANK = CONTRACTS / "anonymous-bank-1999.sla"

BROKEN = 'contract broken "Broken" {\n  client 3\n  vendor "V"\n}\n'
"""A contract with errors, the first of them at line 2, column 10."""

WARNED = BANK.read_text(encoding="utf-8") + '\nscope unused = calls where call_type == "PS"\n'
"""The bank contract with an unused scope: a warning (W201) and no errors."""

FORMATS = ("full", "concise", "json", "github", "sarif")

try:
    from slalang.lang.fmt import format_text as _format_text  # noqa: F401
except ImportError:  # pragma: no cover - the formatter is optional while it is written
    HAS_FMT = False
else:
    HAS_FMT = True

needs_fmt = pytest.mark.skipif(not HAS_FMT, reason="slalang.lang.fmt.format_text is not available")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``main`` in-process; return exit code, stdout and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_process(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m slalang`` as a subprocess from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "slalang", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        timeout=120,
        check=False,
    )


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.sla"
    path.write_text(BROKEN, encoding="utf-8")
    return path


@pytest.fixture
def warned(tmp_path: Path) -> Path:
    path = tmp_path / "warned.sla"
    path.write_text(WARNED, encoding="utf-8")
    return path


# --- check ------------------------------------------------------------------------------


def test_check_contracts_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(CONTRACTS))
    assert code == Exit.OK
    assert "no problems found" in out


@pytest.mark.slow
def test_check_contracts_subprocess() -> None:
    done = run_process("check", "contracts/")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no problems found" in done.stdout


def test_check_broken_file(capsys: pytest.CaptureFixture[str], broken: Path) -> None:
    code, out, _ = run(capsys, "check", "--color", "never", str(broken))
    assert code == Exit.FAILED
    assert f"{broken}:2:10" in out


@pytest.mark.slow
def test_check_broken_file_subprocess(broken: Path) -> None:
    done = run_process("check", str(broken))
    assert done.returncode == 1
    assert f"{broken}:2:10" in done.stdout


def test_check_missing_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "check", str(tmp_path / "nowhere.sla"))
    assert code == Exit.USAGE
    assert "does not exist" in err
    assert out == ""


def test_check_empty_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == Exit.USAGE
    assert "no .sla files" in err


@pytest.mark.slow
def test_check_missing_path_and_empty_folder_subprocess(tmp_path: Path) -> None:
    assert run_process("check", str(tmp_path / "nowhere.sla")).returncode == 2
    assert run_process("check", str(tmp_path)).returncode == 2


def test_check_stdin_in_process(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(BROKEN.encode("utf-8")), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, _ = run(capsys, "check", "--format", "concise", "-")
    assert code == Exit.FAILED
    assert "<stdin>:2:10:" in out


@pytest.mark.slow
def test_check_stdin_subprocess() -> None:
    good = run_process("check", "-", stdin=BANK.read_text(encoding="utf-8"))
    assert good.returncode == 0, good.stdout + good.stderr
    bad = run_process("check", "--format", "concise", "-", stdin=BROKEN)
    assert bad.returncode == 1
    assert "<stdin>:2:10:" in bad.stdout


def _assert_parseable(format: str, out: str, path: Path) -> None:
    if format in ("json", "sarif"):
        document = json.loads(out)
        assert isinstance(document, dict)
        if format == "sarif":
            assert document["version"] == "2.1.0"
            assert document["runs"][0]["results"]
    elif format == "github":
        lines = out.splitlines()
        assert lines
        assert all(line.startswith("::") for line in lines)
    elif format == "concise":
        assert re.search(rf"^{re.escape(str(path))}:\d+:\d+: E\d{{3}} ", out, re.MULTILINE)
    else:
        assert f"--> {path}:2:10" in out


@pytest.mark.parametrize("format", FORMATS)
def test_every_format_parses(capsys: pytest.CaptureFixture[str], broken: Path, format: str) -> None:
    code, out, _ = run(capsys, "check", "--format", format, "--color", "never", str(broken))
    assert code == Exit.FAILED
    _assert_parseable(format, out, broken)


@pytest.mark.parametrize("format", FORMATS)
def test_every_format_on_clean_contracts(capsys: pytest.CaptureFixture[str], format: str) -> None:
    code, out, _ = run(capsys, "check", "--format", format, str(CONTRACTS))
    assert code == Exit.OK
    if format in ("json", "sarif"):
        json.loads(out)
    elif format == "github":
        assert all(line.startswith("::") for line in out.splitlines())


@pytest.mark.slow
@pytest.mark.parametrize("format", FORMATS)
def test_every_format_subprocess(broken: Path, format: str) -> None:
    done = run_process("check", "--format", format, "--color", "never", str(broken))
    assert done.returncode == 1
    _assert_parseable(format, done.stdout, broken)


def test_warnings_as_errors(capsys: pytest.CaptureFixture[str], warned: Path) -> None:
    code, out, _ = run(capsys, "check", "--format", "concise", str(warned))
    assert code == Exit.OK
    assert "W201" in out
    code, out, _ = run(capsys, "check", "--format", "concise", "--warnings-as-errors", str(warned))
    assert code == Exit.FAILED
    assert "W201" in out


# --- explain, help ----------------------------------------------------------------------


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "E201")
    assert code == Exit.OK
    assert out.startswith("E201 (error): ")
    entry = CATALOGUE["E201"]
    assert out == (
        f"E201 (error): {entry.title}\n\n{entry.explanation}\n\n"
        "Example:\n\n    from call\n\n"
        "Fix: Use the id of a declared source, scope, calendar, objective or template.\n"
    )


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_explain_shows_the_example_and_the_fix(
    capsys: pytest.CaptureFixture[str], code: str
) -> None:
    status, out, _ = run(capsys, "explain", code)
    assert status == Exit.OK
    entry = CATALOGUE[code]
    example = "".join(f"    {line}\n" for line in entry.example.splitlines())
    assert out == (
        f"{code} ({entry.severity.value}): {entry.title}\n\n{entry.explanation}\n\n"
        f"Example:\n\n{example}\nFix: {entry.fix}\n"
    )


def test_every_code_has_an_example_and_a_fix() -> None:
    assert set(GUIDE) == set(CATALOGUE)
    for entry in CATALOGUE.values():
        assert entry.example.strip(), entry.code
        assert entry.fix.strip(), entry.code
        assert entry.fix[0].isupper(), entry.code
        assert entry.fix.endswith("."), entry.code


def test_explain_lower_case(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "e201")
    assert code == Exit.OK
    assert out.startswith("E201")


def test_explain_unknown_code(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "explain", "E999")
    assert code == Exit.USAGE
    assert out == ""
    assert "unknown code" in err


@pytest.mark.slow
def test_explain_subprocess() -> None:
    done = run_process("explain", "E201")
    assert done.returncode == 0
    assert done.stdout.startswith("E201")


@pytest.mark.parametrize("argv", [["--help"], ["check", "--help"], ["fmt", "--help"]])
def test_help_lists_exit_codes(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, _ = run(capsys, *argv)
    assert code == Exit.OK
    assert "exit codes" in out
    for number in "012":
        assert re.search(rf"^\s+{number}\s+\S", out, re.MULTILINE), number


@pytest.mark.slow
def test_help_subprocess() -> None:
    done = run_process("--help")
    assert done.returncode == 0
    assert "exit codes" in done.stdout


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == Exit.USAGE
    assert "usage:" in err


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "check", "--no-such-option", str(CONTRACTS))
    assert code == Exit.USAGE


# --- fmt --------------------------------------------------------------------------------


def _unformatted() -> str:
    text = BANK.read_text(encoding="utf-8")
    return text.replace("  client ", "client    ").replace("window month", "window   month", 1)


@needs_fmt
def test_fmt_check_formatted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bank.sla"
    path.write_text(BANK.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = run(capsys, "fmt", "--check", str(path))
    assert code == Exit.OK, out
    assert out == ""
    assert err == "1 file already formatted\n"


@needs_fmt
def test_fmt_check_unformatted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "messy.sla"
    path.write_text(_unformatted(), encoding="utf-8")
    code, out, err = run(capsys, "fmt", "--check", str(path))
    assert code == Exit.FAILED
    assert f"would reformat {path}" in out
    assert err == "1 file would be reformatted, 0 files already formatted\n"
    assert path.read_text(encoding="utf-8") == _unformatted()


@needs_fmt
@pytest.mark.slow
def test_fmt_check_subprocess(tmp_path: Path) -> None:
    formatted = tmp_path / "bank.sla"
    formatted.write_text(BANK.read_text(encoding="utf-8"), encoding="utf-8")
    messy = tmp_path / "messy.sla"
    messy.write_text(_unformatted(), encoding="utf-8")
    assert run_process("fmt", "--check", str(formatted)).returncode == 0
    assert run_process("fmt", "--check", str(messy)).returncode == 1


@needs_fmt
def test_fmt_check_broken_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "broken.sla"
    path.write_text('contract x {\n  client "A\n}\n', encoding="utf-8")
    code, _, err = run(capsys, "fmt", "--check", str(path))
    assert code == Exit.FAILED
    assert "E003" in err
