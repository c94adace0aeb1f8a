"""Staffing stage: Erlang A (M/M/N+M), the queue where callers abandon when patience runs out.

Calls arrive at rate ``lambda``, handle times are exponential with mean ``AHT`` (rate
``mu``) and each caller's patience is exponential with mean ``1 / theta``. In units of
``theta`` write ``alpha = N mu / theta`` and ``beta = lambda / theta``. The number of
callers waiting when a call arrives is ``j`` with probability ``w_j``, proportional to
``r_j = prod_{i=1..j} beta / (alpha + i)`` above the share of calls that wait at all,
``P(wait) = B S / (1 - B + B S)`` with ``S = sum_j r_j`` and ``B`` Erlang B of ``N``.

A caller who finds ``j`` ahead reaches an agent after ``V_j``, a sum of exponentials with
rates ``N mu + i theta`` (``i = 0..j``), unless patience runs out first. That sum is
``-log(X) / theta`` for ``X`` Beta(``alpha``, ``j + 1``) (their Laplace transforms are the
same product), and a regularised incomplete beta function with a whole second parameter is
a finite sum of positive negative-binomial terms:

- ``P(V_j > t) = sum_{k<=j} NB(k; alpha, x)``, ``x = exp(-theta t)``, with
  ``NB(k; a, x) = C(a + k - 1, k) x^a (1 - x)^k``;
- ``P(abandon within T | j) = sum_{k<=j} alpha / ((alpha + k)(alpha + k + 1))
  (1 - sum_{m<=k} NB(m; alpha + 1, x_T))``;
- ``P(abandon | j) = (j + 1) / (alpha + j + 1)``; the mean wait of a served caller is
  ``sum_{i<=j} 1 / (N mu + (i + 1) theta)``.

No alternating sums, so no cancellation (the closed form of a hypoexponential density needs
60 to 120 digits for the same numbers). All sums run over ``j`` up to a truncation ``K``
chosen per pair so that ``r_K`` is below ``e^-36`` of the largest ``r_j``, in log space,
with the Erlang B recursion of :mod:`slalang.staff.erlang` underneath. docs/staffing.md has
the derivation and the accuracy limits.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from slalang.staff.erlang import Floats, Outcome, _shapes, erlang_b

_CUT = 36.0
"""Terms below ``e^-36`` (2e-16) of the largest are left out of every sum."""

_CELLS = 1 << 19
"""Elements of one work array (rows times terms) in a block."""


def _terms_needed(alpha: Floats, beta: Floats) -> Floats:
    """A first guess of the terms each pair needs; checked, and doubled where short."""
    peak = np.maximum(beta - alpha, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.log((alpha + peak + 1.0) / beta)
        geometric = np.where(first > 0, _CUT / first, np.inf)
    gaussian = 40.0 + np.sqrt(1600.0 + 80.0 * (alpha + peak))
    return np.where(beta > 0, peak + np.minimum(geometric, gaussian) + 8.0, 1.0)


def _log_nb(a: Floats, log_x: Floats, log_1mx: Floats, k: Floats) -> Floats:
    """``log NB(k; a, x)`` for every row's ``a`` and ``x`` and ``k = 0..K`` (rows x terms)."""
    steps = np.log((a[:, None] + k[None, 1:] - 1.0) / k[None, 1:])
    log_c = np.concatenate([np.zeros((a.size, 1)), np.cumsum(steps, axis=1)], axis=1)
    with np.errstate(invalid="ignore"):  # 0 * -inf where x is 1 (a threshold of 0 s)
        power = np.where(k[None, :] == 0, 0.0, k[None, :] * log_1mx[:, None])
    return log_c + a[:, None] * log_x[:, None] + power


def _abandoned_within(alpha: Floats, tail: Floats, span: Floats, k: Floats) -> Floats:
    """The share of arrivals that abandon with a wait of at most ``span`` patience means.

    ``tail[:, k]`` is the share of arrivals finding ``k`` or more callers ahead.
    """
    log_x = -span
    with np.errstate(divide="ignore"):
        log_1mx = np.log(-np.expm1(-span))
    nb = np.exp(_log_nb(alpha + 1.0, log_x, log_1mx, k))
    unreached = np.clip(1.0 - np.cumsum(nb, axis=1), 0.0, 1.0)
    weight = alpha[:, None] / ((alpha[:, None] + k) * (alpha[:, None] + k + 1.0))
    return np.where(span > 0, (weight * unreached * tail).sum(axis=1), 0.0)


def _block(
    agents: Floats,
    load: Floats,
    gamma: Floats,
    span_t: Floats,
    span_s: Floats,
    blocking: Floats,
    terms: int,
) -> tuple[list[Floats], npt.NDArray[np.bool_]]:
    """Erlang A for rows of pairs with at least one agent, over ``terms + 1`` queue lengths.

    Returns the per-arrival figures (waiting, abandon, answered and abandoned within T,
    abandoned short, mean waits in patience means, occupancy) and which rows need more terms.
    """
    alpha = agents / gamma
    beta = load / gamma
    k = np.arange(terms + 1, dtype=np.float64)
    with np.errstate(divide="ignore"):
        ratio = np.log(beta)[:, None] - np.log(alpha[:, None] + k[None, 1:])
    log_r = np.concatenate([np.zeros((alpha.size, 1)), np.cumsum(ratio, axis=1)], axis=1)
    top = log_r.max(axis=1)
    log_s = top + np.log(np.exp(log_r - top[:, None]).sum(axis=1))
    short = (log_r[:, -1] > top - _CUT) & (beta > 0)
    with np.errstate(divide="ignore"):
        gap = np.log1p(-blocking) - np.log(blocking) - log_s
    p_wait = 1.0 / (1.0 + np.exp(gap))
    w = p_wait[:, None] * np.exp(log_r - log_s[:, None])
    tail = np.cumsum(w[:, ::-1], axis=1)[:, ::-1]
    p_abandon = (w * (k + 1.0) / (alpha[:, None] + k + 1.0)).sum(axis=1)
    waiting = (w * k).sum(axis=1)  # callers in queue (Lq), in units of lambda / theta
    reach = np.cumsum(1.0 / (alpha[:, None] + 1.0 + k[None, :]), axis=1)
    served_wait = (w * alpha[:, None] / (alpha[:, None] + k + 1.0) * reach).sum(axis=1)
    with np.errstate(divide="ignore"):
        log_1mx = np.log(-np.expm1(-span_t))
    still = np.exp(-span_t) * (np.exp(_log_nb(alpha, -span_t, log_1mx, k)) * tail).sum(axis=1)
    within = _abandoned_within(alpha, tail, span_t, k)
    short_abandoned = _abandoned_within(alpha, tail, span_s, k)
    answered_within = np.clip(1.0 - within - still, 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        wait_all = np.where(beta > 0, waiting / beta, 0.0)
        wait_answered = np.where(p_abandon < 1, served_wait / (1.0 - p_abandon), np.inf)
    occupancy = load * (1.0 - p_abandon) / agents
    figures = [p_wait, p_abandon, answered_within, within, short_abandoned, wait_answered,
               wait_all, occupancy]  # fmt: skip
    return figures, short


def erlang_a(
    agents: npt.ArrayLike,
    load: npt.ArrayLike,
    *,
    aht: npt.ArrayLike,
    patience: npt.ArrayLike,
    threshold: npt.ArrayLike = 0.0,
    short: npt.ArrayLike = 0.0,
    blocking: npt.ArrayLike | None = None,
) -> Outcome:
    """Erlang A (M/M/N+M) for ``agents`` agents offered ``load`` Erlangs.

    Args:
        agents: numbers of agents (whole, at least 0).
        load: offered loads in Erlangs.
        aht: mean handle times, seconds.
        patience: mean patience of callers, seconds (finite, above 0).
        threshold: the service-level threshold T, seconds.
        short: the short-abandon time S, seconds (abandons under it are short).
        blocking: Erlang B of the same agents and loads, when the caller has it.

    Returns:
        The prediction, stable for any load: with too few agents callers abandon instead of
        queueing without bound. With no agents every caller abandons.
    """
    n, a, h, p, t, s = _shapes(agents, load, aht, patience, threshold, short)
    if np.any(p <= 0) or not np.all(np.isfinite(p)):
        raise ValueError("patience must be finite and above 0")
    b = erlang_b(n, a) if blocking is None else np.broadcast_to(blocking, n.shape)
    shape = n.shape
    n, a, h, p, t, s, b = (x.ravel() for x in np.broadcast_arrays(n, a, h, p, t, s, b))
    results = np.zeros((8, n.size))
    idle = n == 0  # nobody is ever answered: every caller waits out their patience
    results[0, idle] = 1.0
    results[1, idle] = 1.0
    results[3, idle] = -np.expm1(-t[idle] / p[idle])
    results[4, idle] = -np.expm1(-s[idle] / p[idle])
    results[5, idle] = np.inf
    results[6, idle] = 1.0  # one patience mean
    pending = np.flatnonzero(~idle)
    gamma = h / p
    need = _terms_needed(n / gamma, a / gamma)
    while pending.size:
        terms = np.maximum(16, 2 ** np.ceil(np.log2(need[pending]))).astype(np.int64)
        retry: list[npt.NDArray[np.int64]] = []
        for size in np.unique(terms):
            group = pending[terms == size]
            rows = max(1, _CELLS // int(size + 1))
            for start in range(0, group.size, rows):
                part = group[start : start + rows]
                found, short_rows = _block(
                    n[part], a[part], gamma[part], t[part] / p[part], s[part] / p[part],
                    b[part], int(size),
                )  # fmt: skip
                for index, values in enumerate(found):
                    results[index, part] = values
                retry.append(part[short_rows])
                need[part[short_rows]] = 2.0 * size
        pending = np.concatenate(retry) if retry else np.zeros(0, dtype=np.int64)
    # waits in seconds: the block gives them in patience means
    results[5] *= p
    results[6] *= p
    fields = [r.reshape(shape) for r in results]
    return Outcome(*fields)
