"""slalang: write, check and evaluate contact-center service level agreements."""

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
    "parse",
    "parse_bytes",
]
__version__ = "0.1.0"
