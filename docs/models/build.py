"""Build docs/models: one Markdown page per example model (examples/models/*.model) and an index.

Run ``python docs/models/build.py`` from anywhere; it rewrites the pages, and
tests/test_render_models.py checks that the committed pages equal a fresh build. Each page
has the model as written, its gradients (compact, and expanded where that stays short), the
table of closed forms recovered (from docs/models/closed_forms.py, each tested by
tests/test_model_closed_forms.py), and the whole derivation as the Markdown printer prints it
(equations, shapes, every step with its candidates and reason).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import symbackprop as sb
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.model import Model
from symbackprop.render.model_latex import ModelLatex
from symbackprop.render.model_names import name_latex
from symbackprop.render.model_view import ModelView

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent.parent / "examples" / "models"


def _closed_forms() -> dict[str, object]:
    spec = importlib.util.spec_from_file_location(
        "docs_models_closed_forms", HERE / "closed_forms.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.CLOSED_FORMS  # type: ignore[no-any-return]


def _summary(text: str) -> str:
    """The model file's leading comment, as one paragraph."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("# ").rstrip())
    return " ".join(lines)


def page(key: str, forms: object) -> str:
    """The Markdown page of one example model."""
    model = Model.from_file(EXAMPLES / f"{key}.model")
    d = sb.derive(model)
    assert isinstance(d, ModelDerivation)
    view = ModelView(d, expanded=True)
    doc = ModelLatex(view)
    out = [
        f"# `{key}`",
        "",
        _summary(model.text),
        "",
        f"From [`examples/models/{key}.model`](../../examples/models/{key}.model):",
        "",
        "```text",
        model.text.strip("\n"),
        "```",
        "",
        "## Gradients",
        "",
        "$$",
        r"\begin{aligned}",
        " \\\\\n".join(doc.gradient_rows()),
        r"\end{aligned}",
        "$$",
        "",
    ]
    expanded = doc.expanded_rows()
    if expanded:
        out += ["Expanded (every adjoint symbol substituted):", "", "$$", r"\begin{aligned}"]
        out += [" \\\\\n".join(expanded), r"\end{aligned}", "$$", ""]
    if view.expanded_note:
        out += [f"*Note:* {view.expanded_note}.", ""]
    out += ["## Closed forms recovered", ""]
    where = forms.where  # type: ignore[attr-defined]
    if where:
        out += [f"With ${where}$:", ""]
    out += ["| gradient | closed form | tested |", "|---|---|---|"]
    for name, form in forms.forms.items():  # type: ignore[attr-defined]
        out.append(
            rf"| $\partial J / \partial {name_latex(name)}$ | ${form}$ "
            f"| equal to the derived gradient at random values (1e-9) |"
        )
    source = forms.source  # type: ignore[attr-defined]
    if source:
        out += ["", f"Known from: {source}."]
    out += [
        "",
        "The derived gradient and the closed form are evaluated independently (SymPy and NumPy)"
        " by `tests/test_model_closed_forms.py`.",
        "",
        "## Derivation",
        "",
        sb.to_markdown(d).rstrip("\n"),
        "",
    ]
    return "\n".join(out)


def index(keys: list[str]) -> str:
    out = [
        "# Models: derived gradients and the closed forms they recover",
        "",
        "One page per example model of `examples/models/`, built by `python docs/models/build.py`"
        " (the tests check the pages equal a fresh build). Each page shows the model as written,"
        " its derived gradients, the closed forms recovered (each tested numerically against the"
        " derivation by `tests/test_model_closed_forms.py`) and every derivation step with its"
        " candidates and reason.",
        "",
        "| model | what it is |",
        "|---|---|",
    ]
    for key in keys:
        text = (EXAMPLES / f"{key}.model").read_text(encoding="utf-8")
        out.append(f"| [`{key}`]({key}.md) | {_summary(text)} |")
    return "\n".join(out) + "\n"


def build() -> dict[str, str]:
    """File name -> content of every page."""
    forms = _closed_forms()
    keys = sorted(path.stem for path in EXAMPLES.glob("*.model"))
    pages = {f"{key}.md": page(key, forms[key]) for key in keys}
    pages["README.md"] = index(keys)
    return pages


def main() -> None:
    for name, content in build().items():
        (HERE / name).write_text(content, encoding="utf-8")


if __name__ == "__main__":
    main()
