"""The memory limit and the temporary folder of the DuckDB connection an evaluation uses.

DuckDB keeps its working data (loaded tables, hash tables, sorts) in a buffer pool of at
most ``memory_limit`` bytes and writes what does not fit to files in ``temp_directory``.
Both come from the caller as text (``--memory-limit 4GB``, ``temp_dir="scratch"``); this
module reads them, refuses what DuckDB could not use with a diagnostic (``E824``,
``E825``), and sets them on a connection as bound parameters, never as SQL text.

>>> parse_memory_limit("4 GiB")
MemoryLimit(text='4GiB', setting='4294967296B')
>>> parse_memory_limit("75%")
MemoryLimit(text='75%', setting='75%')
>>> parse_memory_limit("4G").code
'E824'
"""

from __future__ import annotations

import os
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import attrs
import duckdb

from slalang.codes import diag
from slalang.diagnostics import Diagnostic

UNITS: dict[str, int] = {
    "B": 1,
    "KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4,
    "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "TiB": 1024**4,
}  # fmt: skip
"""Size units: powers of 1000 (KB, MB, GB, TB) and of 1024 (KiB, MiB, GiB, TiB)."""

MIN_MEMORY = 16 * 1024**2
"""The smallest memory limit accepted, in bytes (16 MiB): below it DuckDB fails at once."""

MAX_MEMORY = 2**62
"""The largest memory limit accepted, in bytes (far beyond any machine)."""

_SIZE = re.compile(r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[A-Za-z]+|%)")
_SPELLING = {unit.lower(): unit for unit in UNITS}
_HELP = (
    "write a size with its unit, such as `4GB`, `512MiB` or `1.5 GiB` (KB, MB, GB, TB are "
    "powers of 1000; KiB, MiB, GiB, TiB powers of 1024), or a share of the memory such as `75%`"
)


@attrs.frozen
class MemoryLimit:
    """A memory limit read from the caller's text.

    Attributes:
        text: the canonical spelling, for messages (``4GiB``, ``1.5GB``, ``75%``).
        setting: the value given to DuckDB's ``memory_limit``: a whole number of bytes
            (``4294967296B``) or a percentage of the memory (``75%``).
    """

    text: str
    setting: str


def parse_memory_limit(value: object) -> MemoryLimit | Diagnostic:
    """Read a memory limit: a size with a unit, a percentage, or a number of bytes (an int).

    Returns the limit, or an ``E824`` diagnostic saying what is wrong with the value.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return _bytes(value, f"{value}B", f"`{value}` bytes")
    if not isinstance(value, str):
        return diag("E824", f"the memory limit must be text or a number of bytes, not "
                    f"{type(value).__name__}", None, help=_HELP)  # fmt: skip
    shown = value.strip()
    if not shown:
        return diag("E824", "the memory limit is empty", None, help=_HELP)
    match = _SIZE.fullmatch(shown)
    if match is None:
        return diag("E824", f"`{value}` is not a memory limit", None, help=_HELP)
    number = Decimal(match["number"])
    if match["unit"] == "%":
        if not 1 <= number <= 100:
            return diag("E824", f"a memory limit of `{shown}` is not between 1% and 100% of "
                        "the memory", None, help=_HELP)  # fmt: skip
        text = f"{_plain(number)}%"
        return MemoryLimit(text=text, setting=text)
    unit = _SPELLING.get(match["unit"].lower())
    if match["unit"].upper() in ("K", "M", "G", "T"):
        short, number_text = match["unit"].upper(), match["number"]
        return diag("E824", f"`{shown}` does not say whether it means {short}B (powers of "
                    f"1000) or {short}iB (powers of 1024)", None,
                    help=f"write `{number_text}{short}B` or `{number_text}{short}iB`")  # fmt: skip
    if unit is None:
        return diag("E824", f"`{match['unit']}` in `{shown}` is not a size unit", None,
                    help=_HELP)  # fmt: skip
    return _bytes(int(number * UNITS[unit]), f"{_plain(number)}{unit}", f"`{shown}`")


def _bytes(count: int, text: str, shown: str) -> MemoryLimit | Diagnostic:
    if count < MIN_MEMORY:
        return diag("E824", f"a memory limit of {shown} is below the smallest one slalang "
                    "accepts, 16MiB", None, help="DuckDB needs some memory to work at all; "
                    "give at least `16MiB` (`4GB` is more usual)")  # fmt: skip
    if count > MAX_MEMORY:
        return diag("E824", f"a memory limit of {shown} is too large", None, help=_HELP)
    return MemoryLimit(text=text, setting=f"{count}B")


def _plain(number: Decimal) -> str:
    """A decimal without trailing zeros or an exponent: ``1.50`` -> ``1.5``, ``4.0`` -> ``4``."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_temp_dir(value: object) -> Path | Diagnostic:
    """The temporary folder DuckDB will write to, created if needed and shown to be writable.

    Returns the folder as an absolute path, or an ``E825`` diagnostic: the value is empty
    or not a path, names a file, or names a folder that cannot be created or written to.
    """
    shown = os.fspath(value) if isinstance(value, str | os.PathLike) else None
    if not isinstance(shown, str) or not shown:
        return diag("E825", "the temporary folder must be a path", None,
                    help="name a folder, such as `--temp-dir scratch`")  # fmt: skip
    folder = Path(shown).absolute()
    if folder.exists() and not folder.is_dir():
        return diag("E825", f"the temporary folder `{shown}` is not a folder", None,
                    help="name a folder (it is created if it does not exist)")  # fmt: skip
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return diag("E825", f"cannot create the temporary folder `{shown}`: "
                    f"{error.strerror or error}", None, help=_WHERE)  # fmt: skip
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".slalang-probe-") as probe:
            probe.write(b"slalang")
    except OSError as error:
        return diag("E825", f"cannot write to the temporary folder `{shown}`: "
                    f"{error.strerror or error}", None, help=_WHERE)  # fmt: skip
    return folder


_WHERE = "name a folder you can write to, on a disk with room for the data"


@attrs.frozen
class Resources:
    """What to set on the connection: nothing given stays as DuckDB (or the caller) has it."""

    memory_limit: MemoryLimit | None = None
    temp_dir: Path | None = None

    def apply(self, con: duckdb.DuckDBPyConnection) -> list[Diagnostic]:
        """Set the given options on ``con``; ``E824``/``E825`` if DuckDB refuses one."""
        found: list[Diagnostic] = []
        if self.temp_dir is not None:
            try:
                con.execute("SET temp_directory = ?", [str(self.temp_dir)])
            except duckdb.Error as error:
                found.append(diag("E825", f"cannot use the temporary folder `{self.temp_dir}`: "
                                  f"{_first_line(error)}", None, help=_WHERE))  # fmt: skip
        if self.memory_limit is not None:
            try:
                con.execute("SET memory_limit = ?", [self.memory_limit.setting])
            except duckdb.Error as error:
                found.append(diag("E824", f"cannot set the memory limit to "
                                  f"`{self.memory_limit.text}`: {_first_line(error)}", None,
                                  help=_HELP))  # fmt: skip
        return found


def resources(memory_limit: object = None, temp_dir: object = None) -> Resources | list[Diagnostic]:
    """Read both options (``None`` leaves one unset); every problem with them, or the result."""
    found: list[Diagnostic] = []
    limit = None if memory_limit is None else parse_memory_limit(memory_limit)
    if isinstance(limit, Diagnostic):
        found.append(limit)
        limit = None
    folder = None if temp_dir is None else check_temp_dir(temp_dir)
    if isinstance(folder, Diagnostic):
        found.append(folder)
        folder = None
    return found or Resources(limit, folder)


_OUT_OF_MEMORY = "Out of Memory Error:"
_USAGE = re.compile(r"\s*\([^()]* used\)$")


def out_of_memory(con: duckdb.DuckDBPyConnection, step: str, error: object) -> Diagnostic:
    """The ``E826`` diagnostic of a step that did not fit in DuckDB's memory limit."""
    detail = _first_line(error)
    detail = _USAGE.sub("", detail.split(_OUT_OF_MEMORY, 1)[-1].strip())
    try:
        limit = str(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
    except duckdb.Error:
        limit = "unknown"
    return diag(
        "E826",
        f"out of memory while {step} (memory limit {limit}): {detail}",
        None,
        help="give a larger --memory-limit (memory_limit=), or a --temp-dir (temp_dir=) on a "
        "disk with room",
    )


def memory_problem(con: duckdb.DuckDBPyConnection, step: str, found: Diagnostic) -> Diagnostic:
    """A loader's diagnostic as it is, or as ``E826`` when it is DuckDB running out of memory
    (the loader reports a reader's failure as an unreadable file, ``E812``)."""
    if found.code != "E812" or _OUT_OF_MEMORY not in found.message:
        return found
    file = re.match(r"cannot read data file `(.*)`: ", found.message)
    where = f"{step}, reading `{file[1]}`" if file else step
    return out_of_memory(con, where, found.message)


def _first_line(error: object) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
