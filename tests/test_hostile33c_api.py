"""The Python API refuses arguments it cannot use, naming them (hostile33c, 2026-12-05).

A printer's ``sizes={"n": -3}`` printed ``(-3 x 1)`` and NaN wrote invalid JSON;
``gradcheck(rtol=-1)`` called right gradients FAILED; ``check_formula(net, "W2", None)``
returned a report whose display failed; ``codegen(backend=["numpy"])`` and
``cache_plan(sizes="n")`` failed with Python's own words. Each is one line naming the
argument now, and the values that were right still work.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import symbackprop as sb


@pytest.mark.parametrize("printer", ["to_text", "to_json", "to_latex", "to_markdown"])
@pytest.mark.parametrize("value", [-3, 0, 2.5, float("nan"), "abc", True, 10**50])
def test_a_printers_sizes_are_positive_ints(printer: str, value: object) -> None:
    d = sb.derive("n-3-1")
    with pytest.raises(sb.SpecError, match=r"sizes\['n'\] must be a positive int up to"):
        getattr(sb, printer)(d, sizes={"n": value})


def test_a_printers_sizes_are_a_mapping_and_shown_when_right() -> None:
    d = sb.derive("n-3-1")
    with pytest.raises(sb.SpecError, match="sizes must be a mapping"):
        sb.to_text(d, sizes="n=3")  # type: ignore[arg-type]
    assert "(4 x 1)" in sb.to_text(d, sizes={"n": 4})
    shapes = json.loads(sb.to_json(d, sizes={"n": 4}))["shapes"]
    assert shapes["x"]["concrete"] == [4, 1]


@pytest.mark.parametrize("width", [None, "80", 0, -5, 39])
def test_to_text_takes_a_width_of_forty_columns_or_more(width: object) -> None:
    with pytest.raises(sb.SpecError, match="width must be an int of at least 40"):
        sb.to_text(sb.derive("4-3-1"), width=width)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"rtol": -1}, "rtol must be a number in"),
        ({"rtol": float("nan")}, "rtol must be a number in"),
        ({"rtol": "a"}, "rtol must be a number in"),
        ({"atol": -1e-9}, "atol must be a finite number"),
        ({"seed": -1}, "seed must be a non-negative int"),
        ({"seed": "x"}, "seed must be a non-negative int"),
    ],
)
def test_gradcheck_refuses_a_tolerance_or_seed_it_cannot_use(
    option: dict[str, object], message: str
) -> None:
    module = sb.compile("4-3-1")
    params = module.init_params(seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((4, 5)), (rng.random((1, 5)) < 0.5).astype(float)
    with pytest.raises(ValueError, match=message):
        sb.gradcheck(module, params, X, Y, **option)  # type: ignore[arg-type]
    assert sb.gradcheck(module, params, X, Y, rtol=1e-5, atol=10.0, seed=2**40).ok


@pytest.mark.parametrize(("wrt", "formula"), [("W2", None), (None, "a1"), ("W2", 3)])
def test_check_formula_takes_strings(wrt: object, formula: object) -> None:
    with pytest.raises(sb.SpecError, match="must be a string"):
        sb.check_formula("4-3-2-1", wrt, formula)  # type: ignore[arg-type]


def test_codegen_and_cache_plan_name_a_wrong_argument() -> None:
    with pytest.raises(sb.SpecError, match="backend must be a string"):
        sb.codegen("4-3-1", backend=["numpy"])  # type: ignore[arg-type]
    with pytest.raises(sb.SpecError, match="backend must be a string"):
        sb.compile("4-3-1", backend=None)  # type: ignore[arg-type]
    with pytest.raises(sb.SpecError, match="sizes must be a mapping"):
        sb.cache_plan("n-3-1", sizes="n")  # type: ignore[arg-type]
    assert [entry.name for entry in sb.cache_plan("n-3-1", sizes={"n": 3})]


def test_the_json_records_the_sizes_its_concrete_shapes_are_at() -> None:
    """hostile33c #4: with --size n0=7 beside residual_mlp's 'sizes: n0 = 4' the JSON's shapes
    were at 7 and its model block said 4, with nothing saying which sizes the shapes used; a
    network's named widths were recorded nowhere."""
    from pathlib import Path

    from click.testing import CliRunner

    from symbackprop.cli.main import main

    model = Path(__file__).resolve().parents[1] / "examples" / "models" / "residual_mlp.model"
    args = ["derive", str(model), "--size", "n0=7", "--format", "json", "-o", "-"]
    doc = json.loads(CliRunner().invoke(main, args).stdout)
    assert doc["sizes"] == {"n0": 7, "n1": 3} and doc["model"]["sizes"] == {"n0": 4, "n1": 3}
    assert doc["shapes"]["W1"]["concrete"] == [3, 7]
    network = json.loads(sb.to_json(sb.derive("n-h-1"), sizes={"n": 3, "h": 2}))
    assert network["sizes"] == {"n2": 1, "n": 3, "h": 2}
    assert network["shapes"]["W1"]["concrete"] == [2, 3]
