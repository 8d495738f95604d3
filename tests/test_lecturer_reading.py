"""What a lecturer reading the outputs found (session 28): a symbol no step defines, letters
set upright in LaTeX beside the same letters in math, a 1 of a sum written as the ones vector
on one page only, a cost missing from one format, and sentences without their verb."""

from __future__ import annotations

import re
from pathlib import Path

import symbackprop as sb
from symbackprop.model import Model
from symbackprop.render.indices import to_index_text

ROOT = Path(__file__).resolve().parent.parent
RESIDUAL = Model.parse((ROOT / "examples" / "models" / "residual_mlp.model").read_text())
BATCH_NORM = Model.parse((ROOT / "examples" / "models" / "batch_norm.model").read_text())


def test_a_broadcast_bias_names_the_upstream_it_sums() -> None:
    """'its gradient is the sum of the upstream's columns: G 1_m': G was never defined."""
    text = sb.to_text(sb.derive(RESIDUAL))
    flat = " ".join(text.split())
    assert "G 1_m" not in flat
    assert "the sum of the upstream's columns: dJ/d(w^T h + c) 1_m: the sum over the m" in flat


def test_the_batch_size_and_a_summed_value_are_math_in_latex() -> None:
    network = sb.to_latex(sb.derive(sb.Network.parse("4-3-2-1"), batch=True))
    assert "batch of $m$ examples (columns)" in network
    assert "(the product sums over the $m$ examples)" in network
    assert "over its $m$ columns" in network and "contributes $\\tfrac{1}{m}$" in network
    assert not re.search(r"over (the|its) m (columns|examples)", network)
    model = sb.to_latex(sb.derive(BATCH_NORM))
    assert "$D$ reaches $J$ along 3 paths" in model and "D reaches J" not in model
    assert not re.search(r"over (the|its) m (columns|examples)", model)


def test_the_headers_batch_size_is_math_on_the_page_and_in_markdown() -> None:
    """The web page's and the Markdown's first line wrote "batch of m examples" in plain text
    beside every m of the steps in math (review28b #6); and a model's Markdown "Cost J"."""
    network = sb.derive(sb.Network.parse("4-3-2-1"), batch=True)
    page = sb.to_html(network)
    assert "batch of <math><mrow><mrow><mi>m</mi></mrow></mrow></math> examples" in page
    assert "batch of $m$ examples (columns)" in sb.to_markdown(network)
    model = sb.derive(RESIDUAL)
    assert "batch of <math><mrow><mrow><mi>m</mi></mrow></mrow></math> examples" in sb.to_html(
        model
    )
    assert "Cost $J$; batch of $m$ examples (columns)." in sb.to_markdown(model)
    for text in (page, sb.to_html(model), sb.to_markdown(network), sb.to_markdown(model)):
        assert not re.search(r"of m examples", text)


def test_a_models_web_page_writes_the_1_of_a_sum_as_a_number() -> None:
    """The bce step's (1 - Y)/(1 - sigmoid(...)) read (1_m^T - Y)/(...) on the model's web page
    only; text, LaTeX and Markdown write 1 - Y."""
    page = sb.to_html(sb.derive(RESIDUAL))
    one_minus_y = "<mrow><mn>1</mn></mrow><mo>−</mo><mrow><mi>Y</mi></mrow>"
    assert one_minus_y in page
    assert "</msubsup><mo>−</mo><mrow><mi>Y</mi></mrow>" not in page
    # a ones vector that is a whole expression keeps its size (dJ/da of J = sum(a))
    summed = Model.parse("X : 3 x 1\nW : 2 x 3\nJ = sum(tanh(W X))\ndata: X\n")
    assert "msub" in sb.to_html(sb.derive(summed))


def test_the_markdown_view_gives_the_loss_and_the_cost() -> None:
    markdown = sb.to_markdown(sb.derive(sb.Network.parse("4-3-2-1", l2=0.1), batch=True))
    forward, derivation = markdown.split("**Derivation**")
    assert "**Cost**" in forward and r"\mathcal{L}(\hat{y}, y) &=" in forward
    assert r"\frac{\lambda}{2m} \sum_{l} \lVert W^{[l]} \rVert_F^2" in forward
    assert "each value is cached" not in markdown
    assert "(the values the backward pass reads are cached)" in markdown


def test_the_index_view_gives_each_because_its_verb() -> None:
    text = to_index_text(sb.derive(sb.Network.parse("4-3-2-1")))
    assert "because the chain rule sums over every entry of z2 that W2[i,j] reaches" in text
    assert "because there is one example: the gradient of the bias is the delta itself" in text


def test_the_board_answer_is_not_told_it_transposed_a_vector() -> None:
    """The lecture's own dJ/dW2 moves the 1 x 1 (a3 - y) as a number: the note names that."""
    report = sb.check_formula(
        sb.derive(sb.Network.parse("4-3-2-1")), "W2", "(W3^T * a2 * (1 - a2)) (a3 - y) a1^T"
    )
    notes = " ".join(" ".join(report.notes).split())
    assert "typically a 1 x 1 factor moved as if it were a number" in notes
    # and whether it is right for this network: the lecture's answer is, at n3 = 1
    said = "though at this network's widths it equals the gradient (compared exactly at 3"
    assert said in notes
    wrong = sb.check_formula(
        sb.derive(sb.Network.parse("4-3-2-1")), "W2", "(W3^T * a2 * (1 - a2)) (a3 + y) a1^T"
    )
    assert "shapes happen to fit" in " ".join(wrong.notes)
    assert "equals the gradient" not in " ".join(wrong.notes)
    # a network too wide to evaluate in exact rationals at its widths makes no such claim
    wide = sb.check_formula(
        sb.derive(sb.Network.parse("40-30-20-1")), "W2", "(W3^T * a2 * (1 - a2)) (a3 - y) a1^T"
    )
    assert "shapes happen to fit" in " ".join(wide.notes)
    assert "equals the gradient" not in " ".join(wide.notes)


def test_the_questions_page_counts_the_sigmoid_layers() -> None:
    page = (ROOT / "docs" / "questions.md").read_text()
    assert "ten sigmoid layers" not in page
    assert "nine sigmoid layers under an identity output layer" in page
    assert "16-(16:sigmoid)x9-1:identity" in page
