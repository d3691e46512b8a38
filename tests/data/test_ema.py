"""The numpy EMA (chartspec.data.ema) gives the numbers of the pure-Python reference
(chartspec.data.smoothing.ema): per series, with NaN, infinities and None passing through,
constant series untouched, at every weight from 0 to 1 and across block boundaries.

Close means within 1e-9 of the reference's value plus 1e-12 of the series' largest magnitude:
the two sum in different orders, and a smoothed value near 0 inside data of size 1 can only be
as exact as the data's scale.
"""

from __future__ import annotations

import math
import os
from typing import Any
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chartspec.data import ema as ema_module
from chartspec.data.ema import _block_length, _smooth, ema_array, ema_segments
from chartspec.data.smoothing import ema

SETTINGS = settings(max_examples=int(os.environ.get("CHARTSPEC_FUZZ_EXAMPLES", "150")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
WEIGHTS = [0.0, 0.5, 0.6, 0.9, 0.99, 0.999, 1.0]
# 1e-3 and 1e-9 are too small for blocks: they take the recursive-doubling path
ALL_WEIGHTS = [*WEIGHTS, 1e-3, 1e-9]
MISSING: list[Any] = [math.nan, math.inf, -math.inf, None]
MAX_LEN = 2000
# lengths on either side of one and two whole blocks, for every weight whose block fits
BOUNDARIES = sorted({k * _block_length(w) + d for w in WEIGHTS if 0 < w < 1 for k in (1, 2) for d in (-1, 0, 1)
                     if k * _block_length(w) + d <= MAX_LEN} | {0, 1, 2, MAX_LEN})


def as_array(values: list[Any]) -> np.ndarray:
    return np.array([math.nan if v is None else v for v in values], dtype=np.float64)


def magnitude(values: list[Any]) -> float:
    return max((abs(v) for v in values if v is not None and math.isfinite(v)), default=0.0)


def assert_close(got: np.ndarray, want: list[Any], scale: float | np.ndarray) -> None:
    """``got`` is the reference ``want`` (None as NaN, infinities equal, finite values close)."""
    assert isinstance(got, np.ndarray) and got.dtype == np.float64 and got.shape == (len(want),)
    ref = as_array(want)
    assert np.array_equal(np.isnan(got), np.isnan(ref)), "NaN where the reference has none, or the reverse"
    infinite = np.isinf(ref)
    assert np.array_equal(got[infinite], ref[infinite]), "an infinity did not pass through"
    finite = np.flatnonzero(np.isfinite(ref))
    err = np.abs(got[finite] - ref[finite])
    tol = 1e-9 * np.abs(ref[finite]) + 1e-12 * np.broadcast_to(scale, ref.shape)[finite]
    bad = finite[~(err <= tol)]  # NaN in got fails too
    assert bad.size == 0, f"{bad.size} values differ, first at {bad[0]}: {got[bad[0]]!r} != {ref[bad[0]]!r}"


def reference_segments(values: list[Any], starts: list[int], weight: float) -> tuple[list[Any], np.ndarray]:
    """The reference EMA of each series and, per value, its series' largest magnitude."""
    bounds = [*starts, len(values)]
    want: list[Any] = []
    scale: list[float] = []
    for begin, end in zip(bounds, bounds[1:]):
        want += ema(values[begin:end], weight)
        scale += [magnitude(values[begin:end])] * (end - begin)
    return want, np.array(scale)


@st.composite
def series(draw: st.DrawFn, lengths: st.SearchStrategy[int] | None = None) -> list[Any]:
    """A series as the reference takes it: floats, NaN, infinities and None, in several shapes."""
    if lengths is None and draw(st.booleans()):  # short, drawn value by value: shrinks to readable cases
        value = st.one_of(st.floats(-1e6, 1e6, allow_subnormal=False), st.sampled_from([*MISSING, 1.5, 0.0, -0.0]))
        return draw(st.lists(value, max_size=60))
    n = draw(lengths if lengths is not None else st.one_of(st.integers(0, MAX_LEN), st.sampled_from(BOUNDARIES)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = draw(st.sampled_from(["walk", "noise", "runs", "constant", "decay"]))
    if shape == "walk":
        data = rng.normal(size=n).cumsum() * 10 ** rng.uniform(-3, 3)
    elif shape == "noise":  # centred on 0: smoothed values cross 0
        data = rng.normal(size=n)
    elif shape == "runs":  # constant stretches inside a series that is not constant
        data = np.repeat(rng.integers(-3, 4, size=n).astype(float), rng.integers(1, 50, size=n))[:n]
    elif shape == "constant":
        data = np.full(n, draw(st.sampled_from([0.0, -0.0, 2.5, -1e6])))
    else:
        data = 2.0 * np.exp(-np.arange(n) / 300) + 0.1 * rng.random(n)
    values: list[Any] = data.tolist()
    rate = draw(st.sampled_from([0.0, 0.01, 0.3, 0.97]))
    for i in np.flatnonzero(rng.random(n) < rate):
        values[i] = MISSING[rng.integers(len(MISSING))]
    return values


@SETTINGS
@given(series(), st.sampled_from(ALL_WEIGHTS))
def test_ema_array_matches_the_reference(values: list[Any], weight: float) -> None:
    array = as_array(values)
    before = array.copy()
    got = ema_array(array, weight)
    assert_close(got, ema(values, weight), magnitude(values))
    assert np.array_equal(array, before, equal_nan=True), "the input was modified"
    # a list with None is read as the same series
    assert np.array_equal(ema_array(values, weight), got, equal_nan=True)


@st.composite
def cut(draw: st.DrawFn, values: list[Any]) -> list[int]:
    """Series starts: 0, then sorted cut points (repeats and len(values) make empty series)."""
    points = draw(st.lists(st.integers(0, len(values)), max_size=12))
    return [0, *sorted(points)]


@SETTINGS
@given(st.data(), st.sampled_from(ALL_WEIGHTS))
def test_ema_segments_restart_at_each_series(data: st.DataObject, weight: float) -> None:
    values = data.draw(series())
    starts = data.draw(cut(values))
    want, scale = reference_segments(values, starts, weight)
    got = ema_segments(as_array(values), np.array(starts), weight)
    assert_close(got, want, scale)


@SETTINGS
@given(st.data(), st.sampled_from([0.5, 0.6, 0.9, 0.99, 0.999]), st.sampled_from([2, 3, 5, 8, 13, 64]),
       st.integers(1, 6), st.integers(-1, 1), st.booleans(), st.sampled_from([ema_module._PIECE, 4, 17]))
def test_block_boundaries_with_small_blocks(data: st.DataObject, weight: float, block: int, blocks: int,
                                            off: int, segmented: bool, piece: int) -> None:
    """Blocks forced small, so series and restarts fall on, before and after block edges; and
    recursive doubling in small pieces, so that the cuts between pieces are crossed too."""
    values = data.draw(series(lengths=st.just(max(blocks * block + off, 0))))
    starts = data.draw(cut(values)) if segmented and values else [0] if values else []
    want, scale = reference_segments(values, starts, weight)
    with patch.object(ema_module, "_PIECE", piece):
        got = _smooth(as_array(values), np.array(starts, dtype=np.intp), weight, block)
    assert_close(got, want, scale)


@SETTINGS
@given(st.sampled_from([0.0, -0.0, 7.25, -3e-5]), st.integers(1, 300), st.floats(0, 1), st.integers(0, 2**32 - 1),
       st.sampled_from(ALL_WEIGHTS))
def test_a_constant_series_comes_back_bit_for_bit(value: float, n: int, missing: float, seed: int,
                                                  weight: float) -> None:
    rng = np.random.default_rng(seed)
    array = np.full(n, value)
    array[rng.random(n) < missing] = np.nan
    if value == 0.0:  # 0.0 and -0.0 compare equal: still constant
        array[rng.random(n) < 0.5] *= -1
    other = np.array([1.0, 2.0, 4.0])  # a second series, not constant, after it
    for got in (ema_array(array, weight), ema_segments(np.concatenate([array, other]), np.array([0, n]), weight)[:n]):
        assert np.array_equal(got, array, equal_nan=True)
        assert np.array_equal(np.signbit(got), np.signbit(array))


@pytest.mark.parametrize("weight", [0.6, 0.9, 0.999])
def test_a_series_after_a_much_larger_one_keeps_its_precision(weight: float) -> None:
    """A restart inside a block: the small series must not inherit the large one's rounding error
    (it would, were its prefix sums taken as the block's less those before the restart)."""
    rng = np.random.default_rng(5)
    large, small = rng.normal(1e7, 1e6, size=20).tolist(), rng.normal(1e-3, 1e-4, size=50).tolist()
    values = large + small
    got = ema_segments(np.array(values), np.array([0, len(large)]), weight)
    assert_close(got[len(large):], ema(small, weight), 0.0)


def test_a_million_values_agree_with_the_reference() -> None:
    """Rounding must not pile up over ~50 blocks at w = 0.999: positive data, so relative error alone."""
    rng = np.random.default_rng(7)
    n = 10**6
    array = 1.0 + np.exp(-np.arange(n) / 2e5) + 0.3 * rng.random(n)
    array[rng.random(n) < 0.01] = np.nan
    values = array.tolist()
    got = ema_array(array, 0.999)
    assert_close(got, ema(values, 0.999), 0.0)
    starts = [0, 1234, 500_000, 999_990]
    want, _ = reference_segments(values, starts, 0.999)
    assert_close(ema_segments(array, np.array(starts), 0.999), want, 0.0)


def test_many_short_series() -> None:
    rng = np.random.default_rng(11)
    lengths = rng.integers(0, 21, size=20_000)
    array = rng.normal(size=int(lengths.sum())).cumsum()
    array[rng.random(array.size) < 0.05] = np.inf
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    ends = np.cumsum(lengths)
    for k in range(0, lengths.size, 97):  # some constant and some all-missing series among them
        array[starts[k]:ends[k]] = 4.0 if k % 2 else np.nan
    values = array.tolist()
    for weight in (0.6, 0.99):
        want, scale = reference_segments(values, starts.tolist(), weight)
        assert_close(ema_segments(array, starts, weight), want, scale)


@pytest.mark.parametrize("weight", [0.5, 0.999])
def test_values_near_the_float64_limit_do_not_overflow(weight: float) -> None:
    rng = np.random.default_rng(3)
    array = rng.uniform(-1.0, 1.0, size=5000) * 1.79e308
    values = array.tolist()
    got = ema_array(array, weight)
    assert np.isfinite(got).all()
    assert_close(got, ema(values, weight), magnitude(values))


@pytest.mark.parametrize("weight", [-0.01, 1.0000001, math.nan, math.inf])
def test_a_weight_outside_0_1_is_refused(weight: float) -> None:
    with pytest.raises(ValueError, match="weight"):
        ema_array(np.array([1.0, 2.0]), weight)
    with pytest.raises(ValueError, match="weight"):
        ema_segments(np.array([1.0, 2.0]), np.array([0]), weight)


@pytest.mark.parametrize("starts", [[], [1], [0, 2, 1], [0, 4], [0.0, 1.0], [[0]]])
def test_bad_starts_are_refused(starts: list[Any]) -> None:
    with pytest.raises(ValueError, match="starts"):
        ema_segments(np.array([1.0, 2.0, 3.0]), np.array(starts), 0.5)


def test_values_must_be_one_series() -> None:
    with pytest.raises(ValueError, match="one-dimensional"):
        ema_array(np.ones((2, 3)), 0.5)
