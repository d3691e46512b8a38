"""JSON Merge Patch (RFC 7386): the ``vega_lite:`` escape hatch of a spec.

A patch is a mapping laid over the compiled Vega-Lite: mappings merge key by key, ``null``
deletes a key, anything else (lists included) replaces the value. So nothing Vega-Lite can do
is out of reach, while the spec stays high-level.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["merge_patch"]


def merge_patch(target: Any, patch: Any) -> Any:
    """``target`` with ``patch`` applied; neither argument is modified."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
