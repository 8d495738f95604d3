"""What hostile36a found in the Python API, as a notebook user meets it (the other findings
have files of their own: test_activation_registered_again, test_api_flags_are_bools,
test_hostile34_messages' sizes test).

#4: check_formula of a 301-layer network was refused by ``.expanded``'s limit, advising the
delta recursion the formula already used; #6: gradcheck blamed the module's gradients for an
extra entry of params; #7: a Derivation did not pickle (a lambda in its activation's
formula-language entry, and SymPy classes made at run time); #8: advice that named the
refused name or a CLI flag to a Python caller; #9: a model's compiled module printed its whole
record as its repr.
"""

from __future__ import annotations

import multiprocessing
import pickle
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.errors import SpecError

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"


def test_check_formula_names_its_own_depth_limit() -> None:
    spec = "3-" + "-".join(["2"] * 300) + "-1"
    with pytest.raises(SpecError) as caught:
        sb.check_formula(spec, "W301", "delta301 a300^T")
    message = str(caught.value)
    assert message.startswith("the formula checker: 301 layers; at most 90")
    assert "use the delta recursion" not in message


def test_check_formula_past_its_depth_is_a_spec_error_not_a_recursion_error() -> None:
    """hostile41c #2: 98 hidden layers raised RecursionError from the truth's text."""
    with pytest.raises(SpecError, match="91 layers; at most 90"):
        sb.check_formula("3" + "-3:tanh" * 90 + "-1", "W1", "delta1 x^T")


def test_gradcheck_names_an_entry_of_params_that_is_no_parameter() -> None:
    module = sb.compile("4-3-2-1")
    params = module.init_params()
    X = np.random.default_rng(0).standard_normal((4, 5))
    Y = (X[:1] > 0).astype(float)
    with pytest.raises(ValueError, match=r"^params has 'lr', which is not a parameter of the"):
        sb.gradcheck(module, {**params, "lr": np.array([[0.1]])}, X, Y)
    assert sb.gradcheck(module, params, X, Y).ok


def _same_outputs(d: Any, again: Any) -> None:
    assert again.steps == d.steps
    assert again.gradients == d.gradients and again.deltas == d.deltas
    for printer in (sb.to_text, sb.to_latex, sb.to_markdown, sb.to_json, sb.to_html):
        assert printer(again) == printer(d), printer.__name__


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
def test_derivations_pickle_as_they_were_built() -> None:
    """Also the activations whose SymPy classes are made at run time (relu, a custom one):
    an unpickled expression is of this process's class, so it equals the original; and the
    products a step keeps as written stay so (review36 #3: SymPy's unpickling evaluated
    them, and five example models printed differently after a round trip)."""
    swish = sb.Network.parse("4-3:swish-2:relu-1", define={"swish": "z*sigmoid(z)"})
    for source in ("4-3-2-1", "4-3:relu-2:leaky_relu-1", swish, MODELS / "residual_mlp.model"):
        d = sb.derive(source)
        _same_outputs(d, pickle.loads(pickle.dumps(d)))


@pytest.mark.slow  # every example model (about 3 s)
@pytest.mark.parametrize("path", sorted(MODELS.glob("*.model")), ids=lambda p: p.stem)
def test_every_example_models_derivation_pickles_as_built(path: Path) -> None:
    d = sb.derive(path)
    _same_outputs(d, pickle.loads(pickle.dumps(d)))


def _round_trip(blob: bytes) -> str:
    """In a fresh process: the unpickled derivation's text."""
    return sb.to_text(pickle.loads(blob))


@pytest.mark.slow  # a process started by spawn imports SymPy again (about 2 s)
def test_a_derivation_pickled_into_another_process_prints_the_same() -> None:
    d = sb.derive(str(MODELS / "residual_mlp.model"))
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.apply(_round_trip, (pickle.dumps(d),)) == sb.to_text(d)


def test_advice_names_another_name_and_the_python_spelling() -> None:
    with pytest.raises(SpecError, match=r"choose another name, e\.g\. h or k$"):
        sb.Network.parse("n-3:n-1", define={"n": "z*z"}, loss="mse")
    with pytest.raises(SpecError, match=r"loss='ce' in Python"):
        sb.derive(sb.Network.parse("4-3:relu-2:softmax", loss="bce"))


def test_a_model_file_read_as_a_network_is_told_to_read_it_as_a_model(tmp_path: Path) -> None:
    path = tmp_path / "model.toml"
    path.write_text('equations = """\nJ = mse(W X, Y)\nW : 1 x 3\nX : 3 x m\nY : 1 x m\n"""\n')
    with pytest.raises(
        SpecError, match=r"model.toml': this file has 'equations': it is a model, read by"
    ):
        sb.Network.from_file(path)
    assert sb.derive(str(path)).model is not None


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("toml", 'equations = """\nJ = mse(W X, Y)\nW : 1 x 3\nX : 3 x m\nY : 1 x m\n"""\n'),
        ("json", '{"equations": "J = mse(W X, Y)\\nW : 1 x 3\\nX : 3 x m\\nY : 1 x m"}'),
    ],
)
def test_a_model_file_without_its_suffix_is_told_the_suffix(
    kind: str, text: str, tmp_path: Path
) -> None:
    """hostile49a #5: a TOML model saved as .txt was told to use sb.derive(path), by
    sb.derive(path) itself."""
    path = tmp_path / "model.txt"
    path.write_text(text, encoding="utf-8")
    said = f"a model written as {kind.upper()} ('equations'); give the file the suffix .{kind}"
    with pytest.raises(SpecError, match=re.escape(said)):
        sb.derive(str(path))
    renamed = path.rename(tmp_path / f"model.{kind}")
    assert sb.derive(str(renamed)).model is not None


def test_a_compiled_models_repr_is_one_short_line() -> None:
    module = sb.compile(str(MODELS / "rnn_3.model"))
    assert repr(module) == "<GradientModule for a model in U, b, W, v, c>"
    assert repr(sb.compile("4-3-2-1")) == "<GradientModule for 4-3:sigmoid-2:sigmoid-1:sigmoid>"
