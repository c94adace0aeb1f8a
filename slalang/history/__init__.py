"""History stage: the store of evaluated figures, file by file, and evaluation through it."""
