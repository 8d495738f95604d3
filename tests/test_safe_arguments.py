"""A where-branch with a pole (sqrt(relu(.))'s 1/(2 sqrt(t)) for t > 0) reads a safe argument
where it is not taken: the lowering plan decides which (lowering.guards), every backend's
printer takes it from there; the condition on a root's cached output reads ``t3 > 0``, not the
``t3**2 > 0`` of SymPy's substitution, and the gradients it gives are right."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
import sympy as sp
from framework_support import import_framework

import symbackprop as sb
from symbackprop.core.model_derivation import derive_model
from symbackprop.core.model_graph import conditions_on_output
from symbackprop.lowering.guards import SafeArgument, guarded, printed_forms, safe_forms
from symbackprop.lowering.jax.printer import JaxPrinter
from symbackprop.lowering.model_plan import build_model_plan
from symbackprop.lowering.numpy.printer import NumPyPrinter
from symbackprop.lowering.torch.printer import TorchPrinter
from symbackprop.records.nodes import Elementwise, T
from symbackprop.records.scalars import z

SQRT_RELU = "X : 3 x m\nW : 2 x 3\nJ = sum(sqrt(relu(W X)))\ndata: X\n"
PRINTERS = {"numpy": NumPyPrinter, "torch": TorchPrinter, "jax": JaxPrinter}
NAMESPACES = {"numpy": "np", "torch": "torch", "jax": "jnp"}


def test_guarded_reads_the_root_at_a_safe_argument_where_not_taken() -> None:
    form = sp.Piecewise((1 / (2 * sp.sqrt(z)), z > 0), (0, True))
    safe = guarded(form)
    assert safe.args[0].expr == 1 / (2 * sp.sqrt(SafeArgument(z, z > 0, 1)))
    assert safe.args[1].expr == 0
    for value in (4, -4, 0):  # the same function: the safe argument only where not taken
        at = {z: sp.Integer(value)}
        assert safe.xreplace(at) == form.xreplace(at)
    assert guarded(sp.Piecewise((z, z > 0), (0, True))) == sp.Piecewise((z, z > 0), (0, True))


def test_every_printer_takes_the_safe_argument_from_the_plans_table() -> None:
    """The printers print a where-branch as they are handed it: with the table a plan builds
    (``safe_forms``) the root reads ``where(cond, t, 1.0)``; without it, ``t``."""
    body = sp.Piecewise((1 / (2 * sp.sqrt(T)), T > 0), (0, True))
    expr = Elementwise(sp.Lambda(T, body), sp.MatrixSymbol("t2", 2, 3))
    table = safe_forms(printed_forms([expr], {}))
    assert table == {body: guarded(body)}
    for backend, printer in PRINTERS.items():
        where, sqrt = printer.WHERE, f"{NAMESPACES[backend]}.sqrt"
        with_table = printer({}, guards=table).code(expr)
        safe = f"0.5 / {sqrt}({where}(t2 > 0, t2, 1.0))"
        assert with_table == f"{where}(t2 > 0, {safe}, 0.0)", backend
        assert printer({}).code(expr) == f"{where}(t2 > 0, 0.5 / {sqrt}(t2), 0.0)", backend


def test_a_condition_on_a_roots_output_reads_naturally() -> None:
    """sqrt(t) = a >= 0, so SymPy's t > 0 -> a**2 > 0 is a > 0; not for a function that
    takes negative values (tanh), nor for a bound with no rational root."""
    body = sp.Piecewise((1 / (2 * T), T**2 > 0), (0, True))
    assert conditions_on_output(body, sp.sqrt(T)) == sp.Piecewise((1 / (2 * T), T > 0), (0, True))
    assert conditions_on_output(body, sp.tanh(T)) == body
    odd = sp.Piecewise((T, T**2 > 2), (0, True))
    assert conditions_on_output(odd, sp.sqrt(T)) == odd


@pytest.mark.slow
def test_the_plan_decides_the_safe_argument_for_every_backend() -> None:
    plan = build_model_plan(derive_model(sb.Model.parse(SQRT_RELU)), None)
    (statement,) = [s for s in plan.backward if s.target == "dt1"]
    assert len(plan.guards) == 1
    for backend, printer in PRINTERS.items():
        where = printer.WHERE
        with_plan = printer(plan.activations, guards=plan.guards).code(statement.expr)
        assert with_plan == f"{where}(t3 > 0, 0.5 / {where}(t3 > 0, t3, 1.0), 0.0)", backend
        # without the plan's table the pole is evaluated everywhere: the decision is not
        # the printer's
        bare = printer(plan.activations).code(statement.expr)
        assert bare == f"{where}(t3 > 0, 0.5 / t3, 0.0)", backend


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_sqrt_relu_gradient_matches_jax_where_defined(backend: str) -> None:
    """dJ/dW against jax.grad of the model as written, at data where no pre-activation is 0
    (jax.grad of sqrt(relu(0)) is NaN), negative ones among them."""
    jax = import_framework("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 7))
    w = rng.standard_normal((2, 3))
    assert ((w @ x) < 0).any() and ((w @ x) > 0).any()
    want = jax.grad(lambda w_: jnp.sum(jnp.sqrt(jax.nn.relu(w_ @ x))))(jnp.asarray(w))
    module = sb.compile(sb.Model.parse(SQRT_RELU), backend=backend)
    convert = np.asarray if backend == "numpy" else None
    if backend == "torch":
        convert = import_framework("torch").tensor
    elif backend == "jax":
        convert = jnp.asarray
    assert convert is not None
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        _, grads = module.loss_and_grads({"W": convert(w)}, convert(x))
    np.testing.assert_allclose(np.asarray(grads["W"]), np.asarray(want), rtol=1e-12)


@pytest.mark.parametrize(
    ("cost", "function"), [("sqrt(relu(W X))", "sqrt"), ("relu(W X)^0.5", "(·)^(1/2)")]
)
def test_the_cancelling_step_names_the_function_whose_derivative_it_uses(
    cost: str, function: str
) -> None:
    """The relu step of sqrt(relu(.)) multiplies by sqrt's derivative, and says so (it said
    "log's derivative" for every function with a pole)."""
    model = sb.Model.parse(f"X : 3 x m\nW : 2 x 3\nJ = sum({cost})\ndata: X\n")
    text = " ".join(step.reason for step in derive_model(model).steps)
    assert "log" not in text
    assert f"of {function} times this one" in " ".join(text.split())


def test_the_settle_proof_reads_only_an_even_roots_condition_as_its_arguments() -> None:
    """sqrt(u) > 0 and u > 0 agree for every real u (the root is NaN below 0); u**2 > 0 and
    u**3 > 8 do not (u = -1), so the proof of a cache reuse must not read them as u > 0."""
    from symbackprop.lowering.settle_check import _root_condition

    u = sp.Symbol("u", real=True)
    assert _root_condition(sp.sqrt(u) > 0) == (u > 0)
    assert _root_condition(u ** sp.Rational(3, 2) >= 8) == (u >= 4)
    for kept in (u**2 > 0, u**3 > 8, sp.cbrt(u) > 0, sp.sqrt(u) < 1):
        assert _root_condition(kept) == kept


def _where_code_holds(relation: Any, u: sp.Symbol, q: int, negative: bool) -> Any:
    """The set of real u on one side of 0 where the generated code's comparison is true: on
    u < 0 a power whose exponent has an even denominator is not real (NaN in the code: ``!=``
    true, every other comparison false); on u >= 0, u = v**q (v >= 0) makes the power the
    polynomial v**p (q: the denominator of the exponent read), which solveset decides."""
    power = relation.lhs
    exponent = power.exp if isinstance(power, sp.Pow) else sp.Integer(1)
    if negative:
        below = sp.Interval.open(-sp.oo, 0)
        if exponent.q % 2 == 0:
            return below if isinstance(relation, sp.Ne) else sp.S.EmptySet
        return sp.solveset(relation, u, below)
    v = sp.Symbol("v", nonnegative=True)
    return sp.solveset(relation.subs(u, v**q), v, sp.Interval(0, sp.oo))


@pytest.mark.slow
def test_sympy_proves_every_root_condition_the_settle_proof_reads() -> None:
    """Every rewrite ``u**(p/q) rel c -> u rel r`` the proof makes, over exponents p/q up to
    4/4, bounds 0..9 and all six comparisons, holds for exactly the same real u (SymPy's
    solveset on u >= 0 and on u < 0, NaN where an even root is not real). Fails if the rule
    read an integer or odd-root power (u**2 > 4 is not u > 2 at u = -3)."""
    from symbackprop.lowering.settle_check import _root_condition

    u = sp.Symbol("u", real=True)
    comparisons = (sp.Gt, sp.Ge, sp.Eq, sp.Ne, sp.Lt, sp.Le)
    rewritten = 0
    cases = itertools.product(range(1, 5), range(1, 5), (0, 1, 4, 8, 9), comparisons)
    for p, q, bound, rel in cases:
        relation = rel(u ** sp.Rational(p, q), bound, evaluate=False)
        read = _root_condition(relation)
        if read == relation:
            continue  # kept as written: nothing to prove
        rewritten += 1
        for negative in (False, True):
            q_read = sp.Rational(p, q).q
            before = _where_code_holds(relation, u, q_read, negative)
            after = _where_code_holds(read, u, q_read, negative)
            assert before == after, (relation, read, "u < 0" if negative else "u >= 0")
    assert rewritten >= 20  # the rule does fire: sqrt(u) > 0, u**(1/4) >= 1, ...
