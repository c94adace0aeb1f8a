"""The GitHub format: workflow commands, with data and properties escaped."""

from __future__ import annotations

from slalang.api import CheckResult
from slalang.codes import diag
from slalang.diagnostics import Diagnostic, Severity
from slalang.render import render
from slalang.render.github import escape_data, escape_property
from slalang.source import Source


def github(source: Source | None, *diagnostics: Diagnostic) -> str:
    return render([CheckResult(source, None, diagnostics)], format="github")


def test_one_command_per_diagnostic() -> None:
    source = Source("a.sla", "source calls\n")
    text = github(source, diag("E201", "unknown reference `calls`", source.span(7, 12)))
    assert text == (
        "::error file=a.sla,line=1,col=8,endLine=1,endColumn=13,title=E201"
        "::unknown reference `calls`\n"
    )


def test_severity_picks_the_command() -> None:
    source = Source("a.sla", "x\n")
    span = source.span(0, 1)
    lines = github(
        source,
        Diagnostic("E001", Severity.ERROR, "e", span),
        Diagnostic("W201", Severity.WARNING, "w", span),
        Diagnostic("N001", Severity.NOTE, "n", span),
    ).splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::warning", "::notice"]


def test_message_and_properties_are_escaped() -> None:
    source = Source("dir,1/a:b.sla", "x\n")
    d = diag("E001", "100% wrong\r\nreally", source.span(0, 1), help="fix: it")
    assert github(source, d) == (
        "::error file=dir%2C1/a%3Ab.sla,line=1,col=1,endLine=1,endColumn=2,title=E001"
        "::100%25 wrong%0D%0Areally%0Ahelp: fix: it\n"
    )


def test_escape_functions() -> None:
    assert escape_data("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad:e,f"
    assert escape_property("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad%3Ae%2Cf"


def test_span_none_uses_source_path_or_nothing() -> None:
    source = Source("big.sla", "")
    assert github(source, diag("E006", "too large", None)) == (
        "::error file=big.sla,title=E006::too large\n"
    )
    assert github(None, diag("E009", "cannot read `x`", None)) == (
        "::error title=E009::cannot read `x`\n"
    )
