"""Fuzz tests: mutated contracts and random bytes through the whole front end.

Each input goes through :func:`fuzzing.exercise` (``tests/fuzzing.py``): decoding, parsing,
the checks, every report format, the formatter and the ``check`` and ``fmt --check``
commands. Bad input must only ever give diagnostics with catalogued codes and spans inside
the file, and a clean file must format idempotently and stay clean. The long campaign
(``fuzz/campaign.py``) runs the same code for an hour; what it found is saved under
``tests/cases/fuzz/`` and replayed here.
"""

from __future__ import annotations

from pathlib import Path

import fuzzing
import pytest
from hypothesis import given
from hypothesis import strategies as st

SEEDS = fuzzing.seeds()
SIZE = 20_000
"""Mutated inputs stay under about this many bytes here, so the tests stay quick."""

steps = st.lists(
    st.tuples(st.sampled_from(sorted(fuzzing.MUTATORS)), st.integers(0, 2**32 - 1)),
    min_size=1,
    max_size=6,
)


@given(seed=st.sampled_from(SEEDS), mutations=steps)
def test_mutated_contracts(seed: bytes, mutations: list[tuple[str, int]]) -> None:
    fuzzing.exercise(fuzzing.mutate(seed, mutations, SIZE))


@given(st.binary(max_size=2_000))
def test_random_bytes(data: bytes) -> None:
    fuzzing.exercise(data)


@given(st.text(alphabet='abcdnot_ {}()[]"#\\,:=<>!%-.019\n\r\t', max_size=400))
def test_random_contract_characters(text: str) -> None:
    fuzzing.exercise(text.encode())


def test_mutations_are_made_again_from_their_seeds() -> None:
    """A finding's note gives its seed file and mutations: they must make the same bytes."""
    mutations = [(name, 7 + index) for index, name in enumerate(sorted(fuzzing.MUTATORS))]
    first = fuzzing.mutate(SEEDS[0], mutations, SIZE)
    assert first == fuzzing.mutate(SEEDS[0], mutations, SIZE)
    assert first != SEEDS[0]


SAVED = sorted(fuzzing.SAVED.glob("*.sla"))


@pytest.mark.parametrize("path", SAVED, ids=lambda p: p.name)
def test_saved_finding(path: Path) -> None:
    """Every input the campaign saved now passes, each stage within five times its limit."""
    data = path.read_bytes()
    assert path.with_suffix(".txt").is_file(), "a saved input has a note of what happened"
    seconds = fuzzing.exercise(data)
    stage, took = max(seconds.items(), key=lambda item: item[1])
    assert took < 5 * fuzzing.time_limit(len(data)), f"{stage} took {took:.2f} s"
