"""Every bundled contract in ``contracts/`` checks with no errors and no warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from slalang import api
from slalang.lang.fmt import format_text
from slalang.render import render

CONTRACTS = sorted((Path(__file__).resolve().parents[2] / "contracts").glob("*.sla"))


def test_there_are_contracts() -> None:
    assert CONTRACTS


@pytest.mark.parametrize("path", CONTRACTS, ids=[p.name for p in CONTRACTS])
def test_contract_is_clean(path: Path) -> None:
    result = api.check_file(path)
    assert result.contract is not None
    assert result.diagnostics == (), render([result], format="concise")


def test_the_named_contracts_exist() -> None:
    names = {p.name for p in CONTRACTS}
    assert {"anonymous-bank-1999.sla", "acme-care.sla"} <= names
    assert len(names) >= 4


@pytest.mark.parametrize("path", CONTRACTS, ids=[p.name for p in CONTRACTS])
def test_contract_is_a_fixed_point_of_the_formatter(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    formatted = format_text(text, path=str(path))
    assert formatted.text == text


@pytest.mark.parametrize("path", CONTRACTS, ids=[p.name for p in CONTRACTS])
def test_explicit_defaults_keep_the_contract_valid_and_stable(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    explicit = format_text(text, path=str(path), explicit=True).text
    assert explicit is not None
    result = api.check(explicit, path=str(path))
    assert result.diagnostics == (), render([result], format="concise")
    assert format_text(explicit, path=str(path), explicit=True).text == explicit


@pytest.mark.parametrize("path", CONTRACTS, ids=[p.name for p in CONTRACTS])
def test_parse_of_formatted_layout_equals_parse(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    messy = "\r\n\r\n".join("\t " + line + "   " for line in text.splitlines())
    formatted = format_text(messy, path=str(path)).text
    assert formatted is not None
    assert api.parse(formatted).contract == api.parse(text).contract
