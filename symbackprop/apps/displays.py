"""Rich notebook displays (HTML and Markdown) for the library's result records.

:mod:`symbackprop.notebook` registers these with IPython's display formatters by class name,
so this module (and SymPy) is imported only when a notebook first shows such an object. Each
function takes the object and returns the text of one MIME type; none of them computes
mathematics: they read the records' fields and print them (a ``Step`` in the terminal's
notation inside code spans, HTML as small tables; a whole ``Derivation`` is shown by
:func:`symbackprop.render.markdown.to_markdown`, with its mathematics in ``$...$``).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from symbackprop.core.segments import plain
from symbackprop.core.textprint import text
from symbackprop.render.model_view import ModelView

if TYPE_CHECKING:
    from symbackprop.apps.shapecheck.check import FormulaReport
    from symbackprop.check.finite_diff import GradCheck
    from symbackprop.check.result import ExactCheck
    from symbackprop.core.steps import Step
    from symbackprop.model import Model
    from symbackprop.spec import Network

#: Markdown's special characters, each escaped with a backslash
_MD_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#$"})
_STYLE = "border-collapse:collapse;font-family:monospace"
_CELL = "padding:2px 10px;border-bottom:1px solid #ddd;text-align:left"


def _table(head: list[str], rows: list[list[str]]) -> str:
    """An HTML table; every cell is escaped here."""
    cells = "".join(f'<th style="{_CELL}">{html.escape(h)}</th>' for h in head)
    body = [f"<tr>{cells}</tr>"]
    for row in rows:
        body.append(
            "<tr>" + "".join(f'<td style="{_CELL}">{html.escape(c)}</td>' for c in row) + "</tr>"
        )
    return f'<table style="{_STYLE}">' + "".join(body) + "</table>"


def _verdict(ok: bool) -> str:
    color, word = ("#1a7f37", "ok") if ok else ("#cf222e", "FAILED")
    return f'<b style="color:{color}">{word}</b>'


def _list(items: list[str]) -> str:
    if not items:
        return ""
    return "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>"


# -- Markdown ------------------------------------------------------------------------------------
def step_markdown(step: Step) -> str:
    """One derivation step in the terminal's notation (a network's Step alone does not carry
    the derivation's names, which the LaTeX form needs): target, expression, shape, rule, why,
    and the candidates with ✓/✗. A model's step is printed as the terminal renderer prints it,
    through its derivation's :class:`ModelView`: internal values by what they stand for."""
    if step.derivation is not None:
        view = ModelView(step.derivation)
        target, expr = view.target(step), view.whole(step.expr)
        stores, reason = step.stores, view.reason(step)
        cands = [(view.candidate_text(c), c.fits, view.prose(c.notes)) for c in step.candidates]
    else:
        target, expr, stores, reason = step.target, text(step.expr), step.stores, step.reason
        cands = [(c.text, c.fits, plain(c.notes)) for c in step.candidates]
    rows = [
        f"**Step {step.number}** `{target} = {expr}`",
        "",
        f"shape `{step.shape[0]} x {step.shape[1]}`, rule *{step.rule}*"
        + (f", stored as `{stores}`" if stores and stores != target else "")
        + (", kept under its symbol" if stores and stores == target else ""),
        "",
        "*Why:* " + _md(reason),
    ]
    if cands:
        rows += ["", "| candidate | fits | note |", "|---|---|---|"]
        for shown, fits, note in cands:
            rows.append(f"| `{shown}` | {'✓' if fits else '✗'} | {_md(note)} |")
    return "\n".join(rows) + "\n"


def _md(words: str) -> str:
    """Plain text safe inside Markdown (and a table cell)."""
    return words.translate(_MD_ESCAPES)


def model_markdown(model: Model) -> str:
    """A model: its equations, and each name's kind and shape."""
    source = model.text
    rows = ["**Model** (forward equations)", "", "```", source.strip("\n"), "```", ""]
    rows += ["| name | kind | shape |", "|---|---|---|"]
    for name, shape in model.shapes.items():
        if name in model.data:
            kind = "data"
        elif name in model.parameters:
            kind = "parameter"
        else:
            kind = "value"
        rows.append(f"| `{name}` | {kind} | {shape[0]} × {shape[1]} |")
    return "\n".join(rows) + "\n"


# -- HTML ----------------------------------------------------------------------------------------
def network_html(net: Network) -> str:
    """A network: one row per layer with units, activation and the shapes of W and b."""
    widths = [net.input, *(layer.units for layer in net.layers)]
    rows = [["0", str(net.input), "input", "", ""]]
    for index, layer in enumerate(net.layers, start=1):
        w = f"n{index} × n{index - 1} ({widths[index]} × {widths[index - 1]})"
        rows.append([str(index), str(layer.units), layer.activation, w, f"n{index} × 1"])
    title = (
        f"<p><b>Network</b> <code>{html.escape(net.compact)}</code>, loss "
        f"<code>{html.escape(str(net.loss))}</code>"
        + (f", L2 λ = {net.l2_text}" if net.l2 else "")
        + "</p>"
    )
    return title + _table(["l", "units", "activation", "W[l]", "b[l]"], rows)


def gradcheck_html(check: GradCheck) -> str:
    """Finite differences against the gradients, one row per parameter."""
    rows = [
        [
            row.parameter,
            f"{row.max_abs_error:.2e}",
            f"{row.relative_error:.2e}",
            "ok" if row.ok else "not resolved" if row.unresolved else "FAIL",
            row.coverage,
            row.reason,
        ]
        for row in check.rows
    ]
    head = (
        f"<p><b>Gradient check</b> ({html.escape(check.mode)}, eps = {check.eps:g}): "
        f"{_verdict(check.ok) if check.ok or check.failed else '<b>not resolved</b>'}</p>"
    )
    return head + _table(
        ["parameter", "max abs error", "relative error", "", "coverage", "why"], rows
    )


def exact_check_html(check: ExactCheck) -> str:
    """The exact check: its verdict, the sizes, and every mismatch."""
    sizes = check.settings
    head = (
        f"<p><b>Exact check</b> ({check.entries} entries, {check.trials_text}; sizes "
        f"{html.escape(sizes)}): {_verdict(check.ok)}</p>"
    )
    return head + _list([str(m) for m in check.mismatches])


def formula_report_html(report: FormulaReport) -> str:
    """A checked formula: the verdict, the error or the shape trace, the counterexample, the
    repair and the notes."""
    parts = [
        f"<p><b>dJ/d{html.escape(report.wrt)}</b> = <code>{html.escape(report.formula)}</code>: "
        f"{_verdict(report.ok)}</p>"
    ]
    facts: list[list[str]] = [["target shape", f"{report.target} ({report.target_concrete})"]]
    if report.error is not None:
        facts.append(["error", str(report.error)])
    if report.reading is not None:
        facts.append(["read as", report.reading])
    if report.equal is not None:
        facts.append(["equals the gradient", "yes" if report.equal else "no"])
        facts.append(["the gradient", report.truth_sentence])
    if report.counterexample is not None:
        facts.append(["counterexample", str(report.counterexample)])
    if report.repair is not None:
        facts.append(["repair", str(report.repair)])
    parts.append(_table(["", ""], facts))
    if report.trace:
        trace = [[row.text, row.shape, row.concrete] for row in report.trace]
        parts.append(_table(["sub-expression", "shape", "size"], trace))
    parts.append(_list(report.notes))
    return "".join(parts)
