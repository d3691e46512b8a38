"""The names a Vega expression may use, as the Vega that chartspec renders with defines them.

Read from Vega's sources at the version vl-convert bundles (:data:`VEGA_VERSION`; a test compares
it with the installed vl-convert, so an upgrade makes someone read these lists again):
vega-expression's ``constants.js`` and ``functions.js``, and vega-functions' ``codegen.js`` (its
function context, the event functions and the functions registered with ``expressionFunction``).

- Any other name than a constant, ``datum``, ``event`` or ``item`` is read as a signal (a param),
  which the view must define ("Unrecognized signal name").
- Only these functions can be called, and only by name: ``x.f()`` is refused ("Illegal callee").
- ``_`` is reserved; object keys may not be the names of ``Object.prototype``'s methods.
"""

from __future__ import annotations

__all__ = ["ALLOWED", "CONSTANTS", "FORBIDDEN_KEYS", "FUNCTIONS", "JS_GLOBALS", "LITERAL_ARGUMENTS",
           "THREE_ARGUMENTS", "VEGA_VERSION"]

#: the Vega release these lists were read from (vl_convert.get_vega_version())
VEGA_VERSION = "6.2.0"

CONSTANTS = frozenset({"NaN", "E", "LN2", "LN10", "LOG2E", "LOG10E", "PI", "SQRT1_2", "SQRT2", "MIN_VALUE",
                       "MAX_VALUE"})

#: names every expression may read (``event`` and ``item`` are undefined outside event handlers and
#: encoders: Vega accepts them and fails, or not, when the expression runs)
ALLOWED = frozenset({"datum", "event", "item"})

_EXPRESSION = """isNaN isFinite abs acos asin atan atan2 ceil cos exp floor hypot log max min pow random round
    sin sqrt tan clamp now utc datetime date day year month hours minutes seconds milliseconds time
    timezoneoffset utcdate utcday utcyear utcmonth utchours utcminutes utcseconds utcmilliseconds length
    parseFloat parseInt upper lower substring split trim btoa atob regexp test if"""
_EVENTS = "view item group xy x y"
_CONTEXT = """random cumulativeNormal cumulativeLogNormal cumulativeUniform densityNormal densityLogNormal
    densityUniform quantileNormal quantileLogNormal quantileUniform sampleNormal sampleLogNormal sampleUniform
    isArray isBoolean isDate isDefined isNumber isObject isRegExp isString isTuple isValid toBoolean toDate
    toNumber toString indexof join lastindexof replace reverse sort slice flush lerp merge pad peek pluck span
    inrange truncate rgb lab hcl hsl luminance contrast sequence format utcFormat utcParse utcOffset
    utcSequence timeFormat timeParse timeOffset timeSequence timeUnitSpecifier monthFormat monthAbbrevFormat
    dayFormat dayAbbrevFormat quarter utcquarter week utcweek dayofyear utcdayofyear warn info debug extent
    inScope intersect clampRange pinchDistance pinchAngle screen containerSize windowSize bandspace setdata
    pathShape panLinear panLog panPow panSymlog zoomLinear zoomLog zoomPow zoomSymlog encode modify
    lassoAppend lassoPath intersectLasso"""
_REGISTERED = """bandwidth copy domain range invert scale gradient geoArea geoBounds geoCentroid geoShape
    geoScale indata data treePath treeAncestors vlSelectionTest vlSelectionIdTest vlSelectionResolve
    vlSelectionTuples _bandwidth _range _scale"""

FUNCTIONS = frozenset((_EXPRESSION + " " + _EVENTS + " " + _CONTEXT + " " + _REGISTERED).split())

#: functions whose code generator insists on exactly three arguments
THREE_ARGUMENTS = frozenset({"clamp", "if"})

#: functions whose first arguments must be written as literals (Vega reads them when it parses)
LITERAL_ARGUMENTS = {"data": 1, "treePath": 1, "treeAncestors": 1, "indata": 2, "vlSelectionTest": 1,
                     "vlSelectionIdTest": 1, "vlSelectionResolve": 1}

#: keys an object literal may not have: Object.prototype's methods and __proto__
FORBIDDEN_KEYS = frozenset({"constructor", "__defineGetter__", "__defineSetter__", "hasOwnProperty",
                            "__lookupGetter__", "__lookupSetter__", "isPrototypeOf", "propertyIsEnumerable",
                            "toString", "valueOf", "__proto__", "toLocaleString"})

#: JavaScript's globals, which a Vega expression cannot reach (a hint says so)
JS_GLOBALS = frozenset({"window", "document", "globalThis", "self", "Math", "Date", "JSON", "Number", "String",
                        "Object", "Array", "RegExp", "console", "eval", "Function", "fetch", "location",
                        "alert", "process", "require", "undefined", "Infinity"})
