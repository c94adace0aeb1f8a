"""Sample results for the renderer tests: three files with a few diagnostics."""

from __future__ import annotations

import slalang
from slalang.api import CheckResult
from slalang.codes import diag
from slalang.diagnostics import Label, normalize
from slalang.source import Source

BROKEN = "objective x {\n  expected >= \n}\n"

SERVICE = (
    "contract demo {\n"
    '  client "ACME"\n'
    "}\n"
    "objective asa {\n"
    "\tsource calls\n"
    "  metric average_speed_of_answer\n"
    "}\n"
)


def at(source: Source, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """Return the offsets of the n-th occurrence of ``needle`` in a source."""
    start = -1
    for _ in range(occurrence + 1):
        start = source.text.index(needle, start + 1)
    return start, start + len(needle)


def service_result() -> CheckResult:
    """A hand-built result: an error with help, related label and path, and a warning."""
    source = Source("contracts/service.sla", SERVICE)
    unknown = diag(
        "E201",
        "unknown reference `calls`",
        source.span(*at(source, "calls")),
        label="no source has this id",
        help="did you mean `call`?",
        path=("demo", "asa"),
        related=(Label(source.span(*at(source, "demo")), "in this contract"),),
    )
    unused = diag(
        "W501",
        "critical service level without credits",
        source.span(*at(source, "asa")),
        label="critical here",
    )
    return CheckResult(source, None, normalize([unknown, unused]))


def sample_results() -> list[CheckResult]:
    """Three files: a syntax error, two hand-built diagnostics, and an unreadable file."""
    parsed = slalang.parse(BROKEN, path="contracts/broken.sla")
    broken = CheckResult(parsed.source, None, parsed.diagnostics)
    unreadable = CheckResult(
        None, None, (diag("E009", "cannot read `missing.sla`: No such file", None),)
    )
    return [broken, service_result(), unreadable]
