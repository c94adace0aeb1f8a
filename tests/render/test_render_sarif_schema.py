"""The SARIF format against the official SARIF 2.1.0 JSON schema.

``schemas/sarif-schema-2.1.0.json`` is a verbatim copy of the OASIS schema
(``sarif-2.1/schema/sarif-schema-2.1.0.json`` in github.com/oasis-tcs/sarif-spec,
the errata01 OASIS Standard version). Every log the renderer writes here, for the
shared samples, the bundled contracts and the invalid cases, must validate against
it, ``format`` keywords included.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

import slalang
from slalang.api import CheckResult, check_file
from slalang.codes import CATALOGUE, diag
from slalang.render import render
from slalang.source import Source

SCHEMA_FILE = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
REPO = Path(__file__).resolve().parents[2]
CONTRACTS = sorted((REPO / "contracts").glob("*.sla"))
INVALID = sorted((REPO / "tests" / "cases" / "invalid").glob("*.sla"))

# RFC 3986: the characters a URI may hold, and the scheme that starts an absolute URI.
_URI_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def is_uri_reference(value: object) -> bool:
    """An RFC 3986 URI reference: allowed characters only, one fragment, a valid scheme if any."""
    if not isinstance(value, str):
        return True
    if not _URI_CHARS.fullmatch(value) or value.count("#") > 1:
        return False
    first = re.split(r"[/?#]", value, maxsplit=1)[0]
    return ":" not in first or _SCHEME.match(first) is not None


def is_uri(value: object) -> bool:
    """An RFC 3986 URI: a URI reference with a scheme."""
    if not isinstance(value, str):
        return True
    return is_uri_reference(value) and _SCHEME.match(value) is not None


def load_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema


def make_validator() -> Validator:
    """A validator for the draft the schema declares, checking ``uri`` formats too.

    jsonschema checks ``uri`` and ``uri-reference`` only when the optional
    ``rfc3987`` package is installed, so the two checks above stand in for it.
    """
    schema = load_schema()
    cls = validator_for(schema)
    cls.check_schema(schema)
    checker = jsonschema.FormatChecker(formats=cls.FORMAT_CHECKER.checkers)
    checker.checks("uri")(is_uri)
    checker.checks("uri-reference")(is_uri_reference)
    return cls(schema, format_checker=checker)


@pytest.fixture(scope="module")
def validator() -> Validator:
    return make_validator()


def errors(validator: Validator, log: dict[str, Any]) -> list[str]:
    found: Iterator[jsonschema.ValidationError] = validator.iter_errors(log)
    return [f"{error.json_path}: {error.message}" for error in found]


def sarif(results: list[CheckResult]) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render(results, format="sarif"))
    return log


def assert_valid(validator: Validator, log: dict[str, Any]) -> None:
    assert errors(validator, log) == []


def test_schema_is_the_official_one() -> None:
    schema = load_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["id"] == (
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    )
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    validator_for(schema).check_schema(schema)


def test_sample_log(validator: Validator, results: list[CheckResult]) -> None:
    log = sarif(results)
    assert len(log["runs"][0]["results"]) > 0
    assert_valid(validator, log)


def test_every_catalogued_code(validator: Validator) -> None:
    source = Source("a.sla", "x\n")
    diagnostics = tuple(diag(code, "m", source.span(0, 1)) for code in CATALOGUE)
    log = sarif([CheckResult(source, None, diagnostics)])
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(CATALOGUE)
    assert_valid(validator, log)


def test_nothing_to_report(validator: Validator) -> None:
    assert_valid(validator, sarif([CheckResult(None, None, ())]))


@pytest.mark.parametrize("path", CONTRACTS, ids=lambda path: path.name)
def test_bundled_contract(
    validator: Validator, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    log = sarif([check_file(path.relative_to(REPO))])
    assert log["runs"][0]["results"] == []
    assert_valid(validator, log)


def test_all_bundled_contracts_together(validator: Validator) -> None:
    assert CONTRACTS
    assert_valid(validator, sarif([check_file(path) for path in CONTRACTS]))


@pytest.mark.parametrize("absolute", [False, True], ids=["relative", "absolute"])
@pytest.mark.parametrize("path", INVALID, ids=lambda path: path.stem)
def test_invalid_case(
    validator: Validator, path: Path, absolute: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    log = sarif([check_file(path if absolute else path.relative_to(REPO))])
    (run,) = log["runs"]
    assert run["results"]
    prefix = "file:" if absolute else "tests/cases/invalid/"
    for result in run["results"]:
        for location in result.get("locations", []):
            assert location["physicalLocation"]["artifactLocation"]["uri"].startswith(prefix)
    assert_valid(validator, log)


def test_all_invalid_cases_together(validator: Validator) -> None:
    assert INVALID
    assert_valid(validator, sarif([check_file(path) for path in INVALID]))


@pytest.mark.parametrize(
    "path",
    ["dir/my file.sla", "données/contrat #1.sla", "/abs/dir with space/a.sla", "a:b.sla"],
)
def test_awkward_paths(validator: Validator, path: str) -> None:
    log = sarif([slalang.check("objective x {\n  expected >= \n}\n", path=path)])
    assert log["runs"][0]["results"]
    assert_valid(validator, log)


def test_unreadable_and_hostile_files(validator: Validator, tmp_path: Path) -> None:
    bad_utf8 = tmp_path / "bad.sla"
    bad_utf8.write_bytes(b'contract demo {\n  client "\xff"\n}\n')
    control = tmp_path / "control.sla"
    control.write_bytes(b'contract demo {\n  client "a\x00b"\n}\n')
    results = [check_file(bad_utf8), check_file(control), check_file(tmp_path / "missing.sla")]
    log = sarif(results)
    assert len(log["runs"][0]["results"]) >= 3
    assert_valid(validator, log)


BROKEN = [
    pytest.param(("runs", 0, "results", 0, "level"), "fatal", id="result-level"),
    pytest.param(("version",), "2.0.0", id="version"),
    pytest.param(("runs", 0, "columnKind"), "bytes", id="column-kind"),
    pytest.param(("runs", 0, "results", 0, "ruleIndex"), -2, id="rule-index"),
    pytest.param(
        ("runs", 0, "tool", "driver", "rules", 0, "defaultConfiguration", "level"),
        "info",
        id="rule-level",
    ),
    pytest.param(
        ("runs", 0, "results", 0, "locations", 0, "physicalLocation", "region", "startLine"),
        0,
        id="start-line",
    ),
    pytest.param(
        ("runs", 0, "results", 0, "locations", 0, "physicalLocation", "artifactLocation"),
        {"uri": "dir/my file.sla"},
        id="uri-with-space",
    ),
    pytest.param(("$schema",), "not a uri", id="schema-uri"),
    pytest.param(("runs", 0, "results", 0, "message"), {"markdown": "no text"}, id="message"),
    pytest.param(("runs", 0, "tool", "driver", "unknownProperty"), True, id="extra-property"),
]
"""Where to break the sample log, and with what: each change must fail validation."""


@pytest.mark.parametrize(("where", "value"), BROKEN)
def test_broken_log_fails(
    validator: Validator, results: list[CheckResult], where: tuple[str | int, ...], value: object
) -> None:
    log = sarif(results)
    assert_valid(validator, log)
    broken = copy.deepcopy(log)
    target: Any = broken
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    assert errors(validator, broken)


def test_missing_required_field_fails(validator: Validator, results: list[CheckResult]) -> None:
    broken = sarif(results)
    del broken["runs"][0]["tool"]["driver"]["name"]
    assert errors(validator, broken)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)
