"""The concise and JSON formats: one line per diagnostic, and plain data."""

from __future__ import annotations

import json

from slalang.api import CheckResult
from slalang.codes import diag
from slalang.diagnostics import Label
from slalang.render import render
from slalang.source import Source


def test_concise_lines(results: list[CheckResult]) -> None:
    lines = render(results, format="concise").splitlines()
    assert lines[0] == "contracts/broken.sla:2:15: E001 [error] unexpected end of line"
    assert lines[-2] == "E009 [error] cannot read `missing.sla`: No such file"
    assert lines[-1] == "found 3 errors and 1 warning in 3 files"


def test_concise_span_none_uses_source_path() -> None:
    result = CheckResult(Source("big.sla", ""), None, (diag("E006", "too large", None),))
    assert render([result], format="concise") == (
        "big.sla: E006 [error] too large\nfound 1 error in 1 file\n"
    )


def test_json_document(results: list[CheckResult]) -> None:
    text = render(results, format="json")
    document = json.loads(text)
    assert text == json.dumps(document, sort_keys=True, indent=2) + "\n"
    assert document["version"] == 1
    assert document["files"] == ["contracts/broken.sla", "contracts/service.sla", None]
    assert document["summary"] == {"errors": 3, "warnings": 1, "files": 3}
    keys = {
        "code",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "label",
        "help",
        "contract_path",
        "related",
    }
    assert all(set(d) == keys for d in document["diagnostics"])


def test_json_positions_are_one_based_and_null_without_span() -> None:
    source = Source("a.sla", "ab\ncd\n")
    d = diag(
        "E102",
        "duplicate",
        source.span(3, 5),
        path=("demo", "asa"),
        related=(Label(source.span(0, 2), "first"),),
    )
    result = CheckResult(source, None, (d, diag("E006", "too large", None)))
    first, second = json.loads(render([result], format="json"))["diagnostics"]
    assert (first["line"], first["column"], first["end_line"], first["end_column"]) == (2, 1, 2, 3)
    assert first["contract_path"] == ["demo", "asa"]
    assert first["related"] == [
        {"path": "a.sla", "line": 1, "column": 1, "end_line": 1, "end_column": 3, "label": "first"}
    ]
    assert second["path"] == "a.sla"
    assert [second[k] for k in ("line", "column", "end_line", "end_column")] == [None] * 4
