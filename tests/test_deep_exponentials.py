"""Exponentials nested 40 deep in a divisor: refused in one line (exit 2) before any value is
evaluated at a point (the random point of apps/shapecheck/at_sizes overflowed inside mpmath,
an internal error, exit 3); the same depth guard as the nowhere-real sampling's."""

from __future__ import annotations

import time

import pytest
import sympy as sp
from click.testing import CliRunner

from symbackprop.apps.shapecheck.sampled import MAX_EXPONENTIAL_DEPTH, exponential_depth
from symbackprop.cli.main import main


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
def test_a_40_deep_exponential_divisor_is_refused_in_one_line() -> None:
    formula = "delta2 a1^T / " + "exp(" * 40 + "sum(W1)" + ")" * 40
    started = time.process_time()
    result = CliRunner().invoke(main, ["shapecheck", "4-3-2-1", "--wrt", "W2", formula])
    assert time.process_time() - started < 30  # about 1 s of CPU; it was an exit 3
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "exponentials nest 40 deep in it; values are evaluated through at most 2" in (
        result.stderr
    )


def test_the_depth_counts_exponentials_in_every_entry() -> None:
    x = sp.Symbol("x")
    assert MAX_EXPONENTIAL_DEPTH == 2
    assert exponential_depth(sp.exp(sp.exp(x)) + sp.exp(x)) == 2
    assert exponential_depth(sp.Matrix([[x**2, 2 ** sp.exp(x)], [sp.log(x), 1]])) == 2
    assert exponential_depth(sp.Matrix([[x, 1]])) == 0
