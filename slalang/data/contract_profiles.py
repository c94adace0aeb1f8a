"""Checking stage for data profiles: every profile a contract names is loaded and checked.

``slalang check`` calls :func:`check_profiles` on a parsed contract, so that a profile that
is missing, unreadable or wrong fails the check, not only the evaluation. Each problem the
profile has (``E801`` to ``E810``) is reported at the contract's ``profile "..."`` setting,
with the profile's own file, line and column in the message and as a related location; a
profile that feeds another table than its source's kind is ``E821`` there too.

Profile paths resolve from ``base``, the contract's folder. Nothing here reads data, so the
check stays free of the data engines.
"""

from __future__ import annotations

import functools
from pathlib import Path

import attrs

from slalang.codes import diag
from slalang.data.profile_model import Profile
from slalang.data.profiles import is_path, load_profile, profile_path
from slalang.diagnostics import Diagnostic, Label
from slalang.lang import model as m
from slalang.lang.canonical import TABLES
from slalang.source import Span


def profile_settings(contract: m.Contract) -> list[tuple[m.SourceDecl, m.Text]]:
    """Each source that names a profile, with the ``profile`` value as written."""
    found: list[tuple[m.SourceDecl, m.Text]] = []
    for source in contract.sources:
        for setting in source.settings:
            if setting.name.text == "profile" and isinstance(setting.value, m.Text):
                found.append((source, setting.value))
    return found


def check_profiles(contract: m.Contract, *, base: Path | None) -> list[Diagnostic]:
    """Load every profile the contract's sources name and report its problems in the contract.

    Args:
        contract: a parsed contract.
        base: the folder that profile paths are relative to (the contract's folder); the
            current folder when ``None``.

    Returns:
        The profiles' diagnostics, each placed at the ``profile`` setting that names it.
    """
    found: list[Diagnostic] = []
    for source, value in profile_settings(contract):
        profile, problems = _load(value.value, base)
        found += [relocated(problem, value.span) for problem in problems]
        kind = source.kind.text
        if profile is not None and kind in TABLES and profile.kind != kind:
            found.append(
                diag(
                    "E821",
                    f"profile `{profile.name}` reads `{profile.kind}` data, but source "
                    f"`{source.id.text}` is `{kind}`",
                    value.span,
                    label=f"reads {profile.kind}",
                )
            )
    return found


def relocated(problem: Diagnostic, at: Span) -> Diagnostic:
    """A profile's diagnostic placed at the contract's ``profile`` setting.

    The message starts with the profile file and the line and column of the problem in it,
    and the place in the profile becomes a related location (with the original label).
    """
    where = problem.span
    if where is None:
        return attrs.evolve(problem, span=at, label=problem.label or "named here")
    message = f"profile `{where.path}`, line {where.line}, column {where.column}: {problem.message}"
    related = (Label(where, problem.label or "here in the profile"), *problem.related)
    return attrs.evolve(
        problem, message=message, span=at, label="the profile named here", related=related
    )


def unreadable(name: str, base: Path | None) -> bool:
    """Whether ``name`` is a profile path whose file cannot be opened (a file problem, which
    the command line reports with exit code 2, as it does an unreadable data file)."""
    if not is_path(name):
        return False
    try:
        with open(profile_path(name, base), "rb"):
            return False
    except OSError:
        return True


def only_unreadable(contract: m.Contract, found: list[Diagnostic], base: Path | None) -> bool:
    """Whether the errors ``found`` are all ``E801`` and some profile file cannot be read."""
    if not found or any(d.code != "E801" for d in found):
        return False
    return any(unreadable(value.value, base) for _, value in profile_settings(contract))


def _load(name: str, base: Path | None) -> tuple[Profile | None, list[Diagnostic]]:
    if is_path(name):
        return load_profile(name, base=base)
    profile, found = _bundled(name)
    return profile, list(found)


@functools.cache
def _bundled(name: str) -> tuple[Profile | None, tuple[Diagnostic, ...]]:
    """A bundled profile (or the diagnostic for a name that is none), read once per process."""
    profile, found = load_profile(name)
    return profile, tuple(found)
