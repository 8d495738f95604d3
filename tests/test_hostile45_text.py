"""Session 45: sentences and notes of the formula checker that were missing or not true."""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb
from symbackprop.apps.shapecheck.boundary import own_domain_names

MODELS = Path(__file__).resolve().parent.parent / "examples" / "models"
LOGISTIC_SUM = str(MODELS / "logistic_sum.model")
RIGHT_W = "X^T (-y ⊙ sigmoid(-y ⊙ (X w)))"


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_model_with_a_log_of_its_own_still_gets_the_domain_note() -> None:
    """review44 #6: a model that takes a log itself (logistic_sum's log(exp(...) + 1)) had the
    domain note switched off for every formula; the note is left out only over what the
    model's own log or root may take out of its domain, and this one's argument never is."""
    factor = "(exp(log(sum(X w) - 1)) - sum(X w) + 2)"
    report = sb.check_formula(LOGISTIC_SUM, "w", f"{RIGHT_W} {factor}")
    assert report.ok
    notes = [n for n in report.notes if n.startswith("log(sum(X w) - 1) has a real value only")]
    assert notes, report.notes
    assert not [n for n in sb.check_formula(LOGISTIC_SUM, "w", RIGHT_W).notes if "real value" in n]


def test_what_a_models_own_root_reads_is_exempt_and_nothing_else() -> None:
    """batch_norm divides by sqrt(var + 0.001): its gradient has no value where var + 0.001
    is not positive either, so a formula's sqrt(var + 0.001) gets no note; the names that
    root is made of are var, D, Z, mu, W and X; gamma, beta, v, N, H and Y are not."""
    d = sb.derive(str(MODELS / "batch_norm.model"))
    values = {str(name) for name in d.symbols}
    own = own_domain_names(d, values, set())
    assert {"var", "D", "Z", "mu", "W", "X"} <= own
    assert not own & {"gamma", "beta", "v", "N", "H", "Y"}
    logistic = sb.derive(LOGISTIC_SUM)
    assert own_domain_names(logistic, {str(n) for n in logistic.symbols}, set()) == frozenset()
    assert own_domain_names(sb.derive("4-3-2-1"), {"a2"}, set()) == frozenset()


def test_the_points_sentence_does_not_put_a_kink_on_the_value_placed(tmp_path: Path) -> None:
    """newcomer45 #7: a model smooth in Z1 = W1 X + b1 said "Z1 at -1/2, 1/2 (beside 0, where a
    piecewise expression of the formula or the derivation changes its piece ...)": the 0 is
    bce's stable form's, in its argument w A1; the sentence says an argument changes there."""
    path = tmp_path / "s4.model"
    path.write_text(
        "X : n x m\nY : 1 x m\nW1 : h x n\nw : 1 x h\nsizes: n = 3, h = 2\n"
        "Z1 = W1 X + b1\nA1 = sigmoid(Z1)\nJ = bce(sigmoid(w A1), Y)\n",
        encoding="utf-8",
    )
    report = sb.check_formula(str(path), "W1", "dZ1 X^T")
    assert report.ok and report.points is not None
    assert "2 with Z1 at -1/2, 1/2 (beside 0, where an argument of a piecewise" in report.points


def test_a_deck_says_what_every_other_format_says_of_the_network() -> None:
    """lecturer45 #2-#4: a deck never said what a custom activation is, nor that there is
    weight decay and its lambda (the first comment neither), and titled the assumption step
    "Assumption" where every other format numbers it step 2."""
    from symbackprop.render.slides import to_slides

    custom = to_slides(
        sb.derive(sb.Network.parse("4-3:swish-2:swish-1", define={"swish": "z*sigmoid(z)"}))
    )
    assert r"Custom activation: \texttt{swish(z) = z*sigmoid(z)}." in custom
    decayed = to_slides(sb.derive(sb.Network.parse("4-3-2-1", l2=0.1), batch=True))
    assert r"L2 weight decay $\lambda = 0.1$." in decayed
    assert decayed.splitlines()[0].endswith("(loss bce, L2 weight decay lambda = 0.1), slides")
    document = sb.to_latex(sb.derive(sb.Network.parse("4-3-2-1", l2=0.1), batch=True))
    assert document.splitlines()[0].endswith("(loss bce, L2 weight decay lambda = 0.1)")
    softmax = to_slides(sb.derive(sb.Network.parse("4-3:relu-3:softmax", loss="ce"), batch=True))
    assert r"\frametitle{Step 2: $\mathbf{1}_{n_{2}}^{\top} Y$ (assumption)}" in softmax
    assert r"\frametitle{Assumption" not in softmax


def test_a_second_arrangement_that_fits_is_shown_in_the_document_and_markdown() -> None:
    """lecturer45 #1: residual_mlp's dJ/dc step keeps dJ/d(w^T h + c) 1_m and its reason says
    "both arrangements with that shape": the text and the web page mark the second one, the
    LaTeX document and the Markdown showed only the rejected ones."""
    d = sb.derive(str(MODELS / "residual_mlp.model"))
    step = next(s for s in d.steps if s.wrt is not None and s.wrt.name == "c")
    assert sum(c.fits and c.equal is None for c in step.candidates) == 2
    tex = sb.to_latex(d)
    part = tex[tex.index(r"\paragraph{Step 4}") : tex.index(r"\paragraph{Step 5}")]
    assert r"{\small Fits too: $\mathbf{1}_{m}^{\top}" in part and "both arrangements" in part
    md = sb.to_markdown(d)
    part = md[md.index("**Step 4.**") : md.index("**Step 5.**")]
    assert "- ✓ $\\mathbf{1}_{m}^{\\top}" in part and ": fits too" in part


def test_every_missing_size_is_named_at_once() -> None:
    """newcomer45 #3: a model missing h, k and n said 'h', then 'k', then 'n', one run each."""
    from symbackprop.errors import SizeMissing

    text = "X : n x m\nY : k x m\nW1 : h x n\nW2 : k x h\nH = sigmoid(W1 X)\nJ = mse(W2 H, Y)\n"
    try:
        sb.compile(sb.Model.parse(text))
    except SizeMissing as exc:
        assert exc.names == ("h", "k", "n")
        assert exc.spelled("cli") == (
            "dimensions 'h', 'k' and 'n' have no value: add them to the model's sizes: line or "
            "pass --size h=INT --size k=INT --size n=INT"
        )
    else:
        raise AssertionError("compiled without sizes")
    try:
        sb.compile(sb.Network.parse("n-h-1"))
    except SizeMissing as exc:
        assert str(exc) == (
            "widths 'n' (layer 0) and 'h' (layer 1) have no value: pass "
            "sizes={'n': <positive int>, 'h': <positive int>}"
        )
    else:
        raise AssertionError("compiled without sizes")


@pytest.mark.parametrize(
    ("spec", "wrt", "formula", "hint"),
    [
        ("4-3-2-1", "W1", "delta2 a1^t", "(a transpose is ^T or .T, with a capital T)"),
        ("4-3-2-1", "W1", "(W2^T delta2 ⊙ g'(z1)) x^T", "the lecture's g is each layer's own"),
        ("4-3-2-1", "W1", "delta2 ⊗ a1", "u v^T is the outer product"),
        ("4-3-2-1", "W1", "np.sum(delta1, axis=1)", "NumPy's sums are rowsum(M) (each row)"),
        ("4-3-2-1", "W2", "dZ2 a1^T", "unknown name 'dZ2' (dJ/dz2 is delta2 here)"),
    ],
)
def test_a_natural_misspelling_gets_a_hint_that_points_the_right_way(
    spec: str, wrt: str, formula: str, hint: str
) -> None:
    """newcomer45 #5, hostile45b #5: '^t' was "did you mean 'tr'?", g'(z1) listed the known
    functions, ⊗ and np.sum said nothing of what to write, and dZ2 in the single-example
    form was "did you mean 'z2'?" (a value for a gradient)."""
    report = sb.check_formula(spec, wrt, formula)
    assert report.error is not None and hint in str(report.error), str(report.error)


def test_derives_identity_matrix_gets_a_hint() -> None:
    """hostile45b #5: I_n, how derive prints an identity, was "did you mean 'sin'?"."""
    model = sb.Model.parse("A : n x n\nsizes: n = 3\nJ = det(A) + tr(A)\ndata:\n")
    report = sb.check_formula(model, "A", "det(A) inv(A)^T + I_n")
    assert report.error is not None
    assert "'I_n' is how derive prints an identity matrix" in str(report.error)


def test_a_missing_file_and_an_unquoted_formula_say_what_they_are() -> None:
    """newcomer45 #8, #4: 'net.yaml' (no such file) was "no layers; expected an input
    width"; an unquoted formula was "Got unexpected extra argument (a1^T)" alone."""
    from click.testing import CliRunner

    from symbackprop.cli.main import main

    runner = CliRunner()
    missing = runner.invoke(main, ["derive", "net.yaml"])
    assert missing.exit_code == 2
    assert "it reads like a file name, but no file 'net.yaml' exists here" in missing.output
    unquoted = runner.invoke(main, ["shapecheck", "4-3-2-1", "--wrt", "W2", "delta2", "a1^T"])
    assert unquoted.exit_code == 2 and "a formula with spaces goes in quotes" in unquoted.output


@pytest.mark.parametrize("added", ["W2", "0.001 W2"])
def test_a_formula_with_an_added_term_is_not_said_to_lack_factors(added: str) -> None:
    """hostile45b #3: 'delta2 a1^T + W2' was told "the derivation has 'a1^T', '1 - a2', ...
    as a factor, which your formula does not": they are all in its first term."""
    report = sb.check_formula("3-2-2-1", "W2", f"delta2 a1^T + {added}")
    assert report.equal is False
    assert not [n for n in report.notes if "as a factor, which your formula does not" in n]


def test_a_derivative_written_as_its_function_is_no_missing_factor() -> None:
    """hostile45b #3: 2 ((W2^T (a2 - y)) * sigmoid(z1)) x^T of a softplus layer was told it
    lacked softplus'(z1) and had sigmoid(z1), and not that it was twice the gradient."""
    report = sb.check_formula("3-2:softplus-1", "W1", "2 ((W2^T (a2 - y)) * sigmoid(z1)) x^T")
    assert report.equal is False
    assert "the factors match, but your formula is the gradient times 2" in report.notes
    assert not [n for n in report.notes if "softplus'" in n]
