"""The columns each plain Vega-Lite transform makes, as Vega writes them. The missing-field check
(data/plainfields.py) refused valid charts: a regression's ``params`` rows (``coef``, ``rSquared``),
a stack's or bin's ``v_end`` beside a string ``as: v``, a time unit's ``h_end``. Each valid chart
below renders with vl-convert, its last field drawn (so the field exists), and passes the check;
a misspelt field after the same transforms is still an error. After a transform or an option the
check does not model, it stops: no error it cannot be sure of."""

from __future__ import annotations

import json
from typing import Any

import pytest
import vl_convert as vlc
from svgchart import parse_svg

from chartspec.data.plainfields import missing_fields
from chartspec.spec.yamlload import load_yaml

ROWS = [{"step": s, "loss": 1 / (s + 1) + s % 3 / 10, "run": "ab"[s % 2], "t": f"2024-03-0{1 + s % 5}T0{s % 9}:00:00",
         "xs": [s, s + 1]} for s in range(12)]

VALID: dict[str, tuple[list[dict[str, Any]], str]] = {  # transforms, and the field the chart then draws
    "regression params": ([{"regression": "loss", "on": "step", "params": True},
                           {"joinaggregate": [{"op": "max", "field": "rSquared", "as": "best"}]}], "best"),
    "regression params by run": ([{"regression": "loss", "on": "step", "params": True, "groupby": ["run"]},
                                  {"aggregate": [{"op": "count", "field": "keys", "as": "n"}]}], "n"),
    "stack as one name": ([{"stack": "loss", "groupby": ["step"], "as": "v"},
                           {"window": [{"op": "max", "field": "v_end", "as": "top"}]}], "top"),
    "bin as one name": ([{"bin": True, "field": "loss", "as": "b"},
                         {"joinaggregate": [{"op": "min", "field": "b_end", "as": "e"}]}], "e"),
    "time unit end": ([{"timeUnit": "hours", "field": "t", "as": "h"},
                       {"aggregate": [{"op": "max", "field": "h_end", "as": "n"}], "groupby": ["h"]}], "n"),
    "quantile defaults": ([{"quantile": "loss", "groupby": ["run"]},
                           {"window": [{"op": "sum", "field": "prob", "as": "c"}], "groupby": ["run"]}], "value"),
    "density defaults": ([{"density": "loss", "counts": True},
                          {"joinaggregate": [{"op": "max", "field": "density", "as": "m"}]}], "value"),
    "fold defaults": ([{"fold": ["loss", "step"]}, {"aggregate": [{"op": "mean", "field": "value", "as": "m"}],
                                                    "groupby": ["key"]}], "m"),
    "loess names": ([{"loess": "loss", "on": "step", "groupby": ["run"]},
                     {"joinaggregate": [{"op": "max", "field": "loss", "as": "m"}], "groupby": ["run"]}], "step"),
    "flatten as": ([{"flatten": ["xs"], "as": ["x"]},
                    {"joinaggregate": [{"op": "max", "field": "x", "as": "m"}]}], "m"),
    # Vega names an operation without "as" after it ("count", "rank"): not modelled, so not checked
    "unnamed operations": ([{"aggregate": [{"op": "count"}], "groupby": ["run"]},
                            {"window": [{"op": "sum", "field": "count", "as": "c"}]}], "c"),
    # count of every row: the field "*" names no column (breaker14)
    "count star": ([{"aggregate": [{"op": "count", "field": "*", "as": "n"}], "groupby": ["run"]}], "n"),
    "count star joined": ([{"joinaggregate": [{"op": "count", "field": "*", "as": "n"}]}], "n"),
    "count star window": ([{"window": [{"op": "count", "field": "*", "as": "n"}]}], "n"),
    "unnamed window": ([{"window": [{"op": "rank"}]}, {"joinaggregate": [{"op": "max", "field": "rank", "as": "r"}]}],
                       "r"),
}


def _chart(transforms: list[dict[str, Any]], field: str) -> dict[str, Any]:
    return {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "data": {"values": ROWS},
            "transform": transforms, "mark": "point",
            "encoding": {"x": {"field": field, "type": "quantitative"}, "y": {"value": 10}}}


def _missing(vl: dict[str, Any]) -> list[str]:
    doc = load_yaml(json.dumps(vl, indent=1), "f.vl.json")
    return [d.message for d in missing_fields(doc.data, doc.source)]


@pytest.mark.parametrize("case", VALID)
def test_fields_a_transform_makes_are_known(case: str) -> None:
    vl = _chart(*VALID[case])
    assert _missing(vl) == []
    assert parse_svg(vlc.vegalite_to_svg(vl)).by_role("mark", "symbol")  # points drawn: the field is there


@pytest.mark.parametrize(("case", "typo", "kind"), [
    ("regression params", "rSqaured", "joinaggregate"),
    ("stack as one name", "v_edn", "window"),
    ("bin as one name", "b_ned", "joinaggregate"),
    ("time unit end", "h_edn", "aggregate"),
    ("quantile defaults", "porb", "window"),
    ("density defaults", "densty", "joinaggregate"),
    ("fold defaults", "vlaue", "aggregate"),
    ("flatten as", "xx", "joinaggregate"),
])
def test_a_misspelt_field_after_them_is_still_an_error(case: str, typo: str, kind: str) -> None:
    transforms, field = VALID[case]
    right = {"rSqaured": "rSquared", "v_edn": "v_end", "b_ned": "b_end", "h_edn": "h_end", "porb": "prob",
             "densty": "density", "vlaue": "value", "xx": "x"}[typo]
    text = json.dumps(transforms)
    broken = json.loads(text.replace(f'"field": "{right}"', f'"field": "{typo}"'))
    assert broken != transforms
    assert _missing(_chart(broken, field)) == [f"field {typo!r} is not in the data of this {kind} transform"]


@pytest.mark.parametrize("unmodelled", [
    {"calculate": "1", "as": "c", "someday": True},  # an option this check does not know
    {"flatten": ["xs.0"]},  # how Vega names a nested path's output
    {"pivot": "run", "value": "loss"},
    {"stack": "loss", "groupby": ["step"], "as": ["only"]},  # not a start and an end
])
def test_after_what_is_not_modelled_nothing_is_checked(unmodelled: dict[str, Any]) -> None:
    vl = _chart([unmodelled, {"aggregate": [{"op": "max", "field": "nothing", "as": "m"}]}], "m")
    assert _missing(vl) == []
