"""Data files that are not regular files, and did-you-mean hints that keep the folder part."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import write_tree

import chartspec
from chartspec.errors import ChartspecError

SPEC = "data: {data}\nx: {{field: step}}\nlayers:\n  - y: {{field: loss}}\n"
FILES = "data: {{files: {data}}}\nx: {{field: step}}\nlayers:\n  - y: {{field: loss}}\n"
CSV = "step,loss\n0,2.3\n10,1.9\n"


def error_of(root: Path, spec: str) -> str:
    (root / "s.yaml").write_text(spec)
    with pytest.raises(ChartspecError) as caught:
        chartspec.load(root / "s.yaml")
    first = caught.value.first
    assert first.line == 1  # positioned at the data key
    return first.message + " | " + str(first.hint)


@pytest.mark.parametrize("template", [SPEC, FILES])
def test_a_data_file_that_is_a_named_pipe_is_named_as_such(tmp_path: Path, template: str) -> None:
    root = write_tree(tmp_path, {"chartspec.toml": ""})
    os.mkfifo(root / "x.csv")
    assert "x.csv is a named pipe, not a file" in error_of(root, template.format(data="x.csv"))


@pytest.mark.parametrize("template", [SPEC, FILES])
def test_a_data_folder_is_not_a_data_file(tmp_path: Path, template: str) -> None:
    root = write_tree(tmp_path, {"chartspec.toml": "", "data/m.csv": CSV})
    message = error_of(root, template.format(data="data"))
    assert "data is a folder, not a data file" in message and "did you mean" not in message


@pytest.mark.parametrize("template", [SPEC, FILES])
def test_did_you_mean_keeps_the_folder_of_the_path(tmp_path: Path, template: str) -> None:
    root = write_tree(tmp_path, {"chartspec.toml": "", "data/metrics.csv": CSV})
    assert "did you mean 'data/metrics.csv'?" in error_of(root, template.format(data="data/metric.csv"))
