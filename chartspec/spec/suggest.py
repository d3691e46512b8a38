"""'Did you mean' hints."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice nearest to ``word``, if any is near enough to be a likely typo."""
    options = [c for c in choices if isinstance(c, str)]
    lowered = {c.lower(): c for c in options}
    if word.lower() in lowered:
        return lowered[word.lower()]
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return match[0] if match else None


def did_you_mean(word: str, choices: Iterable[str], *, what: str = "") -> str | None:
    options = sorted({c for c in choices if isinstance(c, str)})
    match = closest(word, options)
    if match is not None:
        return f"did you mean {match!r}?"
    if options and len(options) <= 12:
        return f"expected {what + ', ' if what else ''}one of: {', '.join(options)}"
    return None
