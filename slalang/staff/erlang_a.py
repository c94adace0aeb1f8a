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
chosen per pair so that ``r_K`` is below ``e^-30`` of the largest ``r_j``, in log space,
with the Erlang B recursion of :mod:`slalang.staff.erlang` underneath. docs/staffing.md has
the derivation and the accuracy limits.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from slalang.staff.erlang import Floats, Outcome, _shapes, erlang_b

_CUT = 30.0
"""Terms below ``e^-30`` (1e-13) of the largest are left out of every sum."""

_CELLS = 1 << 16
"""Elements of one work array (rows times terms) in a block: small enough (512 KiB) that a
block's dozen arrays stay in the processor's caches, which makes Erlang A three times
faster than blocks of 4 MiB."""


def _log_gamma(x: Floats) -> Floats:
    """Stirling's series for ``log Gamma(x)``, ``x >= 1``: within 1e-3, enough for a guess."""
    return (x - 0.5) * np.log(x) - x + 0.9189385332046727 + 1.0 / (12.0 * x)


def _terms_needed(alpha: Floats, beta: Floats) -> Floats:
    """A first guess of the terms each pair needs: past the largest ``r_j`` (at ``j`` near
    ``beta - alpha``), where ``log r_j`` has fallen by the cut. Checked, and doubled where
    short."""
    peak = np.floor(np.maximum(beta - alpha, 0.0))
    safe = np.maximum(beta, 1e-300)

    def fall(m: Floats) -> Floats:  # log r_peak - log r_(peak + m)
        start = alpha + peak + 1.0
        return _log_gamma(start + m) - _log_gamma(start) - m * np.log(safe)

    low, high = np.zeros(alpha.size), np.full(alpha.size, 16.0)
    while True:
        short = fall(high) < _CUT + 0.5
        if not short.any() or high.max() > 1e7:
            break
        high = np.where(short, 2.0 * high, high)
    for _ in range(10):  # to a thousandth of the bracket: a guess needs no more
        middle = (low + high) / 2.0
        enough = fall(middle) >= _CUT + 0.5
        high = np.where(enough, middle, high)
        low = np.where(enough, low, middle)
    return np.where(beta > 0, peak + high + 2.0, 1.0)


def _log_nb(a: Floats, log_x: Floats, log_1mx: Floats, k: Floats) -> Floats:
    """``log NB(k; a, x)`` for every row's ``a`` and ``x`` and ``k = 0..K`` (rows x terms)."""
    steps = np.log((a[:, None] + k[None, 1:] - 1.0) / k[None, 1:])
    log_c = np.concatenate([np.zeros((a.size, 1)), np.cumsum(steps, axis=1)], axis=1)
    with np.errstate(invalid="ignore"):  # 0 * -inf where x is 1 (a threshold of 0 s)
        power = np.where(k[None, :] == 0, 0.0, k[None, :] * log_1mx[:, None])
    return log_c + a[:, None] * log_x[:, None] + power


def _products(first: Floats | None, ratio: Floats) -> Floats:
    """``first * cumprod(ratio)`` row by row, with ``first`` (1 when None) in column 0."""
    out = np.empty((ratio.shape[0], ratio.shape[1] + 1))
    out[:, 0] = 1.0 if first is None else first
    np.cumprod(ratio, axis=1, out=out[:, 1:])
    if first is not None:
        out[:, 1:] *= first[:, None]
    return out


def _nb(alpha: Floats, span: Floats, inverse: Floats, k: Floats) -> Floats:
    """``NB(k; alpha, x)`` with ``x = exp(-span)``, rows x terms (``inverse`` is ``1 / k``
    for ``k >= 1``): by products of ratios where ``x^alpha`` is a normal double, else in log
    space."""
    with np.errstate(divide="ignore"):
        one_minus = -np.expm1(-span)
    plain = alpha * span < 700.0
    out = np.empty((alpha.size, k.size))
    if plain.all():
        ratio = (alpha[:, None] + (k[None, 1:] - 1.0)) * (inverse[None, :] * one_minus[:, None])
        return _products(np.exp(-alpha * span), ratio)
    if plain.any():
        a, q = alpha[plain], one_minus[plain]
        ratio = (a[:, None] + (k[None, 1:] - 1.0)) * (inverse[None, :] * q[:, None])
        out[plain] = _products(np.exp(-a * span[plain]), ratio)
    rest = ~plain
    with np.errstate(divide="ignore"):
        log_1mx = np.log(one_minus[rest])
    out[rest] = np.exp(_log_nb(alpha[rest], -span[rest], log_1mx, k))
    return out


def _queue_lengths(alpha: Floats, beta: Floats, k: Floats) -> tuple[Floats, Floats]:
    """``r_j`` for ``j = 0..K`` scaled by ``exp(-scale)``, and ``scale``, per row: by
    products of ratios (scale 0) where the largest ``r_j`` is a normal double, else in log
    space (scale ``log max r``)."""
    peak = np.maximum(beta - alpha, 0.0)
    with np.errstate(divide="ignore"):
        bound = peak * np.log(np.maximum(beta, 1e-300) / (alpha + 1.0))
    plain = bound < 600.0
    if plain.all():
        values = _products(None, beta[:, None] / (alpha[:, None] + k[None, 1:]))
        return values, np.zeros(alpha.size)
    rel = np.empty((alpha.size, k.size))
    top = np.zeros(alpha.size)
    if plain.any():
        a, b = alpha[plain], beta[plain]
        rel[plain] = _products(None, b[:, None] / (a[:, None] + k[None, 1:]))
    rest = ~plain
    ratio = np.log(beta[rest])[:, None] - np.log(alpha[rest][:, None] + k[None, 1:])
    log_r = np.concatenate([np.zeros((int(rest.sum()), 1)), np.cumsum(ratio, axis=1)], axis=1)
    top[rest] = log_r.max(axis=1)
    rel[rest] = np.exp(log_r - top[rest][:, None])
    return rel, top


def _block(
    agents: Floats,
    load: Floats,
    gamma: Floats,
    patience: Floats,
    times: list[float],
    blocking: Floats,
    terms: int,
    waits: bool = True,
) -> tuple[list[Floats], dict[float, tuple[Floats, Floats]], npt.NDArray[np.bool_]]:
    """Erlang A for rows of pairs with at least one agent, over ``terms + 1`` queue lengths.

    Returns the figures that do not depend on a time (waiting, abandon, mean waits in
    patience means, occupancy); per time ``t`` of ``times`` the shares of arrivals still
    waiting at ``t`` and abandoned by ``t``; and which rows need more terms.
    """
    alpha = agents / gamma
    beta = load / gamma
    k = np.arange(terms + 1, dtype=np.float64)
    inverse = 1.0 / k[1:]
    rel, scale = _queue_lengths(alpha, beta, k)
    total = rel.sum(axis=1)
    short = (rel[:, -1] > np.exp(-_CUT) * rel.max(axis=1)) & (beta > 0)
    log_s = scale + np.log(total)
    with np.errstate(divide="ignore"):
        gap = np.log1p(-blocking) - np.log(blocking) - log_s
    p_wait = 1.0 / (1.0 + np.exp(gap))
    w = rel
    w *= (p_wait / total)[:, None]
    tail = np.cumsum(w[:, ::-1], axis=1)[:, ::-1]
    ahead = alpha[:, None] + k[None, :]  # alpha + k
    served = alpha[:, None] / (ahead + 1.0)  # P(served | k ahead)
    p_abandon = np.einsum("ij,ij->i", w, 1.0 - served)  # positive terms: no cancellation
    waiting = w @ k  # callers in queue (Lq), in units of lambda / theta
    if waits:
        reach = np.cumsum(1.0 / (ahead + 1.0), axis=1)
        served_wait = np.einsum("ij,ij->i", served * w, reach)
    else:
        served_wait = np.full(alpha.size, np.nan)
    # abandons by t: sum_k weight_k tail_k (1 - sum_{m<=k} NB(m; alpha + 1, x)), where
    # weight_k = alpha / ((alpha + k)(alpha + k + 1)); the double sum is sum_m NB_m V_m with
    # V_m = sum_{k>=m} weight_k tail_k, the same for every t
    v = tail * (alpha[:, None] / (ahead * (ahead + 1.0)))
    every = v.sum(axis=1)
    later = np.cumsum(v[:, ::-1], axis=1)[:, ::-1]
    by_time: dict[float, tuple[Floats, Floats]] = {}
    for time in times:
        if time <= 0:
            by_time[time] = (p_wait, np.zeros(alpha.size))
            continue
        span = time / patience
        x = np.exp(-span)
        nb = _nb(alpha, span, inverse, k)
        still = x * np.einsum("ij,ij->i", nb, tail)
        # NB(k; alpha + 1, x) = NB(k; alpha, x) x (alpha + k) / alpha
        nb *= ahead
        reached = (x / alpha) * np.einsum("ij,ij->i", nb, later)
        by_time[time] = (still, np.maximum(every - reached, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        wait_all = np.where(beta > 0, waiting / beta, 0.0)
        wait_answered = np.where(p_abandon < 1, served_wait / (1.0 - p_abandon), np.inf)
    occupancy = load * (1.0 - p_abandon) / agents
    return [p_wait, p_abandon, wait_answered, wait_all, occupancy], by_time, short


def erlang_a(
    agents: npt.ArrayLike,
    load: npt.ArrayLike,
    *,
    aht: npt.ArrayLike,
    patience: npt.ArrayLike,
    threshold: float = 0.0,
    short: float = 0.0,
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
    found = erlang_a_many(agents, load, aht=aht, patience=patience, pairs=[(threshold, short)],
                          blocking=blocking)  # fmt: skip
    return found[0]


def erlang_a_many(
    agents: npt.ArrayLike,
    load: npt.ArrayLike,
    *,
    aht: npt.ArrayLike,
    patience: npt.ArrayLike,
    pairs: Sequence[tuple[float, float]],
    blocking: npt.ArrayLike | None = None,
    waits: bool = True,
) -> list[Outcome]:
    """:func:`erlang_a` for several (threshold, short-abandon time) pairs at once: the
    queue-length distribution is worked out once for all of them. Without ``waits`` the
    mean wait of answered calls is left out (NaN), which saves time."""
    n, a, h, p = _shapes(agents, load, aht, patience)
    if np.any(p <= 0) or not np.all(np.isfinite(p)):
        raise ValueError("patience must be finite and above 0")
    if any(t < 0 or s < 0 for t, s in pairs):
        raise ValueError("thresholds and short-abandon times must be at least 0 s")
    b = erlang_b(n, a) if blocking is None else np.broadcast_to(blocking, n.shape)
    shape = n.shape
    n, a, h, p, b = (x.ravel() for x in np.broadcast_arrays(n, a, h, p, b))
    times = sorted({float(t) for pair in pairs for t in pair})
    common = np.zeros((5, n.size))
    still = {t: np.zeros(n.size) for t in times}
    gone = {t: np.zeros(n.size) for t in times}
    idle = n == 0  # nobody is ever answered: every caller waits out their patience
    common[0, idle] = 1.0  # waits
    common[1, idle] = 1.0  # abandons
    common[2, idle] = np.inf  # no answered call to average
    common[3, idle] = 1.0  # one patience mean
    for t in times:
        gone[t][idle] = -np.expm1(-t / p[idle])
        still[t][idle] = 1.0 - gone[t][idle]
    pending = np.flatnonzero(~idle)
    gamma = h / p
    need = _terms_needed(n / gamma, a / gamma)
    while pending.size:
        # terms in steps of an eighth of a power of two: few block shapes, little waste
        scale = 2.0 ** np.floor(np.log2(np.maximum(need[pending], 16.0))) / 8.0
        terms = (np.ceil(need[pending] / scale) * scale).astype(np.int64)
        retry: list[npt.NDArray[np.int64]] = []
        for size in np.unique(terms):
            group = pending[terms == size]
            rows = max(1, _CELLS // int(size + 1))
            for start in range(0, group.size, rows):
                part = group[start : start + rows]
                found, by_time, short_rows = _block(
                    n[part], a[part], gamma[part], p[part], times, b[part], int(size), waits
                )
                for index, values in enumerate(found):
                    common[index, part] = values
                for t, (waiting, abandoned) in by_time.items():
                    still[t][part] = waiting
                    gone[t][part] = abandoned
                retry.append(part[short_rows])
                need[part[short_rows]] = 2.0 * size
        pending = np.concatenate(retry) if retry else np.zeros(0, dtype=np.int64)
    common[2] *= p  # waits in seconds: the blocks give them in patience means
    common[3] *= p
    p_wait, p_abandon, wait_answered, wait_all, occupancy = (c.reshape(shape) for c in common)
    outcomes = []
    for threshold, short in pairs:
        t, s = float(threshold), float(short)
        within = np.clip(1.0 - gone[t] - still[t], 0.0, 1.0)
        outcomes.append(Outcome(
            p_wait=p_wait, p_abandon=p_abandon, answered_within=within.reshape(shape),
            abandoned_within=gone[t].reshape(shape), abandoned_short=gone[s].reshape(shape),
            wait_answered=wait_answered, wait_all=wait_all, occupancy=occupancy,
        ))  # fmt: skip
    return outcomes
