"""Two sentences of the lecture outputs that said less than the mathematics (hostile35b).

#8: the batch index view said "the sum is entry j of W3^T delta3" of a matrix whose entries
have two indices; it says entry (j, t) now (one example: entry j, as before). #6: a slide of the
softmax step listed 7 of its 8 arrangements: the equal form S g, which every other format shows,
was missing. #11: the index view's Markdown set display math inside a paragraph.
"""

from __future__ import annotations

import pytest

import symbackprop as sb
from symbackprop.render.indices import to_index_markdown, to_index_text
from symbackprop.render.slides import to_slides


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
def test_the_batch_index_view_names_both_indices_of_the_entry() -> None:
    batch = to_index_text(sb.derive("4-3-2-1", batch=True))
    assert "the sum is entry (j, t) of W3^T delta3" in batch
    assert "the sum is entry j of" not in batch
    single = to_index_text(sb.derive("4-3-2-1"))
    assert "the sum is entry j of W3^T delta3" in single


def test_the_softmax_slide_shows_every_arrangement() -> None:
    d = sb.derive(sb.Network.parse("4-5:relu-3:softmax", loss="ce"))
    step = next(s for s in d.steps if s.rule == "softmax")
    assert step.equal_forms  # S g beside the kept S^T g
    slides = to_slides(d)
    # the step's frames (its arrangements one a line go to a frame of their own: lecturer43)
    frame = "".join(
        part.split(r"\end{frame}")[0]
        for part in slides.split(rf"\frametitle{{Step {step.number}:")[1:]
    )
    assert r"\item[$=$] $S \, g$: equal to $S^{\top} \, g$, because $S$ is symmetric" in frame
    rejected = [c for c in step.candidates if not c.fits]
    assert frame.count(" differ") + frame.count(", not ") == len(rejected)


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
def test_index_markdown_sets_display_math_on_lines_of_its_own() -> None:
    # hostile35b #11: "*Hence* $$...$$" inside a paragraph; GitHub renders $$ on its own lines
    for batch in (False, True):
        text = to_index_markdown(sb.derive("4-3-2-1", batch=batch))
        lines = text.splitlines()
        assert lines.count("$$") >= 2 * 12
        assert all(line == "$$" for line in lines if "$$" in line)
        assert lines.count("$$") % 2 == 0


def test_the_web_pages_scalar_brackets_grow_around_fractions() -> None:
    # hostile35b #5: SymPy's brackets were all text-sized, ((1 - y)/(1 - a) - y/a) too
    from symbackprop.render.mathml import _sized_brackets

    xml = "<mo>(</mo><mi>a</mi><mo>(</mo><mfrac>x</mfrac><mo>)</mo><mo>)</mo><mo>(</mo><mi>b</mi>"
    assert _sized_brackets(xml) == (
        '<mo stretchy="true">(</mo><mi>a</mi><mo stretchy="true">(</mo><mfrac>x</mfrac>'
        '<mo stretchy="true">)</mo><mo stretchy="true">)</mo><mo stretchy="false">(</mo><mi>b</mi>'
    )
    page = sb.to_html("4-3-2-1")
    assert "<mo>(</mo>" not in page and "<mo>)</mo>" not in page
    algebra = page.split("Scalar algebra inside")[1].split("</math>")[1]  # after the ⊙
    assert '<mo stretchy="true">(</mo><mfrac>' in algebra.replace("<mrow>", "")
