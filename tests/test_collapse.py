"""Identity activations collapse a network into W' x + b' (the lecture's W3 W2 W1, ...)."""

from __future__ import annotations

import click
import pytest
import sympy as sp
from click.testing import CliRunner

import symbackprop as sb
from symbackprop.apps.collapse import collapse, text
from symbackprop.cli.lecture_commands import register


def _group() -> click.Group:
    @click.group()
    def group() -> None:
        """test group"""

    register(group)
    return group


def test_lecture_network_gives_the_lecture_formulas() -> None:
    c = collapse(sb.Network.parse("4-3-2-1", activation="identity", loss="mse"))
    W = [c.graph.W(layer) for layer in (1, 2, 3)]
    b = [c.graph.b(layer) for layer in (1, 2, 3)]
    assert c.weight == W[2] * W[1] * W[0]
    assert sp.expand(c.bias) == sp.expand(W[2] * W[1] * b[0] + W[2] * b[1] + b[2])
    assert text(c.weight) == "W[3] W[2] W[1]"
    assert text(c.bias) == "W[3] W[2] b[1] + W[3] b[2] + b[3]"
    # W' is n3 x n0 and b' is n3 x 1 with generic dimensions
    assert c.weight.shape == (c.graph.dims[3], c.graph.dims[0])
    assert c.bias.shape == (c.graph.dims[3], 1)


@pytest.mark.parametrize("spec", ["n-3-2-1", "4-3-2-1", "2-1", "3-3-3-3-3-3", "n-k-2-p-1"])
def test_verify_symbolic_and_rational(spec: str) -> None:
    check = collapse(spec, activation="identity").verify(trials=3)
    assert check.symbolic
    assert check.rational_ok == check.trials == 3
    assert check.ok


def test_any_depth_recurrence() -> None:
    c = collapse("-".join(["2"] * 8), activation="identity")  # 7 layers
    # b' has one term per layer: W7...W(l+1) b_l, the last one bare
    assert len(sp.expand(c.bias).args) == 7
    assert text(c.weight) == " ".join(f"W[{layer}]" for layer in range(7, 0, -1))


def test_a_wrong_collapse_is_caught() -> None:
    c = collapse("3-2-2-1", activation="identity")
    c.bias = c.graph.W(3) * c.graph.b(2) + c.graph.b(3)  # drop the W3 W2 b1 term
    check = c.verify()
    assert not check.symbolic
    assert check.rational_ok < check.trials


def test_refuses_a_non_identity_layer_naming_it() -> None:
    with pytest.raises(
        sb.SpecError, match=r"layer 2 \('2:relu'\).*relu is not written as the identity"
    ):
        collapse("4-3-2:relu-1", activation="identity")
    with pytest.raises(sb.SpecError, match="layer 1.*sigmoid"):
        collapse(sb.Network.parse("4-3-2-1"))
    with pytest.raises(
        sb.SpecError, match="collapse needs the identity in every layer"
    ):  # hostile13 #7
        collapse("4-3:q-1:identity", define={"q": "2*z+1"})


def test_custom_identity_counts() -> None:
    net = sb.Network.parse("3-2:ident-1:ident", loss="mse", define={"ident": "z"})
    assert collapse(net).verify().ok


def test_latex_uses_cs229_notation() -> None:
    tex = collapse("n-3-2-1", activation="identity").latex()
    assert r"W' &= W^{[3]} W^{[2]} W^{[1]}" in tex
    assert r"b' &= W^{[3]} W^{[2]} b^{[1]} + W^{[3]} b^{[2]} + b^{[3]}" in tex
    assert r"\hat{y}" in tex and tex.startswith(r"\begin{align*}")


def test_cli_default_loss_is_fine_with_identity_output() -> None:
    runner = CliRunner()
    result = runner.invoke(_group(), ["collapse", "4-3-2-1", "--activation", "identity"])
    assert result.exit_code == 0, result.output
    assert "W[3] W[2] W[1]" in result.output
    assert "W[3] W[2] b[1] + W[3] b[2] + b[3]" in result.output
    # piped (as here), no line is padded with rich's trailing spaces (newcomer27)
    assert all(line == line.rstrip() for line in result.output.splitlines())
    latex = runner.invoke(
        _group(), ["collapse", "n-3-2-1", "--activation", "identity", "--format", "latex"]
    )
    assert latex.exit_code == 0 and "W^{[3]} W^{[2]} W^{[1]}" in latex.output


def test_cli_refusal_is_a_spec_error() -> None:
    result = CliRunner().invoke(_group(), ["collapse", "4-3-2-1"])
    # the main group maps SpecError to exit 2 and one line on stderr
    assert isinstance(result.exception, sb.SpecError)
    assert "is not written as the identity" in str(result.exception)


def test_cli_honours_the_sizes_given_and_checks_large_ones_at_eight() -> None:
    """``--size n=3 --size k=2`` used to be replaced by n=2, k=2 in silence (hostile14 #9).
    A large one was refused, where the same width written as a number (3-9-1) is checked at 3
    (hostile44a #4): it is checked at 8, and the sizes line says so."""
    args = ["collapse", "n-k-1", "--activation", "identity", "--size", "n=3", "--size", "k=5"]
    result = CliRunner().invoke(_group(), args)
    assert result.exit_code == 0, result.output
    assert "at small sizes: n=3, k=5, n2=1" in " ".join(result.output.split())
    large = CliRunner().invoke(_group(), [*args[:4], "--size", "n=40", "--size", "k=9"])
    assert large.exit_code == 0, large.output
    assert "at small sizes: n=8, k=8, n2=1" in " ".join(large.output.split())


def test_an_identity_sympy_does_not_write_as_z_is_not_called_something_else() -> None:
    """hostile33 #4: relu(z) - relu(-z) is z everywhere; "activation lin is not the identity"
    was false. The refusal says what is known: it is not written as g(z) = z."""
    with pytest.raises(sb.SpecError) as refused:
        collapse("3-4:lin-2:lin", define={"lin": "relu(z)-relu(-z)"})
    assert "lin is not written as the identity g(z) = z" in str(refused.value)
    assert "is not the identity" not in str(refused.value)
    assert collapse("3-4:lin-2:lin", define={"lin": "z"}) is not None
