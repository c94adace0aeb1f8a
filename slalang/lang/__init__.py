"""Stage 1, the language: contract text to a checked model.

:mod:`~slalang.lang.syntax` parses (grammar ``grammar/slalang.lark``), :mod:`~slalang.lang.build`
turns the tree into the model of :mod:`~slalang.lang.model`, :mod:`~slalang.lang.expand` applies
templates, and :mod:`~slalang.lang.checks` reports every problem against the settings of
:mod:`~slalang.lang.schema`. :mod:`~slalang.lang.fmt` lays contracts out canonically.
"""
