"""The web page: self-contained, MathML only, every step, no ASCII math; ``--format html``.

The page is checked in a real browser by tests/test_html_browser.py; here, its text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner

import symbackprop as sb
from symbackprop.cli.main import main
from symbackprop.errors import SizeMissing
from symbackprop.render import mathml_tex
from symbackprop.render.html import CSP, HtmlPage, to_html
from symbackprop.render.mathml import MathMLPrinter

ROOT = Path(__file__).resolve().parent.parent
MATHML = "{http://www.w3.org/1998/Math/MathML}"
#: ASCII math that must not appear outside the code block (issue 12's list, and more)
ASCII_MATH = ["*log(", "ˆ", "sum_k", "lambda/", "1{", "**", "^T", "dJ/d", "\\", " x 1", "=="]

CASES = {
    "lecture": lambda: sb.derive("4-3-2-1"),
    "relu_softmax": lambda: sb.derive(
        sb.Network.parse("784-128:relu-10:softmax", loss="ce"), batch=True
    ),
    "l2_batch": lambda: sb.derive(sb.Network.parse("4-3:tanh-2", loss="mse", l2=0.5), batch=True),
    "skip_model": lambda: sb.derive(ROOT / "examples/models/residual_mlp.model"),
    "rnn_model": lambda: sb.derive(ROOT / "examples/models/rnn_3.model"),
}


def _body(page: str) -> str:
    """The page's visible text outside the code block and the style sheet."""
    body = re.sub(r"<pre>.*?</pre>", "", page, flags=re.S)
    body = re.sub(r"<style>.*?</style>", "", body, flags=re.S)
    return body


#: the default suite renders three pages; the slow suite all of them
FAST = {"lecture", "relu_softmax", "skip_model"}


@pytest.fixture(
    scope="module",
    params=[pytest.param(name, marks=() if name in FAST else pytest.mark.slow) for name in CASES],
)
def page(request: pytest.FixtureRequest) -> tuple[str, object]:
    d = CASES[request.param]()
    return sb.to_html(d), d


def test_page_is_self_contained(page: tuple[str, object]) -> None:
    html, _ = page
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in html
    assert "<script" not in html and "src=" not in html and "href=" not in html
    # the only URL is the SVG namespace, which nothing fetches
    assert set(re.findall(r"https?://[^\"' ]+", html)) <= {"http://www.w3.org/2000/svg"}
    assert "@import" not in html and "url(#" not in html.replace("url(#sb-arrow-", "")


def test_every_math_element_is_well_formed_mathml(page: tuple[str, object]) -> None:
    html, _ = page
    blocks = re.findall(r"<math\b.*?</math>", html, flags=re.S)
    assert len(blocks) > 20
    for block in blocks:
        root = ET.fromstring(block.replace("<math", f'<math xmlns="{MATHML[1:-1]}"', 1))
        assert root.tag == MATHML + "math"
        assert "\\" not in block  # no LaTeX left untranslated
    assert not mathml_tex.UNKNOWN


def test_every_step_is_collapsible_with_its_candidates(page: tuple[str, object]) -> None:
    html, d = page
    steps = re.findall(r"<summary><strong>Step (\d+)</strong>", html)
    assert [int(s) for s in steps] == list(range(1, len(d.steps) + 1))  # type: ignore[attr-defined]
    assert "✗" in html and "✓" in html and "⏟" in html  # candidates, shape braces
    assert "<h2>Gradients</h2>" in html and "<svg" in html


def test_no_ascii_math_outside_the_code(page: tuple[str, object]) -> None:
    text = re.sub(r"<[^>]+>", " ", _body(page[0]))
    found = [pattern for pattern in ASCII_MATH if pattern in text]
    assert not found


def test_a_network_page_shows_the_generated_code() -> None:
    html = sb.to_html("4-3-2-1")
    assert "<h2>Generated NumPy code</h2>" in html and "def loss_and_grads" in html
    named = sb.to_html("n-3-1")  # a named width without a size: no code, and why
    assert "No code generated" in named and "def loss_and_grads" not in named
    assert "def loss_and_grads" in sb.to_html("n-3-1", sizes={"n": 4})


def test_the_same_derivation_gives_the_same_bytes() -> None:
    assert to_html(sb.derive("4-3-2-1")) == to_html(sb.derive("4-3-2-1"))


def test_mathml_printer_notation() -> None:
    d = sb.derive("4-3-2-1", batch=True)
    printer = MathMLPrinter()
    assert "⊙" in printer.mathml(d.deltas[1]) and "⊤" in printer.mathml(d.deltas[1])
    ones = printer.mathml(d.gradients["b1"])
    assert 'font-weight: bold">1</mn>' in ones and "<mi>m</mi>" in ones
    x = sp.Symbol("x")
    assert "<mo>−</mo>" in printer.mathml(1 - x) and "InvisibleTimes" not in printer.mathml(2 * x)


def test_derive_format_html_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    runner = CliRunner()
    result = runner.invoke(main, ["derive", "4-3-1", "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    again = runner.invoke(main, ["derive", "4-3-1", "--format", "html", "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    forced = ["derive", "4-3-1", "--format", "html", "-o", str(out), "--force"]
    assert runner.invoke(main, forced).exit_code == 0
    model = str(ROOT / "examples/models/quadratic.model")
    assert runner.invoke(main, ["derive", model, "--format", "html"]).output.startswith(
        "<!DOCTYPE html>"
    )
    assert runner.invoke(main, ["derive", "4-3-1", "-o", str(tmp_path / "x.txt")]).exit_code == 2


# -- hostile8 item 8a/8b: the page claims no check it did not run, and speaks to its reader --


def test_the_code_section_claims_no_check_and_says_how_to_run_one() -> None:
    # it said "checked against finite differences by symbackprop check" on every page,
    # including a model whose check fails; making the page runs nothing
    def section(caller: str) -> str:
        page = HtmlPage(None, code="J = 0", code_note=None, caller=caller)  # type: ignore[arg-type]
        return "\n".join(page.code_section())

    python, cli = section("python"), section("cli")
    for html in (python, cli):
        assert "did not run it" in html and "checked against" not in html
    assert "run <code>sb.gradcheck(sb.compile(source), params, *data)</code>" in python
    assert "Run <code>symbackprop check</code> with the same SPEC and options" in cli


def test_a_missing_size_is_spelled_for_its_caller(tmp_path: Path) -> None:
    # the command line repeated the library's "pass sizes={'k': <positive int>}"
    missing = SizeMissing("width 'n' (layer 0)", "n")
    assert str(missing) == "width 'n' (layer 0) has no value: pass sizes={'n': <positive int>}"
    assert missing.spelled("cli") == "width 'n' (layer 0) has no value: pass --size n=INT"
    path = tmp_path / "k.model"
    path.write_text("W: k x 2\nX: 2 x m\nY: k x m\nJ = mse(W X, Y)\n")
    result = CliRunner().invoke(main, ["codegen", str(path)])
    assert result.exit_code == 2
    assert "add it to the model's sizes: line or pass --size k=INT" in result.output


@pytest.mark.slow
def test_the_page_is_spelled_for_the_command_line_or_python() -> None:
    page = CliRunner().invoke(main, ["derive", "n-1", "--format", "html"]).output
    assert "has no value: pass --size n=INT." in page and "sizes=" not in _body(page)
    assert (
        "Run <code>symbackprop check</code>"
        in CliRunner().invoke(main, ["derive", "2-1", "--format", "html"]).output
    )
    assert "pass sizes={&#x27;n&#x27;: &lt;positive int&gt;}" in sb.to_html("n-1")
    with pytest.raises(ValueError, match="caller 'shell'"):
        sb.to_html("2-1", caller="shell")


def test_a_script_after_left_right_delimiters_takes_the_whole_group() -> None:
    # |W|^(⊙1.5): the superscript sat on the closing bar alone, and browsers drew "| W|"
    from symbackprop.render.mathml_tex import tex_to_mathml

    got = tex_to_mathml(r"\left\lvert W \right\rvert^{\odot 1.5} + \left. b \right|")
    bars = "<mrow><mo>|</mo><mi>W</mi><mo>|</mo></mrow>"
    assert got.startswith(f"<msup>{bars}<mrow><mo>⊙</mo><mn>1.5</mn></mrow></msup>")
    assert got.endswith('<mrow><mi>b</mi><mo stretchy="false">|</mo></mrow>')


def test_a_model_shape_table_keeps_its_formulas_inside_the_text_width() -> None:
    """hostile15 finding 2: a model's "shape from" column takes the width the other columns
    leave (its formulas scroll in their own boxes) and the table sits in a box that scrolls
    when a window is too narrow even for the others. tests/test_html_browser.py measures it
    (model_long_names, at 700 and 1100 px); here the markup and rules it rests on."""
    model = sb.to_html(ROOT / "examples/models/residual_mlp.model")
    start = model.index("<h2>Shapes</h2>")
    assert model[start:].startswith('<h2>Shapes</h2>\n<div class="table">\n<table class="fill">')
    style = re.search(r"<style>(.*?)</style>", model, flags=re.S)
    assert style is not None
    rules = style.group(1)
    assert ".table { max-width: 100%; overflow-x: auto; }" in rules
    assert "table.fill { width: 100%; }" in rules
    assert "table.fill td:last-child { max-width: 0; min-width: 12rem; width: 100%; }" in rules
    # a network's table (no formula column) keeps its own width
    assert '<div class="table">\n<table>' in sb.to_html("4-3-2-1")


def test_a_networks_page_gives_its_loss_and_cost() -> None:
    """newcomer27 #4: the page listed the forward equations and never the cost."""
    single = sb.to_html(sb.derive(sb.Network.parse("4-3-2-1")))
    assert "<mi>ℒ</mi>" in single and single.count("<mi>J</mi>") >= 1
    assert "<mi>log</mi>" in single  # bce's formula
    batch = sb.to_html(
        sb.derive(sb.Network.parse("3-2:relu-2:softmax", loss="ce", l2=0.1), batch=True)
    )
    assert "<mi>λ</mi>" in batch and "<mi>ℒ</mi>" in batch
    assert '<mo stretchy="false">‖</mo>' in batch  # both bars of the norm one height


def test_a_single_example_page_says_its_code_is_the_batch_form() -> None:
    """newcomer27 #8: the batch-form module sat under a single-example derivation unsaid."""
    note = "The module is the batch form whatever the derivation above"
    assert note in sb.to_html(sb.derive(sb.Network.parse("4-3-2-1")))
    assert note not in sb.to_html(sb.derive(sb.Network.parse("4-3-2-1"), batch=True))


def test_a_single_form_models_page_says_nothing_of_x_y_and_m() -> None:
    """review27 #4: quadratic.model's page said its module was 'the batch form ... examples
    are the columns of X and Y, and one example is m = 1'; it has no X, Y or m."""
    model = sb.Model.from_file(
        Path(__file__).resolve().parents[1] / "examples/models/quadratic.model"
    )
    assert "batch form whatever" not in sb.to_html(sb.derive(model))
