"""Derived-field expressions: the text patterns both back ends read values with.

A column's text becomes a number, an integer or a duration when it matches one of the
regular expressions below, and a date or timestamp when it matches a strptime-style
format compiled by :func:`compile_format`. Every pattern is the same in Python's ``re``
and DuckDB's RE2, so :mod:`slalang.expr.python` and :mod:`slalang.expr.sql` accept the
same texts.
"""

from __future__ import annotations

import functools
import re

import attrs

NUMBER_RE = r"[ \t]*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[ \t]*"
"""A decimal number with optional sign, fraction and exponent; group 1 is the number."""

INTEGER_RE = r"[ \t]*([+-]?[0-9]+)[ \t]*"
"""A whole number with optional sign; group 1 is the number."""

SECONDS_RE = r"[ \t]*([0-9]+(?::[0-5][0-9]){0,2}(?:\.[0-9]+)?)[ \t]*"
"""A duration: seconds, ``M:SS`` or ``H:MM:SS``, with an optional fraction; group 1 is it."""

DOTTED_SECONDS_RE = r"[ \t]*([0-9]+\.[0-5][0-9]\.[0-5][0-9])[ \t]*"
"""A duration written ``H.MM.SS`` (``0.02.23``), as some ACD exports write them; group 1 is it."""

ROUND_DIGITS = 10
"""``round(x, digits)`` takes 0 to this many digits."""

ISO_DATE = "%Y-%m-%d"
"""The format of text that converts to a date."""

ISO_TIMESTAMP = "%Y-%m-%d %H:%M:%S"
"""The format of text that converts to a timestamp."""

_FORMAT_CODES = "YymdHMSIp"
_YEAR4 = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"


@attrs.frozen
class Format:
    """A compiled date format: named groups ``Y y m d H M S I p`` hold the fields."""

    pattern: str  # an anchored regular expression, the same in Python and RE2
    regex: re.Pattern[str]


@functools.lru_cache(maxsize=256)
def compile_format(fmt: str, *, needs_date: bool) -> Format:
    """Turn a strptime format into an input pattern.

    Raises ValueError(message, offset), the offset -1 when the whole format is wrong.
    """
    pieces: list[tuple[str, int]] = []  # ("%Y", offset) or (literal character, offset)
    i = 0
    while i < len(fmt):
        char = fmt[i]
        if char == "%":
            code = fmt[i + 1 : i + 2]
            if code not in set(_FORMAT_CODES) or not code:
                shown = f"%{code}" if code else "a lone %"
                raise ValueError(
                    f"unsupported format code {shown}; use %Y %y %m %d %H %M %S %I %p", i
                )
            pieces.append(("%" + code, i))
            i += 2
            continue
        if not (" " <= char <= "~"):
            raise ValueError("formats may only hold printable ASCII characters", i)
        pieces.append((char, i))
        i += 1
    codes = [p for p, _ in pieces if p.startswith("%")]
    for code in set(codes):
        if codes.count(code) > 1:
            raise ValueError(f"{code} appears twice", fmt.index(code, fmt.index(code) + 1))
    present = {c[1] for c in codes}
    if needs_date and not (present & {"Y", "y"} and {"m", "d"} <= present):
        raise ValueError("a date format needs a year (%Y or %y), a month (%m) and a day (%d)", -1)
    if "Y" in present and "y" in present:
        raise ValueError("use either %Y or %y, not both", -1)
    if ("I" in present) != ("p" in present):
        raise ValueError("%I (12-hour clock) and %p (AM/PM) go together", -1)
    if "H" in present and "I" in present:
        raise ValueError("use either %H or %I, not both", -1)
    numeric = [(p.startswith("%") and p[1] != "p") or p.isdigit() for p, _ in pieces]
    parts = []
    for index, (piece, _) in enumerate(pieces):
        if not piece.startswith("%") or len(piece) == 1:
            parts.append(piece if piece.isalnum() or piece == " " else "\\" + piece)
            continue
        code = piece[1]
        if code == "Y":
            body = _YEAR4
        elif code == "y":
            body = "[0-9]{2}"
        elif code == "p":
            body = "[AaPp][Mm]"
        else:
            glued = index + 1 < len(pieces) and numeric[index + 1]
            body = "[0-9]{2}" if glued else "[0-9]{1,2}"
        parts.append(f"(?P<{code}>{body})")
    pattern = "".join(parts)
    return Format("^" + pattern + "$", re.compile(pattern))
