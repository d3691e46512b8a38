"""What every compile step shares: the Vega-Lite version and schema, field references, the patch.

``vega_lite:`` on a spec is a JSON Merge Patch (RFC 7386) laid over the compiled Vega-Lite;
:func:`apply_patch` checks the result against the official Vega-Lite schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..data.loaded import Spec

VEGA_LITE_VERSION = "6.4"
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"


def apply_patch(vl: dict[str, Any], spec: Spec) -> dict[str, Any]:
    """Lay the spec's ``vega_lite:`` patch over ``vl``; the result must still be valid Vega-Lite."""
    from ..errors import CompileError
    from ..spec.suggest import did_you_mean
    from ..spec.vegalite_schema import vega_lite_errors
    from .patch import merge_patch

    patched = merge_patch(vl, spec.model.vega_lite)
    problems = []
    for error in vega_lite_errors(patched):
        where = ("vega_lite", *error.absolute_path)
        known = where if where in spec.source.values else ("vega_lite",)
        location = "/".join(map(str, error.absolute_path)) or "(top level)"
        hint = None
        if error.validator == "enum" and isinstance(error.instance, str):
            hint = did_you_mean(error.instance, map(str, error.validator_value))
        message = (f"{error.instance!r} is not a valid value" if error.validator == "enum" else error.message[:200])
        problems.append(spec.source.diagnostic(
            f"the patched Vega-Lite is invalid at {location}: {message}", known,
            hint=hint or "'vega_lite' is merged into the compiled Vega-Lite (RFC 7386); see the Vega-Lite docs"))
    if problems:
        raise CompileError(sorted(problems, key=lambda d: (d.line, d.column)))
    return patched


def field_ref(name: str) -> str:
    """Escape a column name so Vega-Lite does not read dots and brackets as nested access."""
    return name.replace("\\", "\\\\").replace(".", "\\.").replace("[", "\\[").replace("]", "\\]")
