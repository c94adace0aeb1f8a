"""The grammar files (`grammar/*.lark`): read from the installed package or the source tree.

The wheel ships them as ``slalang/grammar/NAME.lark``; in a source checkout they live in
the top-level ``grammar/`` folder. Both parsers (contracts in :mod:`slalang.syntax`,
profile expressions in :mod:`slalang.expr_parse`) read their grammar through here.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def grammar_text(name: str) -> str:
    """The text of ``grammar/{name}.lark``."""
    packaged = importlib.resources.files("slalang").joinpath(f"grammar/{name}.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    source = Path(__file__).resolve().parent.parent / "grammar" / f"{name}.lark"
    return source.read_text(encoding="utf-8")
