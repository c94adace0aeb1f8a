"""The examples of docs/api.md run as doctests."""

from __future__ import annotations

import doctest
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_api_page_examples() -> None:
    failures, tests = doctest.testfile(
        str(API), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False
    )
    assert tests >= 8
    assert failures == 0
