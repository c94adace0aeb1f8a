"""Independent high-precision queueing figures for the tests (mpmath and exact fractions).

Nothing here shares code or method with ``slalang.staff``: Erlang B and C come from the
explicit sums of ``A^k / k!`` in exact rational arithmetic, Erlang A from its stationary
distribution in 40-digit arithmetic and the tagged caller's chain by uniformization (a
Poisson mixture of the steps of a discrete chain, all terms positive).
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath


def erlang_b_exact(agents: int, load: Fraction) -> Fraction:
    """``(A^N / N!) / sum_{k<=N} A^k / k!`` exactly, the numerator and sum as integers."""
    p, q = load.numerator, load.denominator
    # A^k / k! = p^k q^(N-k) (N! / k!) / (q^N N!): sum the integers over one denominator
    total = 0
    falling = 1  # N! / k!, from k = N down
    power_p = [1] * (agents + 1)
    for k in range(1, agents + 1):
        power_p[k] = power_p[k - 1] * p
    terms = [0] * (agents + 1)
    power_q = 1
    for k in range(agents, -1, -1):
        terms[k] = power_p[k] * power_q * falling
        total += terms[k]
        power_q *= q
        falling *= k if k > 0 else 1
    return Fraction(terms[agents], total)


def erlang_c_figures(
    agents: int, load: Fraction, aht: Fraction, threshold: Fraction
) -> tuple[Fraction, mpmath.mpf, Fraction]:
    """(P(wait) exact, SL(T) to 50 digits, ASA exact) of Erlang C with ``agents > load``."""
    b = erlang_b_exact(agents, load)
    c = agents * b / (agents - load * (1 - b))
    with mpmath.workdps(50):
        exponent = -mpmath.mpf((agents - load) * threshold / aht)
        sl = 1 - mpmath.mpf(c.numerator) / c.denominator * mpmath.exp(exponent)
    asa = c * aht / (agents - load)
    return c, sl, asa


def erlang_a_figures(
    agents: int,
    load: float,
    aht: float,
    patience: float,
    threshold: float,
    *,
    digits: int = 40,
    tail: float = 1e-30,
) -> dict[str, mpmath.mpf]:
    """Erlang A to about 25 significant digits by its stationary distribution and
    uniformization of the tagged caller's chain.

    Keys: ``p_wait``, ``p_abandon``, ``mean_wait`` (all arrivals, seconds),
    ``answered_within``, ``abandoned_within`` (shares of all arrivals).
    """
    with mpmath.workdps(digits):
        mu = 1 / mpmath.mpf(aht)
        theta = 1 / mpmath.mpf(patience)
        lam = mpmath.mpf(load) * mu
        a = lam / mu
        # unnormalised p(n): A^n / n! up to N, then lambda / (N mu + i theta) per step
        below = [mpmath.mpf(1)]
        for n in range(1, agents + 1):
            below.append(below[-1] * a / n)
        above = [below[-1]]
        i = 0
        while True:
            i += 1
            above.append(above[-1] * lam / (agents * mu + i * theta))
            if i > (lam - agents * mu) / theta and above[-1] < tail * max(above):
                break
        total = mpmath.fsum(below[:-1]) + mpmath.fsum(above)
        w = [x / total for x in above]  # w[j]: an arrival finds N + j in the system
        p_wait = mpmath.fsum(w)
        lq = mpmath.fsum(j * x for j, x in enumerate(w))
        p_abandon = theta * lq / lam
        # tagged caller with j ahead: state j steps to j - 1 (served from 0) at N mu + j theta,
        # abandons at theta; uniformized at the largest total rate
        size = len(w)
        rate = agents * mu + size * theta
        t = mpmath.mpf(threshold)
        x = list(w)
        served = abandoned = mpmath.mpf(0)
        poisson = mpmath.exp(-rate * t)  # P(no step by T)
        beyond = 1 - poisson  # P(at least k + 1 steps by T) for the step about to be taken
        k = 0
        while mpmath.fsum(x) * beyond > tail:
            k += 1
            served += beyond * x[0] * (agents * mu) / rate
            abandoned += beyond * mpmath.fsum(x) * theta / rate
            moved = [
                x[j] * (1 - (agents * mu + j * theta + theta) / rate)
                + (x[j + 1] * (agents * mu + (j + 1) * theta) / rate if j + 1 < size else 0)
                for j in range(size)
            ]
            x = moved
            poisson = poisson * rate * t / k
            beyond -= poisson
        return {
            "p_wait": p_wait,
            "p_abandon": p_abandon,
            "mean_wait": lq / lam,
            "answered_within": 1 - p_wait + served,
            "abandoned_within": abandoned,
        }


def close(actual: float, expected: object, rel: float) -> bool:
    """``actual`` within ``rel`` of ``expected`` (relative, absolute below 1e-300)."""
    value = float(expected)  # type: ignore[arg-type]
    return math.isclose(actual, value, rel_tol=rel, abs_tol=1e-300)
