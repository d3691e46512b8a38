"""Large inline tables kept out of the Vega-Lite compiler: it is handed a stand-in row per table,
and the Vega spec it returns gets the rows back before Vega draws.

Vega-Lite's compiler copies a spec's inline ``values`` (and vl-convert hands them from Python to
JavaScript once for it and once more for Vega): for a reduced large chart (12,000-36,000 rows)
that is a quarter of the draw (0.1 s of ~0.5-0.85 s of CPU here). The compiled Vega does not
depend on the rows: Vega-Lite names the table and passes the rows on as they are. Tables equal
to each other share one stand-in, as Vega-Lite merges equal tables into one dataset.
:func:`with_tables` refuses (returns False) any Vega spec where a stand-in is not found exactly
where a dataset's ``values`` should be, and the caller draws the whole spec instead.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MIN_ROWS", "at_rest", "with_tables", "without_tables"]

#: below this many inline rows in all, the spec is drawn in one call (nothing to gain)
MIN_ROWS = 2000
_KEY = "__chartspec_table"


def without_tables(vl: dict[str, Any]) -> tuple[dict[str, Any], list[list[Any]]]:
    """``vl`` with each inline table (``data: {values: [...]}`` at any depth) replaced by one
    stand-in row, and the tables by stand-in number; ``(vl, [])`` when they hold fewer than
    :data:`MIN_ROWS` rows in all (``vl`` itself, untouched)."""
    tables: list[list[Any]] = []

    def table_number(rows: list[Any]) -> int:
        for i, known in enumerate(tables):  # equal tables: Vega-Lite makes them one dataset
            if known is rows or (len(known) == len(rows) and known == rows):
                return i
        tables.append(rows)
        return len(tables) - 1

    def walk(item: Any) -> Any:
        if isinstance(item, dict):
            out = {}
            for key, value in item.items():
                if key == "data" and isinstance(value, dict) and isinstance(value.get("values"), list):
                    out[key] = {**value, "values": [{_KEY: table_number(value["values"])}]}
                else:
                    out[key] = walk(value)
            return out
        if isinstance(item, list):
            return [walk(value) for value in item]
        return item

    light = walk(vl)
    if sum(len(rows) for rows in tables) < MIN_ROWS:
        return vl, []
    return light, tables


def with_tables(vega: dict[str, Any], tables: list[list[Any]]) -> bool:
    """Put ``tables`` back into the Vega spec compiled from :func:`without_tables`' output, in
    place; False when the stand-ins are not each found once as a dataset's whole ``values``."""
    found: dict[int, dict[str, Any]] = {}
    for dataset in vega.get("data", ()):
        values = dataset.get("values") if isinstance(dataset, dict) else None
        if isinstance(values, list) and len(values) == 1 and isinstance(values[0], dict) and _KEY in values[0]:
            number = values[0][_KEY]
            if len(values[0]) != 1 or not isinstance(number, int) or number in found or not 0 <= number < len(tables):
                return False
            found[number] = dataset
    if len(found) != len(tables) or _KEY in _text_of(vega):
        return False  # a stand-in elsewhere (nested marks' data, a transform): not ours to place
    for number, dataset in found.items():
        dataset["values"] = tables[number]
    return True


def _text_of(vega: dict[str, Any]) -> str:
    """The Vega spec without its datasets' values, as text (where a stand-in must not be)."""
    import json

    rest = {**vega, "data": [{k: v for k, v in d.items() if k != "values"} if isinstance(d, dict) else d
                             for d in vega.get("data", ())]}
    return json.dumps(rest, default=str)


def at_rest(vega: dict[str, Any]) -> dict[str, Any]:
    """The compiled Vega spec without its marks' ``tooltip`` encodings, in place: an image has no
    pointer to show them to, and Vega evaluates one per scene item (an object and a ``format``
    call per field for each row): 10-15 MB of the renderer's heap and ~10 % of its time for a
    reduced 24,000-row chart. Vega's SVG renderer does not write tooltips, so the SVG is the same
    bytes (tests/render/test_vegadata.py). Descriptions stay: screen readers get them."""
    stack: list[Any] = [vega]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            encode = node.get("encode") if "type" in node else None
            if isinstance(encode, dict):
                for channels in encode.values():
                    if isinstance(channels, dict):
                        channels.pop("tooltip", None)
            stack.extend(value for key, value in node.items() if key not in ("data", "values"))
        elif isinstance(node, list):
            stack.extend(node)
    return vega
