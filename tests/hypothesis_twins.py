"""A property's default-suite case and its heavier twin in the slow suite.

The README's test command (the default suite) must stay within about 90 s on 2 cores. A property
written with a large example count runs there on a third of that count (at least the "ci"
profile's 25); the full count runs as a twin named ``<test>_full``, marked slow, so ``-m slow``
keeps the property's original strength. Under the derandomized "ci" profile both draw from the
same seed (hypothesis derives it from the property's code).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis.strategies import SearchStrategy

Test = Callable[..., None]


def twins(*strategies: SearchStrategy[Any], examples: int) -> Callable[[Test], Test]:
    """``@given(*strategies)`` on ``examples // 3`` examples (at least 25); the decorated test's
    module also gets ``<name>_full`` on all ``examples``, marked slow."""

    def decorate(prop: Test) -> Test:
        def test(count: int) -> Test:
            # one @given wrapper each: hypothesis keeps the settings on the wrapper
            return settings(max_examples=count, deadline=None)(given(*strategies)(prop))

        # the module is being imported (pytest collects it): its namespace is the one to extend
        vars(sys.modules[prop.__module__])[f"{prop.__name__}_full"] = pytest.mark.slow(
            test(examples)
        )
        return test(max(25, examples // 3))

    return decorate
