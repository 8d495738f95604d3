"""Issue 9, items 3.3-3.5, 5.1, 5.6 (LaTeX) and Step.number: bounded algebra, depth, memory,
true sentences in the derivation's prose."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.derivation import bounded_simplify, is_small_scalar
from symbackprop.spec import Network

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``python -m symbackprop ARGS`` as a real subprocess, a hang detector's limit."""
    environ = dict(os.environ)
    environ.pop("SYMBACKPROP_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "symbackprop", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        cwd=ROOT,
        env=environ,
    )


def deep_spec(depth: int, width: int = 3) -> str:
    return f"{width}-" + "-".join([str(width)] * (depth - 1)) + "-1"


# -- 3.3: every simplify is bounded ---------------------------------------------------------


def test_3_3_simplify_bound_is_structural() -> None:
    z = sp.Symbol("z")
    huge = 999 * (1 + z) ** 998 * (2 + z) ** 999
    assert not is_small_scalar(huge)
    assert bounded_simplify(huge) == huge  # left alone: the same function, unsimplified
    a, y = sp.symbols("a y")
    assert bounded_simplify((-y / a + (1 - y) / (1 - a)) * a * (1 - a)) == a - y


def test_3_3_huge_power_activation_derives_and_checks() -> None:
    proc = run("derive", "4-3-1", "--activation", "sw=(1+z)^999*(2+z)^999", "--loss", "mse")
    assert proc.returncode == 0, proc.stderr
    assert "sw'(z1)" in proc.stdout  # the derivative is shown as a factor, not expanded
    net = Network.parse("4-3-1", activation="sw", define={"sw": "(1+z)^999*(2+z)^999"}, loss="mse")
    assert sb.derive(net, batch=True).check_exact().ok


@pytest.mark.parametrize(
    ("spec", "loss", "algebra"),
    [
        ("4-3-2-1", "bce", "= a - y"),
        ("4-3-2:softmax", "ce", "a - y"),
        ("4-3-2:tanh", "mse", None),
    ],
)
def test_3_3_lecture_cancellations_still_derived(
    spec: str, loss: str, algebra: str | None
) -> None:
    d = sb.derive(Network.parse(spec, loss=loss))
    delta = d.deltas[d.depth]
    out = [s for s in d.steps if s.stores == f"delta{d.depth}"][0]
    if algebra is not None:
        assert out.algebra is not None and out.algebra.endswith(algebra)
        y, a = d.graph.y, d.graph.a(d.depth)
        assert delta == a - y
    assert d.check_exact().ok
