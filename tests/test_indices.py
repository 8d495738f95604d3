"""The index view: every displayed equality is checked on a concrete instance before it is
printed, for every rule kind; a wrong identity is caught; the printers and the CLI."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner
from latex_support import pdflatex, run_pdflatex
from sympy import KroneckerDelta, Sum

import symbackprop as sb
from symbackprop.cli.main import main
from symbackprop.core.index_check import index_view, verify
from symbackprop.core.index_terms import entry, i, j, k
from symbackprop.core.indices import IndexBuilder
from symbackprop.errors import InternalError
from symbackprop.render import to_latex
from symbackprop.render.indices import to_index_latex, to_index_markdown, to_index_text

ROOT = Path(__file__).resolve().parent.parent

FAST = [("4-3-2-1", {}, False)]
#: each activation, each loss, single and batch, with and without L2 (the latex test below
#: checks 3-2:relu-3:softmax, ce, L2, batch, in the default suite)
BROAD = [
    ("3-2:relu-3:softmax", {"loss": "ce", "l2": 0.1}, True),
    ("3-2:tanh-2:identity", {"loss": "mse"}, False),
    ("3-2:tanh-2:identity", {"loss": "mse", "l2": 0.5}, True),
    ("3-3:leaky_relu-3:softplus", {"loss": "mse"}, True),
    ("2-3:relu-2:sigmoid", {"loss": "bce", "l2": 0.25}, False),
    ("2-2:sigmoid-3:softmax", {"loss": "ce"}, False),
    ("2-2:leaky_relu-2:softmax", {"loss": "mse"}, True),
    ("3-2:swish-1", {"define": {"swish": "z*sigmoid(z)"}}, True),
    ("n-3-3-1", {"l2": 0.1}, True),
]


#: plain-text mathematics that must not reach LaTeX or Markdown (issue 12)
ASCII_MATH = ("*log(", "ˆ", "sum_k", "lambda/", "1{", "**", "Σ", "dJ/d", "^T", "delta2", "delta3")


def _kinds(steps: list) -> set[str]:
    return {str(view.step.rule) for view in steps}


@pytest.mark.parametrize(("spec", "kwargs", "batch"), FAST)
def test_every_step_has_a_checked_index_view(spec: str, kwargs: dict, batch: bool) -> None:
    d = sb.derive(sb.Network.parse(spec, **kwargs), batch=batch)
    views = index_view(d)  # raises InternalError if any displayed equality fails
    assert len(views) == len([s for s in d.steps if s.rule != "assumption"])
    assert {"loss", "elementwise", "bilinear", "bias"} <= _kinds(views)


@pytest.mark.slow
@pytest.mark.parametrize(("spec", "kwargs", "batch"), BROAD)
def test_index_view_checks_pass_broadly(spec: str, kwargs: dict, batch: bool) -> None:
    d = sb.derive(sb.Network.parse(spec, **kwargs), batch=batch)
    views = index_view(d)
    assert len(views) == len([s for s in d.steps if s.rule != "assumption"])
    for out in (to_index_latex(d), to_index_markdown(d)):
        for ascii_math in ASCII_MATH:
            assert ascii_math not in out, ascii_math


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("batch", [False, True])
def test_every_step_collects_into_matrix_form(batch: bool) -> None:
    """hostile34a #2: softmax with a loss other than ce ended at the entry formula, with no
    "hence dJ/dz2 = ..." line, though every other step has one (its form is checked too)."""
    d = sb.derive(sb.Network.parse("3-2:leaky_relu-3:softmax", loss="mse"), batch=batch)
    views = index_view(d)
    assert all(view.matrix is not None for view in views), [
        view.step.target for view in views if view.matrix is None
    ]
    text = to_index_text(d)
    z = "Z2" if batch else "z2"
    assert f"hence dJ/d{z} = " in text and "1_(n2 x n2)" in text


def _weight_view(batch: bool = False):  # type: ignore[no-untyped-def]
    d = sb.derive(sb.Network.parse("3-2-2"), batch=batch)
    step = next(s for s in d.steps if s.target == "dJ/dW2")
    return d, IndexBuilder(d).weight(step)


def test_a_wrong_index_identity_is_caught() -> None:
    """delta_j a_i in place of delta_i a_j (the transposed gradient) is refused."""
    d, view = _weight_view()
    verify(d, view)  # the true view passes
    eq = view.equations[0]
    g = d.graph
    delta, a = d.delta_symbols[2], g.a(1)
    wrong = Sum(entry(delta, k) * KroneckerDelta(k, j) * entry(a, i), (k, 1, g.dims[2]))
    bad = dataclasses.replace(eq, sides=(*eq.sides[:2], wrong))
    with pytest.raises(InternalError, match="index view of step"):
        verify(d, dataclasses.replace(view, equations=(bad,)))


def test_a_wrong_matrix_form_is_caught() -> None:
    """The matrix form is checked entry by entry: delta2 a1^T without the L2-free term's
    transpose partner (2 delta2 a1^T) is refused."""
    d, view = _weight_view(batch=True)
    assert view.matrix is not None
    bad = dataclasses.replace(view.matrix, expr=2 * view.matrix.expr)
    with pytest.raises(InternalError, match="matrix form"):
        verify(d, dataclasses.replace(view, matrix=bad))


def test_text_names_the_transpose_the_diagonal_and_the_batch_sum() -> None:
    d = sb.derive(sb.Network.parse("3-2-1"), batch=True)
    out = to_index_text(d)
    assert "hence dJ/dW2 = delta2 A1^T" in out
    assert "Σ_t delta2[i,t] A1[j,t]" in out
    assert "is diagonal" in out and "⊙ sigmoid'(Z2)" in out
    assert "the batch is summed" in out and "hence dJ/db2 = delta2 1_m" in out
    assert "hence dJ/dA1 = W2^T delta2" in out


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_wrt_keeps_only_the_path() -> None:
    d = sb.derive(sb.Network.parse("4-3-2-1"))
    out = to_index_text(d, wrt="W3")
    assert "dJ/dW3" in out and "dJ/dW2" not in out


def test_markdown_has_display_math_and_no_ascii_math() -> None:
    d = sb.derive(sb.Network.parse("3-2:relu-1"))  # softmax and batch: the slow test above
    md = to_index_markdown(d)
    assert md.count("$$") % 2 == 0 and r"\mathbf{1}_{" in md
    for ascii_math in ASCII_MATH:
        assert ascii_math not in md


@pytest.mark.slow  # pdflatex
def test_latex_document_with_index_view_compiles(tmp_path: Path) -> None:
    pdflatex()  # skip before deriving when it is missing
    d = sb.derive(sb.Network.parse("3-2:relu-3:softmax", loss="ce", l2=0.1), batch=True)
    tex = to_latex(d, indices=True)
    assert r"\section*{The index view: from entries to matrices}" in tex
    assert tex.endswith("\\end{document}\n")
    proc = run_pdflatex(tmp_path, tex)
    assert proc.returncode == 0, [ln for ln in proc.stdout.splitlines() if ln.startswith("!")]


def test_latex_without_indices_is_unchanged() -> None:
    d = sb.derive(sb.Network.parse("4-3-2-1"))
    assert to_latex(d) == to_latex(d, indices=False)
    assert "index view" not in to_latex(d)


def test_cli_derive_indices() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["derive", "4-3-2-1", "--indices", "--wrt", "W2"])
    assert result.exit_code == 0, result.output
    assert "hence dJ/dW2 = delta2 a1^T" in result.output
    latex = runner.invoke(main, ["derive", "3-2-1", "--indices", "--format", "latex"])
    assert latex.exit_code == 0 and r"\begin{align*}" in latex.output
    refused = runner.invoke(main, ["derive", "3-2-1", "--indices", "--format", "json"])
    assert refused.exit_code == 2
    model = str(ROOT / "examples" / "models" / "residual_mlp.model")
    for command in (["derive", model, "--indices"], ["latex", model, "--indices"]):
        out = runner.invoke(main, command)
        assert out.exit_code == 2 and "dense networks" in out.output


def test_index_view_of_a_model_is_refused() -> None:
    d = sb.derive(str(ROOT / "examples" / "models" / "residual_mlp.model"))
    with pytest.raises(sb.SpecError, match="dense networks"):
        to_latex(d, indices=True)


def test_index_expressions_are_sympy_data() -> None:
    d = sb.derive(sb.Network.parse("3-2-1"))
    view = index_view(d)[2]
    assert all(isinstance(side, sp.Basic) for side in view.equations[0].sides)


def test_an_index_view_snippet_allows_its_display_breaks() -> None:
    """hostile35b #3: the snippet with the index view runs over several pages, whose displays
    break only under \\allowdisplaybreaks; its header said amsmath alone. Every snippet now
    allows its own breaks, in a group (lecturer46 #1), and the index view is inside it."""
    d = sb.derive("4-3-2-1")
    lines = sb.to_latex(d, standalone=False, indices=True).splitlines()
    assert lines[0].endswith("needs amsmath")
    assert lines[1] == "\\begingroup\\allowdisplaybreaks"
    assert lines[-1] == "\\endgroup" and any("index" in line.lower() for line in lines[2:-1])
    assert sb.to_latex(d, standalone=False).splitlines()[0].endswith("needs amsmath")
