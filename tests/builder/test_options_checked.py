"""BuildOptions from a script gets the same checks as the command line and chartspec.toml:
a wrong value is a UsageError naming it, never a traceback nor a build that fails every spec."""

from __future__ import annotations

import math
from typing import Any

import pytest

from chartspec import BuildOptions
from chartspec.errors import UsageError


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"jobs": -1}, "jobs must be between 0 and 256"),
    ({"jobs": 1000}, "jobs must be between 0 and 256"),
    ({"jobs": True}, "jobs must be between 0 and 256"),
    ({"jobs": 1.5}, "jobs must be between 0 and 256"),
    ({"scale": math.nan}, "scale must be between 0.1 and 10"),
    ({"scale": 0}, "scale must be between 0.1 and 10"),
    ({"timeout": math.inf}, "timeout must be more than 0 and at most 86400 seconds"),
    ({"timeout": 0}, "timeout must be more than 0 and at most 86400 seconds"),
    ({"formats": ["svg", 3]}, "unknown format 3"),
    ({"formats": "svg,gif"}, "unknown format 'gif'"),
    ({"ppi": 300, "scale": 2}, "give scale or ppi, not both"),
])
def test_odd_build_options_are_usage_errors(kwargs: dict[str, Any], expected: str) -> None:
    with pytest.raises(UsageError) as caught:
        BuildOptions(**kwargs)
    assert caught.value.first.message == expected


def test_sane_values_still_pass() -> None:
    options = BuildOptions(jobs=0, scale=10, timeout=86400, formats=("svg",))
    assert (options.jobs, options.scale, options.timeout, options.formats) == (0, 10, 86400, ("svg",))
    assert 1 <= BuildOptions().jobs <= 256  # the default (the CPU count) is inside the range too
