"""JavaScript's values in Python, and the functions of Vega's expression language, for vegaexpr.py.

``+`` joins text, ``==`` converts, a missing field is ``undefined``, numbers print as JavaScript
prints them (``js_string``); the functions are Vega's (``vega-functions``: math, text, the UTC date
parts), with the same results on the same inputs. Sources: the ECMAScript specification's
abstract operations (ToNumber, ToString, IsLooselyEqual) and Vega's expression documentation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any


class Unsupported(Exception):
    """Raised for what the Python evaluator does not cover: the caller then knows nothing, never guesses."""


class HalfCharacter(Unsupported):
    """A text cut between the two UTF-16 halves of a character past U+FFFF (an emoji): Vega holds
    it, but vl-convert cannot draw it (its text measuring fails on the lone surrogate)."""


class _Undefined:
    def __repr__(self) -> str:
        return "undefined"


__all__ = ["UNDEFINED", "HalfCharacter", "Unsupported", "from_units", "is_number", "js_string", "string_to_number", "to_number", "truthy",
           "utf16_units"]
UNDEFINED: Any = _Undefined()


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def to_number(v: Any) -> float:
    if v is None:
        return 0.0
    if v is UNDEFINED:
        return math.nan
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if is_number(v):
        return float(v)
    if isinstance(v, str):
        return string_to_number(v)
    return math.nan


#: ECMAScript's WhiteSpace and LineTerminator, what ToNumber trims (not Python's str.strip set)
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
_DECIMAL = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|Infinity)")
_RADIX = {"x": (16, re.compile(r"[0-9a-fA-F]+")), "o": (8, re.compile(r"[0-7]+")), "b": (2, re.compile(r"[01]+"))}


def string_to_number(text: str) -> float:
    """ECMAScript's StringToNumber: trimmed; empty is 0; a decimal literal (signed, ``Infinity``),
    or an unsigned ``0x``/``0o``/``0b`` integer; anything else NaN (``'0x3'`` is 3, ``'-0x3'`` NaN)."""
    s = text.strip(_JS_SPACE)
    if not s:
        return 0.0
    if _DECIMAL.fullmatch(s):
        return float(s.replace("Infinity", "inf"))
    if len(s) > 2 and s[0] == "0" and s[1].lower() in _RADIX:
        base, digits = _RADIX[s[1].lower()]
        if digits.fullmatch(s[2:]):
            try:
                return float(int(s[2:], base))  # int -> float rounds to nearest, ties to even, as JavaScript
            except OverflowError:
                return math.inf
    return math.nan


def truthy(v: Any) -> bool:
    if v is None or v is UNDEFINED:
        return False
    if is_number(v):
        return not (v == 0 or math.isnan(v))
    if isinstance(v, str):
        return v != ""
    return bool(v)


def _number_text(x: float) -> str:
    """A number as JavaScript's ``String(x)`` writes it (ECMA-262 Number::toString)."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = k + int(exponent)  # the value is 0.DIGITS x 10^n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mantissa}e{'+' if e > 0 else '-'}{abs(e)}"


def js_string(v: Any) -> str:
    if v is None:
        return "null"
    if v is UNDEFINED:
        return "undefined"
    if isinstance(v, bool):
        return "true" if v else "false"
    if is_number(v):
        return _number_text(float(v))
    if isinstance(v, list):
        return ",".join("" if i is None or i is UNDEFINED else js_string(i) for i in v)
    return str(v)


def add(a: Any, b: Any) -> Any:
    if isinstance(a, (str, list)) or isinstance(b, (str, list)):
        return js_string(a) + js_string(b)
    return to_number(a) + to_number(b)


def divide(a: Any, b: Any) -> float:
    x, y = to_number(a), to_number(b)
    if y == 0:
        if x == 0 or math.isnan(x):
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1, y)
    return x / y


def modulo(a: Any, b: Any) -> float:
    x, y = to_number(a), to_number(b)
    if y == 0 or math.isinf(x) or math.isnan(x) or math.isnan(y):
        return math.nan
    return math.fmod(x, y) if not math.isinf(y) else x


def strict_equal(a: Any, b: Any) -> bool:
    if is_number(a) and is_number(b):
        return float(a) == float(b)
    if type(a) is not type(b):
        return False
    return bool(a == b) if not isinstance(a, (list, dict)) else a is b


def loose_equal(a: Any, b: Any) -> bool:
    nullish = (None, UNDEFINED)
    if a in nullish or b in nullish:
        return a in nullish and b in nullish
    if type(a) is type(b) or (is_number(a) and is_number(b)):
        return strict_equal(a, b)
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        raise Unsupported("== with an object")
    return to_number(a) == to_number(b)


def compare(op: str, a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        x: Any = a.encode("utf-16-be")  # JavaScript compares UTF-16 code units
        y: Any = b.encode("utf-16-be")
    else:
        x, y = to_number(a), to_number(b)
        if math.isnan(x) or math.isnan(y):
            return False
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def _round(x: Any) -> float:
    """JavaScript's Math.round: the nearest integer, halves up, the sign of a zero kept (-0.4 -> -0).
    ``floor(n + 0.5)`` would be wrong where the addition rounds (0.49999999999999994, 2**52 + 1);
    ``n - floor(n)`` is exact, so the test on it is too."""
    n = to_number(x)
    if not math.isfinite(n):
        return n
    low = float(math.floor(n))
    return math.copysign(low + 1 if n - low >= 0.5 else low, n)


def _math(fn: Callable[..., float]) -> Callable[..., float]:
    def run(*args: Any) -> float:
        try:
            return fn(*(to_number(a) for a in args))
        except (ValueError, OverflowError):
            return math.nan
    return run


def _pow(x: float, y: float) -> float:
    if math.isnan(y) or (abs(x) == 1 and math.isinf(y)):
        return math.nan  # JavaScript: 1 ** NaN and 1 ** Infinity are NaN (Python says 1)
    try:
        return math.pow(x, y)
    except OverflowError:
        return -math.inf if x < 0 and y.is_integer() and y % 2 == 1 else math.inf
    except ValueError:
        if x == 0 and y < 0:
            return -math.inf if math.copysign(1, x) < 0 and y.is_integer() and y % 2 == 1 else math.inf
        return math.nan


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _whole(fn: Callable[[float], float]) -> Callable[[float], float]:
    # floor(Infinity) is Infinity; the result has the argument's sign (ceil(-0.5) is -0)
    return lambda x: x if not math.isfinite(x) else math.copysign(float(fn(x)), x)


def _clamp(v: Any, lo: Any, hi: Any) -> float:
    return _max(lo, _min(hi, v))  # Vega: Math.max(lo, Math.min(hi, v))


def _log(x: float) -> float:
    return -math.inf if x == 0 else math.nan if x < 0 or math.isnan(x) else math.log(x)


def _sqrt(x: float) -> float:
    return math.nan if x < 0 or math.isnan(x) else math.sqrt(x)


def _extreme(pick: Callable[..., float], empty: float) -> Callable[..., float]:
    """Math.min / Math.max: NaN if any argument is NaN; -0 is less than +0."""
    def run(*args: Any) -> float:
        values = [to_number(a) for a in args]
        if any(math.isnan(v) for v in values):
            return math.nan
        return pick(values, key=lambda v: (v, math.copysign(1.0, v))) if values else empty
    return run


_min, _max = _extreme(min, math.inf), _extreme(max, -math.inf)


def utf16_units(text: str) -> str:
    """``text`` as JavaScript holds it: each character past U+FFFF (an emoji) as its two UTF-16
    surrogates, so ``len``, indexes and regular expressions count what JavaScript counts."""
    if text.isascii() or max(text) <= "\uffff":
        return text
    return "".join(c if c <= "\uffff" else chr(0xD800 + ((ord(c) - 0x10000) >> 10)) + chr(0xDC00 + (ord(c) & 0x3FF))
                   for c in text)


def from_units(units: str) -> str:
    """The text of UTF-16 ``units`` (pairs joined again); a lone surrogate (half an emoji cut off)
    is no text Python can write out: Unsupported."""
    try:
        return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        raise HalfCharacter("half a character past U+FFFF") from None


def _substring(s: Any, start: Any, end: Any = UNDEFINED) -> str:
    text = utf16_units(js_string(s))  # JavaScript's indexes count UTF-16 units
    a = to_number(start)
    b = len(text) if end is UNDEFINED else to_number(end)
    a = 0 if math.isnan(a) else int(min(max(a, 0), len(text)))
    b = 0 if math.isnan(b) else int(min(max(b, 0), len(text)))
    return from_units(text[min(a, b):max(a, b)])


def _blank(v: Any) -> bool:
    return v is None or v is UNDEFINED or v == ""  # what vega-util's toString/toNumber/toBoolean make null


def _to_string(v: Any) -> Any:
    return None if _blank(v) else js_string(v)


def _to_number(v: Any) -> Any:
    return None if _blank(v) else to_number(v)


def _to_boolean(v: Any) -> Any:
    return None if _blank(v) else False if v in ("false", "0") else truthy(v)


def _is_valid(v: Any) -> bool:
    return v is not None and v is not UNDEFINED and not (is_number(v) and math.isnan(v))


def _length(v: Any) -> Any:
    if isinstance(v, (str, list)):
        return float(len(utf16_units(v)) if isinstance(v, str) else len(v))
    if v is None or v is UNDEFINED:
        raise Unsupported("length of null")  # Vega throws
    return UNDEFINED


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _utc(part: Callable[[datetime, int], float], invalid: float = math.nan) -> Callable[[Any], float]:
    """A Vega ``utc*`` date function: a part of the UTC date at epoch milliseconds ``v``.

    Dates in the data are parsed to epoch milliseconds (sources.py), so numbers are what arrives;
    text would need JavaScript's date parser, so it is refused. The local-time functions (``year``,
    ``month``, ...) depend on the reader's time zone and are not offered at all."""
    def run(v: Any) -> float:
        if isinstance(v, str):
            raise Unsupported("a date written as text")
        n = to_number(v)  # null is 0, the epoch, as in new Date(null)
        if not math.isfinite(n) or abs(n) > 8.64e15:
            return invalid
        ms = math.trunc(n)
        try:
            moment = _EPOCH + timedelta(milliseconds=ms)
        except OverflowError:
            raise Unsupported("a date outside Python's years") from None
        return float(part(moment, ms))
    return run


_DATE_PARTS: dict[str, Callable[[datetime, int], float]] = {
    "utcyear": lambda d, ms: d.year, "utcquarter": lambda d, ms: (d.month - 1) // 3 + 1,
    "utcmonth": lambda d, ms: d.month - 1, "utcdate": lambda d, ms: d.day,
    "utcday": lambda d, ms: (d.weekday() + 1) % 7, "utcdayofyear": lambda d, ms: d.timetuple().tm_yday,
    "utchours": lambda d, ms: d.hour, "utcminutes": lambda d, ms: d.minute, "utcseconds": lambda d, ms: d.second,
    "utcmilliseconds": lambda d, ms: ms % 1000, "time": lambda d, ms: ms,
}


#: what JavaScript's trim() strips (WhiteSpace and LineTerminator): Python's strip() also takes
#: \x1c-\x1f and \x85, and leaves \ufeff
_JS_SPACE = "\t\n\x0b\x0c\r \xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000\ufeff"


FUNCTIONS: dict[str, Callable[..., Any]] = {
    **{name: _utc(part) for name, part in _DATE_PARTS.items()},
    "utcquarter": _utc(_DATE_PARTS["utcquarter"], invalid=1.0),  # Vega: 1 + ~~(NaN / 3), so 1
    "abs": _math(abs), "ceil": _math(_whole(math.ceil)), "floor": _math(_whole(math.floor)), "round": _round,
    "sqrt": _math(_sqrt), "exp": _math(_exp), "log": _math(_log), "pow": _math(_pow),
    "sin": _math(math.sin), "cos": _math(math.cos), "tan": _math(math.tan), "atan": _math(math.atan),
    "atan2": _math(math.atan2), "min": _min, "max": _max,
    "clamp": _clamp,
    "isValid": _is_valid,  # Vega's isNaN / isFinite are Number.isNaN / Number.isFinite: no conversion
    "isNaN": lambda v: is_number(v) and math.isnan(v), "isFinite": lambda v: is_number(v) and math.isfinite(v),
    "isNumber": lambda v: is_number(v), "isString": lambda v: isinstance(v, str),
    "isBoolean": lambda v: isinstance(v, bool),
    "toNumber": _to_number, "toString": _to_string, "toBoolean": _to_boolean,
    "upper": lambda s: js_string(s).upper(), "lower": lambda s: js_string(s).lower(),
    "trim": lambda s: js_string(s).strip(_JS_SPACE), "length": _length, "substring": _substring,
    "if": lambda test, a, b: a if truthy(test) else b,
}


CONSTANTS = {"PI": math.pi, "E": math.e, "LN2": math.log(2), "LN10": math.log(10), "LOG2E": 1 / math.log(2),
              "LOG10E": 1 / math.log(10), "SQRT2": math.sqrt(2), "SQRT1_2": math.sqrt(0.5),
              "NaN": math.nan, "Infinity": math.inf, "true": True, "false": False, "null": None}
