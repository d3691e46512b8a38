"""Number formats as people write them, made to mean what they say on an axis.

A d3 format without a type letter (``,``, ``.2``, ``$,``) is d3's "none" type: significant digits,
in exponent notation as soon as a number has more digits than the precision. On an axis Vega asks
d3 for a precision fitted to the tick step (one digit for ticks 1,000 apart), so ``,`` labels
9,000 as ``9e+3``. Such a format gets the type ``r`` with ``~``: the same significant digits in
plain notation, trailing zeros trimmed, so ``,`` labels 9,000 as ``9,000`` and ``.2`` writes
``9000``. Formats with a type (``.1f``, ``~s``, ``.0%``, ``,d``) are left as written.
"""

from __future__ import annotations

from ..spec.numformat import D3_NUMBER_FORMAT

__all__ = ["axis_number_format"]

_SPECIFIER = D3_NUMBER_FORMAT  # d3-format's specifier, as the spec's checks read it


def axis_number_format(fmt: str) -> str:
    """``fmt`` for tick labels: a format with no type letter gets ``~r``; others unchanged."""
    match = _SPECIFIER.match(fmt)
    if match is None or match.group(10):
        return fmt  # not a d3 number format (a time format on a temporal axis), or the type is chosen
    return fmt + ("r" if match.group(9) else "~r")
