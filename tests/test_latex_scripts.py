"""No double sub- or superscript in LaTeX (TeX stops with "Double superscript"): inv(A)^T, a
power of a power, a 1 x 1 value under ^-1, a marked norm1(W) used twice (hostile6 item 10)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from latex_support import pdflatex, run_pdflatex

import symbackprop as sb
from symbackprop.formula import parse
from symbackprop.render.formula_latex import formula_latex
from symbackprop.render.latex_scripts import attach, trailing_scripts
from symbackprop.render.model_names import name_latex

_DOUBLE = re.compile(r"\^\{[^{}]*\}\^|_\{[^{}]*\}_|\)\^\{[^{}]*\}\^")

MODELS = {
    "inv_t": "A : n x n\nsizes: n = 2\nJ = sum(inv(A)^T ⊙ A)\n",
    "recip_scalar": "x : n x 1\nw : n x 1\nsizes: n = 2\ns = w^T x\nJ = 1 / (1 + s^2)\ndata: x\n",
    "norm_twice": "x : n x 1\nW : n x n\nsizes: n = 2\nJ = sum(W x) + norm1(W) norm1(W)\n"
    "data: x\n",
    "pow_pow": "x : n x 1\nv : n x 1\nsizes: n = 2\nJ = ((v^T x)^2)^3\ndata: x\n",
    "inv_pow": "A : n x n\nsizes: n = 2\nJ = sum(inv(A)^2)\n",
    "tt": "x : n x 1\nW : n x n\nsizes: n = 2\nJ = sum(((W^T)^T x)^2)\ndata: x\n",
}


def test_attach_braces_a_base_with_a_script_of_the_same_kind() -> None:
    assert attach("A^{-1}", r"^{\top}") == r"{A^{-1}}^{\top}"
    assert attach(r"\rVert_{1}", r"_{\#2}") == r"{\rVert_{1}}_{\#2}"
    assert attach(r"\rVert_{2}", "^{2}") == r"\rVert_{2}^{2}"  # the other kind: valid TeX
    assert attach("x", "^{2}") == "x^{2}"
    assert trailing_scripts("x_{1}^{2}") == {"^", "_"}
    assert trailing_scripts(r"\{a\}") == set()


def _model(tmp_path: Path, key: str) -> Path:
    path = tmp_path / f"{key}.model"
    path.write_text(MODELS[key], encoding="utf-8")
    return path


@pytest.mark.parametrize("key", ["inv_t", "norm_twice", "pow_pow"])
def test_no_double_script_in_the_latex_document(tmp_path: Path, key: str) -> None:
    tex = sb.to_latex(sb.derive(str(_model(tmp_path, key))))
    assert not _DOUBLE.search(tex), _DOUBLE.search(tex)


@pytest.mark.slow
def test_the_documents_compile(tmp_path: Path) -> None:
    """Every model above, as a full document, through pdflatex."""
    pdflatex()  # skip before deriving when it is missing
    for key in MODELS:
        tex = sb.to_latex(sb.derive(str(_model(tmp_path, key))))
        run = run_pdflatex(tmp_path, tex, key)
        assert run.returncode == 0, (key, run.stdout[-1500:])


# -- every composition of script-carrying forms, fuzz-style -----------------------------------

_WRAPS = ("inv({})", "({})^T", "({})^2", "norm1({})", "norm2({})", "exp({})", "abs({})", "{}.T")


def _formulas() -> list[str]:
    """Each composition of up to three wrappers around W1 (the base carries a subscript)."""
    out, layer = [], ["W1"]
    for _ in range(3):
        layer = [wrap.format(inner) for inner in layer for wrap in _WRAPS]
        out += layer
    return out


def _printed() -> list[str]:
    return [formula_latex(parse(text, models=True), name_latex) for text in _formulas()]


def test_no_composition_prints_a_double_script() -> None:
    bad = [
        (text, tex)
        for text, tex in zip(_formulas(), _printed(), strict=True)
        if _DOUBLE.search(tex)
    ]
    assert not bad, bad[:5]


def test_every_composition_compiles_in_one_document(tmp_path: Path) -> None:
    pdflatex()  # skip before printing when it is missing
    body = "\n\n".join(f"${tex}$" for tex in _printed())
    doc = "\\documentclass{article}\\usepackage{amsmath}\n\\begin{document}\n" + body
    run = run_pdflatex(tmp_path, doc + "\n\\end{document}\n", "all")
    assert run.returncode == 0, run.stdout[-1500:]
