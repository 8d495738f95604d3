"""Every closed form docs/models claims is tested: the derived gradient (evaluated by SymPy
alone) equals the closed form (NumPy) at random values, to 1e-9.

The forms come from docs/models/closed_forms.py, the one source the pages are built from.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import numpy as np
import pytest
from model_eval import Evaluator, draw

import symbackprop as sb
from symbackprop.formula import Num
from symbackprop.model import Model

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "models"
#: the batch size the forms are checked at
M = 3
#: the models whose SymPy evaluation takes over a second
SLOW = {"residual_mlp", "tied_autoencoder", "rnn_3", "two_heads", "batch_norm", "dropout"}


def load(name: str) -> ModuleType:
    """A module of docs/models (not a package) by its file."""
    path = ROOT / "docs" / "models" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"docs_models_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


CLOSED_FORMS = load("closed_forms").CLOSED_FORMS


def constants(model: Model) -> dict[str, float]:
    """The model's named constants (``lam = 0.01``)."""
    return {
        eq.name: float(eq.expr.value)
        for eq in model.equations
        if eq.constant and isinstance(eq.expr, Num)
    }


def test_every_example_model_has_its_closed_forms() -> None:
    assert {path.stem for path in EXAMPLES.glob("*.model")} == set(CLOSED_FORMS)


@pytest.mark.parametrize(
    "key",
    [pytest.param(k, marks=pytest.mark.slow) if k in SLOW else k for k in sorted(CLOSED_FORMS)],
)
def test_closed_forms_equal_the_derived_gradients(key: str) -> None:
    forms = CLOSED_FORMS[key]
    model = Model.from_file(EXAMPLES / f"{key}.model")
    d = sb.derive(model)
    sizes = {**model.sizes, "m": M}
    ev = Evaluator(d, sizes)
    values = draw(model, ev.sizes, key, seed=7)
    expected = forms.numpy(SimpleNamespace(**values, m=M, **constants(model)))
    assert set(expected) == set(forms.forms) <= set(model.parameters)
    for name, value in expected.items():
        derived = ev.gradient(name, values)
        np.testing.assert_allclose(derived, value, rtol=1e-9, atol=1e-12, err_msg=f"{key}: {name}")
