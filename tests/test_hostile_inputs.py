"""Inputs found by review that once gave exit 3 or hung: each must now be a one-line exit 2."""

from __future__ import annotations

import re
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cli_process import run_cli

import symbackprop as sb
from symbackprop.errors import SpecError

BIG = " * ".join(["999^999"] * 9)


_run = run_cli


def _assert_usage_error(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
def test_deeply_nested_json_spec_file(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(SpecError, match="nested too deeply"):
        sb.Network.from_file(path)
    _assert_usage_error(_run("derive", str(path)))


def test_spec_file_that_never_ends(tmp_path: Path) -> None:
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(SpecError, match="not a regular file"):
        sb.Network.from_file(link)


def test_huge_spec_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_text(" " * 2_000_000 + "{}")
    with pytest.raises(SpecError, match="larger than"):
        sb.Network.from_file(path)


@pytest.mark.slow
def test_very_long_compact_spec_is_not_taken_for_a_file_name() -> None:
    spec = "-".join(["3"] * 200) + "-1"  # 400 characters: over the 255 a file name may have
    done = _run("shapes", spec)
    assert done.returncode == 0 and "W200" in done.stdout


def test_size_over_the_width_limit() -> None:
    _assert_usage_error(_run("codegen", "n-3-1", "--size", "n=99999999999999999999"))
    with pytest.raises(SpecError, match="up to"):
        sb.codegen(sb.Network.parse("n-3-1"), sizes={"n": 10**12})


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
def test_products_of_large_powers_in_formulas() -> None:
    report = sb.check_formula(sb.Network.parse("4-3-2-1"), "W2", f"(delta2 @ a1.T) * {BIG}")
    assert report.exit_code == 2 and "digits" in str(report.error)
    _assert_usage_error(_run("derive", "4-3-1", "--define", f"p=z*{BIG}", "--hidden", "p"))


def test_custom_softplus_is_lowered_to_a_stable_form() -> None:
    net = sb.Network.parse("3-4:sp-1", define={"sp": "log(1+exp(z))"}, output="sigmoid")
    module = sb.compile(net)
    assert "np.logaddexp(0.0, Z1, out=out.A1)" in module.source  # Z1 is cached
    params = module.init_params()
    cost, grads = module.loss_and_grads(params, np.full((3, 4), 1e3), np.ones((1, 4)))
    assert np.isfinite(cost) and all(np.isfinite(g).all() for g in grads.values())


_TEXT = "X : 3 x m\nY : 1 x m\nJ = mse(w^T X, Y)\n"


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda: sb.derive(_TEXT), "looks like model text: use sb.Model.parse(text)"),
        (lambda: sb.codegen(_TEXT), "looks like model text"),
        (lambda: sb.to_latex(123), "to_latex takes a derivation"),
        (lambda: sb.to_text("4-3-1"), "to_text takes a derivation"),
        (lambda: sb.derive("4-3-1", batch="yes"), "batch must be True, False or None"),
        (lambda: sb.codegen(sb.Model.parse(_TEXT), sizes={"m": 3}), "m is the batch size"),
        (lambda: sb.codegen(sb.Model.parse(_TEXT), sizes={"zz": 3}), "no dimension 'zz'"),
        (lambda: sb.codegen(sb.Model.parse(_TEXT), sizes=[("n", 3)]), "sizes must be a mapping"),
        (lambda: sb.check_exact(sb.Model.parse(_TEXT), sizes={"q": 0}), "no dimension 'q'"),
        (lambda: sb.check_exact(sb.Model.parse(_TEXT), seed="a"), "seed must be an int"),
        # hostile14 #9: 0 trials came back "not ok", as if the gradient were wrong
        (lambda: sb.check_exact("3-2-1", trials=0), "trials must be an int from 1 to 100"),
        (lambda: sb.check_exact("3-2-1", trials=1.5), "trials must be an int from 1 to 100"),
    ],
)
def test_api_arguments_of_the_wrong_kind_are_one_clear_error(call: Any, says: str) -> None:
    """hostile13 #3: each was read as something else (model text as a compact spec), an
    AttributeError, or silently accepted; now one SpecError naming the argument."""
    with pytest.raises(SpecError) as caught:
        call()
    assert says in str(caught.value) and "\\n" not in str(caught.value)


@pytest.mark.parametrize("source", ["4-3-1", _TEXT])
def test_init_params_refuses_an_integer_dtype(source: str) -> None:
    """hostile13 #3: init_params(dtype=np.int64) truncated the xavier draws to all-zero weights,
    silently; every backend's template refuses a non-floating dtype (float32 still works)."""
    module = sb.compile(sb.Model.parse(source) if "\n" in source else source)
    # hostile31 F13: a text dtype passed (arrays of '0.123...' strings)
    for dtype in (np.int64, bool, str, np.bytes_, object, "datetime64[s]"):
        with pytest.raises(ValueError, match="dtype must be a (NumPy )?floating type"):
            module.init_params(dtype=dtype)
    assert all(v.dtype == np.float32 for v in module.init_params(dtype=np.float32).values())


def test_gradcheck_refuses_complex_arrays_naming_them() -> None:
    """hostile31 F13: complex arrays were cast to float64, the imaginary part dropped in
    silence (NumPy's ComplexWarning only), and the check passed."""
    module = sb.compile("3-2-1")
    params = module.init_params()
    X = np.ones((3, 4))
    Y = np.ones((1, 4))
    with pytest.raises(ValueError, match=r"^X is a complex array; .*\(np\.real\(X\) keeps"):
        sb.gradcheck(module, params, X + 1j, Y)
    complex_params = {**params, "W2": params["W2"].astype(complex)}
    with pytest.raises(ValueError, match="^W2 is a complex array"):
        sb.gradcheck(module, complex_params, X, Y)
    assert sb.gradcheck(module, params, X, Y).ok


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda X: X.astype("datetime64[s]"), "^X is a datetime array; expected numbers"),
        (lambda X: X.astype(str), "^X is a string array; expected numbers"),
        (lambda X: X.astype(str).astype(object), "^X is an object array of non-numbers"),
        (lambda X: None, "^X is None; expected an array"),
        (lambda X: "abc", "^X is a string array"),
    ],
)
def test_gradcheck_refuses_arrays_of_no_numbers(make: Any, said: str) -> None:
    """hostile41c #6: float64 of a string array parsed its '0.5' as 0.5 and of datetime64 took
    the seconds, so the check passed on data the module itself refuses; None was "shape ()"."""
    module = sb.compile("3-2-1")
    params = module.init_params()
    X = np.linspace(-1, 1, 12).reshape(3, 4)
    Y = np.ones((1, 4))
    with pytest.raises(ValueError, match=said):
        sb.gradcheck(module, params, make(X), Y)
    text_params = {**params, "b1": params["b1"].astype(str)}
    with pytest.raises(ValueError, match="^b1 is a string array"):
        sb.gradcheck(module, text_params, X, Y)
    # numbers of another type are still converted: ints, nested lists and Fractions
    assert sb.gradcheck(module, params, X.tolist(), Y.astype(int)).ok
    fractions = np.array([[Fraction(v).limit_denominator(100) for v in row] for row in X])
    assert sb.gradcheck(module, params, fractions, Y).ok


def test_gradcheck_directions_are_bounded() -> None:
    """hostile14 #9: directions=10**9 was accepted and ran for days (2 costs per direction)."""
    module = sb.compile("3-2-1")
    params = module.init_params()
    data = (np.ones((3, 2)), np.ones((1, 2)))
    for bad in (0, 10**9, 2.0):
        with pytest.raises(ValueError, match="directions must be an int from 1 to 10,000"):
            sb.gradcheck(module, params, *data, mode="directional", directions=bad)


def test_a_model_with_lone_cr_line_ends_reads_as_lines() -> None:
    """hostile14 #9: old Mac line ends made the whole file one line (CRLF was fine)."""
    text = "x : 3 x 1\rW : 2 x 3\rdata: x\rJ = sum(W x)\r"
    assert sb.Model.parse(text).parameters == ("W",)
    assert sb.Model.parse(text.replace("\r", "\r\n")).parameters == ("W",)


@pytest.mark.parametrize("layout", ["fortran", "transposed view"])
def test_gradcheck_of_parameters_in_another_memory_order(layout: str) -> None:
    """hostile32 #4: a Fortran-ordered or transposed-view parameter failed every row (relative
    error 1): the check perturbed a flat copy, not the array, so the cost never moved."""
    module = sb.compile("4-3-2-1")
    params = module.init_params(seed=0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 5))
    Y = (rng.random((1, 5)) > 0.5).astype(float)
    if layout == "fortran":
        moved = {k: np.asfortranarray(v) for k, v in params.items()}
    else:
        moved = {**params, "W1": np.ascontiguousarray(params["W1"].T).T}
    for mode in ("full", "directional"):
        result = sb.gradcheck(module, moved, np.asfortranarray(X), Y, mode=mode)
        assert result.ok, (mode, result.rows)


@pytest.mark.parametrize(
    ("source", "sizes", "says"),
    [
        ("3-2-1", {"n0": 0}, "sizes['n0'] must be an int from 1 to 32"),
        ("3-2-1", {"n0": 2.5}, "got 2.5"),
        ("3-2-1", {"n0": True}, "got True"),
        ("3-2-1", {"n1": 10**6}, "got 1000000"),
        ("3-2-1", {"zz": 3}, "no dimension 'zz' in this network (its dimensions: n0, n1, n2, m)"),
        ("x : n x 1\nA : n x n\nJ = 0.5 x^T A x\ndata:\n", {"n": -1}, "sizes['n'] must be"),
    ],
)
def test_check_exact_refuses_sizes_it_cannot_check_at(
    source: str, sizes: dict[str, Any], says: str
) -> None:
    """hostile32 #5: n0 = 0 compared nothing and passed, 2.5 was cut to 2, zz ignored, n = -1
    reported a mismatch of a right gradient, 10**6 ran past 100 s."""
    found = sb.Model.parse(source) if "\n" in source else source
    with pytest.raises(SpecError, match=re.escape(says)):
        sb.check_exact(found, sizes=sizes)


def test_loose_api_arguments_are_refused() -> None:
    """hostile32 #9: batch="no" checked the batch form, itemsize=-8 gave negative bytes, a spec
    text in gradcheck's module place raised a bare AttributeError."""
    with pytest.raises(SpecError, match="batch must be True, False or None, got 'no'"):
        sb.check_formula("4-3-2-1", "W2", "delta2 A1^T", batch="no")  # type: ignore[arg-type]
    with pytest.raises(SpecError, match="itemsize must be 2, 4 or 8"):
        sb.cache_plan("4-3-2-1", itemsize=-8)
    with pytest.raises(ValueError, match=r"needs a generated module \(sb.compile"):
        sb.gradcheck("4-3-2-1", {}, np.ones((4, 2)), np.ones((1, 2)))


def test_check_exact_takes_a_derivations_own_sizes() -> None:
    """hostile32b #8: sizes=d.sizes (keyed by symbols) said "no dimension n0 in this network
    (its dimensions: n0, ...)"."""
    derivation = sb.derive("4-3-2-1")
    assert sb.check_exact(derivation, sizes=dict(derivation.sizes)).ok


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_models_derivation_knows_its_declared_sizes() -> None:
    """hostile32b #8: DESIGN.md's ``.sizes`` (symbol -> concrete int where known) was empty
    for a model that declares ``sizes: n0 = 3, n1 = 4``; the exact check takes them back."""
    derivation = sb.derive(sb.Model.from_file("examples/models/rnn_3.model"))
    assert {str(d): n for d, n in derivation.sizes.items()} == {"n0": 3, "n1": 4}
    assert all(d.is_integer and d.is_positive for d in derivation.sizes)  # the graph's own
    assert sb.check_exact(derivation, sizes={"n0": 2, "n1": 2}, trials=1).ok
