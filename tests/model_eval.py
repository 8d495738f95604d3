"""Evaluate a model's derivation with SymPy alone, and draw valid random values for it.

Shared by tests/test_model_derive.py (finite differences) and tests/test_model_closed_forms.py
(the closed forms of docs/models): substitute the sizes and the matrices, ``.doit()``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from sympy import OneMatrix

import symbackprop as sb
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.model import Model

#: data leaves holding targets that need valid values
TARGETS = {"Y": "binary", "Y1": "binary", "Y2": "one-hot", "M": "binary"}
TARGETS_OF = {"softmax_l2": {"Y": "one-hot"}}


def draw(
    model: Model,
    sizes: dict[sp.Symbol, int],
    key: str,
    seed: int,
    targets: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Random values for every leaf; targets valid for their loss; square ones well-conditioned."""
    rng = np.random.default_rng(seed)
    values = {}
    kinds = {**TARGETS, **TARGETS_OF.get(key, {}), **(targets or {})}
    for name in (*model.parameters, *model.data):
        rows, cols = (int(sp.sympify(d).subs(sizes)) for d in model.shapes[name])
        kind = kinds.get(name, "real")
        if kind == "binary":
            value = rng.integers(0, 2, size=(rows, cols)).astype(float)
        elif kind == "one-hot":
            value = np.zeros((rows, cols))
            value[rng.integers(0, rows, size=cols), range(cols)] = 1.0
        else:
            value = rng.uniform(-1.0, 1.0, size=(rows, cols))
            if rows == cols and rows > 1 and key.startswith("logdet"):
                value = value @ value.T + rows * np.eye(rows)  # positive definite: det > 0
        values[name] = value
    return values


class Evaluator:
    """A model's forward equations and derived expressions, evaluated by SymPy alone."""

    def __init__(
        self, d: sb.Derivation, sizes: dict[str, int], scalars: dict[Any, Any] | None = None
    ) -> None:
        self.d = d
        self.sizes = {sp.Symbol(k, integer=True, positive=True): v for k, v in sizes.items()}
        self.scalars = scalars or {}

    def _explicit(self, expr: Any, env: dict[Any, Any]) -> sp.Matrix:
        concrete = expr.subs(self.sizes).xreplace(self.scalars).xreplace(env)
        concrete = concrete.xreplace(
            {ones: ones.as_explicit() for ones in concrete.atoms(OneMatrix)}
        )
        concrete = concrete.doit()
        if not isinstance(concrete, sp.MatrixBase):
            concrete = concrete.as_explicit()
        return sp.Matrix(concrete)

    def forward(self, values: dict[str, np.ndarray]) -> dict[Any, sp.Matrix]:
        """The environment: every leaf and every forward value, keyed by its sized symbol."""
        graph = self.d.graph
        env: dict[Any, Any] = {}
        for name, value in values.items():
            env[graph.symbols[name].subs(self.sizes)] = sp.Matrix(value)
        for name, expr in graph.forward.items():
            env[graph.symbols[name].subs(self.sizes)] = sp.N(self._explicit(expr, env), 30)
        return env

    def cost(self, values: dict[str, np.ndarray]) -> float:
        env = self.forward(values)
        assert isinstance(self.d, ModelDerivation) and self.d.model is not None
        return float(env[self.d.graph.symbols[self.d.model.cost].subs(self.sizes)][0, 0])

    def gradient(self, name: str, values: dict[str, np.ndarray]) -> np.ndarray:
        """The expanded gradient (in the model's names only), evaluated."""
        env = self.forward(values)
        found = self._explicit(self.d.expanded[name], env)
        return np.array(sp.N(found, 20).tolist(), dtype=float)

    def compact_gradients(self, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        # the steps keep each adjoint under a symbol (delta); evaluate them in step order
        """The compact gradients, each adjoint symbol evaluated from its step, in step order."""
        env = self.forward(values)
        for step in self.d.steps:
            if step.delta is not None:
                env[step.delta.subs(self.sizes)] = sp.N(self._explicit(step.expr, env), 30)
        return {
            name: np.array(sp.N(self._explicit(expr, env), 20).tolist(), dtype=float)
            for name, expr in self.d.gradients.items()
        }
