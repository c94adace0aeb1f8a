"""The diagnostics page, docs/diagnostics.md, is generated and kept up to date.

After changing the catalogue or the invalid cases, regenerate it with
``python -m slalang.docgen``.
"""

from __future__ import annotations

import re
from pathlib import Path

from slalang import docgen
from slalang.codes import CATALOGUE

PAGE = Path(__file__).resolve().parents[2] / "docs" / "diagnostics.md"


def test_committed_page_is_up_to_date() -> None:
    assert PAGE.read_text(encoding="utf-8") == docgen.generate(), (
        "docs/diagnostics.md is stale; run `python -m slalang.docgen`"
    )


def test_every_code_has_a_section_with_an_example() -> None:
    text = docgen.generate()
    headings = re.findall(r"^### (\S+)$", text, flags=re.MULTILINE)
    assert headings == list(CATALOGUE)
    for code in CATALOGUE:
        section = text.split(f"### {code}\n", 1)[1].split("\n### ", 1)[0]
        assert f"**{CATALOGUE[code].title}**" in section
        assert f"[{code}]:" in section, f"the example for {code} does not report {code}"


def test_check_mode_passes_on_the_committed_page() -> None:
    assert docgen.main(["--check"]) == 0
