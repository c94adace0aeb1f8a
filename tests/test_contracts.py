"""Every bundled contract in ``contracts/`` checks with no errors and no warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from slalang import api
from slalang.render import render

CONTRACTS = sorted((Path(__file__).resolve().parent.parent / "contracts").glob("*.sla"))


def test_there_are_contracts() -> None:
    assert CONTRACTS


@pytest.mark.parametrize("path", CONTRACTS, ids=[p.name for p in CONTRACTS])
def test_contract_is_clean(path: Path) -> None:
    result = api.check_file(path)
    assert result.contract is not None
    assert result.diagnostics == (), render([result], format="concise")
