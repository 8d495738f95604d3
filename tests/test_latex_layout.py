"""Long formulas are broken, not run into the margin, and the placeholder argument reads well.

The pdflatex test compiles the model document of a sigmoid read by three losses (its scalar
algebra chain is wider than the page on one line) and the rnn_3 example's align snippet in a
plain article, and asserts no Overfull box; skipped without pdflatex unless
SYMBACKPROP_REQUIRE_PDFLATEX=1 (as in tests/test_latex_pdf.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sympy as sp
from latex_support import pdflatex, run_pdflatex

import symbackprop as sb
from symbackprop.core.placeholder import ARGUMENT_NAME
from symbackprop.core.segments import Math, Text
from symbackprop.core.textprint import TextPrinter
from symbackprop.render import to_latex, to_markdown
from symbackprop.render.formula_latex import formula_lines
from symbackprop.render.latexprint import MathLatexPrinter, display_width
from symbackprop.render.model_latex import TEXT_WIDTH
from symbackprop.render.model_names import name_latex
from symbackprop.render.prose import MARKDOWN_WIDTH, display_block, markdown_display

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "models"

#: three readers of p whose terms cancel with sigmoid': one algebra line is far wider than the page
MANY = """
X : n x m
Y1 : 1 x m
Y2 : 1 x m
w : 1 x n
sizes: n = 2
p = sigmoid(w X)
J = bce(p, Y1) + 2 mse(p, Y2) + bce(p, Y2) + 0.5 sum(p)
data: X, Y1, Y2
"""

DOT = sp.Symbol(ARGUMENT_NAME, real=True)


def _algebra_block(tex: str) -> str:
    start = tex.index(r"Scalar algebra inside $\odot$:")
    return tex[start : tex.index("Reuses", start)]


@pytest.fixture(scope="module")
def many() -> Any:
    return sb.derive(sb.Model.parse(MANY))


@pytest.fixture(scope="module")
def many_tex(many: Any) -> str:
    return to_latex(many, figure=False)


def test_a_long_algebra_chain_is_broken_at_its_signs(many_tex: str) -> None:
    block = _algebra_block(many_tex)
    assert r"\begin{align*}" in block and r"\[" not in block
    rows = block.split(r"\\")
    assert any(row.lstrip().startswith("&=") for row in rows)  # the = starts a line
    # no \left( ... \right) pair runs over a line break
    for row in rows:
        assert row.count(r"\left(") == row.count(r"\right)")


def test_the_markdown_algebra_chain_is_a_display_block(many: Any) -> None:
    md = to_markdown(many)
    assert "- scalar algebra:\n\n  $$\n  \\begin{aligned}" in md


def test_a_one_sided_line_too_wide_with_no_sign_to_break_at_has_no_alignment_tab() -> None:
    """A chain of one side (softmax's a s - y with s = sum_k y_k has no `=`) wider than the
    page and with no top-level sign gave the one row ``& ...``: `$& ...$` in Markdown and
    `\\[ & ... \\]` in LaTeX, an alignment tab outside any alignment."""
    product = sp.Mul(*sp.symbols("a0:40", real=True))  # no sign to break at
    segments = (Math(product, "a0*...*a39"), Text(" with "), Math(sp.Symbol("s"), "s"))
    printer = MathLatexPrinter()
    (line,) = markdown_display("   - scalar algebra:", segments, printer)
    assert line.startswith(r"   - scalar algebra: $\mathit{a0} \mathit{a1} ") and line.endswith(
        r"\text{ with }s$"
    )
    (display,) = display_block(segments, printer, MARKDOWN_WIDTH)
    assert display.startswith(r"\[ \mathit{a0} \mathit{a1} ") and "&" not in display


@pytest.mark.parametrize(
    ("expr", "latex", "text"),
    [
        (1 / (2 * sp.sqrt(DOT)), r"\frac{1}{2 \sqrt{\,\cdot\,}}", "1/(2*sqrt(·))"),
        (1 - sp.tanh(DOT) ** 2, r"1 - \tanh^{2}{\left(\cdot \right)}", "1 - tanh(·)^2"),
        (2 * DOT, r"2 (\cdot)", "2*(·)"),
        (-1 / DOT**2, r"- \frac{1}{(\cdot)^{2}}", "-1/(·)^2"),
        (sp.Piecewise((1, DOT > 0), (0, True)), r"\mathbf{1}\lbrace \cdot > 0 \rbrace", None),
    ],
)
def test_the_placeholder_is_bare_only_inside_a_functions_own_delimiters(
    expr: sp.Expr, latex: str, text: str | None
) -> None:
    from symbackprop.render.latexprint import finish

    assert finish(MathLatexPrinter().doprint(expr)) == latex
    if text is not None:
        assert TextPrinter().doprint(expr) == text


@pytest.mark.slow
def test_no_double_parentheses_around_the_placeholder_in_any_model_output() -> None:
    d = sb.derive(sb.Model.parse(MANY))
    assert r"((\cdot))" not in to_latex(d) and r"{\left((\cdot)" not in to_latex(d)
    assert "((·))" not in sb.to_text(d) and "?" not in sb.to_html(d).split("<main>")[1]


def _rnn_snippet_in_a_plain_article() -> str:
    return _in_a_plain_article(
        to_latex(sb.derive(str(EXAMPLES / "rnn_3.model")), standalone=False)
    )


def _lecture_expanded_snippet_in_a_plain_article() -> str:
    """The lecture's network, every gradient expanded: dJ/dW1's row was 13 pt too wide."""
    return _in_a_plain_article(to_latex(sb.derive("4-3-2-1"), standalone=False, expanded=True))


def _deep_expanded_snippet_in_a_plain_article(spec: str) -> Any:
    """A deeper network's expanded snippet: its nested \\Biggl( delimiters are wider than
    the estimate counts (4-5-5-5-5-1 was 11.5 pt too wide, 8-8-8-8-8-8-8-1 14 pt)."""
    return lambda: _in_a_plain_article(to_latex(sb.derive(spec), standalone=False, expanded=True))


def _in_a_plain_article(snippet: str) -> str:
    return "\n".join(
        [
            r"\documentclass{article}",
            r"\usepackage{amsmath}",
            r"\allowdisplaybreaks",  # the snippet is longer than a page
            r"\begin{document}",
            snippet,
            r"\end{document}",
        ]
    )


#: six sigmoids summed inside mse(...): one bracket pair no break reaches
GELU_TANH = "0.5*z*(1+tanh(0.7978845608*(z+0.044715*z^3)))"
SUM_IN_BRACKETS = (
    "X : n0 x m\nY : 1 x m\nsizes: n0 = 3\nJ = mse("
    + " + ".join(f"sigmoid(w{k}^T X + c{k})" for k in range(1, 7))
    + ", Y)\n"
)


@pytest.mark.slow
@pytest.mark.parametrize(
    "document",
    [
        lambda: to_latex(sb.derive(sb.Model.parse(MANY)), figure=False),
        # its expanded rows ran 105 pt into the margin of a plain article
        _rnn_snippet_in_a_plain_article,
        _lecture_expanded_snippet_in_a_plain_article,
        _deep_expanded_snippet_in_a_plain_article("4-5-5-5-5-1"),
        _deep_expanded_snippet_in_a_plain_article("8-8-8-8-8-8-8-1"),
        # a sum inside mse's brackets, which no line break reaches: 22 overfull boxes, 287 pt
        # in the Shapes table (hostile49b #2); its picture too
        lambda: to_latex(sb.derive(sb.Model.parse(SUM_IN_BRACKETS))),
        # a custom activation's derivative, one fraction wider than the line, in a reason ran
        # past the page (hostile51b #9): displayed and broken at its signs
        lambda: to_latex(sb.derive(sb.Network.parse("2-3:f-1", define={"f": GELU_TANH}))),
    ],
    ids=[
        "many_loss_document",
        "rnn_3_snippet",
        "lecture_expanded_snippet",
        "deep_expanded_snippet_5",
        "deep_expanded_snippet_7",
        "sum_in_brackets_document",
        "long_custom_derivative_document",
    ],
)
def test_a_model_document_has_no_overfull_line(tmp_path: Path, document: Any) -> None:
    pdflatex()  # skip before deriving when it is missing
    proc = run_pdflatex(tmp_path, document())
    assert proc.returncode == 0, proc.stdout[-2000:]
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "Overfull" not in log, [line for line in log.splitlines() if "Overfull" in line]


def test_a_long_equation_of_the_model_is_broken_before_a_sign(many_tex: str) -> None:
    longer = MANY.replace("+ 0.5 sum(p)", "+ 3 mse(p, Y1) + 0.5 sum(p) + sum(p ⊙ p)")
    cost = sb.Model.parse(longer).equations[-1].expr
    lines = formula_lines(cost, name_latex, 40)
    assert len(lines) > 1 and all(line.startswith("+ ") for line in lines[1:])
    assert lines[0].startswith(r"\operatorname{bce}")
    table = r"\begin{tabular}{lll>{\raggedright\arraybackslash}p{0.5\textwidth}}"
    assert table in many_tex  # the equation column wraps, ragged right


#: legal long names (hostile15 5h): a step's left side alone is most of the line
LONG_NAMES = """
X : 3 x m
W_encoder_first_layer : 4 x 3
data: X
J = sum(W_encoder_first_layer X) + 0.001 sum(W_encoder_first_layer ⊙ W_encoder_first_layer)
"""


def _align_blocks(tex: str) -> list[list[str]]:
    """The rows of every ``align*`` of a document."""
    blocks = tex.split(r"\begin{align*}")[1:]
    rows = (block.split(r"\end{align*}")[0].strip() for block in blocks)
    return [re.split(r" \\\\\*?(?:\[3pt\])?\n", block) for block in rows]


def test_a_long_left_side_gets_a_row_of_its_own_within_the_line() -> None:
    """hostile15 5h: the step displays of long names ran up to 194 pt past the margin (the left
    side beside a right side broken for a line of its own); align sets every right side beside
    the widest left side, so the two columns together must fit the text line."""
    tex = to_latex(sb.derive(sb.Model.parse(LONG_NAMES)), figure=False)
    own_rows = 0
    for rows in _align_blocks(tex):
        cells = [row.split("&", 1) for row in rows]
        left = max(display_width(cell[0]) for cell in cells)
        right = max(display_width(cell[1].lstrip("=")) for cell in cells if len(cell) == 2)
        assert left + right <= TEXT_WIDTH, rows
        own_rows += sum(1 for cell in cells if cell[0] == "" and "partial" in cell[1])
    assert own_rows >= 3  # dJ/dsum(W ⊙ W), dJ/d(W ⊙ W) in their steps and among the adjoints


@pytest.mark.slow
def test_the_long_names_document_has_no_overfull_display(tmp_path: Path) -> None:
    """The same document through pdflatex: no display line past the margin (TeX reports one
    "detected at line"; a reason's long inline formula is a paragraph, reported otherwise)."""
    pdflatex()
    proc = run_pdflatex(tmp_path, to_latex(sb.derive(sb.Model.parse(LONG_NAMES)), figure=False))
    assert proc.returncode == 0, proc.stdout[-2000:]
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "Overfull \\hbox" in log  # the reasons' inline formulas: still too wide (see README)
    assert not [line for line in log.splitlines() if "Overfull" in line and "detected at" in line]


@pytest.mark.parametrize(("wrt", "batch"), [("W2", False), ("b1", True)])
def test_wrt_document_states_the_update_of_its_own_parameter(wrt: str, batch: bool) -> None:
    """A --wrt document derives one gradient, so its gradient-descent step is that one's
    (lecturer43: "for l = 1, 2, 3" stated updates the page never derived)."""
    d = sb.derive("4-3-2-1", batch=batch)
    update = to_latex(d, wrt=wrt).split(r"\section*{Gradient descent}")[1]
    letter, layer = wrt[0], wrt[1]
    name = f"{letter}^{{[{layer}]}}"
    assert rf"the step for ${name}$" in update
    assert rf"{name} &:= {name} - \alpha \, \frac{{\partial J}}{{\partial {name}}}" in update
    assert "l = " not in update and "[l]" not in update
    # the whole network's document still states every layer's step
    full = to_latex(d).split(r"\section*{Gradient descent}")[1]
    assert "for $l = 1, 2, 3$" in full
