"""Report stage, SARIF format: a SARIF 2.1.0 log for code-scanning tools.

One run whose driver lists, as rules, every code the results use (described
from :data:`slalang.codes.CATALOGUE`). Columns count Unicode code points and
``endColumn`` is exclusive, as SARIF defines it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import PurePath
from urllib.parse import quote

import slalang
from slalang.codes import CATALOGUE
from slalang.diagnostics import Diagnostic, Severity
from slalang.lang.outcome import CheckResult
from slalang.render.common import diagnostic_path, pairs
from slalang.source import Span

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS = "docs/diagnostics.md"
"""The page, in the slalang distribution, documenting every code under its own heading."""
SRCROOT = "%SRCROOT%"

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def render(results: Sequence[CheckResult], *, color: bool = False) -> str:
    """Render the results as a SARIF log (``color`` is ignored)."""
    found = list(pairs(results))
    codes = sorted({d.code for _, d in found})
    index = {code: i for i, code in enumerate(codes)}
    severities = {d.code: d.severity for _, d in found}
    run = {
        "tool": {
            "driver": {
                "name": "slalang",
                "version": slalang.__version__,
                "rules": [_rule(code, severities[code]) for code in codes],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [_result(result, d, index[d.code]) for result, d in found],
    }
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"


def rule_name(title: str) -> str:
    """Turn a catalogue title into a rule name: ``unknown reference`` -> ``unknown-reference``."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def artifact_location(path: str) -> dict[str, str]:
    """Return a SARIF artifact location: a file URI, or a relative URI under ``%SRCROOT%``."""
    pure = PurePath(path)
    if pure.is_absolute():
        return {"uri": pure.as_uri()}
    return {"uri": quote(pure.as_posix(), safe="/"), "uriBaseId": SRCROOT}


def _rule(code: str, severity: Severity) -> dict[str, object]:
    entry = CATALOGUE.get(code)
    title = entry.title if entry is not None else code
    rule: dict[str, object] = {
        "id": code,
        "name": rule_name(title) or code,
        "shortDescription": {"text": title},
    }
    if entry is not None and entry.explanation:
        rule["fullDescription"] = {"text": entry.explanation}
    rule["help"] = {"text": f"See `slalang explain {code}` or {DOCS}#{code.lower()}."}
    level = entry.severity if entry is not None else severity
    rule["defaultConfiguration"] = {"level": _LEVEL[level]}
    return rule


def _region(span: Span) -> dict[str, int]:
    return {
        "startLine": span.line,
        "startColumn": span.column,
        "endLine": span.end_line,
        "endColumn": span.end_column,
    }


def _location(span: Span, text: str) -> dict[str, object]:
    location: dict[str, object] = {
        "physicalLocation": {
            "artifactLocation": artifact_location(span.path),
            "region": _region(span),
        }
    }
    if text:
        location["message"] = {"text": text}
    return location


def _result(result: CheckResult, diagnostic: Diagnostic, rule_index: int) -> dict[str, object]:
    text = diagnostic.message
    if diagnostic.help:
        text += f"\nhelp: {diagnostic.help}"
    entry: dict[str, object] = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": _LEVEL[diagnostic.severity],
        "message": {"text": text},
    }
    path = diagnostic_path(result, diagnostic)
    if diagnostic.span is not None:
        entry["locations"] = [_location(diagnostic.span, diagnostic.label)]
    elif path is not None:
        entry["locations"] = [{"physicalLocation": {"artifactLocation": artifact_location(path)}}]
    if diagnostic.related:
        entry["relatedLocations"] = [
            {"id": i, **_location(label.span, label.text)}
            for i, label in enumerate(diagnostic.related)
        ]
    if diagnostic.path:
        entry["properties"] = {"contractPath": list(diagnostic.path)}
    return entry
