"""Data profiles: bundled profiles load, invalid profiles give positioned diagnostics.

Golden cases live in ``tests/cases/profiles/``: each ``NNN-name.yaml`` is a profile
with one mistake and ``NNN-name.expected`` lists its diagnostics as
``CODE LINE:COLUMN message`` (``-:-`` without a position). Leading comments may hold
directives (``# profile:``, ``# columns:``, ``# data:``; see
:func:`slalang.docgen.profile_case`). Regenerate with ``SLALANG_REGEN=1``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import zipfile
from pathlib import Path

import pytest

from slalang import docgen
from slalang.codes import CATALOGUE
from slalang.data.profile_model import BOOLEAN_SPELLINGS
from slalang.data.profiles import (
    bundled_names,
    check_columns,
    load_profile,
    parse_profile,
)
from slalang.diagnostics import Diagnostic
from slalang.lang.canonical import TABLES

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "cases" / "profiles"
CASE_FILES = sorted(CASES.glob("*.yaml"))
REGEN = os.environ.get("SLALANG_REGEN") == "1"
DATA_DOC = ROOT / "docs" / "data.md"

BUNDLED = (
    "anonymous-bank",
    "avaya-cms-interval",
    "generic-adherence",
    "generic-contacts",
    "generic-forecasts",
    "generic-surveys",
    "genesys-cloud-interval",
    "interval-csv",
)


def _line(diagnostic: Diagnostic) -> str:
    span = diagnostic.span
    where = f"{span.line}:{span.column}" if span is not None else "-:-"
    return f"{diagnostic.code} {where} {diagnostic.message}"


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_profile_loads(name: str) -> None:
    profile, found = load_profile(name)
    assert found == []
    assert profile is not None
    assert profile.name == name
    for field in profile.table.fields:
        if field.required:
            assert profile.field(field.name) is not None, field.name


def test_bundled_names_are_the_documented_ones() -> None:
    assert bundled_names() == BUNDLED


def test_bank_profile_shape() -> None:
    profile, _ = load_profile("anonymous-bank")
    assert profile is not None
    assert (profile.kind, profile.format, profile.delimiter) == ("contacts", "tsv", "\t")
    assert profile.timezone == "Asia/Jerusalem"
    assert [r.reason for r in profile.exclude] == ["phantom record"]
    assert profile.columns <= {
        "vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry",
        "vru_exit", "vru_time", "q_start", "q_exit", "q_time", "outcome", "ser_start",
        "ser_exit", "ser_time", "server",
    }  # fmt: skip


@pytest.mark.parametrize("case", CASE_FILES, ids=[c.stem for c in CASE_FILES])
def test_invalid_profile_case(case: Path) -> None:
    actual = [_line(d) for d in docgen.profile_case(case).diagnostics]
    expected_file = case.with_suffix(".expected")
    if REGEN:
        expected_file.write_text("".join(f"{line}\n" for line in actual), encoding="utf-8")
    assert expected_file.exists(), f"{expected_file.name} is missing; run with SLALANG_REGEN=1"
    assert actual == expected_file.read_text(encoding="utf-8").splitlines()
    codes = {line.split(" ", 1)[0] for line in actual}
    assert codes == {case.stem[:3].join(("E", ""))}, "a case holds one mistake, named by its code"


def test_every_data_code_has_a_profile_case() -> None:
    # E820-E822 arise when evaluating (binding data, --strict); tests/judge/test_evaluate_api.py
    data_codes = {code for code in CATALOGUE if code.startswith("E80") or code.startswith("E81")}
    covered = {f"E{case.stem[:3]}" for case in CASE_FILES}
    assert data_codes == covered


def test_bad_profile_never_raises_and_reports_positions() -> None:
    text = "name: [\nkind: 3\n"
    profile, found = parse_profile(text, path="p.yaml")
    assert profile is None
    assert found
    assert all(d.code.startswith("E8") for d in found)
    for text in ("", "- a\n- b\n", "name: x\n---\nname: y\n", "fields: 3\n", ": :\n"):
        profile, found = parse_profile(text, path="p.yaml")
        assert profile is None
        assert found


def test_several_mistakes_in_one_profile_are_all_reported() -> None:
    text = (
        "name: demo\nkind: contacts\nformat: xls\ntimezone: Mars/Base\n"
        "fields:\n  contact_id: {column: id}\n  queued_at: {expr: 'seconds('}\n"
        "  outcome: {value: done}\n  wait: {column: w, optional: true}\n"
    )
    _, found = parse_profile(text, path="p.yaml")
    assert [(d.code, d.span.line if d.span else 0) for d in found] == [
        ("E805", 3), ("E809", 4), ("E808", 7), ("E805", 8), ("E805", 9)
    ]  # fmt: skip


def test_expression_error_points_inside_the_expression() -> None:
    text = (
        "name: demo\nkind: contacts\nformat: csv\nfields:\n  contact_id: {column: id}\n"
        "  queued_at: {expr: \"combine(date(d, '%y%m%d'), secnds(t))\"}\n"
        "  outcome: {column: o}\n  wait: {column: w}\n"
    )
    _, found = parse_profile(text, path="p.yaml")
    (only,) = found
    assert only.code == "E808"
    assert "secnds" in only.message
    assert only.span is not None
    assert text.splitlines()[only.span.line - 1][only.span.column - 1 :].startswith("secnds")


def test_paths_resolve_from_the_contract_folder(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    bank, _ = load_profile("anonymous-bank")
    assert bank is not None
    (tmp_path / "profiles" / "mine.yaml").write_text(bank.source.text, encoding="utf-8")
    profile, found = load_profile("profiles/mine.yaml", base=tmp_path)
    assert found == []
    assert profile is not None
    missing, found = load_profile("profiles/other.yaml", base=tmp_path)
    assert missing is None
    assert [d.code for d in found] == ["E801"]


def test_check_columns_names_each_missing_column() -> None:
    profile, _ = load_profile("anonymous-bank")
    assert profile is not None
    found = check_columns(profile, ["call_id", "type", "priority"])
    missing = sorted({re.findall(r"`([^`]+)`", d.message)[0] for d in found})
    assert "q_time" in missing
    assert "vru_exit" in missing
    assert all(d.code == "E811" and d.span is not None for d in found)


def test_optional_columns_may_be_absent() -> None:
    profile, _ = load_profile("generic-contacts")
    assert profile is not None
    assert check_columns(profile, ["contact_id", "queued_at", "outcome", "wait"]) == []


def test_docs_list_every_canonical_field_and_bundled_profile() -> None:
    text = DATA_DOC.read_text(encoding="utf-8")
    for table in TABLES.values():
        section = text.split(f"### `{table.kind}`", 1)
        assert len(section) == 2, f"docs/data.md has no section for {table.kind}"
        body = section[1].split("\n### ", 1)[0]
        for field in table.fields:
            assert f"| `{field.name}` | {field.type} |" in body, (table.kind, field.name)
    for name in BUNDLED:
        assert f"### `{name}`" in text, name
        profile, _ = load_profile(name)
        assert profile is not None
        body = text.split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
        for column in profile.columns:
            assert f"`{column}`" in body, (name, column)


@pytest.mark.slow
def test_profiles_are_package_data(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "_wheel_tests", ROOT / "tests" / "front" / "test_wheel.py"
    )
    assert spec is not None
    assert spec.loader is not None
    wheel_tests = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(wheel_tests)  # the same wheel build as the wheel tests
    wheel = wheel_tests._build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for name in BUNDLED:
        assert f"slalang/data/profiles/{name}.yaml" in names


def test_the_documented_boolean_spellings_are_the_ones_read() -> None:
    text = " ".join(DATA_DOC.read_text(encoding="utf-8").split())
    match = re.search(r"Booleans are read from these spellings, .*?\): (.*?); any other", text)
    assert match is not None, "docs/data.md no longer lists the boolean spellings"
    pairs = re.findall(r"`([^`]+)`/`([^`]+)`", match.group(1))
    assert len(pairs) == match.group(1).count("/")
    assert [yes for yes, _ in pairs] == list(BOOLEAN_SPELLINGS[True])
    assert [no for _, no in pairs] == list(BOOLEAN_SPELLINGS[False])
