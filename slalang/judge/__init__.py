"""Stage 5, judgement: figures to verdicts, service credits and the account's status.

:mod:`~slalang.judge.verdicts` judges each objective and period, :mod:`~slalang.judge.consequences`
applies credits and risk rules, :mod:`~slalang.judge.results` holds the evaluation and its JSON,
and :mod:`~slalang.judge.evaluation` runs the whole way from data to an evaluation.
"""
