"""TensorBoard's debiased EMA over numpy arrays of millions of values, without a Python loop per value.

The numbers are those of :func:`chartspec.data.smoothing.ema` (the reference, whose docstring
gives the semantics), i.e. of TensorBoard's ``vz_line_chart2`` ``resmoothDataset``::

    last = last * w + (1 - w) * v;  n += 1
    smoothed = last / (1 - w ** n)            # w == 1: smoothed = last

Non-finite values pass through and do not advance the average; a series whose finite values are
all equal comes back unchanged. The reference loop takes 0.3 s or more per million values.

Method: the finite values are taken out (only they advance the average) and ``m_t = a * m_{t-1}
+ b_t`` (``a = w``, ``b = (1 - w) * v``) is solved as a blocked scan. Within a block of ``B``
values ``m_j = a**j * cumsum(b_i * a**-i)_j + carry * a**(j+1)``, with ``B`` such that
``a**-(B-1) <= 1e8`` so the cumulative sum stays far inside float64's range. The carries obey the
same recurrence over the block ends with factor ``a**B`` (~1e-8), solved by recursive doubling
(Hillis-Steele: ``m_t += p * m_{t-s}``, ``s`` doubled and ``p = a**s`` squared each step, until
``p`` underflows or ``s`` passes the longest series). Several concatenated series
(:func:`ema_segments`) are one scan whose recurrence restarts at each series start: blocks holding
a start are solved by doubling too, since subtracting the prefix sum before the start would leave
the previous series' rounding error (large if its values are) in the new one. Debiasing divides
by ``1 - w**n`` looked up in a table, ``n`` counting the series' finite values so far; once
``w**n < 2**-56`` that is exactly 1.0.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["ema_array", "ema_segments"]

# The in-block prefix sum grows by up to a**-(B-1): 1e8 keeps it (times the data) far from
# overflow, and the rounding of a prefix sum of a geometric-like series stays ~eps / (1 - a).
_GROWTH = 1e8
# Below this many values per block the blocked scan does not pay: recursive doubling instead.
_MIN_BLOCK = 4
# Data beyond this magnitude is scaled by a power of two first (exact), so b * a**-i cannot overflow.
_HUGE = 1e290
# Values per piece of recursive doubling: a piece's arrays stay in the CPU cache.
_PIECE = 1 << 15


def ema_array(values: np.ndarray, weight: float) -> np.ndarray:
    """The debiased EMA of one series ``values`` (in x order) as a new float64 array.

    NaN and infinities (and ``None`` in a list) pass through and do not advance the average; a
    series whose finite values are all equal is returned unchanged. ``weight`` must be in [0, 1].
    """
    array = _series(values)
    return _smooth(array, np.zeros(1 if array.size else 0, dtype=np.intp), _weight(weight))


def ema_segments(values: np.ndarray, starts: np.ndarray, weight: float) -> np.ndarray:
    """The EMA of several series concatenated in ``values``, each in x order, restarting (the
    debias count too) at each index of ``starts`` (sorted, ``starts[0] == 0``; a repeated start
    is an empty series). Each series is smoothed as :func:`ema_array` smooths it alone."""
    array = _series(values)
    first = np.asarray(starts)
    if first.ndim != 1 or (first.size and not np.issubdtype(first.dtype, np.integer)):
        raise ValueError("starts must be a 1-D array of integer indices")
    first = first.astype(np.intp, copy=False)
    if array.size and (first.size == 0 or first[0] != 0):
        raise ValueError("starts must begin with 0, the start of the first series")
    if first.size and (np.any(first[1:] < first[:-1]) or first[-1] > array.size or first[0] < 0):
        raise ValueError(f"starts must be sorted indices into the {array.size} values")
    return _smooth(array, first, _weight(weight))


def _series(values: np.ndarray) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)  # a list's None becomes NaN, passed through like it
    if array.ndim != 1:
        raise ValueError(f"values must be one-dimensional, not of shape {array.shape}")
    return array


def _weight(weight: float) -> float:
    w = float(weight)
    if not 0.0 <= w <= 1.0:  # NaN fails too
        raise ValueError(f"EMA weight must be between 0 and 1, not {weight!r}")
    return w


def _smooth(values: np.ndarray, starts: np.ndarray, w: float, block: int | None = None) -> np.ndarray:
    """``values`` smoothed per series beginning at ``starts``; ``block`` forces the block length (tests)."""
    finite = np.isfinite(values)
    everywhere = bool(finite.all())
    if everywhere:
        f, first = values, starts
    else:
        f = values[finite]
        # index of each start among the finite values: the start less the non-finite values before it
        first = starts - np.searchsorted(np.flatnonzero(~finite), starts)
    n = f.size
    if n == 0:
        return values.copy()
    # series left without a finite value have nothing to smooth
    first = first[first < n]
    first = first[np.concatenate(([True], first[1:] != first[:-1]))]
    lengths = np.diff(np.append(first, n))

    low, high = np.minimum.reduceat(f, first), np.maximum.reduceat(f, first)
    constant = low == high  # == as the reference compares: 0.0 and -0.0 are equal
    if constant.all() or w == 0.0:  # w == 0: last = v and 1 - 0**n = 1, the data itself
        return values.copy()
    if w == 1.0:
        m = np.zeros(n)  # last * 1 + 0 * v stays 0 and is not debiased
    else:
        peak = max(-float(low.min()), float(high.max()))
        shift = math.frexp(peak)[1] if peak > _HUGE else 0
        m = _scan(np.ldexp(f, -shift) if shift else f, 1.0 - w, first[1:], w, block)
        _debias(m, first, lengths, w)
        if shift:
            np.ldexp(m, shift, out=m)
    if constant.any():
        keep = np.repeat(constant, lengths)
        m[keep] = f[keep]
    if everywhere:
        return m
    out = values.copy()
    out[finite] = m
    return out


def _block_length(a: float) -> int:
    return 1 + int(math.log(_GROWTH) / -math.log(a))


def _scan(x: np.ndarray, coef: float, resets: np.ndarray, a: float, block: int | None = None) -> np.ndarray:
    """``m`` with ``m[t] = a * m[t-1] + coef * x[t]`` and ``m[-1] = 0``, where ``m[t-1]`` counts as 0
    at each index in ``resets`` (sorted): a new series starts there."""
    n = x.size
    if a == 0.0 or n <= 1:
        return x * coef
    size = min(block or _block_length(a), n)
    if size < _MIN_BLOCK and block is None:
        return _doubling(x * coef, resets, a)
    rows = -(-n // size)
    j = np.arange(size)
    pw = a**j
    restarted = np.empty(0, dtype=np.intp)
    if resets.size:
        r_row, r_col = np.divmod(resets, size)
        first = np.flatnonzero(np.diff(r_row, prepend=-1))  # resets are sorted: so are their rows
        restarted = r_row[first]
    # every block holds a restart (many short series): no block is solved by prefix sums
    dense = restarted.size == rows

    if not dense:
        # Row k of s holds the block's b_i * a**-i, later its prefix sums
        s = np.empty((rows, size))
        full = n // size
        np.multiply(x[: full * size].reshape(-1, size), coef * a**-j, out=s[:full])
        if full < rows:
            tail = n - full * size
            s[-1, :tail] = x[full * size:] * (coef * a ** -j[:tail])
            s[-1, tail:] = 0.0  # padding after the last value changes nothing before it
        ends = s.sum(axis=1) * pw[-1]  # m at each block's end, but for the carry from before the block
    else:
        ends = np.empty(rows)
    if restarted.size:
        # Rows with a restart are summed by doubling instead: a prefix sum less the prefix sum
        # before the restart would keep the previous series' rounding error, large if its values are
        if dense:
            piece = np.zeros(rows * size)
            np.multiply(x, coef, out=piece[:n])
        else:
            where = (restarted[:, None] * size + j).ravel()
            piece = np.zeros(where.size)
            inside = where < n
            piece[inside] = x[where[inside]] * coef
        cuts = np.sort(np.concatenate((np.arange(restarted.size) * size,
                                       np.searchsorted(restarted, r_row) * size + r_col)))
        local = _doubling(piece, cuts, a).reshape(-1, size)
        ends[restarted] = local[:, -1]

    carry = np.zeros(rows)
    if rows > 1:
        # the carries solve the same recurrence over block ends; a block with a restart takes none
        carry[1:] = _scan(ends, 1.0, restarted, a**size)[:-1]
    if not dense:
        s[:, 0] += carry * a  # carry * a**(j+1) == a**j * (carry * a): it joins the prefix sum
        np.cumsum(s, axis=1, out=s)
        s *= pw
    if restarted.size:
        before = j < r_col[first][:, None]  # columns ahead of the row's first restart take the carry
        local += np.multiply.outer(carry[restarted], pw * a) * before
        if dense:
            s = local
        else:
            s[restarted] = local
    return s.reshape(-1)[:n]


def _doubling(m: np.ndarray, resets: np.ndarray, a: float) -> np.ndarray:
    """Solve the scan in place on ``m = coef * x`` by recursive doubling (see the module docstring);
    ``resets`` may repeat."""
    n = m.size
    if n <= _PIECE or not resets.size:
        return _doubling_piece(m, resets, a)
    # No series crosses a cut made at a restart, so the pieces are solved one by one, each small
    # enough for the cache (on ~10^7 values this is several times faster than whole-array passes)
    near = np.searchsorted(resets, np.arange(_PIECE, n, _PIECE))
    cuts = np.unique(np.concatenate(([0], resets[near[near < resets.size]], [n])))
    bounds = np.searchsorted(resets, cuts)
    for lo, hi, r_lo, r_hi in zip(cuts[:-1], cuts[1:], bounds[:-1], bounds[1:]):
        _doubling_piece(m[lo:hi], resets[r_lo:r_hi] - lo, a)
    return m


def _doubling_piece(m: np.ndarray, resets: np.ndarray, a: float) -> np.ndarray:
    """After the step with shift ``s``, ``m[t]`` sums the last ``2s`` terms of its series."""
    n = m.size
    heads = np.concatenate(([0], resets))
    lengths = np.diff(heads, append=n)
    # m[t - s] belongs to t's series while s <= rank[t] (int32 when it fits: half the memory traffic)
    rank = (np.arange(n) - np.repeat(heads, lengths)).astype(np.int32 if n < 2**31 else np.int64)
    p, shift, longest = a, 1, int(lengths.max())
    while p != 0.0 and shift < longest:  # exact but for terms that underflow to 0
        add = np.where(rank[shift:] >= shift, m[:-shift], 0.0)
        add *= p
        m[shift:] += add
        p, shift = p * p, shift * 2
    return m


def _debias(m: np.ndarray, first: np.ndarray, lengths: np.ndarray, w: float) -> None:
    """Divide ``m`` in place by ``1 - w**n``, ``n`` the rank of each value in its series."""
    # 1 - w**n rounds to exactly 1.0 once w**n < 2**-54 (56: room for pow's rounding), and
    # dividing by 1.0 changes nothing: values further into a series are left as they are
    horizon = int(lengths.max())
    if w > 0.0:
        horizon = min(horizon, math.ceil(56 * math.log(2) / -math.log(w)) + 1)
    table = 1.0 - w ** np.arange(1, horizon + 1)
    if first.size == 1:
        m[:horizon] /= table
        return
    used = np.minimum(lengths, horizon)
    total = int(used.sum())
    rank = np.arange(total) - np.repeat(np.cumsum(used) - used, used)
    if total == m.size:  # every value is debiased, in order
        m /= table[rank]
    else:
        where = rank + np.repeat(first, used)
        m[where] /= table[rank]
