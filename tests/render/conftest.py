"""Fixtures for the renderer tests."""

from __future__ import annotations

import pytest

from slalang.api import CheckResult

from .samples import sample_results


@pytest.fixture
def results() -> list[CheckResult]:
    """Three files: a syntax error, two hand-built diagnostics, and an unreadable file."""
    return sample_results()
