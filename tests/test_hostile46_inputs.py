"""Session 46's inputs: what hung or printed raw control characters."""

from __future__ import annotations

import numpy as np
import pytest

import symbackprop as sb


def _nested(function: str, inner: str, depth: int) -> str:
    return f"{function}(" * depth + inner + ")" * depth


@pytest.mark.slow
def test_tanh_nested_deep_is_checked_in_seconds() -> None:
    """hostile46a #1-#3: tanh nested 12 deep in a model hung shapecheck (SymPy asked of each
    level whether it is real, expanding the level below; 10 deep took 24 s); a formula of 20
    nested tanh hung on the lecture's network (each tanh written as exps doubled the body per
    level); a custom activation of 13 nested tanh hung codegen and check (its derivative
    printed for a comment with a symbol that had lost z's realness). Each now ends with its
    verdict: a test that hung before."""
    model = sb.Model.parse(
        f"x : 3 x 1\nW : 2 x 3\nJ = sum({_nested('tanh', 'W x', 15)})\ndata: x\n"
    )
    report = sb.check_formula(model, "W", "W")
    assert report.exit_code == 1 and report.equal is False
    formula = _nested("tanh", "delta2 a1^T", 20)
    assert sb.check_formula("4-3-2-1", "W2", formula).exit_code == 1
    net = sb.Network.parse("4-3-1", hidden="sw", define={"sw": _nested("tanh", "z", 16)})
    source = sb.codegen(net)
    assert "sw'(Z1) = (1 - tanh(Z1)^2) ⊙ (1 - tanh(tanh(Z1))^2)" in " ".join(
        line.strip().removeprefix("# ") for line in source.splitlines()
    )
    module = sb.compile(net)
    rng = np.random.default_rng(0)
    assert sb.gradcheck(
        module,
        module.init_params(seed=0),
        rng.standard_normal((4, 3)),
        rng.uniform(0.1, 0.9, (1, 3)),
    ).ok


@pytest.mark.parametrize("kind", ["model", "toml"])
def test_a_missing_file_is_named_with_its_control_characters_escaped(kind: str) -> None:
    """hostile46a #4: "model file 'esc\\x1b[31mRED.model': not found" went to the terminal raw,
    turning it red (or clearing it with \\x1b[2J); piped, the escape was dropped and the
    message named a file that exists. Escaped as every other message escapes user text."""
    name = f"nope\x1b[31mRED\b.{kind}"
    with pytest.raises(sb.SpecError) as caught:
        if kind == "model":
            sb.Model.from_file(name)
        else:
            sb.Network.from_file(name)
    message = str(caught.value)
    assert "\x1b" not in message and "\b" not in message
    assert "nope\\x1b[31mRED\\x08" in message and "not found" in message
