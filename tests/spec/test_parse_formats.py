"""A ``parse`` format that is no strftime format is the spec's mistake (breakfix3): reported at the
format, before any row is read, not as 'row 1 ... is not a date in format' blaming the data; ``%s``
(epoch seconds) gets a hint for the transform that reads epoch seconds."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

import chartspec
from chartspec.errors import ChartspecError


def _errors(tmp_path: Path, parse: str, data: str = "e.csv") -> list[str]:
    write_tree(tmp_path, {"chartspec.toml": "", "e.csv": "date,loss\n1700000000,1\n1700000060,2\n",
                          "chart.yaml": f"data: {{path: {data}, parse: {{date: \"{parse}\"}}}}\n"
                          "x: {field: date, type: temporal}\nlayers: [{mark: line, y: {field: loss}}]\n"})
    with pytest.raises(ChartspecError) as caught:
        chartspec.load(tmp_path / "chart.yaml")
    return [d.format().replace(str(tmp_path) + "/", "") for d in caught.value.diagnostics]


def test_epoch_seconds_format_is_a_format_error_with_a_hint(tmp_path: Path) -> None:
    assert _errors(tmp_path, "%s") == [
        "chart.yaml:1:35: error: parse format '%s' of field 'date' is not a date format: 's' is a bad directive "
        "in format '%s'\n  hint: numbers in a temporal field are already times, in epoch milliseconds: for epoch "
        "seconds drop the parse and add 'transform: [{calculate: \"datum.date * 1000\", as: time}]', then plot "
        "'time' with type: temporal"]


@pytest.mark.parametrize("fmt", ["%Y-%m-%d %", "%Q"])
def test_a_bad_format_is_reported_before_the_rows_are_read(tmp_path: Path, fmt: str) -> None:
    found = _errors(tmp_path, fmt, data="missing.csv")  # the file is never opened: only the format is wrong
    assert len(found) == 1 and found[0].startswith(f"chart.yaml:1:41: error: parse format {fmt!r} of field 'date' "
                                                   "is not a date format"), found
    assert "strftime codes" in found[0]
