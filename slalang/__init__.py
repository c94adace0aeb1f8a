"""slalang: write, check and evaluate contact-center service level agreements.

The names below come from :mod:`slalang.api` and :mod:`slalang.diagnostics`. They are
loaded on first use, so that a command which only checks contracts (``slalang check``,
``fmt``, ``explain``) never pays for the evaluation stages it does not run.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slalang.api import (
        CheckResult,
        CompileError,
        Evaluation,
        EvaluationError,
        Parsed,
        Plan,
        check,
        check_file,
        compile,
        compile_file,
        evaluate,
        evaluate_stored,
        parse,
        parse_bytes,
    )
    from slalang.diagnostics import Diagnostic, Severity

__all__ = [
    "CheckResult",
    "CompileError",
    "Diagnostic",
    "Evaluation",
    "EvaluationError",
    "Parsed",
    "Plan",
    "Severity",
    "check",
    "check_file",
    "compile",
    "compile_file",
    "evaluate",
    "evaluate_stored",
    "parse",
    "parse_bytes",
]
__version__ = "0.1.0"

_HOMES = {"Diagnostic": "slalang.diagnostics", "Severity": "slalang.diagnostics"}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'slalang' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES.get(name, "slalang.api")), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
