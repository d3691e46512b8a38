"""render/background.py: the one thread-and-result helper the build's three overlaps share."""

from __future__ import annotations

import threading

import pytest

from chartspec.render.background import in_background


def test_the_call_runs_meanwhile_and_its_result_is_returned() -> None:
    started, release = threading.Event(), threading.Event()

    def work(a: int, b: int) -> int:
        started.set()
        release.wait(5)
        return a + b

    result = in_background("test-bg", work, 2, 3)
    assert started.wait(5)  # running before anyone asks for the result
    release.set()
    assert result() == 5


def test_an_error_is_raised_where_the_result_is_asked_for() -> None:
    def fail() -> None:
        raise KeyboardInterrupt  # a BaseException too: a Ctrl-C in the thread is not lost

    result = in_background("test-bg", fail)
    with pytest.raises(KeyboardInterrupt):
        result()
