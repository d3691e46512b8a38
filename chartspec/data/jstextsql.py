"""JavaScript's number-to-text (``'p' + 0.5`` is ``'p0.5'``) in the engine's SQL.

A series named by a calculate (``'part ' + floor(datum.step / 500000)``) must be split in the
engine exactly as Vega names it, or two rows Vega puts in one series would be averaged apart (or
two series merged). ECMAScript's Number::toString takes the shortest digits that read back as the
same double (jsvalues.py's ``_number_text`` in Python), then writes them by the decimal exponent
``n`` (value = 0.d1..dk x 10^n): ``k <= n <= 21`` digits and zeros (``1e20`` is
``100000000000000000000``); ``0 < n <= 21`` a point inside; ``-6 < n <= 0`` ``0.`` and zeros;
else ``d.ddde+x`` (``1e21`` is ``1e+21``, ``1e-7`` is ``1e-7``). NaN, the infinities and both
zeros are ``NaN``, ``Infinity``, ``-Infinity`` and ``0``.

The engine's cast of a DOUBLE to text gives those same shortest digits in Python's layout
(``1e-07``, ``1.2345678901234568e+20``, ``100.0``: fixed from 1e-4 to below 1e16); the SQL below
rewrites what JavaScript lays out otherwise (the ``.0``, exponents 16 to 20 and -5 to -6, and the
exponent's padding). tests/data/test_jstextsql.py compares it with
jsvalues.py on edge cases and random doubles.
"""

from __future__ import annotations

__all__ = ["number_text_sql"]


def number_text_sql(x: str) -> str:
    """The SQL text of JavaScript's ``String(x)`` for ``x``, SQL of a DOUBLE that is never NULL."""
    r = f"CAST(abs({x}) AS VARCHAR)"  # Python's layout: fixed from 1e-4 to 1e16, else d.ddde±XX
    e = f"CAST(split_part({r}, 'e', 2) AS INTEGER)"
    digits = f"replace(split_part({r}, 'e', 1), '.', '')"
    laid = (f"(CASE WHEN NOT contains({r}, 'e') THEN regexp_replace({r}, '\\.0$', '') "  # 100.0 -> 100
            f"WHEN {e} BETWEEN 16 AND 20 THEN {digits} || repeat('0', {e} + 1 - length({digits})) "  # 1e20
            f"WHEN {e} BETWEEN -6 AND -5 THEN '0.' || repeat('0', -{e} - 1) || {digits} "  # 0.000001
            f"ELSE regexp_replace({r}, 'e([+-])0*', 'e\\1') END)")  # 1e-07 -> 1e-7
    return (f"(CASE WHEN isnan({x}) THEN 'NaN' WHEN isinf({x}) THEN (CASE WHEN {x} > 0 THEN 'Infinity' "
            f"ELSE '-Infinity' END) WHEN {x} = 0 THEN '0' ELSE (CASE WHEN {x} < 0 THEN '-' ELSE '' END) || {laid} END)")
