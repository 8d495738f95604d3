"""Sentences and equations the printers wrote that were false for the case printed (hostile
reader 23), each checked against the mathematics or the derivation's own data."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.apps.gradients import analyze
from symbackprop.records import scalars
from symbackprop.render.indices import to_index_text
from symbackprop.render.slides import to_slides

ROOT = Path(__file__).resolve().parents[1]

SOFTMAX = sb.Network.parse("3-2:softmax", loss="ce")


def _softmax_step(batch: bool) -> object:
    d = sb.derive(SOFTMAX, batch=batch)
    (step,) = [s for s in d.steps if s.rule == "softmax"]
    return d, step


def test_the_softmax_algebra_is_the_column_of_dj_dz_in_batch_form() -> None:
    """In batch form g, a column of dJ/dA = -(1/m) Y / A, is dL/da over m: a ⊙ (g - sum_j
    a_j g_j) is (a s - y) / m, which the chain printed as a s - y (4x too large at m = 4)."""
    rng = np.random.default_rng(0)
    for batch in (False, True):
        d, step = _softmax_step(batch)
        m = 4
        a = rng.dirichlet(np.ones(2))
        y = rng.dirichlet(np.ones(2))
        g = -y / a / (m if batch else 1)  # the column of dJ/dA
        column = a * (g - a @ g)
        first = step.algebra[0]  # type: ignore[attr-defined]
        values = {scalars.s: y.sum()}
        if batch:
            values[d.graph.m] = m
        for k in range(2):
            point = {**values, scalars.a: a[k], scalars.y: y[k]}
            assert abs(float(first.subs(point)) - column[k]) < 1e-12, (batch, k)
        last = step.algebra[-1]  # type: ignore[attr-defined]
        want = (scalars.a - scalars.y) / (d.graph.m if batch else 1)
        assert sp.simplify(last - want) == 0


def test_the_softmax_sums_run_to_the_layer_width() -> None:
    """sum_{j=1}^{n} with n defined nowhere: the bound is the layer's width, n1."""
    d, _ = _softmax_step(True)
    text = sb.to_markdown(d)
    assert r"\sum_{j=1}^{n_{1}}" in text and r"\sum_{k=1}^{n_{1}}" in text
    assert r"\sum_{j=1}^{n}" not in text


def test_a_per_column_arrangement_is_not_set_equal_to_the_whole_matrix() -> None:
    """dJ/dZ (n2 x m) = S^T g (n2 x 1) in the batch LaTeX: the arrangement is one column's."""
    d = sb.derive(sb.Network.parse("3-1:relu-2:softmax", loss="ce"), batch=True)
    (step,) = [s for s in d.steps if s.rule == "softmax"]
    assert step.per_column and len(step.equal_forms) == 1
    for tex in (sb.to_latex(d), to_slides(d)):
        assert not re.search(r"partial Z\^\{\[2\]\}\} &= \\underbrace\{S", tex)
        assert "Shape analysis of one column" in tex
    assert "shape analysis of one column" in sb.to_markdown(d)
    assert "Shape analysis of one column" in sb.to_html(d)
    single = sb.derive(sb.Network.parse("3-1:relu-2:softmax", loss="ce"), batch=False)
    (step,) = [s for s in single.steps if s.rule == "softmax"]
    assert not step.per_column  # one example: dJ/dz is the column itself
    assert re.search(r"partial z\^\{\[2\]\}\} &= \\underbrace\{S", sb.to_latex(single))


def test_only_fit_is_not_claimed_beside_an_equal_form() -> None:
    text = sb.to_markdown(sb.derive(SOFTMAX))
    (line,) = [ln for ln in text.splitlines() if "S^{\\top}}_" in ln and "shape analysis" in ln]
    assert "only fit" not in line and "equal form" in line
    bilinear = [ln for ln in text.splitlines() if "shape analysis" in ln and "delta" in ln]
    assert bilinear and all("is the only fit" in ln for ln in bilinear)


def test_the_loss_step_states_the_cost_with_its_penalty() -> None:
    """'J = L(a2, y)' beside J = L(a2, y) + (lambda/2) sum ||W||^2 was false."""
    for batch in (False, True):
        d = sb.derive(sb.Network.parse("3-2-1", l2=0.3), batch=batch)
        why = d.steps[0].reason
        assert "+ the L2 penalty, which does not depend on" in why
        plain = sb.derive(sb.Network.parse("3-2-1"), batch=batch).steps[0].reason
        assert "penalty" not in plain


def test_the_cache_sentence_names_what_backward_reads() -> None:
    """'Each z[l] and a[l] is cached' / 'reads z[l] and a[l]': sigmoid and tanh read a alone."""
    d = sb.derive(sb.Network.parse("3-2:tanh-1"))
    read = {name for step in d.steps for name in step.uses}
    assert not any(name.startswith("z") for name in read)
    for tex in (sb.to_latex(d), to_slides(d)):
        (line,) = [ln for ln in tex.splitlines() if ln.startswith("The backward pass reads")]
        assert "z^" not in line and "$a^{[1]}$" in line and "$x$" in line


def test_one_layer_has_no_recursion_to_speak_of() -> None:
    for spec, words in (("3-1", "nothing to reuse"), ("3-2-1", "before the last")):
        d = sb.derive(sb.Network.parse(spec))
        assert words in sb.to_latex(d) and words in sb.to_text(d) and words in to_slides(d)
    # a --wrt view showing one delta of a deeper network still has a recursion
    deep = sb.derive(sb.Network.parse("3-2-1"))
    assert "Delta recursion" in sb.to_text(deep, wrt="W2")
    assert "nothing to reuse" not in sb.to_latex(deep, wrt="W2")


def test_a_dead_seed_does_not_zero_every_layer_mean() -> None:
    """One seed whose ReLU layers die gave 0.000e+00 at every layer with --seeds 2."""
    both = analyze(10, 4, "relu", "he", seeds=2)
    assert both.zero_seeds is not None and both.zero_seeds.max() == 1
    assert (both.weight_norms > 0).all() and (both.bias_norms > 0).all()
    alone = analyze(10, 4, "relu", "he", seeds=1)
    dead = both.zero_seeds[0] == 1  # weights 0 in the second seed: the first seed's norm
    assert np.allclose(both.weight_norms[dead], alone.weight_norms[dead])
    assert "is left out of that norm's geometric mean" in " ".join(both.summary().split())
    assert both.zeros_at(1) == 1 and "0 in 1 of 2 seeds" in sb_chart(both)


def sb_chart(table: object) -> str:
    from symbackprop.apps.gradients import chart

    return chart([table])  # type: ignore[list-item]


SQUARE = "W : n x n\nx : n x 1\nsizes: n = 3\nJ = x^T W W^T x + sum(W ⊙ W^T)\ndata: x\n"


def test_a_mark_is_explained_where_it_is_shown() -> None:
    d = sb.derive(sb.Model.parse(SQUARE))
    text = sb.to_text(d)
    assert "W^T#2" in text
    assert "#k after a value marks the k-th place its formula is written" in text
    assert "(W^T#2)" in text
    assert r"$W^{\top}_{\#2}$" in sb.to_latex(d)
    assert "k-th place" in sb.to_markdown(d) and "k-th place" in sb.to_html(d)
    plain = sb.derive(sb.Model.from_file("examples/models/two_heads.model"))
    assert "k-th place" not in sb.to_text(plain)


def test_a_step_lists_what_every_path_reads_and_no_parameter() -> None:
    """rnn_3's dJ/dW = dJ/d(W h1) h1^T + dJ/d(W h2) h2^T listed h1 alone; dJ/dh2 = W^T ...
    listed the parameter W as read 'from the forward cache'."""
    d = sb.derive(sb.Model.from_file("examples/models/rnn_3.model"))
    params = set(d.model.parameters)
    (dw,) = [s for s in d.steps if s.wrt is not None and s.wrt.name == "W"]
    assert set(dw.uses) == {"h1", "h2"}
    (du,) = [s for s in d.steps if s.wrt is not None and s.wrt.name == "U"]
    assert set(du.uses) == {"X1", "X2", "X3"}
    assert all(not params & set(s.uses) for s in d.steps)


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
def test_the_index_view_says_which_terms_vanish_in_batch_form() -> None:
    spec = sb.Network.parse("2-2:relu-1:identity", loss="mse")
    batch = to_index_text(sb.derive(spec, batch=True))
    assert "every term with k ≠ i or s ≠ t vanishes" in batch
    single = to_index_text(sb.derive(spec, batch=False))
    assert "every term with k ≠ i vanishes" in single
    ce = to_index_text(sb.derive(SOFTMAX, batch=True))
    assert "(one-hot or a probability vector)" in ce and "(one-hot targets)" not in ce


def test_the_scalar_algebra_is_said_once_per_step() -> None:
    d = sb.derive(sb.Network.parse("4-3-2-1"))
    for step in d.steps:
        if step.algebra_segments:
            assert "Scalar algebra inside" not in step.reason
    text = sb.to_text(d)
    assert text.count("((1 - y)/(1 - a) - y/a) * (a*(1 - a)) = a - y") == 1


def test_a_derivative_read_from_the_cached_output_is_the_derivative() -> None:
    """review23: a model step said it reuses the cached h3 while showing 1 - tanh(W h2 + ...)^2.
    It now says how the code reads f' from the cached output (``1 - h3^2``); each such sentence
    is checked here on scalars: with a = f(t), the expression shown equals f'(t) at random
    points (relu's 1{a > 0} included), for every example model."""
    from pathlib import Path

    from symbackprop.core.segments import Math, Text
    from symbackprop.records.nodes import T

    rng = np.random.default_rng(0)
    said = 0
    for path in sorted(Path("examples/models").glob("*.model")):
        d = sb.derive(sb.Model.parse(path.read_text()))
        for step in d.steps:
            segments = list(step.segments)
            for k, segment in enumerate(segments):
                if not isinstance(segment, Text) or "reads from the cached" not in segment.text:
                    continue
                out, shown = segments[k + 1], segments[k + 3]
                assert isinstance(out, Math) and isinstance(shown, Math)
                assert isinstance(segments[k + 2], Text) and segments[k + 2].text == " as "
                (node,) = [n for name, n in d.graph.nodes.items() if name == out.expr.name]
                fn = node.record
                lam = shown.expr.args[0]  # Elementwise(Lambda(T, e), out)
                assert shown.expr.args[1] == out.expr
                for t in rng.uniform(-2.0, 2.0, 5):
                    t = sp.Float(abs(t) + 0.1) if fn.name == "sqrt" else sp.Float(t)
                    a = fn.body.subs(T, t)
                    assert abs(float(lam(a)) - float(fn.derivative.subs(T, t))) < 1e-12, path
                said += 1
    assert said >= 6


def test_norm2s_cached_derivative_says_what_the_code_gives_at_zero() -> None:
    """review24: norm2's step said the code reads sqrt' from the cached J as 1/(2*J), while the
    code gives 0 where J = 0 (1/(2 sqrt(0)) has no value). The sentence now shows the code's
    form, 1/(2*J) where J > 0, and says 0 where sqrt' has none (tests/test_norm2_at_zero.py
    checks that the module gives that 0)."""
    from symbackprop.core.segments import Math, Text

    model = sb.Model.parse("A : 2 x 2\nx : 2 x 1\ny : 2 x 1\nJ = norm2(A x - y)\ndata: x, y")
    d = sb.derive(model)
    texts = [s.text for step in d.steps for s in step.segments if isinstance(s, Text)]
    assert ", 0 where " in texts and " has no value" in texts
    shown = [
        seg
        for step in d.steps
        for k, seg in enumerate(step.segments)
        if isinstance(seg, Math) and k > 0 and step.segments[k - 1] == Text(" as ")
    ]
    (read,) = shown
    lam = read.expr.args[0]
    assert lam(sp.Integer(0)) == 0 and lam(sp.Integer(2)) == sp.Rational(1, 4)
    # J is 1 x 1: its coefficient multiplies the indicator as a number (as in LaTeX)
    assert "((1/(2 J)) 1{J > 0}), 0 where 1/(2*sqrt(·)) has no value" in " ".join(
        sb.to_text(d).split()
    )


def test_a_kept_derivative_beside_a_cancelled_one_says_how_the_code_reads_it() -> None:
    """review24: with ``bce(p, Y) + sum(p)`` the step distributes ⊙ over the two terms; bce's
    cancels sigmoid', sum's keeps ``(1 - sigmoid(w^T X + c))*sigmoid(w^T X + c)``, which the
    code reads from the cached p as ``p*(1 - p)``. The step now says so; with bce alone
    (every term cancels) it says nothing of the kind. The generated line is checked too."""
    head = "X : n x m\nY : 1 x m\nsizes: n = 3\np = sigmoid(w^T X + c)\n"
    both = sb.derive(sb.Model.parse(head + "J = bce(p, Y) + sum(p)\ndata: X, Y"))
    alone = sb.derive(sb.Model.parse(head + "J = bce(p, Y)\ndata: X, Y"))
    text = " ".join(sb.to_text(both).split())
    assert "which the code reads from the cached p as p ⊙ (1 - p)" in text
    assert "reads from the cached" not in sb.to_text(alone)
    assert "p * (1.0 - p)" in sb.codegen(both)


def test_a_reason_names_no_letter_the_model_may_use_for_something_else() -> None:
    """hostile25 #2-#4: the bilinear reason wrote the adjoint as G (``dJ/dG_ik = sum_j G_ij
    X_kj, which is G X^T`` beside a parameter G: dJ/dG = G X^T, false), the rowsum reason
    spoke of an A that was not the value summed, and the ce assumption step said ``s = 1^T Y
    = 1`` beside a parameter s. Each now names the model's own values."""
    tall = sb.derive(sb.Model.parse("G : n x n\nX : n x k\nJ = sum(rowsum(G X))\ndata: X"))
    said = " ".join(sb.to_text(tall).split())
    assert "dJ/dG_ik = sum_j (dJ/d(G X))_ij X_kj, which is dJ/d(G X) X^T" in said
    assert "G_ij" not in said and "which is G X^T" not in said
    rows = sb.derive(
        sb.Model.parse(
            "A : k x n\nx : n x 1\ny : k x 1\nr = A x - y\nJ = rowsum(r)^T rowsum(r)\ndata: x, y"
        )
    )
    said = " ".join(sb.to_text(rows).split())
    assert "entry (i, j) of r adds to entry i of the row sums only, so it receives entry i" in said
    assert "of A adds" not in said and "G_i" not in said
    ce = sb.derive(
        sb.Model.parse(
            "x : n x 1\nY : k x 1\nW : k x n\ns : 2 x 1\nsizes: n = 3, k = 4\n"
            "p = softmax(W x + b)\nJ = ce(p, Y) + sum(log(s) ⊙ s)\ndata: x, Y"
        )
    )
    (step,) = [st for st in ce.steps if st.rule == "assumption"]
    assert step.target == "1_k^T Y"  # the ones of Y's k rows (newcomer28: 1^T had no size)
    assert "s = 1^T" not in sb.to_text(ce) and "s = \\mathbf{1}" not in sb.to_latex(ce)


def test_rejections_at_sizes_where_widths_meet_are_said_to_hold_in_general() -> None:
    """hostile25 #5: 4-3-2-1 rejects ``dJ/da3 sigmoid'(z3)`` as undefined (inner dimensions
    1 and n3 differ) beside n3's size 1, where that product exists. Every format says, once,
    that the candidates are judged for sizes in general and which widths meet here; a
    network whose widths all differ (and none is 1) says nothing of the kind."""
    lecture = sb.derive(sb.Network.parse("4-3-2-1"))
    text = " ".join(sb.to_text(lecture).split())
    assert text.count("judged with the sizes as symbols") == 1
    assert "at the sizes shown, n3 = 1: an arrangement rejected" in text
    assert "undefined: inner dimensions 1 and n3 differ" in text  # what the note is about
    assert "$n_{3} = 1$" in sb.to_markdown(lecture) and "$n_{3} = 1$" in sb.to_latex(lecture)
    assert sb.to_html(lecture).count("judged with the sizes as symbols") == 1
    batch = sb.derive(sb.Network.parse("4-3-3-2"), batch=True)
    said = " ".join(sb.to_text(batch, sizes={"m": 3}).split())
    assert "at the sizes shown, n1 = n2 = m = 3: an arrangement" in said
    named = sb.derive(sb.Network.parse("4-h-3-2"))  # review25: a named width meets too
    said = " ".join(sb.to_text(named, sizes={"h": 3}).split())
    assert "at the sizes shown, h = n2 = 3: an arrangement" in said
    apart = sb.derive(sb.Network.parse("4-5-3-2"))
    assert "judged with the sizes as symbols" not in sb.to_text(apart) + sb.to_latex(apart)


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
def test_the_index_view_says_which_step_it_leaves_out() -> None:
    """hostile25 #6: the index view of a softmax + ce network numbered its steps 1, 3, 4, ...,
    leaving out the assumption step without a word; each format now says why."""
    from symbackprop.render.indices import to_index_latex, to_index_markdown

    d = sb.derive(sb.Network.parse("3-2:tanh-2:softmax", loss="ce"), batch=True)
    said = "Step 2, the assumption that each column of Y sums to 1"
    for text in (to_index_text(d), to_index_latex(d), to_index_markdown(d)):
        assert " ".join(text.split()).count(said) == 1
    assert "the assumption that" not in to_index_text(sb.derive(sb.Network.parse("3-2-1")))


def test_a_determinants_step_lists_the_cached_determinant_it_reads() -> None:
    """hostile25 #6: det(A)'s step listed only inv(A) as read from the cache, while the code
    reads the cached det(A) too (``t * inv(A)^T``)."""
    d = sb.derive(sb.Model.parse("A : 3 x 3\nJ = det(A) + tr(inv(A))\ndata:"))
    (step,) = [s for s in d.steps if s.wrt is not None and s.wrt.name == "A"]
    assert "det(A)" in [d.graph.value_text(name) for name in step.uses]


def test_a_models_column_sum_index_is_not_one_of_its_dimensions() -> None:
    """softmax_l2 has k classes (Y : k x m); its step said "s = sum_k y_k", a sum over the
    number of classes. The index is i now, in text and LaTeX."""
    model = sb.Model.from_file(ROOT / "examples" / "models" / "softmax_l2.model")
    d = sb.derive(model)
    text, latex = sb.to_text(d), sb.to_latex(d)
    assert "sum_k" not in text and "s = sum_i y_i" in text
    assert r"\sum_{k}" not in latex and r"\sum_{i} y_{i}" in latex


@pytest.mark.parametrize(
    ("cost", "shown"),
    [("sum(W x) + tr(V)", "dJ/dW = 1_2 x^T"), ("2 sum(W x) - 3 sum(V x)", "dJ/dV = -3 1_2 x^T")],
)
def test_an_expanded_ones_column_prints_as_one_not_as_the_number(
    cost: str, shown: str, tmp_path: Path
) -> None:
    """hostile32: ``dJ/dW = (1) x^T`` (a 1 x 2 row for a 2 x 2 gradient) in text, Markdown
    and LaTeX: the expanded adjoint of sum(W x) is 1 times the ones column, a product the
    printers took for a number."""
    from click.testing import CliRunner

    from symbackprop.cli.main import main

    spec = tmp_path / "ones.model"
    spec.write_text(f"x : 2 x 1\nW : 2 x 2\nV : 2 x 2\nJ = {cost}\ndata: x\n")
    runner = CliRunner()
    text = runner.invoke(main, ["derive", str(spec), "--expanded"]).output
    assert shown in text and "(1)" not in text
    latex = runner.invoke(main, ["derive", str(spec), "--expanded", "--format", "latex"]).output
    assert r"\mathbf{1}_{2} \, x^{\top}" in latex and r"(1) \, x" not in latex
    # a number before the bold 1 is set apart: 2 \mathbf{1}_2 read 21_2 in the PDF
    assert not re.search(r"[0-9] \\mathbf\{1\}", latex), latex
    html = runner.invoke(main, ["derive", str(spec), "--format", "html"]).output  # always expanded
    assert not re.search(r"<mn>[0-9]+</mn><mo>\u2062</mo><mrow><msub><mn style", html)
