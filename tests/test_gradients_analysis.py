"""The vanishing/exploding analysis: the lecture's 1.5^L exactly, He vs normal numerically."""

from __future__ import annotations

import re
from fractions import Fraction

import click
import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

import symbackprop as sb
from symbackprop.apps.gradients import (
    analysis_network,
    analyze,
    chart,
    exact_scaling,
    parse_init,
)
from symbackprop.cli.lecture_commands import register
from symbackprop.records.activations import ACTIVATIONS


@pytest.mark.parametrize("scale", [Fraction(3, 2), Fraction(1, 2)])
def test_exact_forward_product_is_power(scale: Fraction) -> None:
    c = sp.Rational(scale.numerator, scale.denominator)
    for depth in (1, 2, 3, 6):
        example = exact_scaling(depth, scale)
        assert example.product == c**depth * sp.eye(2)
        assert example.product_is_power


@pytest.mark.parametrize("scale", ["1.5", "0.5"])
def test_exact_gradients_scale_as_power_of_depth_minus_one(scale: str) -> None:
    c = sp.Rational(Fraction(scale).numerator, Fraction(scale).denominator)
    previous = None
    for depth in range(1, 7):
        example = exact_scaling(depth, scale)
        outer = example.error * example.x.T
        for layer in range(1, depth + 1):
            assert example.gradients[layer] == c ** (depth - 1) * outer
        if previous is not None:
            # one more layer multiplies every gradient by exactly c (the error is held fixed)
            assert example.gradients[1] == c * previous.gradients[1]
            assert all(
                sp.Rational(a) / sp.Rational(b) == c
                for a, b in zip(example.gradients[1], previous.gradients[1], strict=True)
            )
        previous = example


def test_exact_at_width_three_and_depth_twenty() -> None:
    example = exact_scaling(20, "3/2", width=3)
    assert example.product[0, 0] == sp.Rational(3, 2) ** 20
    assert example.gradients_scale_as_power


def test_parse_init() -> None:
    assert parse_init("he") == ("he", None)
    assert parse_init("scaled-identity:1.5") == ("scaled-identity", Fraction(3, 2))
    for bad in ("xavir", "scaled-identity", "scaled-identity:-1", "scaled-identity:abc"):
        with pytest.raises(sb.SpecError):
            parse_init(bad)


def test_he_within_factor_ten_normal_not() -> None:
    he = analyze(50, 64, "relu", "he", seeds=5)
    normal = analyze(50, 64, "relu", "normal", seeds=5)
    assert he.bias_ratio < 10  # the backpropagated signal stays level across 50 layers
    assert normal.bias_ratio > 1e30  # about sqrt(64/2) per layer: 5.66^49 ~ 1e37
    # ReLU is positively homogeneous: the weight gradients of both are level across layers,
    # normal's are just ~1e74 times larger
    assert he.weight_ratio < 10 and normal.weight_ratio < 10
    assert normal.weight_norms.min() > 1e60 * he.weight_norms.max()


def test_scaled_identity_numeric_matches_exact_power() -> None:
    table = analyze(8, 4, "identity", "scaled-identity:1.5", seeds=2)
    # dJ/db[l] = 1.5^(L-l) (y_hat - y) summed: consecutive layers differ by exactly 1.5
    ratios = table.bias_norms[:-1] / table.bias_norms[1:]
    assert np.allclose(ratios, 1.5)
    assert np.isclose(table.bias_ratio, 1.5**7)
    assert np.allclose(table.weight_norms, table.weight_norms[0])  # level in l


def test_a_fractional_scale_reaches_the_module_as_its_float() -> None:
    """scaled-identity:1/3 is the CLI's exact 1/3; the generated module reads a float (it
    raised on "1/3", an exit 3): consecutive layers' bias gradients differ by 1/3."""
    table = analyze(4, 2, "identity", "scaled-identity:1/3", seeds=1)
    ratios = table.bias_norms[1:] / table.bias_norms[:-1]
    assert np.allclose(ratios, 3.0)


@pytest.mark.slow  # the chart and the CLI as a process; the table tests stay in the default run
def test_chart_and_cli(tmp_path) -> None:
    text = chart([analyze(5, 8, "tanh", "xavier", seeds=2)])
    assert "max/min across layers" in text and text.count("|#") == 5

    @click.group()
    def group() -> None:
        """test group"""

    register(group)
    png = tmp_path / "g.png"
    result = CliRunner().invoke(
        group,
        [
            "gradients",
            "--depth",
            "4",
            "--width",
            "4",
            "--activation",
            "identity",
            "--init",
            "scaled-identity:1.5",
            "--seeds",
            "2",
            "--plot",
            str(png),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "= 81/16 I = (3/2)^4 I: yes" in result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = CliRunner().invoke(group, ["gradients", "--init", "bogus"])
    assert bad.exit_code == 2


def _gradients(*args: str):  # type: ignore[no-untyped-def]
    @click.group()
    def group() -> None:
        """test group"""

    register(group)
    return CliRunner().invoke(group, ["gradients", "--depth", "3", "--width", "3", *args])


def test_a_custom_activation_by_formula_or_define_gives_the_builtins_norms() -> None:
    builtin = analyze(3, 3, "sigmoid", "he", seeds=1, m=4)
    inline = analyze(3, 3, "sg=1/(1+exp(-z))", "he", seeds=1, m=4)
    defined = analyze(3, 3, "sg", "he", seeds=1, m=4, define={"sg": "1/(1+exp(-z))"})
    for table in (inline, defined):
        assert table.spec == "3-3:sg-3:sg-1:identity"
        assert np.allclose(table.weight_norms, builtin.weight_norms, rtol=1e-12)
        assert np.allclose(table.bias_norms, builtin.bias_norms, rtol=1e-12)


def test_gradients_takes_define_and_name_equals_formula_as_its_advice_says() -> None:
    unknown = _gradients("--activation", "sw")  # SpecError: the main group makes it exit 2
    assert isinstance(unknown.exception, sb.SpecError)
    assert "(or add one with --define NAME=FORMULA," in str(unknown.exception)
    for args in (
        ["--define", "sw=z*sigmoid(z)", "--activation", "sw"],
        ["--activation", "sw=z*sigmoid(z)"],
    ):
        result = _gradients(*args, "--seeds", "1", "--m", "2", "--init", "he")
        assert result.exit_code == 0, result.output
        assert "(3-3:sw-3:sw-1:identity)" in result.output


@pytest.mark.parametrize("scale", ["1e400", "1e200", "2e6", "1e-400", "1e-7"])
def test_an_absurd_scaled_identity_scale_is_refused_in_one_line(scale: str) -> None:
    with pytest.raises(sb.SpecError, match="C out of range; expected C from 1e-6 to 1e6"):
        parse_init(f"scaled-identity:{scale}")
    assert parse_init("scaled-identity:1e6") == ("scaled-identity", Fraction(10**6))
    result = _gradients("--init", f"scaled-identity:{scale}")
    assert result.exit_code == 2 and "Traceback" not in result.output


def _known_activations(message: str) -> set[str]:
    """The names after ``known:`` in an unknown-activation message."""
    listed = re.search(r"known: ([a-z_, ]+)", message)
    assert listed is not None, message
    return {name.strip() for name in listed.group(1).split(",")}


def test_gradients_lists_as_known_exactly_the_activations_it_accepts() -> None:
    # softmax was listed, then refused as a hidden activation: the list must be what it takes
    unknown = _gradients("--activation", "nosuch")
    assert isinstance(unknown.exception, sb.SpecError)
    offered = _known_activations(str(unknown.exception))
    accepted = set()
    for name in ACTIVATIONS:
        try:
            analysis_network(3, 3, name)
        except sb.SpecError as exc:
            assert "allowed only on the output layer" in str(exc)
            assert str(exc).startswith(f"activation={name!r}: ")  # names the option, no layer
        else:
            accepted.add(name)
    assert offered == accepted
    assert "softmax" not in offered and "relu" in offered
    refused = _gradients("--activation", "softmax", "--seeds", "1", "--m", "2")
    assert isinstance(refused.exception, sb.SpecError)


def test_the_exact_example_says_it_keeps_width_2() -> None:
    """``--width 64 --init scaled-identity:1.5`` printed "Exact (rationals), width 2" with no
    word on why the width differs from the table's (hostile14 #9)."""
    result = _gradients(
        "--init", "scaled-identity:1.5", "--seeds", "1", "--activation", "identity"
    )
    assert result.exit_code == 0, result.output
    assert "the exact example is always width 2, not the table's 3" in result.output
    same = exact_scaling(3, "3/2", width=2).text(table_width=2)
    assert "always width" not in same


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_an_exact_number_past_a_hundred_characters_is_printed_short() -> None:
    """hostile31 F13: ``--depth 300 --init scaled-identity:1e6`` printed two 1,800-digit
    integers; the lecture's (3/2)^50 (41 characters) is still printed in full."""
    text = exact_scaling(300, 10**6).text()
    assert "1.00000e+1800 (an integer of 1,801 digits)" in text
    assert max(len(line) for line in text.splitlines()) < 200
    lecture = exact_scaling(50, "3/2").text()
    assert "717897987691852588770249/1125899906842624 I = (3/2)^50 I: yes" in lecture


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_norms_above_1e154_are_finite_as_their_entries_are() -> None:
    """hostile36c #1: np.linalg.norm squares the entries, and a depth-110 normal-init network
    printed inf for every ||dJ/dW[l]|| (9.5e162 to 4.9e163, every entry finite). Checked
    against the norms in NumPy's long double (about 1e4932 of range), seed by seed."""
    from symbackprop.apps.gradients import _module, analysis_network

    depth, width, seeds = 110, 64, 2
    table = analyze(depth, width, "relu", "normal", seeds=seeds, m=4)
    assert np.all(np.isfinite(table.weight_norms)) and np.all(np.isfinite(table.bias_norms))
    assert table.weight_norms.max() > 1e154  # where the plain norm overflowed
    module = _module(analysis_network(depth, width, "relu", square=False))
    logs = np.zeros((seeds, depth))
    for s in range(seeds):
        rng = np.random.default_rng(10_000 + s)
        X, Y = rng.standard_normal((width, 4)), rng.standard_normal((1, 4))
        grads = module.loss_and_grads(module.init_params(seed=s, scheme="normal"), X, Y)[1]
        for layer in range(1, depth + 1):
            g = grads[f"W{layer}"].astype(np.longdouble)
            logs[s, layer - 1] = float(np.log(np.sqrt(np.sum(g * g))))
    expected = np.exp(logs.mean(axis=0))
    assert np.allclose(table.weight_norms, expected, rtol=1e-9)
