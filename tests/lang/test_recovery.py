"""Syntax recovery parses on from before each broken statement, in one pass over the file.

The outcome must be what the simple way gives: after each error, blank the broken statement
and parse the whole text again from its start (:class:`FullReparse` below, the reference).
Diagnostics, poisoned names and the parse tree (with every position) are compared on the
bundled contracts, the invalid cases and texts written to break recovery; the fuzz tests
(``test_fuzz.py``) compare them on mutated contracts too.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import fuzzing
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lark import Token, Tree
from lark.exceptions import UnexpectedInput
from lark.lexer import BasicLexer

from slalang import api
from slalang.lang import resume, syntax
from slalang.source import Source

REPO = Path(__file__).resolve().parents[2]
BANK = (REPO / "contracts" / "anonymous-bank-1999.sla").read_text(encoding="utf-8")


class FullReparse(syntax._Recovery):
    """The reference: parse the whole text again after every error, scanning braces afresh."""

    def run(self) -> Tree[Token] | None:
        seen: set[int] = set()
        for _ in range(syntax.MAX_RECOVERIES):
            try:
                return syntax.parser().parse(self.text)
            except UnexpectedInput as error:
                offset = self._record(error)
                self.braces = syntax._OpenBraces()
                changed = None if offset in seen else self._recover(offset)
                if changed is None:
                    return None
                seen.add(offset)
        return None


def shape(node: Any) -> Any:
    """A tree as plain data, with the positions of every token and node."""
    if isinstance(node, Token):
        return (node.type, str(node), node.start_pos, node.end_pos, node.line, node.column,
                node.end_line, node.end_column)  # fmt: skip
    if isinstance(node, Tree):
        meta = node.meta
        where = None if meta.empty else (meta.start_pos, meta.end_pos, meta.line, meta.column)
        return (str(node.data), where, [shape(child) for child in node.children])
    return node


def outcome(recovery: syntax._Recovery) -> tuple[Any, ...]:
    tree = recovery.run()
    return shape(tree), recovery.diagnostics, recovery.poisoned


def assert_same_as_full_reparse(text: str) -> None:
    source = Source("case.sla", text)
    assert outcome(syntax._Recovery(source)) == outcome(FullReparse(source))


def broken(text: str, every: int, mistake: str = ")") -> str:
    """``text`` with ``mistake`` added at the end of every ``every``-th non-blank line."""
    lines = text.split("\n")
    for index in range(0, len(lines), every):
        if lines[index].strip():
            lines[index] += " " + mistake
    return "\n".join(lines)


CORPUS = sorted([*(REPO / "contracts").glob("*.sla"), *(REPO / "tests" / "cases").rglob("*.sla")])


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_files(path: Path) -> None:
    assert_same_as_full_reparse(path.read_text(encoding="utf-8", errors="replace"))


@pytest.mark.parametrize("every", [1, 2, 3, 5, 7])
@pytest.mark.parametrize("mistake", [")", "{", "}", '"', "@", "objective", "# x\n  )", "\n\n }"])
def test_many_mistakes(every: int, mistake: str) -> None:
    assert_same_as_full_reparse(broken(BANK, every, mistake))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        ")",
        "} } }\n",
        "{ { {\n",
        "objective x {\n",
        "contract c {\n  client 3 )\n",
        BANK.replace("\n", "\r\n").replace("metric service_level", "metric )"),
        BANK.replace("\n", "\r").replace("metric service_level", "metric )"),
        BANK.replace("\n", "\n\f\n"),
        BANK.replace("  ", "\t\f "),
        BANK.replace("}", ""),
        BANK.replace("{", ""),
        BANK.replace("critical", "critical {"),
        BANK.replace("window month", 'window "month'),
        BANK.replace("# Call type", ") # Call type"),
        BANK + "\n" + "x y z\n" * 80,
        "x y z\n" * 80 + BANK,
        BANK.replace("objective", "objective {", 2),
        "# only a comment",
        BANK.rstrip("\n"),
        BANK.rstrip("\n") + " )",
    ],
)
def test_awkward_texts(text: str) -> None:
    assert_same_as_full_reparse(text)


def many_objectives(count: int, mistakes: int) -> str:
    """A contract with ``count`` objectives, ``mistakes`` of them spread out with an error."""
    head = BANK.partition("objective speed_of_answer ")[0]
    body = (
        'objective o_{i} "Speed {i}" {{\n  critical\n  metric service_level\n  from calls\n'
        "  threshold <= 20 s{mistake}\n  window month\n  expected >= 80%\n}}\n\n"
    )
    step = count // mistakes if mistakes else count + 1
    parts = [head]
    for i in range(count):
        mistake = " )" if i % step == step // 2 and i // step < mistakes else ""
        parts.append(body.format(i=i, mistake=mistake))
    return "".join(parts)


def tokens_lexed(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[str]]:
    """How many tokens parsing ``text`` lexes, and the codes of the diagnostics."""
    count = 0
    next_token = BasicLexer.next_token

    def counting(self: BasicLexer, *args: Any) -> Token:
        nonlocal count
        count += 1
        return next_token(self, *args)

    with monkeypatch.context() as patch:
        patch.setattr(BasicLexer, "next_token", counting)
        result = syntax.parse(Source("big.sla", text))
    return count, [d.code for d in result.diagnostics]


def test_recovery_lexes_the_file_about_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fifty errors cost about one pass over the file, not one pass per error."""
    clean, clean_codes = tokens_lexed(many_objectives(1000, 0), monkeypatch)
    assert clean_codes == []
    assert clean > 20_000
    with_errors, codes = tokens_lexed(many_objectives(1000, 50), monkeypatch)
    assert codes == ["E001"] * 50
    assert with_errors < clean * 1.05


def test_recovery_matches_full_reparse_on_a_big_file() -> None:
    assert_same_as_full_reparse(many_objectives(300, 50))


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_tokens_are_those_of_the_parse(path: Path) -> None:
    """The tokens kept for the formatter: every token fed to the parser, ``_NL`` included."""
    text = path.read_text(encoding="utf-8", errors="replace")
    result = syntax.parse(Source("case.sla", text))
    if result.diagnostics or result.tree is None:
        return
    ended = text if text.endswith("\n") else text + "\n"
    expected = list(syntax.parser().parse_interactive(ended).iter_parse())
    assert [shape(t) for t in result.tokens] == [shape(t) for t in expected]


@given(
    seed=st.sampled_from(fuzzing.seeds()),
    mutations=st.lists(
        st.tuples(st.sampled_from(sorted(fuzzing.MUTATORS)), st.integers(0, 2**32 - 1)),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_contracts(seed: bytes, mutations: list[tuple[str, int]]) -> None:
    assert_same_as_full_reparse(fuzzing.mutate(seed, mutations, 5_000).decode(errors="replace"))


@pytest.mark.parametrize(
    "line",
    [
        'client "' + '\\"' * 20_000,
        'client "' + '\\"' * 20_000 + "\\",
        'client "a" "' + '\\"' * 20_000,
        "client " + '"' * 40_001,
    ],
    ids=["escaped-quotes", "trailing-backslash", "after-a-string", "bare-quotes"],
)
def test_a_long_line_in_an_unclosed_string(line: str) -> None:
    """Scanning a 40 KB line of quotes stays linear: from every quote again would take minutes."""
    text = BANK.replace('client "Anonymous Bank"', line)
    started = time.process_time()
    result = api.check(text, path="quotes.sla")
    took = time.process_time() - started
    assert {d.code for d in result.errors} & {"E001", "E003"}
    assert took < 2.0


@pytest.mark.parametrize("every", [1, 2, 5])
@pytest.mark.parametrize("mistake", [")", "{", "}", "objective", "# x\n  )"])
def test_going_back_further_gives_the_same(
    every: int, mistake: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With few points kept, recovery goes back many lines before a change: the same outcome."""
    monkeypatch.setattr(resume, "RECENT", 1)
    monkeypatch.setattr(resume, "SPARSE", 5)
    assert_same_as_full_reparse(broken(BANK, every, mistake))
    assert_same_as_full_reparse(broken(many_objectives(40, 0), every, mistake))
