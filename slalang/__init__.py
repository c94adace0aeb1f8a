"""slalang: write, check and evaluate contact-center service level agreements."""

from slalang.api import CheckResult, Parsed, check, check_file, parse, parse_bytes
from slalang.diagnostics import Diagnostic, Severity

__all__ = [
    "CheckResult",
    "Diagnostic",
    "Parsed",
    "Severity",
    "check",
    "check_file",
    "parse",
    "parse_bytes",
]
__version__ = "0.1.0"
