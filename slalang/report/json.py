"""Report stage, json format: :func:`slalang.judge.results.to_json` as indented JSON.

The document follows ``docs/verdicts.schema.json`` (schema version 2; documents of version 1
follow ``docs/verdicts.v1.schema.json``).
"""

from __future__ import annotations

import json

from slalang.judge.results import Evaluation, to_json


def render(evaluation: Evaluation, *, color: bool = False) -> str:
    """Render an evaluation as its JSON document, keys in schema order.

    Args:
        evaluation: the evaluation to report.
        color: ignored.

    Returns:
        The JSON text, indented by two spaces, ending with a newline.
    """
    del color
    return json.dumps(to_json(evaluation), indent=2, sort_keys=False) + "\n"
