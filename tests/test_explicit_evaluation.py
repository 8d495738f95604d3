"""The evaluators' matrix arithmetic node by node (check/explicit.py) gives SymPy's entries.

SymPy's ``doit`` leaves sqrt(2) M (M explicit) as a product, and ``as_explicit`` of a product
around it built every entry as a Sum over the inner index: a tenth of a second per product, most
of a formula check's time (perf16). :func:`explicit` multiplies the explicit matrices instead;
its entries are SymPy's, exactly. The evenness test of the switches' bases (``_even``) refutes
an uneven function at a number before it asks SymPy's simplify, and still says even where it is.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.check.exact import Table, concrete_sizes, forward_point
from symbackprop.check.explicit import explicit
from symbackprop.check.model_exact import ModelCheck, model_sizes
from symbackprop.check.switches import _T, _even
from symbackprop.model import Model
from symbackprop.records.activations import ACTIVATIONS
from symbackprop.records.nodes import Elementwise, Softmax, T

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "models"

A = sp.ImmutableMatrix([[1, -2, sp.Rational(1, 3)], [4, 5, -6]])
U = sp.ImmutableMatrix([[sp.Rational(-5, 6)], [sp.Rational(803, 60)], [sp.Rational(-47, 2)]])
X = sp.MatrixSymbol("X", 3, 2)
W = sp.MatrixSymbol("W", 2, 3)


def _relu(arg: object) -> Elementwise:
    return Elementwise(sp.Lambda(T, sp.Piecewise((T, T > 0), (0, True))), arg)


def _cases() -> list[object]:
    scaled = sp.MatMul(sp.sqrt(2), U)  # stays a product after doit
    return [
        sp.MatMul(scaled, U.T),
        sp.MatMul(sp.HadamardProduct(_relu(scaled), U), sp.ImmutableMatrix([[-4, -1, 3]])),
        sp.MatAdd(sp.MatMul(A, scaled), sp.MatMul(sp.Rational(1, 2), sp.OneMatrix(2, 1))),
        sp.Transpose(sp.MatMul(A, sp.HadamardPower(scaled, 2))),
        sp.MatMul(sp.Determinant(sp.MatMul(A, A.T)), A),
        sp.MatMul(sp.Inverse(sp.MatMul(A, A.T)), A),
        sp.MatMul(W, X),  # leaves as symbols: entries W[i, k] X[k, j]
        _relu(sp.MatAdd(sp.MatMul(W, X), sp.MatMul(sp.exp(-3), sp.OneMatrix(2, 2)))),
    ]


def test_explicit_gives_sympys_entries() -> None:
    for case in _cases():
        mine = explicit(case)
        theirs = case.doit()
        theirs = theirs if isinstance(theirs, sp.MatrixBase) else theirs.as_explicit()
        assert mine.shape == theirs.shape
        assert all(sp.expand(a - b) == 0 for a, b in zip(mine, theirs, strict=True)), case


def test_even_refutes_at_a_number_and_keeps_even_functions() -> None:
    assert _even(sp.Abs(_T)) and _even(_T**2) and _even(sp.exp(-(_T**2)))
    assert _even(sp.Piecewise((1, sp.Abs(_T) > sp.Rational(1, 2)), (0, True)))
    assert not _even(sp.Piecewise((_T, _T > 0), (0, True)))
    assert not _even(sp.Piecewise((1, sp.Gt(_T, sp.Rational(5, 4))), (0, True)))
    assert not _even(_T**3) and not _even(sp.exp(_T)) and not _even(_T**2 + _T / 10**6)


def test_the_evaluator_walks_to_what_substituting_gives() -> None:
    """The exact check's evaluator walks each expression with its leaves' values; substituting
    them first and writing the result out (the way it falls back to) gives the same matrices."""
    net = sb.Network.parse("3-3:relu-2:softmax", loss="ce", l2=0.5)
    for batch in (False, True):
        d = sb.derive(net, batch=batch)
        sizes = concrete_sizes(d, None)
        env, evaluate, _table = forward_point(d, sizes, random.Random(3), Table, ACTIVATIONS)
        for layer, delta in d.deltas.items():
            env[d.delta_symbols[layer].name] = evaluate(delta)
        for expr in (*d.gradients.values(), *d.expanded.values()):
            walked = evaluate(expr)
            leaves = {s: evaluate._leaf(s.name) for s in expr.atoms(sp.MatrixSymbol)}
            concrete = expr.xreplace({**evaluate.scalars, **leaves})
            concrete = concrete.replace(
                lambda n: isinstance(n, (Elementwise, Softmax)), evaluate._tabulate
            )
            assert walked == sp.Matrix(explicit(concrete)), expr


@pytest.mark.parametrize("name", ["two_heads", "batch_norm", "softmax_l2", "dropout"])
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_the_model_evaluator_walks_to_what_substituting_gives(name: str) -> None:
    """The model check's evaluator walks each expression with its leaves' values (perf17);
    substituting them first (the real tables' path, and its fallback) gives the same matrices:
    every forward value, adjoint and gradient at a point, and the oracle's values in e."""
    d = sb.derive(Model.parse((EXAMPLES / f"{name}.model").read_text(encoding="utf-8")))
    check = ModelCheck(d, model_sizes(d, None), seed=5)
    env = check.point()
    e = sp.Dummy("e", real=True)
    moved = dict(env)
    parameter = next(iter(d.model.parameters))
    moved[parameter] = env[parameter] + sp.Matrix.ones(*env[parameter].shape) * e
    exprs = [*d.graph.forward.values(), *(s.expr for s in d.steps), *d.gradients.values()]
    walked = 0
    for expr in exprs:
        for values in (env, moved):
            try:
                substituted = check.evaluate._substituted(expr, values)
            except (KeyError, ValueError, ZeroDivisionError):
                continue  # an adjoint's name is no leaf here; a point outside a domain
            assert check.evaluate(expr, values) == substituted, expr
            walked += 1
    assert walked > len(exprs)


def test_a_determinant_written_into_an_explicit_matrix_is_its_number() -> None:
    """Session 16's regression: the model evaluator puts the leaves into det(X) inside a 1 x 1
    matrix; that entry was left as Determinant(Matrix(...)), so no point was ever seen with
    det(X) below 0 and the right gradient of log(abs(det(X))) was "cannot decide"."""
    m = sp.ImmutableMatrix([[1, 2, 0], [3, 5, sp.Rational(1, 2)], [0, -1, 4]])
    written = explicit(sp.ImmutableMatrix([[sp.Determinant(m), sp.Trace(m) / 2]]))
    assert written == sp.ImmutableMatrix([[m.det(), m.trace() / 2]])
    assert written[0, 0] == sp.Rational(-7, 2)  # 1 (20 + 1/2) - 2 (12)


def test_a_one_by_one_base_of_a_determinant_is_named_in_the_formula_language() -> None:
    """The "cannot decide" sentence named such a base ``Matrix([[Determinant(X)]])``."""
    from symbackprop.check.switches import shown_number
    from symbackprop.render.formula import to_formula

    square = sp.MatrixSymbol("X", 3, 3)
    assert to_formula(shown_number(sp.ImmutableMatrix([[sp.Determinant(square)]]))) == "det(X)"
