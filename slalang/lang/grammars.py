"""The grammar files (`grammar/*.lark`): read from the installed package or the source tree.

The wheel ships them as ``slalang/grammar/NAME.lark``; in a source checkout they live in
the top-level ``grammar/`` folder. Both parsers (contracts in :mod:`slalang.lang.syntax`,
profile expressions in :mod:`slalang.expr.parse`) read their grammar through here, and
build their parser with :func:`parser`.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Any

from lark import Lark


def grammar_text(name: str) -> str:
    """The text of ``grammar/{name}.lark``."""
    packaged = importlib.resources.files("slalang").joinpath(f"grammar/{name}.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    source = Path(__file__).resolve().parents[2] / "grammar" / f"{name}.lark"
    return source.read_text(encoding="utf-8")


def parser(name: str, **options: Any) -> Lark:
    """The LALR parser of ``grammar/{name}.lark``, its tables cached across processes.

    Building the tables takes longer than checking a contract, so Lark keeps them in a cache
    file in the temporary folder, keyed by a hash of the grammar text, the options and the
    Lark version: a changed grammar or a new Lark builds afresh, never reads stale tables.
    A cache that cannot be read or written is ignored (Lark then builds the tables).
    """
    return Lark(grammar_text(name), parser="lalr", cache=True, **options)
