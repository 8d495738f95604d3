"""The public plain text of a step (``Step.reason``, ``Step.algebra_text``, a candidate's
note) is written by the one plain-text printer the terminal uses: no SymPy spelling
(``Piecewise((1, z > 0), (0, True))``, ``a**2``, ``Transpose(W)``, ``mu*1``), no graph name
(``_t3``, the power function ``^1/2``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import symbackprop as sb
from symbackprop.core.derivation import Derivation
from symbackprop.model import Model

MODELS = Path(__file__).parent.parent / "examples" / "models"

#: what SymPy's str printer or the graph's bookkeeping would write, never the printer
INTERNAL = re.compile(
    r"Piecewise\(|Heaviside|\*\*|(?<![A-Za-z0-9])_t[0-9]|(?<![)\w.])\^-?\d+(/\d+)?'?\("
    r"|\b(Mul|MatMul|MatAdd|HadamardProduct|HadamardPower|ElementwiseApplyFunction|Transpose"
    r"|OneMatrix|Identity|Determinant|Inverse|Trace|Lambda)\(|\*1\b|\[0, 0\]|(?<![\w^])I\b"
)

POWER = "X : 3 x m\nW : 2 x 3\nH = relu(W X)\nJ = sum(H^0.5)\ndata: X\n"
#: the same, with relu's 1{a > 0} cancelled against the power's derivative (slower)
CANCELLED = "X : 3 x m\nW : 2 x 3\nJ = sum(relu(W X)^0.5)\ndata: X\n"
FUNCTIONS = (
    "X : 3 x m\nW : 2 x 3\nu : 2 x 1\n"
    "J = sum(leaky_relu(W X)) + sum(abs(W X)) + sum((W X)^3) + sum(1 / (W X)) + "
    "(sum(u) - 1)^2\ndata: X\n"
)
DEFINE = {"swish": "z*sigmoid(z)", "cube": "z^3/3", "hump": "sqrt(1 + z^2)"}


def texts(d: Derivation) -> Iterator[str]:
    for step in d.steps:
        yield step.reason
        yield step.algebra_text or ""
        yield from (cand.note for cand in step.candidates)


def internal(d: Derivation) -> list[str]:
    return [text for text in texts(d) if INTERNAL.search(text)]


def test_a_model_reason_prints_as_the_terminal_does() -> None:
    d = sb.derive(Model.parse(POWER))
    assert internal(d) == []
    assert "(H^0.5) = sqrt(H)" in d.steps[2].reason
    assert "(·)^(1/2)'(H)" in d.steps[3].reason
    assert "with derivative 1{· > 0}" in d.steps[3].reason
    # a power is spelled one way, in its reason and its derivative's name: one placeholder,
    # a fraction exponent bracketed (^ binds before /: (·)^1/2 would read as half of (·))
    assert "; (·)^(1/2) acts entry by entry" in d.steps[2].reason
    assert "⊙ (·)^(1/2)'(H) has that shape" in d.steps[2].reason
    assert not any("(.)" in text or "^1/2" in text for text in texts(d))


def test_a_network_derivative_uses_the_formula_spelling() -> None:
    d = sb.derive(sb.Network.parse("3-2-2", hidden="tanh", output="identity", loss="mse"))
    assert internal(d) == []
    assert any("1 - a^2" in step.reason for step in d.steps)


def corpus() -> Iterator[tuple[str, Derivation]]:
    for path in sorted(MODELS.glob("*.model")):
        yield path.stem, sb.derive(Model.from_file(path))
    for name, source in (("power", POWER), ("cancelled", CANCELLED), ("functions", FUNCTIONS)):
        yield name, sb.derive(Model.parse(source))
    acts = ["sigmoid", "tanh", "relu", "leaky_relu", "identity", "softplus", *DEFINE]
    outputs = {"bce": ["sigmoid"], "ce": ["softmax"], "mse": acts}
    for loss, outs in outputs.items():
        for out in outs:
            for hidden in acts:
                net = sb.Network.parse(
                    "3-2-2", hidden=hidden, output=out, loss=loss, l2=0.1, define=DEFINE
                )
                for batch in (False, True):
                    yield f"{hidden}-{out}-{loss}-{batch}", sb.derive(net, batch=batch)


def restated(d: Derivation) -> list[str]:
    """Algebra chains with two sides that print alike (``x = x`` is no algebra)."""
    out = []
    for step in d.steps:
        sides = (step.algebra_text or "").split(" = ")
        if any(left == right for left, right in zip(sides, sides[1:], strict=False)):
            out.append(step.algebra_text or "")
    return out


@pytest.mark.slow
def test_no_reason_in_the_corpus_spells_sympy_internals() -> None:
    derivations = dict(corpus())
    assert {name: bad for name, d in derivations.items() if (bad := internal(d))} == {}
    assert {name: bad for name, d in derivations.items() if (bad := restated(d))} == {}
    # relu's 1{a > 0} times the power's derivative prints as the product it simplifies to
    assert derivations["cancelled"].steps[3].algebra_text == "(1/(2*sqrt(a))) 1{a > 0}"
