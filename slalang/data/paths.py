"""Data paths: a file taken literally, or a pattern that stands for the files of one source.

A path that exists is always that file, whatever characters its name holds (a file named
``c[1].csv`` is read, not the pattern ``c[1].csv``). A path that does not exist and holds
``*``, ``?`` or ``[`` is a pattern, expanded with Python's :mod:`glob` (``**`` matching
folders at any depth), its files sorted by path. A folder is not read as a whole: the
pattern of its files must be given (``exports/*.csv``), so that no stray file is judged.
"""

from __future__ import annotations

import glob
import os
from collections import Counter
from pathlib import Path

from slalang.codes import diag
from slalang.diagnostics import Diagnostic

PATTERN_CHARACTERS = ("*", "?", "[")
"""The characters that make a path that does not exist a pattern."""


def is_pattern(value: str | os.PathLike[str]) -> bool:
    """Whether a data path is a pattern: it does not exist and holds ``*``, ``?`` or ``[``."""
    text = os.fspath(value)
    return any(c in text for c in PATTERN_CHARACTERS) and not os.path.lexists(text)


def data_files(value: str | os.PathLike[str]) -> list[Path] | Diagnostic:
    """The files one data path stands for, or the ``E812`` diagnostic of a pattern that
    matches no file or of a folder.

    A path that is not a pattern is returned as it is, existing or not: the loader reports
    a missing file. A relative pattern is expanded from the current folder, as relative
    paths are read from it. Matches that are folders are left out; names starting with
    ``.`` are matched only by a pattern part that starts with ``.`` too.
    """
    text = os.fspath(value)
    if os.path.isdir(text):
        return _folder(text)
    if not is_pattern(text):
        return [Path(text)]
    matches = sorted(glob.glob(text, recursive=True))
    files = [Path(m) for m in matches if os.path.isfile(m)]
    if files:
        return files
    folders = len(matches)
    help = (
        f"{folders} folder(s) match it, and no file; a pattern names files, such as "
        f"`{os.path.join(text, '*.csv')}`"
        if folders
        else "check the pattern (`*` and `?` match within one name, `**` folders at any "
        "depth, `[[]` a literal `[`); a relative pattern is expanded from the current folder"
    )
    return diag("E812", f"no data file matches the pattern `{text}`", None, help=help)


def _folder(text: str) -> Diagnostic:
    """The ``E812`` diagnostic of a folder given as a data file, suggesting a pattern."""
    try:
        names = [entry for entry in os.scandir(text) if entry.is_file()]
    except OSError:
        names = []
    suffixes = Counter(Path(entry.name).suffix for entry in names if Path(entry.name).suffix)
    if suffixes:
        suffix, count = suffixes.most_common(1)[0]
        pattern = os.path.join(text, f"*{suffix}")
        help = (
            f"to read its {count} `{suffix}` file(s) as the files of one source, give the "
            f"pattern `{pattern}` (quoted on a command line, so that the shell leaves it "
            "to slalang)"
        )
    else:
        help = f"name a data file, or a pattern such as `{os.path.join(text, '*.csv')}`"
    return diag("E812", f"cannot read data file `{text}`: a folder, not a file", None, help=help)
