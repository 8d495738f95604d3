"""Every printer prints a model's derivation (issue 11, item 5).

Text, LaTeX (document and snippet), Markdown and JSON, for every example model and every test
model: internal names (``_t1``) never appear, ``wrt`` keeps the steps on the path to one
parameter, every printed expression is the derivation's own, three models' outputs are kept
as golden files, three documents compile with pdflatex, and docs/models equals a fresh build.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from latex_support import pdflatex, run_pdflatex
from test_model_derive import DEFINE, MODELS

import symbackprop as sb
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.errors import SpecError
from symbackprop.model import Model
from symbackprop.render.drawing.layout import model_label
from symbackprop.render.mathml_tex import tex_to_mathml
from symbackprop.render.model_names import name_latex
from symbackprop.render.model_view import ModelView

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "models"
GOLDEN = Path(__file__).parent / "golden" / "models"
REGEN = os.environ.get("SYMBACKPROP_REGEN_GOLDEN", "") not in ("", "0")
_VERSION = re.compile(r"symbackprop \d+\.\d+\.\d+[\w.+-]*")
#: an internal name, or SymPy's own spelling of a node, leaking into an output
LEAK = re.compile(r"_t\d|Determinant|MatrixElement|Identity\(|[\w)]\*\*[\w(]")

EXAMPLE_KEYS = sorted(path.stem for path in EXAMPLES.glob("*.model"))
#: the models printed in the default suite; the rest in the slow one
FAST = {"quadratic", "logdet_inv", "trace", "norm1", "dot", "residual_mlp"}


def _example(key: str) -> ModelDerivation:
    d = sb.derive(Model.from_file(EXAMPLES / f"{key}.model"))
    assert isinstance(d, ModelDerivation)
    return d


def _outputs(d: ModelDerivation, **kwargs: object) -> dict[str, str]:
    return {
        "text": sb.to_text(d, expanded=True, **kwargs),  # type: ignore[arg-type]
        "markdown": sb.to_markdown(d, expanded=True, **kwargs),  # type: ignore[arg-type]
        "json": sb.to_json(d, expanded=True, **kwargs),  # type: ignore[arg-type]
        "latex": sb.to_latex(d, **kwargs),  # type: ignore[arg-type]
        "align": sb.to_latex(d, standalone=False, **kwargs),  # type: ignore[arg-type]
    }


def _check_outputs(d: ModelDerivation) -> None:
    outputs = _outputs(d)
    for fmt, out in outputs.items():
        found = LEAK.search(out)
        assert found is None, f"{fmt}: {out[max(found.start() - 80, 0) : found.end() + 40]}"
    data = json.loads(outputs["json"])
    assert d.model is not None
    assert list(data["gradients"]) == list(d.model.parameters)
    assert len(data["steps"]) == len(d.steps)


@pytest.mark.parametrize(
    "key",
    [k if k in FAST else pytest.param(k, marks=pytest.mark.slow) for k in EXAMPLE_KEYS],
)
def test_every_example_model_prints_in_every_format(key: str) -> None:
    _check_outputs(_example(key))


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(MODELS))
def test_every_test_model_prints_in_every_format(key: str) -> None:
    d = sb.derive(Model.parse(MODELS[key][0], define=DEFINE))
    assert isinstance(d, ModelDerivation)
    _check_outputs(d)


def test_internal_values_are_shown_by_what_they_stand_for() -> None:
    text = sb.to_text(_example("residual_mlp"))
    assert "dJ/d(W2 a1) = dJ/dh" in text
    assert "dJ/d(w^T h + c) = (1/m) (sigmoid(w^T h + c) - Y)" in text
    latex = sb.to_latex(_example("residual_mlp"))
    assert r"\frac{\partial J}{\partial (W_{2} \, a_{1})}" in latex
    assert r"\gamma" in sb.to_latex(_example("batch_norm"), standalone=False)


def test_wrt_keeps_the_steps_on_the_path_to_one_parameter() -> None:
    d = _example("residual_mlp")
    view = ModelView(d, wrt="W2")
    targets = [ModelView(d).target(step) for step in view.steps]
    assert targets[0] == "dJ/dJ" and targets[-1] == "dJ/dW2"
    assert "dJ/dW1" not in targets and "dJ/dc" not in targets and "dJ/da1" not in targets
    text = sb.to_text(d, wrt="W2")
    assert "dJ/dW2 = dJ/d(W2 a1) a1^T" in text and "dJ/dW1 =" not in text
    assert "only the steps on the path from J to W2" in text
    assert r"\partial W_{1}}" not in sb.to_latex(d, wrt="W2")
    data = json.loads(sb.to_json(d, wrt="W2"))
    assert list(data["gradients"]) == ["W2"] and data["wrt"] == "W2"


@pytest.mark.parametrize(
    ("name", "why"),
    [("W3", "no name of the model"), ("X", "is data"), ("a1", "defined by an equation")],
)
def test_wrt_an_unknown_name_is_a_clear_spec_error(name: str, why: str) -> None:
    d = _example("residual_mlp")
    for printer in (sb.to_text, sb.to_markdown, sb.to_json, sb.to_latex):
        with pytest.raises(SpecError, match=why) as info:
            printer(d, wrt=name)
        assert "W1, b1, W2, w, c" in str(info.value)


def test_every_printed_expression_is_the_derivations_own() -> None:
    """Each printed '=' prints a step's expression, a gradient or an expanded gradient as the
    derivation holds it (checked there); the printers add no algebra of their own."""
    for key in ("residual_mlp", "logdet_inv", "trace"):
        d = _example(key)
        view = ModelView(d, expanded=True)
        data = json.loads(sb.to_json(d, expanded=True))
        assert [s["expression"]["text"] for s in data["steps"]] == [
            view.text(step.expr) for step in d.steps
        ]
        for name, entry in data["gradients"].items():
            assert entry["text"] == view.text(d.gradients[name])
        for name, entry in data["expanded"].items():
            assert entry["text"] == view.text(d.expanded[name])
        # an internal value is shown by the source text the graph recorded for it
        for name, source in d.graph.texts.items():
            assert view.names.target_text(name) == f"({source})"


def test_the_shape_table_names_the_equation_that_forced_each_inferred_shape() -> None:
    d = _example("residual_mlp")
    text = sb.to_text(d)
    assert "b1    n1 x 1   (3 x 1)  inferred from line 7: z1 = W1 X + b1" in text
    data = json.loads(sb.to_json(d))
    assert data["shapes"]["b1"]["inferred_from"] == {"line": 7, "equation": "z1 = W1 X + b1"}
    assert data["shapes"]["W1"]["inferred_from"] is None


# -- golden files ---------------------------------------------------------------------------

GOLDEN_CASES = [
    (key, suffix)
    for key in ("residual_mlp", "batch_norm", "logdet_inv")
    for suffix in ("text.txt", "doc.tex")
]


@pytest.mark.parametrize(("key", "suffix"), GOLDEN_CASES)
def test_model_output_is_byte_identical(key: str, suffix: str) -> None:
    d = _example(key)
    out = sb.to_text(d, expanded=True) if suffix == "text.txt" else sb.to_latex(d)
    out = _VERSION.sub("symbackprop VERSION", out)
    path = GOLDEN / f"{key}.{suffix}"
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")


# -- pdflatex -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "batch_norm",
        *(pytest.param(k, marks=pytest.mark.slow) for k in ("residual_mlp", "logdet_inv")),
    ],
)
def test_model_document_compiles(key: str, tmp_path: Path) -> None:
    pdflatex()  # skip before deriving when it is missing
    proc = run_pdflatex(tmp_path, sb.to_latex(_example(key)))
    errors = [line for line in proc.stdout.splitlines() if line.startswith("!")]
    assert proc.returncode == 0 and not errors, errors
    assert (tmp_path / "doc.pdf").stat().st_size > 0


# -- docs/models ----------------------------------------------------------------------------


def _build_module():  # type: ignore[no-untyped-def]
    path = ROOT / "docs" / "models" / "build.py"
    spec = importlib.util.spec_from_file_location("docs_models_build", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_docs_models_has_a_page_per_example_model() -> None:
    pages = {path.name for path in (ROOT / "docs" / "models").glob("*.md")}
    assert pages == {f"{key}.md" for key in EXAMPLE_KEYS} | {"README.md"}


@pytest.mark.parametrize(
    "key",
    [k if k in {"quadratic", "logdet_inv"} else pytest.param(k, marks=pytest.mark.slow)
     for k in EXAMPLE_KEYS],
)  # fmt: skip
def test_docs_models_pages_equal_a_fresh_build(key: str) -> None:
    build = _build_module()
    forms = build._closed_forms()
    fresh = build.page(key, forms[key])
    assert (ROOT / "docs" / "models" / f"{key}.md").read_text(encoding="utf-8") == fresh
    if key == "quadratic":
        index = build.index(EXAMPLE_KEYS)
        assert (ROOT / "docs" / "models" / "README.md").read_text(encoding="utf-8") == index


def test_a_value_written_twice_gets_two_labels() -> None:
    """``W x`` written twice is two values with two different adjoints: they never read alike
    (the second is ``(W x)#2``), so no printed '=' can be read with the other's meaning."""
    d = sb.derive(
        Model.parse("x : n x 1\nW : k x n\nJ = sum(sigmoid(W x + b) ⊙ (W x))\ndata: x\n")
    )
    text = sb.to_text(d)
    assert "dJ/dW = dJ/d(W x) x^T + dJ/d(W x)#2 x^T" in text
    targets = [step.wrt.name for step in d.steps if step.wrt is not None]
    shown = [line.split(" = ")[0] for line in text.splitlines() if line[:4].strip().endswith(".")]
    assert len(set(shown)) == len(shown) == len(targets), shown
    assert r"_{\#2}" in sb.to_latex(d)


#: names that printed alike before (h_ as h, h1 and h_1 as h_{1}, sigma as the sigmoid's σ,
#: eps and epsilon as ε), in one model
COLLIDING = """x : n x 1
W : n x n
sizes: n = 2
h = W x
h_ = tanh(h)
h1 = sigmoid(h_)
h_1 = tanh(h1)
sigma = relu(h_1)
eps = sigma ⊙ h
epsilon = eps ⊙ x
J = sum(epsilon ⊙ h)
data: x
"""
_IDENTIFIER = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,6}", fullmatch=True)


@given(st.lists(_IDENTIFIER, min_size=2, max_size=8, unique=True))
def test_distinct_names_print_distinctly_in_latex_and_mathml(names: list[str]) -> None:
    latex = {name_latex(name) for name in [*names, "sigma", "eps", "epsilon", "lam"]}
    assert len(latex) == len(names) + len({"sigma", "eps", "epsilon", "lam"} - set(names))
    mathml = {tex_to_mathml(tex) for tex in latex}
    assert len(mathml) == len(latex)


def test_colliding_names_print_distinctly_in_every_format() -> None:
    d = sb.derive(Model.parse(COLLIDING))
    latex = sb.to_latex(d)
    heads = re.findall(r"^(.*?) &= ", latex, re.M)[:8]  # the 8 equations, as written
    assert r"\mathit{h\_1} &= \tanh" in latex and r"h_{1} &= \sigma" in latex
    assert r"\mathit{h\_} &= \tanh\left(h\right)" in latex
    assert r"\mathit{sigma} &= \operatorname{ReLU}" in latex and r"\sigma &=" not in latex
    assert r"\mathit{eps} &=" in latex and r"\epsilon &=" in latex
    assert len(set(heads)) == len(heads)
    markdown = sb.to_markdown(d)
    for name in ("h", "h_", "h1", "h_1", "sigma", "eps", "epsilon"):
        assert f"${name_latex(name)}$" in markdown
    page = sb.to_html(d)
    for tex in ("h", r"\mathit{h\_}", "h_{1}", r"\mathit{h\_1}", r"\mathit{sigma}"):
        assert tex_to_mathml(tex) in page
    names = ("h", "h_", "h1", "h_1", "sigma", "eps", "epsilon")  # the picture's labels too
    assert len({model_label(name) for name in names}) == len(names)


def test_a_derivative_body_prints_its_call_once_and_sigmoid_as_sigma() -> None:
    """sigmoid'(W x + b) read ``(1 - sigmoid((W x + b)))*sigmoid((W x + b))`` and LaTeX mixed
    ``\\operatorname{sigmoid}`` with ``\\sigma``; a marked value ``(W x)#2`` read ``W x#2``."""
    d = sb.derive(
        Model.parse("x : n x 1\nW : n x n\nJ = sum(sigmoid(W x + b) ⊙ (W x))\ndata: x\n")
    )
    text = sb.to_text(d)
    assert "(1 - sigmoid(W x + b)) ⊙ sigmoid(W x + b)" in text and "((W x + b))" not in text
    latex = sb.to_latex(d) + sb.to_markdown(d)
    assert r"\operatorname{sigmoid}" not in latex
    assert r"\sigma{\left(W \, x + b \right)}" in latex
    assert r"(W \, x)_{\#2}" in latex and r"x_{\#2}" not in latex
    network = sb.to_latex(sb.derive("2-2:softplus-1"))
    assert r"\operatorname{softplus}'(z) = \sigma{(z )}" in network


def test_an_adjoint_of_ones_prints_as_a_ones_vector_not_the_number_1() -> None:
    """dJ/da of J = sum(a), a n x 1, printed ``= 1`` (a vector said to be a number) with the
    reason ``= 1 1 1^T``; it is 1_n (a k x m value: 1_(k x m))."""
    d = sb.derive(Model.parse("x : n x 1\nW : n x n\na = W x\nJ = sum(a ⊙ a)\ndata: x\n"))
    text = sb.to_text(d)
    assert "dJ/d(a ⊙ a) = 1_n\n" in text and "1 1 1^T" not in text
    assert "so dJ/d(a ⊙ a) = 1_n," in " ".join(text.split())
    assert r"\frac{\partial J}{\partial (a \odot a)} &= \mathbf{1}_{n}" in sb.to_latex(d)
    assert '<msub><mn style="font-weight: bold">1</mn><mrow><mi>n</mi>' in sb.to_html(d)
    wide = sb.derive(Model.parse("X : k x j\nJ = sum(tanh(X))\ndata:\n"))
    assert "dJ/d(tanh(X)) = 1_(k x j)\n" in sb.to_text(wide)


def test_a_value_read_twice_by_one_operation_gives_its_reason_once() -> None:
    """h ⊙ h: the two paths' reasons are the same words; they were printed twice."""
    d = sb.derive(Model.parse("x : n x 1\nW : n x n\nh = W x\nJ = sum(h ⊙ h)\ndata: x\n"))
    text = " ".join(sb.to_text(d).split())
    assert "their 2 contributions, all equal (their reason is given once): " in text
    assert text.count("dJ/dh must be n x 1 like h") == 1
    three = sb.derive(Model.parse("x : n x 1\nh = tanh(x)\nJ = sum(h ⊙ h) + sum(h)\ndata:\n"))
    text = " ".join(sb.to_text(three).split())
    assert "3 contributions (1 repeats an earlier one, whose reason is not given again)" in text


def test_a_list_of_fitting_arrangements_reads_as_a_list() -> None:
    """Two fitting arrangements read 'A and B both have that shape'; arrangements that print
    as one value are one value (hostile reader 22: logdet_inv listed 1/det(inv(X)) three
    times and 1/det(inv(X))^T twice, '(y ⊙ v) and (y ⊙ v) both have that shape')."""
    d = sb.derive(Model.parse("x : n x 1\nW : n x n\nJ = sum(tanh(W x))\ndata: x\n"))
    text = " ".join(sb.to_text(d).split())
    assert "dJ/d(W x) x^T and x dJ/d(W x)^T both have that shape" in text
    d = sb.derive(Model.from_file(EXAMPLES / "logdet_inv.model"))
    text = " ".join(sb.to_text(d).split())
    assert "all 6 arrangements with that shape are 1/det(inv(X)) once simplified" in text
    d = sb.derive(Model.from_file(EXAMPLES / "dot.model"))
    text = " ".join(sb.to_text(d).split())
    assert "both arrangements with that shape are (y ⊙ v) once simplified" in text
    assert "(y ⊙ v) and (y ⊙ v)" not in text


def test_every_greek_model_name_is_drawn_as_its_letter_in_tikz() -> None:
    """The picture drew epsilon as ϵ, which the TikZ writer printed as '?'."""
    from symbackprop.render.drawing.tikz import label_latex
    from symbackprop.render.model_names import GREEK, greek

    for name in GREEK:
        tex = label_latex(model_label(name + "2"))
        assert "?" not in tex and (greek(name) or r"\mathit") in tex and "_{2}" in tex, name


#: hostile7 #9: a random model whose gradient nests transposes some 20 deep; the text printer
#: printed each transpose's argument twice (2^depth prints: 250 s for a shapecheck of "0 W")
NESTED_TRANSPOSES = (
    "X : n x m\n"
    "W : k x n\n"
    "V : k x k\n"
    "u : k x 1\n"
    "A : n x n\n"
    "s : 1 x 1\n"
    "sizes: k = 2, n = 3\n"
    "J = sum(((((((((((((((((X^T W^T) ((X^T W^T))^T))^T)^T)^T (rowsum(((X^T W^T) (u (((X "
    "(rowsum((((((((X^T X))^T)^T)^T)^T ((((((s ((((((X^T W^T) u))^T)^T s^T))^T))^T)^T)^T "
    "((u^T W) X)))^T))^T) s^T)))^T X)))) s)))^T)^T u^T))^T)^T)^T)^T V^T))^T ⊙ (V^T "
    "((rowsum(((((rowsum((rowsum((X^T X)) (rowsum(((rowsum(((((rowsum((((rowsum((X^T "
    "X)))^T)^T (((X^T W^T) u))^T)) (rowsum((X^T X)))^T))^T)^T)^T) (((A^T rowsum(X)))^T "
    "X)))^T))^T)) (rowsum((((X^T (A (((A ((s (rowsum(X))^T))^T))^T)^T)) (((rowsum(((((((V "
    "(((V^T (V^T (W X))))^T)^T))^T ((((X^T W^T))^T)^T)^T))^T)^T)^T) u^T) "
    "u))^T))^T))^T))^T)^T)^T) u^T))^T)))"
    "\ndata: X\n"
)


def test_the_text_printer_prints_nested_transposes_in_linear_time(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from symbackprop.render import model_print

    calls = 0
    printer = model_print.ModelTextPrinter._print

    def counted(self, expr, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls > 50_000:  # was millions: stop before it takes minutes
            raise AssertionError("more than 50,000 prints: exponential in the nesting")
        return printer(self, expr, **kwargs)

    monkeypatch.setattr(model_print.ModelTextPrinter, "_print", counted)
    d = sb.derive(Model.parse(NESTED_TRANSPOSES))
    view = ModelView(d)
    text = view.text(d.gradients["W"])
    assert view.too_long("W") and "W" in text
    assert calls < 20_000, calls  # 7,005 for the model's gradients


def test_the_shape_table_keeps_its_columns_when_an_origin_is_long() -> None:
    """A row whose "from" cell does not fit (w_out, c_0, cost_total, inferred from a long
    last line) used to jump to a second line with another column alignment (hostile14 #9):
    now every row keeps its columns and a long origin wraps under its own column."""
    model = sb.Model.parse(
        "x_in : n_in x m\ny_out : 1 x m\nW_hid_1 : n_h x n_in\nalpha : n_h x n_h\n"
        "sizes: n_in = 3, n_h = 2\nz_a = W_hid_1 x_in + bias_\nDelta = alpha z_a\n"
        "hat_y = sigmoid(w_out^T tanh(Delta) + c_0)\n"
        "cost_total = bce(hat_y, y_out) + 0.5 sum(alpha ⊙ alpha) + 0.25 sum(W_hid_1 ⊙ W_hid_1)\n"
        "data: x_in, y_out"
    )
    text = sb.to_text(sb.derive(model), width=100)
    table = text.split("Shapes\n")[1].split("\n\n")[0].splitlines()
    column = table[0].index("shape")
    start = table[0].index("from")
    for row in table[1:]:
        assert len(row) <= 100, row
        if row[:start].strip():  # a row of its own: its shape in the shape column
            assert row[column - 1] == " " and row[column] != " ", row
        else:  # a continuation of a long origin, under the "from" column
            assert row[start] != " ", row
    assert any(not row[:start].strip() for row in table[1:])  # a long origin did wrap


def test_a_nested_indicator_of_a_matrix_multiplies_with_hadamard_in_text() -> None:
    """review25 #6: f = z*leaky_relu(z) applied to W X printed ``((W X) 1{(W X) > 0} + ...)``
    and ``(W X)*(...)`` in the text: side by side is the matrix product there. Every factor
    that reads the matrix W X now multiplies with ⊙, at any depth of the body."""
    model = sb.Model.parse(
        "X : n x m\nW : k x n\nJ = sum(f(W X) ⊙ f(W X))\ndata: X",
        define={"f": "z*leaky_relu(z)"},
    )
    text = sb.to_text(sb.derive(model))
    assert "(W X)) 1{" not in text and "(W X)*(" not in text
    assert "(W X) ⊙ 1{(W X) > 0}" in text and "(W X) ⊙ (1{(W X) > 0}" in text
    # a 1 x 1 argument keeps the plain product: a number times its indicator
    scalar = sb.Model.parse("w : 1 x 1\nJ = f(w)\ndata:", define={"f": "z*leaky_relu(z)"})
    assert "⊙ 1{w > 0}" not in sb.to_text(sb.derive(scalar))
