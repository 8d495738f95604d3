"""The derivation as one self-contained web page: MathML, an inline SVG picture, no script.

The page opens from disk with no network access: a Content-Security-Policy meta allows
nothing external (inline styles and ``data:`` images only), the mathematics is MathML
(browsers render it natively), the picture inline SVG, the fonts the reader's own. Steps fold
with ``<details>``, so no script is needed. Sections: the picture (the network, or a model's
computation graph), the shape table, the forward equations, every step (the shape argument
under braces, each candidate ✓/✗ with why, the scalar algebra, the reason), the delta
recursion (a model: the adjoints kept under a symbol), the gradients (compact, and expanded
where short) and, when given, the generated NumPy code. The same derivation gives the same
bytes.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from symbackprop._version import __version__
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.core.segments import Text
from symbackprop.render.drawing import drawing, to_svg, too_large_to_draw
from symbackprop.render.html_parts import ModelParts, NetworkParts, Parts
from symbackprop.render.mathml import math
from symbackprop.render.mathml_tex import el, mo, mrow
from symbackprop.render.model_names import MARKS_NOTE, first_marked
from symbackprop.render.prose import also_fitting

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation, Step

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

#: caller -> what the code section says of the code: where it comes from and how to check it,
#: as that reader types it. Making the page runs nothing, so it claims no check.
CHECK_ADVICE = {
    "python": "<p>The module <code>sb.codegen</code> returns; making this page did not run it. "
    "To check it against finite differences, run "
    "<code>sb.gradcheck(sb.compile(source), params, *data)</code>.</p>",
    "cli": "<p>The module <code>symbackprop codegen</code> writes; making this page did not run "
    "it. Run <code>symbackprop check</code> with the same SPEC and options to check it against "
    "finite differences.</p>",
}

STYLE = """
body { margin: 0; background: #fdfdfb; color: #1d1d1d; font: 17px/1.5 Georgia, serif; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 0.25rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.by { color: #666; font-size: 0.9rem; margin-top: 0; }
figure { margin: 1rem 0; text-align: center; }
figure svg { width: 100%; max-width: 46rem; height: auto; }
figcaption { color: #555; font-size: 0.9rem; }
table { border-collapse: collapse; margin: 0.5rem 0; }
td, th { padding: 0.15rem 0.9rem 0.15rem 0; text-align: left; vertical-align: top; }
td { max-width: 30rem; }
.table { max-width: 100%; overflow-x: auto; }
table.fill { width: 100%; }
table.fill td:last-child { max-width: 0; min-width: 12rem; width: 100%; }
th { border-bottom: 1px solid #bbb; font-weight: normal; color: #555; }
math { font-size: 1.05em; }
mtd { padding: 0.3em 0.1em; }
math[display="block"] { margin: 0.6rem 0; max-width: 100%; overflow-x: auto;
  overflow-y: hidden; padding: 0.2rem 0; }
/* the padding keeps an italic last letter's overhang out of the scroll box's clip */
math:not([display="block"]) { display: inline-flex; align-items: baseline; max-width: 100%;
  overflow-x: auto; overflow-y: hidden; padding-right: 0.12em; }
details { border: 1px solid #e2e2e2; border-radius: 6px; margin: 0.5rem 0;
  padding: 0.3rem 0.8rem; background: #fff; }
details[open] { padding-bottom: 0.6rem; }
summary { cursor: pointer; }
.rule { color: #666; font-size: 0.9rem; }
ul.candidates { list-style: none; padding-left: 0.5rem; }
ul.candidates li { margin: 0.2rem 0; }
.ok { color: #1a7f37; font-weight: bold; }
.no { color: #b42318; font-weight: bold; }
.eq { color: #555; font-weight: bold; }
.why { background: #f6f6f2; padding: 0.3rem 0.6rem; border-radius: 4px; }
pre { background: #f4f4f0; padding: 0.8rem; overflow-x: auto; font-size: 0.85rem;
  line-height: 1.35; border-radius: 6px; }
.note { color: #555; font-style: italic; }
/* a printed page shows every step: a closed <details> hid each one's candidates, algebra and
   reason, and a handout printed from the page kept only the step titles (hostile49b #3) */
@media print {
  details::details-content { content-visibility: visible; display: block; }
  math[display="block"], math:not([display="block"]) { overflow: visible; }
}
"""


def _rows(rows: list[tuple[str, str]]) -> str:
    """Aligned ``lhs = rhs`` rows as one block of display math."""
    trs = [
        el(
            "mtr",
            # a table cell is compact by default: fractions stay full size as in a display
            el("mtd", el("mrow", lhs, displaystyle="true"), style="text-align: right"),
            el("mtd", el("mrow", mo("="), rhs, displaystyle="true"), style="text-align: left"),
        )
        for lhs, rhs in rows
    ]
    return math(el("mtable", *trs), block=True)


class HtmlPage:
    """The page for one derivation (see the module docstring)."""

    def __init__(
        self, parts: Parts, *, code: str | None, code_note: str | None, caller: str
    ) -> None:
        self.p = parts
        self.code = code
        self.code_note = code_note
        self.caller = caller

    def figure(self, source: Any) -> list[str]:
        too_large = too_large_to_draw(source) if self.p.model is not None else None
        if too_large is not None:  # the page still shows every step
            return [f"<p><em>No figure: {escape(too_large)}.</em></p>"]
        picture = drawing(source, sizes=self.p.sizes, batch=self.p.d.batch)
        caption = "The computation graph" if self.p.model is not None else "The network"
        return ["<figure>", to_svg(picture), f"<figcaption>{caption}</figcaption>", "</figure>"]

    def table(self) -> list[str]:
        head = "".join(f"<th>{escape(c)}</th>" for c in self.p.shape_columns())
        # a model's table fills the text width and its last column ("shape from") takes what
        # the others leave: a long formula there scrolls in its own box, as a display does,
        # rather than widening the table past the text; a window too narrow even for the
        # other columns scrolls the table in its box (.table), never the page
        fill = ' class="fill"' if self.p.model is not None else ""
        out = ["<h2>Shapes</h2>", '<div class="table">', f"<table{fill}>", f"<tr>{head}</tr>"]
        for row in self.p.shape_rows():
            out.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>")
        out += ["</table>", "</div>"]
        return out

    def step(self, index: int, step: Step) -> list[str]:
        p = self.p
        rule = f"rule: {escape(str(step.rule))}"
        stored = p.stored(step)
        if stored:
            rule += "; " + stored
        summary = (
            f"<summary><strong>Step {index}</strong> "
            + math(mrow(p.inline_target(step), mo(":"), p.shape(step.shape)))
            + f' <span class="rule">({rule})</span></summary>'
        )
        out = ["<details>", summary]
        chosen = step.chosen
        if chosen is not None and step.expr == chosen.expr and not step.per_column:
            out.append(math(mrow(p.target(step), mo("="), p.underbraced(chosen)), block=True))
        else:
            out.append(math(mrow(p.target(step), mo("="), p.whole(step.expr)), block=True))
            if chosen is not None:
                out.append(
                    "<p>Shape analysis"
                    + (" of one column" if step.per_column else "")
                    # two that fit (a square W2 and W2^T): the one kept is named so (hostile46c #2)
                    + (
                        ": of the arrangements that fit, the one kept is "
                        if also_fitting(step.candidates, chosen)
                        else ": the arrangement that fits is "
                    )
                    + math(p.underbraced(chosen), block=True)
                    + "</p>"
                )
        if chosen is not None and step.candidates:
            out.append('<ul class="candidates">')
            # the one that fits first, then equal forms, then the rejected ones
            order = sorted(step.candidates, key=lambda c: (c is not chosen, c.equal is None))
            for cand in order:
                shown = math(p.candidate(cand))
                note = p.prose(cand.notes)
                if cand is chosen or (cand.fits and cand.equal is None):
                    out.append(f'<li><span class="ok">✓</span> {shown}: fits the shape</li>')
                elif cand.equal is not None:
                    out.append(f'<li><span class="eq">=</span> {shown}: {note}</li>')
                else:
                    out.append(f'<li><span class="no">✗</span> {shown}: {note}</li>')
            out.append("</ul>")
        if step.algebra_segments:
            out.append("<p>Scalar algebra inside " + math(mo("⊙")) + ":</p>")
            words = any(
                isinstance(segment, Text) and any(char.isalpha() for char in segment.text)
                for segment in step.algebra_segments
            )
            if words:  # a sentence ("with s = ...; s = 1 by the stated assumption, so ..."):
                # its words wrap as text; set as one formula it scrolled in its box on a
                # narrow page, "so (a - y)/m" out of sight (lecturer44 #4)
                out.append('<p class="algebra">' + p.prose(step.algebra_segments) + "</p>")
            else:
                out.append(math(p.display(step.algebra_segments), block=True))
        uses, targets = p.uses(step), p.targets_read(step)
        if uses:
            out.append(
                "<p>Reuses " + ", ".join(math(u) for u in uses) + " from the forward cache.</p>"
            )
        if targets:
            out.append("<p>Reads the target " + ", ".join(math(t) for t in targets) + ".</p>")
        out.append(
            f'<p class="why"><em>Why:</em> {p.prose(step.segments, step.expr)}</p>'
            if step.segments
            else ""
        )
        out.append("</details>")
        return out

    def results(self) -> list[str]:
        p = self.p
        out = []
        rows = p.recursion_rows()
        if rows:
            out += [f"<h2>{escape(p.recursion_title())}</h2>", _rows(rows)]
        out += ["<h2>Gradients</h2>", _rows(p.gradient_rows())]
        expanded = p.expanded_rows()
        note = p.view.expanded_note
        if expanded:
            out += [
                "<details><summary>Expanded (every symbol substituted)</summary>",
                _rows(expanded),
                "</details>",
            ]
        if note:
            out.append(f'<p class="note">Note: {escape(note)}.</p>')
        return out

    def code_section(self) -> list[str]:
        out = ["<h2>Generated NumPy code</h2>"]
        if self.code is None:
            return [*out, f'<p class="note">{escape(self.code_note or "not generated")}.</p>']
        form = []
        # a network derived for one example (a model's module has its own form: review27 #4)
        if isinstance(self.p, NetworkParts) and not self.p.d.batch:
            form = [
                '<p class="note">The module is the batch form whatever the derivation above: '
                "examples are the columns of X and Y, and one example is m = 1 (its gradients "
                "are the single-example ones then); its [step N] comments are the steps of the "
                "batch derivation (<code>derive --batch</code>).</p>"
            ]
        return [
            *out,
            *form,
            CHECK_ADVICE[self.caller],
            f"<pre><code>{escape(self.code)}</code></pre>",
        ]

    def page(self, source: Any) -> str:
        p = self.p
        body = [
            f"<h1>{p.heading}</h1>",
            f'<p class="by">derived by symbackprop {escape(__version__)}</p>',
            f"<p>{p.intro()}</p>",
            *self.figure(source),
            *self.table(),
            f"<h2>{escape(p.forward_title())}</h2>",
            _rows(p.forward_rows()),
            f"<h2>Derivation, step by step ({len(p.steps)} steps, from the cost back)</h2>",
        ]
        for step in p.d.steps:  # each stated assumption, its target set as mathematics
            if step.assumption is not None:
                said = p.prose(step.segments[1:])
                body.append(f'<p class="note">Assumption: {said}.</p>')
        if isinstance(p, NetworkParts):  # widths that meet at the sizes shown (4-3-2-1: n3 = 1)
            note = p.view.generic_note(p.doc.naming.dim, lambda tex: math(p.printer.tex(tex)))
            if note:
                body.append(f'<p class="note">{note}.</p>')
        marked = first_marked(p.d.graph)
        if marked:
            note = MARKS_NOTE.format(p.d.graph.value_text(marked))
            body.append(f'<p class="note">{escape(note[0].upper() + note[1:])}.</p>')
        for step in p.steps:  # numbered as the derivation (and the code) number them
            body += self.step(step.number, step)
        body += self.results()
        if self.code is not None or self.code_note is not None:
            body += self.code_section()
        head = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(p.title)}</title>",
            f"<style>{STYLE}</style>",
            "</head>",
            "<body>",
            "<main>",
        ]
        return "\n".join([*head, *body, "</main>", "</body>", "</html>"]) + "\n"


def to_html(
    d: Derivation,
    *,
    code: str | None = None,
    code_note: str | None = None,
    sizes: dict[str, int] | None = None,
    caller: str = "python",
) -> str:
    """The derivation as one self-contained HTML page (see the module docstring).

    ``code``: the generated module to show (this stage does not generate code; the facade's
    ``sb.to_html`` passes ``sb.codegen``'s); ``code_note`` says why there is none. ``caller``
    (a key of :data:`CHECK_ADVICE`: ``"python"`` or ``"cli"``) is who reads the page: the
    sentence on how to check the code is spelled as they would run it.
    """
    if caller not in CHECK_ADVICE:
        raise ValueError(f"caller {caller!r}: expected one of {', '.join(CHECK_ADVICE)}")
    if isinstance(d, ModelDerivation):
        parts: Parts = ModelParts(d, sizes=sizes)
        source: Any = d.model
    else:
        parts = NetworkParts(d, sizes=sizes)
        source = d.network
    return HtmlPage(parts, code=code, code_note=code_note, caller=caller).page(source)
