"""Report stage: diagnostics rendered as text, one module per output format.

Diagnostics are data (:mod:`slalang.diagnostics`); this package only lays them
out. Formats: ``full`` (snippets with carets), ``concise`` (one line each),
``json``, ``github`` (workflow commands) and ``sarif`` (SARIF 2.1.0).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from slalang.lang.outcome import CheckResult
from slalang.render import concise, full, github, json, sarif

FORMATS: tuple[str, ...] = ("full", "concise", "json", "github", "sarif")
"""The names accepted by :func:`render`, default first."""


class _Renderer(Protocol):
    def __call__(self, results: Sequence[CheckResult], *, color: bool = False) -> str: ...


_RENDERERS: dict[str, _Renderer] = {
    "full": full.render,
    "concise": concise.render,
    "json": json.render,
    "github": github.render,
    "sarif": sarif.render,
}


def render(results: Sequence[CheckResult], *, format: str, color: bool = False) -> str:
    """Render the diagnostics of some check results in one output format.

    Args:
        results: the checked sources, in the order to report them.
        format: one of :data:`FORMATS`.
        color: add ANSI colour escapes (only the ``full`` format uses colour).

    Returns:
        The text to print; it ends with a newline unless it is empty (the
        ``github`` format with nothing to report).

    Raises:
        ValueError: the format is not one of :data:`FORMATS`.
    """
    renderer = _RENDERERS.get(format)
    if renderer is None:
        raise ValueError(f"unknown format {format!r}; expected one of: {', '.join(FORMATS)}")
    return renderer(results, color=color)


__all__ = ["FORMATS", "render"]
