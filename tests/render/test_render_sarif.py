"""The SARIF format: a structural check of the log against SARIF 2.1.0's rules."""

from __future__ import annotations

import json
from typing import Any

import pytest

import slalang
from slalang.api import CheckResult
from slalang.codes import CATALOGUE, diag
from slalang.render import render
from slalang.render.sarif import artifact_location
from slalang.source import Source

LEVELS = {"error", "warning", "note", "none"}


def check_region(region: dict[str, Any]) -> None:
    assert set(region) <= {"startLine", "startColumn", "endLine", "endColumn"}
    assert region["startLine"] >= 1
    assert region["startColumn"] >= 1
    assert region["endLine"] >= region["startLine"]
    if region["endLine"] == region["startLine"]:
        assert region["endColumn"] >= region["startColumn"]
    assert region["endColumn"] >= 1


def check_location(location: dict[str, Any]) -> None:
    physical = location["physicalLocation"]
    artifact = physical["artifactLocation"]
    uri = artifact["uri"]
    assert "\\" not in uri
    assert " " not in uri
    if not uri.startswith("file:"):
        assert artifact["uriBaseId"] == "%SRCROOT%"
    if "region" in physical:
        check_region(physical["region"])


def check_log(log: dict[str, Any]) -> None:
    """Check what SARIF 2.1.0 requires of the parts this renderer writes."""
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "slalang"
    assert driver["version"] == slalang.__version__
    rules = driver["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids))
    for rule in rules:
        assert rule["name"]
        assert rule["shortDescription"]["text"]
        assert rule["help"]["text"].endswith("docs/diagnostics.md#" + rule["id"].lower() + ".")
        assert rule["defaultConfiguration"]["level"] in LEVELS
    used = set()
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in LEVELS
        assert result["message"]["text"]
        used.add(result["ruleId"])
        for location in result.get("locations", []) + result.get("relatedLocations", []):
            check_location(location)
    assert used == set(ids)


def test_sample_log_is_valid(results: list[CheckResult]) -> None:
    log = json.loads(render(results, format="sarif"))
    check_log(log)
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rules) == {"E001", "E009", "E201", "W501"}
    assert rules["E201"]["shortDescription"]["text"] == CATALOGUE["E201"].title
    assert rules["E201"]["fullDescription"]["text"] == CATALOGUE["E201"].explanation
    assert rules["W501"]["defaultConfiguration"]["level"] == "warning"


def test_result_text_region_and_help() -> None:
    source = Source("dir/a.sla", "ab\ncd\n")
    d = diag("E201", "unknown", source.span(3, 5), label="here", help="declare it")
    (result,) = json.loads(render([CheckResult(source, None, (d,))], format="sarif"))["runs"][0][
        "results"
    ]
    assert result["message"]["text"] == "unknown\nhelp: declare it"
    (location,) = result["locations"]
    assert location["message"]["text"] == "here"
    physical = location["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "dir/a.sla", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 3}


def test_span_none_has_file_location_or_none() -> None:
    with_source = CheckResult(Source("big.sla", ""), None, (diag("E006", "too large", None),))
    without = CheckResult(None, None, (diag("E009", "cannot read", None),))
    log = json.loads(render([with_source, without], format="sarif"))
    check_log(log)
    first, second = log["runs"][0]["results"]
    assert first["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "big.sla", "uriBaseId": "%SRCROOT%"}}}
    ]
    assert "locations" not in second


def test_every_catalogued_code_becomes_a_rule() -> None:
    source = Source("a.sla", "x\n")
    diagnostics = tuple(diag(code, "m", source.span(0, 1)) for code in CATALOGUE)
    log = json.loads(render([CheckResult(source, None, diagnostics)], format="sarif"))
    check_log(log)
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(CATALOGUE)


def test_no_results_gives_an_empty_run() -> None:
    log = json.loads(render([CheckResult(None, None, ())], format="sarif"))
    check_log(log)
    assert log["runs"][0]["results"] == []


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a.sla", {"uri": "a.sla", "uriBaseId": "%SRCROOT%"}),
        ("dir/my file.sla", {"uri": "dir/my%20file.sla", "uriBaseId": "%SRCROOT%"}),
        ("/abs/a.sla", {"uri": "file:///abs/a.sla"}),
    ],
)
def test_artifact_location(path: str, expected: dict[str, str]) -> None:
    assert artifact_location(path) == expected
