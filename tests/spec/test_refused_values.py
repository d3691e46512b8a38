"""Values the schema refuses are reported at their place, whatever the checks that run after it.

The data-aware checks run even after schema errors (so one run reports a misspelt key and a
misspelt field together); they must not trip over a value the schema has already refused
(``tick_step: 0`` divided by, ``tick_step: {}`` iterated, ``width: -1e308`` made an integer).
Every property of the axes, the layers and the chart is given each value below in turn.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

import chartspec
from chartspec.spec.schema import load_schema

BASE: dict[str, Any] = {
    "data": {"values": [{"step": 1, "loss": 2.0, "acc": 0.5, "run": "a"}, {"step": 2, "loss": 1.0, "acc": 0.7,
                                                                           "run": "b"}]},
    "x": {"field": "step"},
    "layers": [{"y": {"field": "loss"}}, {"y": {"field": "acc"}}],
}
ODD = [0, 0.0, -1, -1e308, 1e308, 1e-320, 2**63, "x", "", [], {}, None, True, [0, 0], [1e308, -1e308]]


def _places() -> list[tuple[tuple[Any, ...], str]]:
    schema = load_schema()
    defs = schema["$defs"]
    where: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        (("x",), {**defs["axisCommon"]["properties"], **defs["xAxis"].get("properties", {})}),
        (("layers", 0, "y"), {**defs["axisCommon"]["properties"], **defs["yAxis"].get("properties", {})}),
        (("layers", 0), defs["layer"]["properties"]),
        ((), schema["properties"]),
    ]
    return [(path, key) for path, props in where for key in props]


def _with(path: tuple[Any, ...], key: str, value: Any) -> str:
    spec = copy.deepcopy(BASE)
    node: Any = spec
    for step in path:
        node = node[step]
    node[key] = value
    return json.dumps(spec)


@pytest.mark.parametrize(("path", "key"), _places(), ids=lambda v: ".".join(map(str, v)) if isinstance(v, tuple)
                         else v)
def test_odd_values_compile_or_fail_located(path: tuple[Any, ...], key: str) -> None:
    for value in ODD:
        text = _with(path, key, value)
        try:
            chartspec.to_vegalite(chartspec.loads(text))
        except chartspec.ChartspecError as err:
            assert all(d.line > 0 for d in err.diagnostics if d.severity == "error"), (value, err.diagnostics)


@pytest.mark.parametrize("value", [0, 0.0, {}])
def test_refused_tick_step_is_the_one_error(value: Any) -> None:
    with pytest.raises(chartspec.SpecValidationError) as caught:
        chartspec.loads(_with(("x",), "tick_step", value))
    assert [(d.line, d.path[:2]) for d in caught.value.diagnostics] == [(1, ("x", "tick_step"))]
