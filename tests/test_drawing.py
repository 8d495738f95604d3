"""The network drawn: one layout, three outputs (SVG, TikZ, PNG) and ``symbackprop draw``."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

import symbackprop as sb
from symbackprop.cli.main import main
from symbackprop.render.drawing import drawing, to_png, to_svg, to_tikz
from symbackprop.render.drawing.figure import plain_text
from symbackprop.render.drawing.layout import MAX_SHOWN, model_edges
from symbackprop.render.drawing.png import INSTALL_HINT, MissingMatplotlib

MODELS = sorted(Path(__file__).resolve().parent.parent.glob("examples/models/*.model"))


def _texts(picture: object) -> list[str]:
    return [plain_text(t.label) for t in picture.texts]  # type: ignore[attr-defined]


def test_the_lecture_network_has_every_neuron_and_connection() -> None:
    picture = drawing(sb.Network.parse("4-3-2-1"))
    assert len(picture.circles) == 4 + 3 + 2 + 1
    assert len([line for line in picture.lines if line.style == "edge"]) == 12 + 6 + 2
    assert not picture.dots
    texts = _texts(picture)
    for layer in (1, 2, 3):
        assert f"W^[{layer}], b^[{layer}]" in texts
        assert f"a^[{layer}]" in texts
    assert "n_0 = 4" in texts and "4 × 1" in texts and "x_4" in texts


def test_a_wide_layer_is_abbreviated_with_its_width_written() -> None:
    picture = drawing(sb.Network.parse("784-128:relu-10:softmax", loss="ce"))
    assert len(picture.dots) == 3  # every layer is wider than MAX_SHOWN
    assert len(picture.circles) == 3 * 4 < 3 * MAX_SHOWN
    texts = _texts(picture)
    assert "n_0 = 784" in texts and "x_784" in texts and "relu" in texts
    assert "n_0 × 1" in texts  # an abbreviated layer's shape by its dimension


def test_a_named_width_is_written_by_name_and_sizes_fill_it_in() -> None:
    net = sb.Network.parse("n-3-2-1")
    assert "n" in _texts(drawing(net)) and "n × 1" in _texts(drawing(net))
    assert "n = 784" in _texts(drawing(net, sizes={"n": 784}))
    assert "A^[1]" in _texts(drawing(net, batch=True))


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_a_models_graph_has_its_values_and_adjoints(path: Path) -> None:
    model = sb.Model.from_file(path)
    picture = drawing(model)
    nodes, edges = model_edges(model)
    shown = {plain_text(b.label) for b in picture.boxes}
    assert len(picture.boxes) == len(nodes) == len(shown)
    styles = {b.style for b in picture.boxes}
    assert "parameter" in styles and "cost" in styles
    forward = [line for line in picture.lines if line.style == "forward"]
    assert len(forward) == len(edges)
    # an adjoint runs back along an edge only: as many as edges leaving a non-data node
    backward = [line for line in picture.lines if line.style == "adjoint"]
    assert len(backward) <= len([e for e in edges if e[0] not in model.data])
    assert all(line.x2 < line.x1 for line in backward)  # right to left
    ET.fromstring(to_svg(picture))  # well-formed


FOLDED = {  # equations that read no value: numbers the derivation folds, as named constants
    "copy": "x : n x 1\nc1 = 2\nc2 = c1\nJ = c2 sum(W x)",
    "product": "x : n x 1\nc1 = 2\nc2 = c1 c1\nh = c2 W x\nJ = c1 sum(h)",
    "of_m": "x : n x m\nk = m / 2\nJ = k sum(W x)",
}


@pytest.mark.parametrize("body", FOLDED.values(), ids=list(FOLDED))
def test_a_constant_made_of_constants_is_no_node(body: str) -> None:
    model = sb.Model.parse(f"W : n x n\nsizes: n = 3\n{body}\ndata: x")
    nodes, edges = model_edges(model)
    assert not {"c1", "c2", "k"} & set(nodes)
    assert {"W", "x", "J"} <= set(nodes) and ("W", nodes[-2] if "h" in nodes else "J") in edges
    picture = drawing(model)
    assert len(picture.boxes) == len(nodes)
    ET.fromstring(to_svg(picture))


@pytest.mark.parametrize(
    "command",
    [
        ["latex"],
        ["latex", "--snippet"],
        pytest.param(["derive", "--format", "html"], marks=pytest.mark.slow),
        ["draw", "--format", "svg"],
    ],
    ids=lambda c: " ".join(c),
)
def test_every_command_that_draws_takes_a_constant_made_of_constants(
    tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "c.model"
    path.write_text(f"W : n x n\nsizes: n = 3\n{FOLDED['copy']}\ndata: x", encoding="utf-8")
    result = CliRunner().invoke(main, [*command, str(path), "-o", "-"])
    assert result.exit_code == 0, result.output


def test_svg_is_self_contained() -> None:
    svg = to_svg(drawing(sb.Network.parse("4-3-2-1")))
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "href" not in svg and "<script" not in svg and "@import" not in svg


def test_tikz_is_balanced_and_escapes_names() -> None:
    tikz = to_tikz(drawing(sb.Model.parse("X : n0 x m\nmy_w : 1 x n0\nJ = sum(my_w X)\n")))
    assert tikz.count(r"\begin{tikzpicture}") == tikz.count(r"\end{tikzpicture}") == 1
    assert r"\mathit{my\_w}" in tikz and "my_w" not in tikz.replace(r"my\_w", "")


@pytest.mark.slow  # importing matplotlib takes over a second
def test_png_is_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    assert to_png(drawing(sb.Network.parse("4-3-1"))).startswith(b"\x89PNG\r\n\x1a\n")
    png = tmp_path / "graph.png"
    result = CliRunner().invoke(main, ["draw", str(MODELS[0]), "-o", str(png)])
    assert result.exit_code == 0, result.output
    assert png.read_bytes().startswith(b"\x89PNG")


def test_without_matplotlib_png_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    with pytest.raises(MissingMatplotlib, match="symbackprop\\[plot\\]"):
        to_png(drawing(sb.Network.parse("4-3-1")))
    result = CliRunner().invoke(main, ["draw", "4-3-1", "-o", "net.png"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and INSTALL_HINT in lines[0]


def test_draw_command_writes_each_format(tmp_path: Path) -> None:
    runner = CliRunner()
    svg = tmp_path / "net.svg"
    assert runner.invoke(main, ["draw", "4-3-2-1", "-o", str(svg)]).exit_code == 0
    ET.fromstring(svg.read_text(encoding="utf-8"))
    again = runner.invoke(main, ["draw", "4-3-2-1", "-o", str(svg)])
    assert again.exit_code == 2 and "--force" in again.output  # no clobber
    tikz = runner.invoke(main, ["draw", "4-3-2-1", "--format", "tikz"])
    assert tikz.exit_code == 0 and r"\begin{tikzpicture}" in tikz.output
    assert runner.invoke(main, ["draw", "4-3-2-1"]).exit_code == 2  # a PNG needs -o


def test_draw_refuses_a_format_the_file_name_contradicts(tmp_path: Path) -> None:
    runner = CliRunner()
    svg = tmp_path / "net.svg"
    result = runner.invoke(main, ["draw", "4-3-2-1", "-o", str(svg), "--format", "png"])
    assert result.exit_code == 2 and not svg.exists()
    assert len(result.output.strip().splitlines()) == 1 and "does not match" in result.output
    same = runner.invoke(main, ["draw", "4-3-2-1", "-o", str(svg), "--format", "svg"])
    assert same.exit_code == 0 and svg.read_text(encoding="utf-8").lstrip().startswith("<")
    tikz = tmp_path / "net.tikz"  # without --format the suffix decides
    assert runner.invoke(main, ["draw", "4-3-2-1", "-o", str(tikz)]).exit_code == 0
    assert r"\begin{tikzpicture}" in tikz.read_text(encoding="utf-8")
    for name in ("net.pdf", "net.JPG"):  # hostile14 #5: PNG bytes were written under these
        other = tmp_path / name
        for fmt in ([], ["--format", "png"]):
            result = runner.invoke(main, ["draw", "4-3-2-1", "-o", str(other), *fmt])
            assert result.exit_code == 2 and not other.exists(), result.output
            assert "which draw does not write: name it .png, .svg or .tex" in result.output
    pic = tmp_path / "net.pic"  # a suffix that asks for nothing takes --format as given
    assert (
        runner.invoke(main, ["draw", "4-3-2-1", "-o", str(pic), "--format", "svg"]).exit_code == 0
    )


def test_a_deep_network_shows_its_first_and_last_layers() -> None:
    picture = drawing(sb.Network.parse("-".join(["3"] * 30)))  # 29 layers
    assert [d.horizontal for d in picture.dots] == [True]
    assert len(picture.circles) == (5 + 3) * 3
    texts = _texts(picture)
    assert "a^[4]" in texts and "a^[27]" in texts and "a^[29]" in texts
    assert "a^[5]" not in texts and "W^[27], b^[27]" not in texts  # no edge across the gap


def test_a_file_named_by_its_suffix_alone_gets_that_format(tmp_path: Path) -> None:
    """hostile15 5c: ``-o .svg`` wrote PNG bytes (``Path('.svg').suffix`` is empty) and
    ``-o c.`` a PNG named ``c.``: the suffix is read from the last dot on, and a name
    ending in a dot is refused in one line."""
    runner = CliRunner()
    svg = tmp_path / ".svg"
    assert runner.invoke(main, ["draw", "3-2-1", "-o", str(svg)]).exit_code == 0
    ET.fromstring(svg.read_text(encoding="utf-8"))
    dotted = tmp_path / "c."
    result = runner.invoke(main, ["draw", "3-2-1", "-o", str(dotted)])
    assert result.exit_code == 2 and not dotted.exists(), result.output
    assert "ends in '.': name it .png, .svg or .tex" in result.output


def _crossings(picture: object) -> list[str]:
    """The arrows that pass through a box (sampled every pixel along each segment; a box
    shrunk by 2 pixels, so that an arrow leaving or reaching its side does not count)."""
    found = []
    for line in picture.lines:  # type: ignore[attr-defined]
        points = line.points()
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            steps = max(1, int(max(abs(x2 - x1), abs(y2 - y1))))
            for k in range(steps + 1):
                x, y = x1 + (x2 - x1) * k / steps, y1 + (y2 - y1) * k / steps
                for box in picture.boxes:  # type: ignore[attr-defined]
                    if abs(x - box.x) < box.w / 2 - 2 and abs(y - box.y) < box.h / 2 - 2:
                        found.append(f"{line.style} line through {plain_text(box.label)}")
    return sorted(set(found))


@pytest.mark.parametrize("path", MODELS, ids=[p.stem for p in MODELS])
def test_no_arrow_of_a_models_graph_passes_through_a_box(path: Path) -> None:
    """Z -> D (D = Z - mu) was a straight line through mu's box: it read Z -> mu -> D. An
    arrow that skips a column goes around the boxes there, through a gap."""
    picture = drawing(sb.Model.from_file(path))
    assert _crossings(picture) == []


def _unrolled(steps: int) -> str:
    """An RNN unrolled ``steps`` times with X read at every step: a fan of skip arrows."""
    lines = ["X : n x m", "W : n x n", "sizes: n = 3", "h1 = tanh(W X)"]
    lines += [f"h{i} = tanh(W h{i - 1} + X)" for i in range(2, steps + 1)]
    return "\n".join([*lines, f"J = sum(h{steps})", "data: X"]) + "\n"


SKIPS = """\
X : n x m
W1 : n x n
W2 : n x n
W3 : n x n
sizes: n = 3
h1 = tanh(W1 X)
h2 = tanh(W2 h1 + X)
h3 = tanh(W3 h2 + h1 + X)
J = sum(h3 + h2 + h1 + X + W1 X)
data: X
"""


@pytest.mark.parametrize("text", [SKIPS, _unrolled(10)], ids=["skips", "unrolled"])
def test_arrows_through_a_narrow_gap_stay_out_of_its_boxes_and_on_the_canvas(text: str) -> None:
    """hostile36c #3, #4: the lanes of several arrows through one gap stepped into the boxes
    beside it (W1 -> J ran through h2), and lanes above and below every box left the canvas."""
    picture = drawing(sb.Model.parse(text))
    assert _crossings(picture) == []
    ys = [y for line in picture.lines for _, y in line.points()]
    assert min(ys) > 0 and max(ys) < picture.height


def test_a_model_too_large_to_draw_readably_is_refused() -> None:
    """hostile36c #4: 1,000 equations took a minute and made a PNG 220,000 pixels wide."""
    with pytest.raises(sb.SpecError, match=r"^draw: the model has 201 equations; its graph is"):
        drawing(sb.Model.parse(_unrolled(200)))


def test_a_routed_arrow_is_drawn_through_its_points_in_every_format() -> None:
    picture = drawing(sb.Model.from_file("examples/models/batch_norm.model"))
    routed = [line for line in picture.lines if line.via]
    assert routed and all(line.points()[0] == (line.x1, line.y1) for line in routed)
    svg = to_svg(picture)
    assert svg.count("<polyline") == len(routed)
    ET.fromstring(svg)
    tikz = to_tikz(picture)
    assert sum(line.count(" -- ") == 3 for line in tikz.splitlines()) == len(routed)


def _chain(equations: int) -> sb.Model:
    lines = ["h0 : 2 x 1", "W : 2 x 2"]
    lines += [f"h{i} = tanh(W h{i - 1})" for i in range(1, equations)]
    return sb.Model.parse("\n".join([*lines, f"J = sum(h{equations - 1})", "data: h0", ""]))


def test_a_model_too_large_to_draw_is_refused_by_draw_alone() -> None:
    from symbackprop.render.drawing.layout import MAX_DRAWN_EQUATIONS, too_large_to_draw

    assert too_large_to_draw(_chain(MAX_DRAWN_EQUATIONS)) is None
    large = _chain(MAX_DRAWN_EQUATIONS + 1)
    assert "151 equations" in str(too_large_to_draw(large))
    with pytest.raises(sb.SpecError, match="derive and latex print larger models"):
        drawing(large)


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
def test_a_document_of_a_model_too_large_to_draw_leaves_the_figure_out() -> None:
    """hostile38c #3: latex and derive's html of a 151-equation model were refused with "draw:
    ... derive and latex print larger models"; they print it now, without the figure."""
    d = sb.derive(_chain(151))
    assert r"\emph{No figure: the model has 151 equations" in sb.to_latex(d)
    assert "<p><em>No figure: the model has 151 equations" in sb.to_html(d)


def test_draw_refuses_a_name_of_a_text_format(tmp_path: Path) -> None:
    """PNG bytes were written into net.py and net.md, exit 0: draw now refuses a name of
    another format as every command does (output.SUFFIX_FORMATS), and names the file to use."""
    runner = CliRunner()
    for name, holds in (("net.py", "Python"), ("net.md", "Markdown"), ("net.html", "HTML")):
        other = tmp_path / name
        result = runner.invoke(main, ["draw", "4-3-2-1", "-o", str(other)])
        assert result.exit_code == 2 and not other.exists(), result.output
        assert f"this writes PNG, but a file named *{other.suffix} holds {holds}" in result.output
        assert "net.png" in result.output
    svg = runner.invoke(main, ["draw", "4-3-2-1", "-o", str(tmp_path / "n.md"), "--format", "svg"])
    assert svg.exit_code == 2 and "this writes SVG" in svg.output


def test_a_suggested_name_keeps_a_right_suffix_before_the_wrong_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """hostile39b #4: ``codegen -o x.py.tex`` suggested 'x.py.py'."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["codegen", "3-2-1", "-o", "x.py.tex"])
    assert result.exit_code == 2 and "name it 'x.py'" in result.output, result.output


def test_a_define_whose_name_is_no_identifier_says_so() -> None:
    """hostile39b #5: ``--define 'ü=z'`` said only "expected NAME=FORMULA"."""
    result = CliRunner().invoke(main, ["codegen", "3-2-1", "--define", "ü=z"])
    assert result.exit_code == 2
    assert "'ü' is no name; expected an ASCII identifier" in result.output


@pytest.mark.parametrize(
    "spec", ["5-4-4-4-4-4-1", "4-3-2-1", "3-" * 9 + "1", "784-256-256-10", "5-" + "4-" * 7 + "1"]
)
def test_the_document_raises_small_labels_to_tiny_where_they_fit(spec: str) -> None:
    """lecturer44 #3: a 6-layer network's picture, scaled to the page, set its labels at about
    5 pt; they are raised toward \\tiny (6 pt) as far as no two labels (by the layout's
    generous width estimate) and no label and neuron come to overlap. A 9-layer network's
    labels stay below \\tiny (hostile33b #7: held there, they ran into each other)."""
    from symbackprop.render.drawing.figure import text_extent
    from symbackprop.render.drawing.tikz import _growths, _overlap, picture_scale

    picture = drawing(sb.Network.parse(spec))
    tikz = to_tikz(picture)
    scale = picture_scale(picture)
    growth = _growths(picture, scale)
    grown = [text_extent(t, g) for t, g in zip(picture.texts, growth, strict=True)]
    at_one = [text_extent(t) for t in picture.texts]
    for i in range(len(grown)):
        for j in range(i + 1, len(grown)):
            if not _overlap(at_one[i], at_one[j]):
                assert not _overlap(grown[i], grown[j]), (picture.texts[i], picture.texts[j])
        for c in picture.circles:
            circle = (c.x - c.r, c.y - c.r, c.x + c.r, c.y + c.r)
            assert _overlap(at_one[i], circle) or not _overlap(grown[i], circle)
    shrunk = [float(x) for x in re.findall(r"scale=(0\.\d+), transform shape", tikz)]
    if spec == "5-4-4-4-4-4-1":
        assert shrunk == [] and max(growth) > 1.2  # every label at \tiny or above, none shrunk
        # set in \tiny itself, not rounded up to \scriptsize (review45 #2: 8 pt, overlapping)
        assert r"{\tiny $\mbox{sigmoid}$}" in tikz and r"\scriptsize $\mbox{sigmoid}" not in tikz
    elif spec.startswith(("3-3", "5-4-4-4-4-4-4")):
        # too tight for \tiny: raised only as far as the labels stay clear (8 layers: the
        # superscripts of W^{[l]}, b^{[l]} ran into the shape under them, hostile49b #1)
        assert shrunk
    else:
        assert growth == [1.0] * len(growth) and shrunk == []  # nothing below \tiny to raise
