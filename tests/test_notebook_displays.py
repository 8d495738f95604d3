"""Notebook displays: IPython's own formatters show every result record richly, registered by
the facade by class name (importing the package in IPython still loads no SymPy)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import sys
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
import symbackprop as sb  # registers the displays with the running shell
assert "sympy" not in sys.modules, "import symbackprop loaded SymPy"

fmt = shell.display_formatter.format
d = sb.derive("4-3-2-1")
module = sb.compile(d)
params = module.init_params(seed=0)
import numpy as np
rng = np.random.default_rng(0)
X, Y = rng.standard_normal((4, 3)), rng.integers(0, 2, (1, 3)).astype(float)
objects = {
    "Derivation": (d, "text/markdown"),
    "Step": (d.steps[2], "text/markdown"),
    "Network": (d.network, "text/html"),
    "Model": (sb.Model.from_file("examples/models/residual_mlp.model"), "text/markdown"),
    "GradCheck": (sb.gradcheck(module, params, X, Y), "text/html"),
    "ExactCheck": (sb.check_exact(d, trials=1), "text/html"),
    "FormulaReport": (sb.check_formula(d, "W2", "a1 delta2"), "text/html"),
}
for name, (obj, mime) in objects.items():
    data, _ = fmt(obj)
    assert mime in data, (name, sorted(data))
    print(name, mime, len(data[mime]))
    print(data[mime][:4000])
    print("-----")
"""


@pytest.mark.slow
def test_ipython_shows_every_record_richly() -> None:
    pytest.importorskip("IPython")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "**Step 3** `dJ/dW3 = delta3 a2^T`" in out
    assert "| `a2 delta3^T` | ✗ | gives n2 x n3, not n3 x n2 |" in out
    assert "<b>Gradient check</b>" in out and "<b>Exact check</b>" in out
    assert "FAILED" in out  # the transposed formula a1 delta2 is refused
    assert "<b>Network</b> <code>4-3:sigmoid-2:sigmoid-1:sigmoid</code>" in out
    assert "| `W1` | parameter |" in out


def test_every_display_is_registered_by_name_and_renders() -> None:
    """The stand-in shell of tests/test_render.py, for every record: each registered renderer
    imports its module by name and returns text for its MIME type."""
    import symbackprop as sb
    from symbackprop import notebook
    from symbackprop.check.finite_diff import GradCheck, GradCheckRow
    from symbackprop.check.result import ExactCheck, Mismatch

    class Formatter:
        def __init__(self) -> None:
            self.by_name: dict[tuple[str, str], object] = {}

        def for_type_by_name(self, module: str, name: str, func: object) -> None:
            self.by_name[(module, name)] = func

    mimes = ("text/markdown", "text/html")
    formatters = {mime: Formatter() for mime in mimes}
    shell = type("Shell", (), {"display_formatter": type("DF", (), {"formatters": formatters})})
    assert notebook.register(shell)

    def show(obj: object, mime: str) -> str:
        cls = type(obj)
        render = formatters[mime].by_name[(cls.__module__, cls.__name__)]
        return render(obj)  # type: ignore[operator,no-any-return]

    net = sb.Network.parse("3-2:relu-2:softmax", loss="ce", l2=0.5)
    assert "n2 × n1 (2 × 2)" in show(net, "text/html") and "L2 λ = 0.5" in show(net, "text/html")
    bad = GradCheck(rows=[GradCheckRow("W1", 1e-3, 0.5, False, 6, 0, 6, "too large")])
    assert "FAILED" in show(bad, "text/html") and "6 of 6 entries checked" in show(
        bad, "text/html"
    )
    exact = ExactCheck({"n1": 2}, 1, 4, [Mismatch("W1", 0, 1, None, None, 0, "a <b> note")])
    assert "a &lt;b&gt; note" in show(exact, "text/html")  # escaped
    model = sb.Model.from_file(ROOT / "examples" / "models" / "residual_mlp.model")
    assert "| `X` | data | n0 × m |" in show(model, "text/markdown")
    d = sb.derive("3-2-1")
    assert show(d.steps[0], "text/markdown").startswith("**Step 1** `dJ/da2 = ")
    report = sb.check_formula(d, "W2", "delta2 a1")
    html = show(report, "text/html")
    assert "FAILED" in html and "error" in html


def test_a_model_step_displays_with_the_names_the_renderers_use() -> None:
    """hostile10 #2: a model's Step showed the engine's internal names (``dJ/d_t3``, ``_t2``)
    and opened its Why with a restatement ("ce(softmax(W x), y) = ce(softmax(W x), y);");
    it now prints as the terminal derivation does, through its derivation's ModelView."""
    import re

    import symbackprop as sb
    from symbackprop.apps.displays import step_markdown
    from symbackprop.model import Model

    text = "x : 3 x m\ny : 2 x m\nW : 2 x 3\nJ = ce(softmax(W x), y) + sum(W * W)\ndata: x, y\n"
    d = sb.derive(Model.parse(text))
    shown = [step_markdown(step) for step in d.steps]
    assert not [s for s in shown if re.search(r"_t\d", s)]
    assert shown[4].startswith(
        "**Step 5** `dJ/d(softmax(W x)) = -(dJ/d(ce(softmax(W x), y))/m) (y / softmax(W x))`"
    )
    assert "*Why:* the mean over the m columns of categorical cross-entropy" in shown[4]
    assert "rule *softmax*, kept under its symbol" in shown[6]
    # W * W reads W twice: the two equal paths once, counted (session 28)
    assert shown[7].startswith("**Step 8** `dJ/dW = dJ/d(W x) x^T + 2 (W ⊙ dJ/d(W * W))`")
