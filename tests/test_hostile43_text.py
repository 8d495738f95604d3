"""Sentences session 43's testers found untrue or misleading (hostile43b, lecturer43)."""

from __future__ import annotations

import symbackprop as sb

CLASH = (
    "W : n x k\nx : k x 1\nc : 1 x 1\nsizes: n = 3, k = 2\nu = W x\n"
    "J = log(sum(exp(u))) + c\ndata: x\n"
)
PLAIN = "W : n x k\nx : k x 1\nsizes: n = 3, k = 2\nJ = log(sum(exp(W x)))\ndata: x\n"


def test_a_stable_identity_is_stated_in_letters_the_model_does_not_use() -> None:
    """hostile43b #3: with a parameter c and a value u, step 4 read "log(sum(exp(u))) = c +
    log(sum(exp(u - c))), c = max(u)": c is no max there, and u is the model's own."""
    text = sb.to_text(sb.derive(sb.Model.parse(CLASH)))
    assert "c = max(u)" not in text and "exp(u - c)" not in text
    assert "log(sum(exp(t))) = s + log(sum(exp(t - s))), s = max(t)" in " ".join(text.split())
    latex = sb.to_latex(sb.derive(sb.Model.parse(CLASH)))
    assert r"s = \max(t)" in latex and r"c = \max(u)" not in latex
    # where the letters are free, the identity keeps them
    plain = " ".join(sb.to_text(sb.derive(sb.Model.parse(PLAIN))).split())
    assert "log(sum(exp(u))) = c + log(sum(exp(u - c))), c = max(u)" in plain


def test_the_numeric_only_note_gives_an_example_the_exact_check_cannot_decide() -> None:
    """hostile43b #7: the note's first example was sigmoid(z) written as 1/(1 + exp(-z)),
    which the checker reads back as sigmoid and decides exactly; sigmoid(-z) for
    1 - sigmoid(z) is one it cannot."""
    spelled = sb.check_formula("3-2-1", "W1", "((W2^T delta2) * exp(-z1)/(1+exp(-z1))^2) x^T")
    assert spelled.ok and not spelled.notes  # decided exactly: no note
    report = sb.check_formula("3-2-1", "W1", "((W2^T delta2) * sigmoid(z1) * sigmoid(-z1)) x^T")
    (note,) = report.notes
    assert "sigmoid(-z) for 1 - sigmoid(z)" in note and "1/(1 + exp(-z))" not in note


def test_a_counterexample_entry_is_named_from_0_and_from_1() -> None:
    """hostile43b #8: "entry [0, 0] of dJ/dW2" beside the index view's W2[i,j] from 1."""
    report = sb.check_formula("4-3-2-1", "W3", "2 (a3 - y) a2^T")
    assert "entry [0, 0] (row 1, column 1) of dJ/dW3" in str(report.counterexample)


def test_the_placed_points_are_described_as_placed() -> None:
    """hostile43b #6: "4 with one layer at one of those values, the other hidden at 1/2" for
    a network with one hidden layer, placed at -1/2 only."""
    formula = "((W2^T delta2) * 1{z1 > 0}) x^T"
    one = sb.check_formula(sb.Network.parse("4-3:relu-1"), "W1", formula).points
    said = "with one layer at a time at -1/2, the hidden layers not placed at 1/2 and the output"
    assert f"4 {said} layer, where not placed, drawn" in one
    two = sb.check_formula(sb.Network.parse("4-3:relu-3:relu-1"), "W1", formula).points
    assert f"6 {said}" in two


def test_markdown_math_has_no_tex_line_break_hints() -> None:
    """lecturer43 #9: `\\allowbreak` (40 to 69 times a model page) is undefined in MathJax
    before v4, which GitHub's Markdown may render as an error."""
    from pathlib import Path

    for name in ("rnn_3", "batch_norm", "residual_mlp"):
        path = Path(__file__).resolve().parents[1] / "examples" / "models" / f"{name}.model"
        markdown = sb.to_markdown(sb.derive(sb.Model.from_file(path)))
        assert "allowbreak" not in markdown and r"\underbrace" in markdown
    assert "allowbreak" in sb.to_latex(sb.derive(sb.Model.from_file(path)))  # TeX keeps it


def test_the_web_page_says_whose_steps_the_code_comments_number() -> None:
    """lecturer43 #6: the page shows the single-example steps and embeds the batch module,
    whose [step 4] is another step's text."""
    page = sb.to_html("4-3-2-1")
    assert "its [step N] comments are the steps of the batch derivation" in page
    assert "its [step N] comments" not in sb.to_html("4-3-2-1", batch=True)


def test_no_page_break_leaves_a_line_of_an_equation_alone() -> None:
    """lecturer43 #4: under \\allowdisplaybreaks the expanded dJ/dW1's "+ (lambda/m) W1" stood
    alone at the top of a page, and "J = L(a8, y)" under the loss's definition."""
    import re

    from symbackprop.render.latexprint import KEPT_LINES, align_rows

    tex = sb.to_latex(sb.derive(sb.Network.parse("4-3-2-1", l2=0.1), batch=True))
    # every continuation line of an equation is joined to the line above by \\*
    assert not re.search(r"\\\\(\[3pt\])?\n&\\quad", tex)
    assert re.search(r"\\\\\*(\[3pt\])?\n&\\quad", tex)
    cost = tex[tex.index(r"\section*{Cost}") : tex.index(r"\section*{Cost}") + 600]
    assert r"\\*" in cost
    # an equation taller than a page may break, but not after its first or before its last line
    long = align_rows(["a &= 1"] + [rf"&\quad {k}" for k in range(KEPT_LINES + 2)])
    joins = re.findall(r"\\\\\*?", long)
    assert joins[0] == joins[-1] == r"\\*" and r"\\" in joins[1:-1]


def test_the_targets_name_in_an_assumption_and_the_softmax_column_are_mathematics() -> None:
    """lecturer43 #8: "each column of Y" and "with a for a column" were set as words of the
    sentence (an italic a read as the article)."""
    net = sb.Network.parse("4-5:relu-3:softmax", loss="ce")
    latex = sb.to_latex(sb.derive(net, batch=True))
    assert r"\emph{Assumption:} each column of $Y$ sums to 1" in latex
    assert "column of Y sums" not in latex
    assert "*Assumption:* each column of $Y$ sums" in sb.to_markdown(sb.derive(net, batch=True))
    model = sb.Model.parse(
        "W : k x n\nX : n x m\nY : k x m\nsizes: n = 3, k = 2\nJ = ce(softmax(W X), Y)\n"
        "data: X, Y\n"
    )
    assert "with $a$ for a column of" in sb.to_latex(sb.derive(model))


def test_no_source_line_is_longer_than_tex_reads() -> None:
    """hostile43a #4: a model's reason over 320 paths ran to one line of 669,111 characters,
    past TeX's 200,000 ("Unable to read an entire line"), and `latex --pdf` exited 3."""
    from symbackprop.render.latexprint import SOURCE_LINE, source_lines

    words = " ".join(f"$w_{{{k}}}$ reaches" for k in range(5000))
    broken = source_lines(f"% {words}\n{words}\nshort")
    lines = broken.split("\n")
    assert lines[0] == f"% {words}"  # a comment stays whole
    assert all(len(line) <= SOURCE_LINE for line in lines[1:])
    assert " ".join(lines[1:-1]) == words and lines[-1] == "short"
