"""Staffing stage: queueing models, and the agents a contract needs interval by interval."""
