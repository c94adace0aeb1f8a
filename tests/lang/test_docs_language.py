"""The language reference (docs/language.md) stays true and complete.

Every fenced block tagged ``sla`` must be a contract that checks with no
diagnostics at all; every block tagged ``sla-invalid CODE...`` must produce
exactly the listed codes. The reference must also name every metric, knob,
source kind and block setting of :mod:`slalang.lang.schema`, with the defaults the
schema gives, so it cannot silently fall behind.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest

import slalang
from slalang.lang import schema
from slalang.lang.schema import Knob

DOC = Path(__file__).resolve().parents[2] / "docs" / "language.md"
CONTRACTS = DOC.parents[1] / "contracts"
"""The folder the examples' profile paths are relative to, as for the bundled contracts."""
TEXT = DOC.read_text(encoding="utf-8")
LINES = TEXT.splitlines()

_FENCE = re.compile(r"^```(\S*)(.*)$")


@attrs.frozen
class Block:
    """One fenced code block: its tag, expected codes, first line number and text."""

    tag: str
    codes: tuple[str, ...]
    line: int
    text: str


def _blocks() -> list[Block]:
    blocks: list[Block] = []
    index = 0
    while index < len(LINES):
        match = _FENCE.match(LINES[index])
        if match is None:
            index += 1
            continue
        tag, rest = match.group(1), match.group(2)
        end = index + 1
        while end < len(LINES) and not LINES[end].startswith("```"):
            end += 1
        body = "\n".join(LINES[index + 1 : end]) + "\n"
        blocks.append(Block(tag, tuple(rest.split()), index + 2, body))
        index = end + 1
    return blocks


BLOCKS = _blocks()
VALID = [b for b in BLOCKS if b.tag == "sla"]
INVALID = [b for b in BLOCKS if b.tag == "sla-invalid"]


def _codes(block: Block) -> list[str]:
    result = slalang.check(block.text, path=f"docs/language.md:{block.line}", base=CONTRACTS)
    return [
        f"{d.code} line {d.span.line if d.span else '?'}: {d.message}" for d in result.diagnostics
    ]


def test_the_reference_has_examples() -> None:
    assert len(VALID) >= 10
    assert len(INVALID) >= 5
    assert all(block.codes for block in INVALID), "an sla-invalid block lists no codes"
    tags = {b.tag for b in BLOCKS}
    assert tags <= {"sla", "sla-invalid", "text", ""}, f"unexpected code block tags: {tags}"


@pytest.mark.parametrize("block", VALID, ids=[f"line{b.line}" for b in VALID])
def test_valid_example_checks_clean(block: Block) -> None:
    assert _codes(block) == []


@pytest.mark.parametrize("block", INVALID, ids=[f"line{b.line}" for b in INVALID])
def test_invalid_example_gives_its_codes(block: Block) -> None:
    found = _codes(block)
    assert sorted({entry.split()[0] for entry in found}) == sorted(set(block.codes)), found


# ---------------------------------------------------------------------------
# Completeness against the schema
# ---------------------------------------------------------------------------


def _sections() -> dict[str, str]:
    """Map each heading line (without its hashes) to the text up to the next heading."""
    sections: dict[str, str] = {}
    heading = ""
    body: list[str] = []
    inside_fence = False
    for line in LINES:
        if line.startswith("```"):
            inside_fence = not inside_fence
        if not inside_fence and re.match(r"#{2,4} ", line):
            sections[heading] = "\n".join(body)
            heading, body = line.lstrip("#").strip(), []
        else:
            body.append(line)
    sections[heading] = "\n".join(body)
    return sections


SECTIONS = _sections()


def _section(title: str) -> str:
    matches = [text for heading, text in SECTIONS.items() if heading == title]
    assert matches, f"docs/language.md has no section headed {title!r}"
    return matches[0]


def _default_cell(section: str, name: str) -> str:
    """Return the default column of the table row for setting ``name`` in a section."""
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == f"`{name}`" and len(cells) >= 4:
            return cells[2]
    raise AssertionError(f"no table row for `{name}`")


def _documented_default(knob: Knob) -> str:
    if knob.required:
        return "required"
    return "—" if knob.default is None else f"`{knob.default}`"


def _knob_groups() -> list[tuple[str, str, Knob]]:
    groups: list[tuple[str, str, Knob]] = []
    for metric in schema.METRICS.values():
        groups.extend((f"metric {metric.name}", f"`{metric.name}`", k) for k in metric.knobs)
    common = {k.name for k in schema.SOURCE_KINDS["contacts"].knobs}
    for kind in schema.SOURCE_KINDS.values():
        for knob in kind.knobs:
            title = "5. Sources" if knob.name in common else f"`{kind.name}`"
            groups.append((f"source {kind.name}", title, knob))
    blocks = (
        ("header", "4. The contract header", schema.HEADER_KNOBS),
        ("credits", "12. Service credits", schema.CREDIT_KNOBS),
        ("account_at_risk", "13. Account at risk", schema.RISK_KNOBS),
        ("trends", "Trends", schema.TREND_KNOBS),
        ("relief", "10. Relief", schema.RELIEF_KNOBS),
        ("calendar", "7. Calendars", schema.CALENDAR_KNOBS),
    )
    for what, title, knobs in blocks:
        groups.extend((what, title, k) for k in knobs)
    return groups


KNOBS = _knob_groups()


@pytest.mark.parametrize(
    ("what", "title", "knob"), KNOBS, ids=[f"{w}.{k.name}" for w, _, k in KNOBS]
)
def test_every_knob_is_documented_with_its_default(what: str, title: str, knob: Knob) -> None:
    assert _default_cell(_section(title), knob.name) == _documented_default(knob)


@pytest.mark.parametrize("name", list(schema.METRICS))
def test_every_metric_has_a_section(name: str) -> None:
    _section(f"`{name}`")


@pytest.mark.parametrize("name", list(schema.SOURCE_KINDS))
def test_every_source_kind_has_a_section_listing_its_fields(name: str) -> None:
    section = _section(f"`{name}`")
    for field in schema.SOURCE_KINDS[name].fields:
        assert f"`{field}`" in section, f"field `{field}` of `{name}` is not listed"


@pytest.mark.parametrize(
    "word",
    [
        *schema.PERIODS,
        *schema.AGGREGATIONS,
        *schema.WEEKDAYS,
        *schema.EXCLUSION_KINDS,
        *schema.VARIANTS,
        *schema.METRIC_ALIASES,
    ],
)
def test_every_word_of_the_schema_appears(word: str) -> None:
    assert f"`{word}`" in TEXT


def test_variant_presets_are_documented() -> None:
    section = _section("Service-level variants F1–F5")
    for name, preset in schema.VARIANTS.items():
        row = next(line for line in section.splitlines() if line.startswith(f"| `{name}`"))
        for knob, value in preset.items():
            assert f"`{knob} {value}`" in row, f"{name}: `{knob} {value}` missing"
