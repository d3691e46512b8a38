"""data/timenice.py rounds a time extent as Vega's ``utc`` scale with ``nice: true`` does.

Vega itself is the oracle: a Vega spec with one ``utc`` scale per extent writes each scale's
domain into a text mark, and the domains must be the ones utc_nice computes, for extents from a
few milliseconds to centuries (every interval d3-time picks), before and after 1970.
"""

from __future__ import annotations

import random
import re

import vl_convert

from chartspec.data.timenice import utc_nice

_DAY = 86_400_000


def _vega_nice(extents: list[tuple[int, int]]) -> list[tuple[float, float]]:
    """Each extent's domain as Vega's nice ``utc`` scale draws it (epoch milliseconds)."""
    scales = [{"name": f"x{i}", "type": "utc", "domain": list(e), "range": [0, 600], "nice": True}
              for i, e in enumerate(extents)]
    text = " + ';' + ".join(f"toString(time(domain('x{i}')[0])) + ',' + toString(time(domain('x{i}')[1]))"
                            for i in range(len(extents)))
    svg = vl_convert.vega_to_svg({"width": 10, "height": 10, "scales": scales,
                                  "marks": [{"type": "text", "encode": {"enter": {"text": {"signal": text}}}}]})
    match = re.search(r"<text[^>]*>([^<]*)</text>", svg)
    assert match is not None
    return [(float(a), float(b)) for a, b in (part.split(",") for part in match.group(1).split(";"))]


def test_a_time_extent_is_rounded_to_the_interval_vega_picks() -> None:
    rng = random.Random(4)
    spans = [3, 700, 12_000, 90_000, 700_000, 3_600_000, 5 * 3_600_000, _DAY, 3 * _DAY, 9 * _DAY, 25 * _DAY,
             60 * _DAY, 200 * _DAY, 900 * _DAY, 5_000 * _DAY, 50_000 * _DAY]
    extents = []
    for span in spans:  # (every interval: milliseconds to years, two days on the epoch's even days)
        for _ in range(12):
            lo = rng.randint(-10**12, 2 * 10**12)
            extents.append((lo, lo + int(span * rng.uniform(0.4, 2.5)) + 1))
    extents.append((1_355_440_471_563, 1_357_363_661_372))  # 2012-12-13 23:14 to 2013-01-05: two days from Dec 12
    for extent, drawn in zip(extents, _vega_nice(extents), strict=True):
        assert utc_nice(*extent) == drawn, extent


def test_two_days_count_from_the_epoch_not_from_the_month() -> None:
    """d3-time's utcTickInterval counts days as unixDay: 2012-12-12 is day 15,686, an even one."""
    assert utc_nice(1_355_440_471_563, 1_357_363_661_372) == (1_355_270_400_000, 1_357_516_800_000)


def test_no_rounding_where_python_holds_no_date_or_the_extent_is_one_moment() -> None:
    assert utc_nice(-10**14, 10**13) is None  # before year 1
    assert utc_nice(1_767_225_600_000, 1_767_225_600_000) is None
