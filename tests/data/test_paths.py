"""Data paths: taken literally when they exist, expanded as patterns when they do not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from slalang.data.paths import data_files, is_pattern
from slalang.diagnostics import Diagnostic


def _touch(*paths: Path) -> None:
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n", encoding="utf-8")


@pytest.mark.parametrize("name", ["c[1].csv", "c*.csv", "c?.csv", "[c].csv"])
def test_a_path_that_exists_is_that_file_whatever_its_name(tmp_path: Path, name: str) -> None:
    _touch(tmp_path / name, tmp_path / "c1.csv", tmp_path / "c.csv", tmp_path / "cc.csv")
    assert not is_pattern(tmp_path / name)
    assert data_files(tmp_path / name) == [tmp_path / name]
    assert data_files(str(tmp_path / name)) == [tmp_path / name]


def test_a_path_without_pattern_characters_is_returned_even_when_missing(tmp_path: Path) -> None:
    assert not is_pattern(tmp_path / "missing.csv")
    assert data_files(tmp_path / "missing.csv") == [tmp_path / "missing.csv"]


def test_a_pattern_gives_its_files_sorted_by_path(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    _touch(exports / "2026-03.csv", exports / "2026-01.csv", exports / "2026-02.csv",
           exports / "2025-12.csv", exports / "2026-01.tsv")  # fmt: skip
    (exports / "2026-folder.csv").mkdir()  # a folder matching the pattern is left out
    pattern = str(exports / "2026-*.csv")
    assert is_pattern(pattern)
    assert data_files(pattern) == [exports / f"2026-0{m}.csv" for m in (1, 2, 3)]
    names = ["2026-01.csv", "2026-03.csv"]
    assert data_files(exports / "2026-0[13].csv") == [exports / name for name in names]
    names = ["2026-01.csv", "2026-01.tsv", "2026-02.csv", "2026-03.csv"]
    assert data_files(exports / "2026-0?.*") == [exports / name for name in names]


def test_double_star_matches_folders_at_any_depth(tmp_path: Path) -> None:
    _touch(tmp_path / "a.csv", tmp_path / "x" / "b.csv", tmp_path / "x" / "y" / "c.csv",
           tmp_path / ".hidden" / "d.csv", tmp_path / "x" / ".e.csv")  # fmt: skip
    assert data_files(tmp_path / "**" / "*.csv") == [
        tmp_path / "a.csv", tmp_path / "x" / "b.csv", tmp_path / "x" / "y" / "c.csv"
    ]  # fmt: skip
    assert data_files(tmp_path / "x" / ".*.csv") == [tmp_path / "x" / ".e.csv"]


def test_a_relative_pattern_is_expanded_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _touch(tmp_path / "exports" / "a.csv", tmp_path / "exports" / "b.csv")
    monkeypatch.chdir(tmp_path)
    assert data_files("exports/*.csv") == [Path("exports/a.csv"), Path("exports/b.csv")]


def test_a_pattern_that_matches_no_file_is_e812_naming_it(tmp_path: Path) -> None:
    _touch(tmp_path / "2025-12.csv")
    (tmp_path / "2026-folder").mkdir()
    found = data_files(tmp_path / "2027-*.csv")
    assert isinstance(found, Diagnostic)
    assert found.code == "E812"
    assert found.message == f"no data file matches the pattern `{tmp_path / '2027-*.csv'}`"
    assert "current folder" in found.help
    only_folders = data_files(tmp_path / "2026-*")
    assert isinstance(only_folders, Diagnostic)
    assert only_folders.help.startswith("1 folder(s) match it, and no file")


def test_a_folder_is_refused_with_the_pattern_of_its_files(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    _touch(exports / "a.csv", exports / "b.csv", exports / "c.parquet", exports / "README")
    found = data_files(exports)
    assert isinstance(found, Diagnostic)
    assert (found.code, found.message) == (
        "E812", f"cannot read data file `{exports}`: a folder, not a file"
    )  # fmt: skip
    assert "its 2 `.csv` file(s)" in found.help
    assert f"`{os.path.join(exports, '*.csv')}`" in found.help
    (tmp_path / "empty").mkdir()
    empty = data_files(tmp_path / "empty")
    assert isinstance(empty, Diagnostic)
    assert empty.help.startswith("name a data file, or a pattern such as")
