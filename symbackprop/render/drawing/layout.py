"""Where everything goes: a dense network as on the lecture's board, a model as its graph.

:func:`network_drawing`: neurons as circles in one column per layer (the input first), every
connection between consecutive layers, a layer wider than :data:`MAX_SHOWN` drawn as a few
neurons, a vertical ellipsis and its last neuron (a network deeper than :data:`MAX_COLUMNS`
as its first and last layers with a horizontal ellipsis between); above each column the width
(``n_1 = 3``, ``n = 784``), between columns ``W^{[l]}, b^{[l]}`` and the weight's shape, under
each column the value (``x``, ``a^{[l]}``), its shape and the activation.

:func:`model_drawing`: a model's computation graph from its equations: one box per data leaf,
parameter and defined value (named constants are folded away), a column per depth (a leaf sits
just before its first reader), forward arrows from what an equation reads to what it defines,
and dashed adjoint arrows back wherever a gradient flows (to parameters and to values that
depend on one; never to data).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from symbackprop.errors import SpecError
from symbackprop.formula.ast import Name, walk
from symbackprop.model import Model
from symbackprop.render.drawing.figure import (
    Box,
    Circle,
    Dots,
    Drawing,
    Label,
    Line,
    Run,
    Style,
    Text,
    label_width,
    name_label,
    text_width,
    words,
)
from symbackprop.render.drawing.routes import Column, route
from symbackprop.render.mathml_tex import GREEK as GREEK_LETTERS
from symbackprop.render.model_names import greek, name_parts
from symbackprop.spec import Network

#: a layer wider than this is drawn as a few neurons, a vertical ellipsis and its width
MAX_SHOWN = 8
#: neurons drawn above and below the ellipsis of an abbreviated layer
SHOWN_ABOVE, SHOWN_BELOW = 3, 1
#: a network with more layers (input included) is drawn as its first and last few
MAX_COLUMNS, SHOWN_FIRST, SHOWN_LAST = 10, 5, 3

_GAP_X, _GAP_Y, _RADIUS = 130.0, 40.0, 13.0
_TOP = 76.0  # room above the neurons for the W, b labels and the widths
_MARGIN = 60.0


def _dim_runs(width: int | str, layer: int) -> Label:
    """A layer's width as a dimension: n_1 for a number, the name for a named width."""
    if isinstance(width, str):
        return (Run(width),)
    return (Run("n"), Run(str(layer), "sub"))


def _shape(rows: Label, batch: bool, m: int | None = None) -> Label:
    """``rows × m`` (``× 7`` where ``sizes`` gives m: it was taken and not shown, hostile36c
    #8), or ``rows × 1`` for one example."""
    return (*rows, Run(" × "), Run((str(m) if m else "m") if batch else "1"))


def _count(width: int | str, sizes: Mapping[str, int]) -> int | None:
    return width if isinstance(width, int) else sizes.get(width)


def _slots(count: int | None) -> list[int | None]:
    """The neurons drawn for a layer: their 1-based index, ``None`` where the ellipsis goes."""
    if count is not None and count <= MAX_SHOWN:
        return list(range(1, count + 1))
    last = count if count is not None else 0  # 0: the last of an unknown number
    return [*range(1, SHOWN_ABOVE + 1), None, *([last] * SHOWN_BELOW)]


def _layers_shown(depth: int) -> list[int | None]:
    """The layers drawn, in order; ``None`` where the layers between are left out."""
    if depth + 1 <= MAX_COLUMNS:
        return list(range(depth + 1))
    head, tail = list(range(SHOWN_FIRST)), list(range(depth + 1 - SHOWN_LAST, depth + 1))
    return [*head, None, *tail]


def network_drawing(
    network: Network, *, sizes: Mapping[str, int] | None = None, batch: bool = False
) -> Drawing:
    """The network on the board (see the module docstring); ``sizes`` gives named widths."""
    sizes = dict(sizes or {})
    widths = network.widths
    shown = _layers_shown(network.depth)
    columns = {layer: _slots(_count(widths[layer], sizes)) for layer in shown if layer is not None}
    tallest = max(len(c) for c in columns.values())
    height = _TOP + tallest * _GAP_Y + 54
    gap, left, right = _spacing(network, shown, sizes, batch)
    width = left + right + (len(shown) - 1) * gap
    out = Drawing(width, height, f"the network {network.compact}")
    centre = _TOP + tallest * _GAP_Y / 2
    points: dict[int, list[tuple[float, float]]] = {}
    for position, layer in enumerate(shown):
        x = left + position * gap
        if layer is None:  # the layers left out: a horizontal ellipsis, no connections
            out.dots.append(Dots(x, centre, horizontal=True))
            continue
        slots = columns[layer]
        top = centre - (len(slots) - 1) * _GAP_Y / 2
        column = []
        for row, slot in enumerate(slots):
            y = top + row * _GAP_Y
            if slot is None:
                out.dots.append(Dots(x, y))
            else:
                column.append((x, y))
        points[layer] = column
        bottom = top + (len(slots) - 1) * _GAP_Y
        out.texts += _column_labels(network, layer, x, (top, bottom), sizes, batch)
        if layer and layer - 1 in points:
            out.texts += _between_labels(network, layer, x - gap / 2)
    for layer in points:
        for x1, y1 in points.get(layer - 1, []):
            for x2, y2 in points[layer]:
                out.lines.append(Line(x1, y1, x2, y2))
    last = network.depth
    for layer, column in points.items():
        style: Style = "input" if layer == 0 else "output" if layer == last else "neuron"
        out.circles += [Circle(x, y, _RADIUS, style) for x, y in column]
    _input_names(out, network, columns[0], points[0])
    x_out = points[last][0][0]
    for _, y in points[last]:
        out.lines.append(Line(x_out + _RADIUS, y, x_out + 34, y, "forward"))
    ends = [y for _, y in points[last]]
    label = x_out + 40
    if len(ends) > 1:
        # one bracket over every output's arrow: the label beside the middle arrow read as
        # that unit's alone (hostile49b #7: unit 3 of 10 on a softmax output)
        out.lines.append(Line(x_out + 38, ends[0], x_out + 38, ends[-1]))
        label = x_out + 44
    # the batch form's output is the matrix Ŷ = A^[L], as its notes write it
    out.texts.append(Text(label, centre + 4, (Run("Ŷ" if batch else "ŷ"),), "start", 13))
    return out


def _spacing(
    network: Network, shown: list[int | None], sizes: Mapping[str, int], batch: bool
) -> tuple[float, float, float]:
    """The gap between columns and the margins left and right of the first and last: wide
    enough for the longest label, so that named widths (``hiddenunitsfirst``) neither run
    into each other between the columns nor off the picture's edge (hostile38c #11)."""
    spans = [
        text_width(text)
        for layer in shown
        if layer is not None
        for text in _column_labels(network, layer, 0.0, (0.0, 0.0), sizes, batch)
    ]
    between = [
        text_width(text)
        for layer in shown
        if layer and layer - 1 in shown
        for text in _between_labels(network, layer, 0.0)
    ]
    gap = max(_GAP_X, *(w + 24 for w in spans), *(w + 16 for w in between))
    first = _input_names_width(network)
    left = max(_MARGIN, first + _RADIUS + 14, max(spans, default=0.0) / 2 + 8)
    right = max(_MARGIN, max(spans, default=0.0) / 2 + 8)
    return gap, left, right


def _input_names_width(network: Network) -> float:
    """The width of the longest input name left of the input column (x_n0, x_784)."""
    return text_width(Text(0.0, 0.0, name_label("x", index=str(network.widths[0])), size=12))


def _column_labels(
    network: Network,
    layer: int,
    x: float,
    span: tuple[float, float],
    sizes: Mapping[str, int],
    batch: bool,
) -> list[Text]:
    """Above a column its width; below it the value, its shape and the activation."""
    top, bottom = span
    width = network.widths[layer]
    dim = _dim_runs(width, layer)
    count = _count(width, sizes)
    above: Label = dim if count is None else (*dim, Run(f" = {count}"))
    value = (
        name_label("X" if batch else "x")
        if layer == 0
        else name_label("A" if batch else "a", layer)
    )
    below = [Text(x, bottom + 34, value, size=13)]
    shown = dim if count is None or count > MAX_SHOWN else (Run(str(count)),)
    below.append(Text(x, bottom + 52, _shape(shown, batch, sizes.get("m")), size=11))
    if layer:
        below.append(Text(x, bottom + 68, words(network.activations[layer - 1]), size=10))
    return [Text(x, top - 26, above, size=11), *below]


def _between_labels(network: Network, layer: int, x: float) -> list[Text]:
    """Between columns l-1 and l: W^{[l]}, b^{[l]} and the weight's shape."""
    rows = _dim_runs(network.widths[layer], layer)
    cols = _dim_runs(network.widths[layer - 1], layer - 1)
    label = (*name_label("W", layer), Run(", "), *name_label("b", layer))
    return [
        Text(x, 18, label, size=12),
        Text(
            x,
            34,
            (Run("W"), Run(f"[{layer}]", "sup"), Run(": "), *rows, Run(" × "), *cols),
            size=10,
        ),
    ]


def _input_names(
    out: Drawing,
    network: Network,
    slots: list[int | None],
    points: list[tuple[float, float]],
) -> None:
    """x_1, x_2, ... left of the input neurons (the last one of a long input: x_n)."""
    indices = [s for s in slots if s is not None]
    width = network.widths[0]
    for (x, y), index in zip(points, indices, strict=True):
        text = str(index) if index else str(width)
        out.texts.append(Text(x - _RADIUS - 6, y + 4, name_label("x", index=text), "end", 12))


# -- a model's computation graph ---------------------------------------------------------------

_BOX_H, _COL_GAP, _ROW_GAP = 28.0, 64.0, 26.0


def model_label(name: str) -> Label:
    """A model name as the LaTeX printer writes it (:func:`name_latex`: distinct names look
    distinct): letters then digits get the digits as subscript, a Greek name is its letter,
    any other name is written whole."""
    parts = name_parts(name)
    if parts is None:
        return (Run(name),)
    base, index = parts
    letter = greek(base)
    runs = [Run(GREEK_LETTERS[letter[1:]] if letter else base)]
    if index:
        runs.append(Run(index, "sub"))
    return tuple(runs)


def model_edges(model: Model) -> tuple[list[str], list[tuple[str, str]]]:
    """The graph's nodes (leaves in order of first use, then the equations) and its edges.

    An equation that reads no value (``c = 2``, ``c2 = c1 c1``, ``k = m / 2``) is a number
    that the derivation folds into its readers, as it does a named constant: no node."""
    constants: set[str] = set()
    nodes: list[str] = []
    edges: list[tuple[str, str]] = []
    for eq in model.equations:
        reads = [
            node.id
            for node in walk(eq.expr)
            if isinstance(node, Name) and node.id not in constants and node.id in model.shapes
        ]
        if not reads:
            constants.add(eq.name)
            continue
        for name in reads:
            if name not in nodes:
                nodes.append(name)
            if (name, eq.name) not in edges:
                edges.append((name, eq.name))
        nodes.append(eq.name)
    return nodes, edges


def _ranks(nodes: list[str], edges: list[tuple[str, str]], leaves: set[str]) -> dict[str, int]:
    rank: dict[str, int] = {}
    for node in nodes:
        if node not in leaves:
            rank[node] = 1 + max((rank.get(s, 0) for s, t in edges if t == node), default=0)
    for node in leaves:
        rank[node] = max(0, min((rank[t] for s, t in edges if s == node), default=1) - 1)
    return rank


def _depends_on_parameter(model: Model, edges: list[tuple[str, str]]) -> set[str]:
    out = set(model.parameters)
    for eq in model.equations:
        if any(s in out for s, t in edges if t == eq.name):
            out.add(eq.name)
    return out


#: the most equations a model's graph is drawn for: one box each, in columns; at 1,000 the
#: PNG was 220,000 pixels wide and took a minute (hostile36c #4)
MAX_DRAWN_EQUATIONS = 150


def too_large_to_draw(model: Model) -> str | None:
    """Why ``model``'s graph is not drawn (more than :data:`MAX_DRAWN_EQUATIONS` equations),
    or None: a sentence a document prints in the figure's place, and the refusal of ``draw``."""
    count = len(model.equations)
    if count <= MAX_DRAWN_EQUATIONS:
        return None
    return (
        f"the model has {count:,} equations; its graph is drawn for at most "
        f"{MAX_DRAWN_EQUATIONS} (one box each, in a row that stays readable)"
    )


def model_drawing(model: Model) -> Drawing:
    """The computation graph of ``model`` (see the module docstring)."""
    too_large = too_large_to_draw(model)
    if too_large is not None:
        # a document leaves the figure out instead (latex and derive's html asked for one
        # and were refused, with "latex prints larger models": hostile38c #3)
        raise SpecError(f"draw: {too_large}; derive and latex print larger models")
    nodes, edges = model_edges(model)
    leaves = set(model.parameters) | set(model.data)
    rank = _ranks(nodes, edges, leaves)
    columns: list[list[str]] = [[] for _ in range(max(rank.values()) + 1)]
    for node in nodes:
        columns[rank[node]].append(node)
    _order(columns, edges)
    labels = {node: model_label(node) for node in nodes}
    widths = {node: max(34.0, label_width(labels[node]) + 18) for node in nodes}
    tallest = max(len(c) for c in columns)
    height = 24 + tallest * (_BOX_H + _ROW_GAP) + 8
    x = 24.0
    centres: dict[str, tuple[float, float]] = {}
    placed: list[Column] = []  # each column's edges and boxes, for the arrows that skip it
    for column in columns:
        col_w = max(widths[n] for n in column)
        top = 24 + (tallest - len(column)) * (_BOX_H + _ROW_GAP) / 2
        for row, node in enumerate(column):
            centres[node] = (x + col_w / 2, top + row * (_BOX_H + _ROW_GAP) + _BOX_H / 2)
        spans = [(centres[n][1] - _BOX_H / 2, centres[n][1] + _BOX_H / 2) for n in column]
        placed.append(Column(x, x + col_w, spans))
        x += col_w + _COL_GAP
    out = Drawing(x - _COL_GAP + 24, height, "the computation graph of the model")
    gradient = _depends_on_parameter(model, edges)
    height_of = {n: centres[n][1] for n in nodes}
    outs = {n: sorted((t for s, t in edges if s == n), key=height_of.__getitem__) for n in nodes}
    ins = {n: sorted((s for s, t in edges if t == n), key=height_of.__getitem__) for n in nodes}
    for source, target in edges:
        # each box's arrows leave and arrive spread along its side, not all at one point
        (x1, y1), (x2, y2) = centres[source], centres[target]
        x1 += widths[source] / 2
        x2 -= widths[target] / 2
        y1 += _spread(outs[source].index(target), len(outs[source]))
        y2 += _spread(ins[target].index(source), len(ins[target]))
        # past the boxes of the columns it skips (Z to D = Z - mu, past mu's column)
        via = route((x1, y1), (x2, y2), placed[rank[source] + 1 : rank[target]], _ROW_GAP)
        if source in gradient:  # the adjoint flows back along this edge
            ahead = tuple((x, y - 3) for x, y in via)
            back = tuple((x, y + 3) for x, y in reversed(via))
            out.lines.append(Line(x1, y1 - 3, x2, y2 - 3, "forward", ahead))
            out.lines.append(Line(x2, y2 + 3, x1, y1 + 3, "adjoint", back))
        else:
            out.lines.append(Line(x1, y1, x2, y2, "forward", via))
    for node in nodes:
        cx, cy = centres[node]
        style: Style = (
            "data"
            if node in model.data
            else "parameter"
            if node in model.parameters
            else "cost"
            if node == model.cost
            else "value"
        )
        out.boxes.append(Box(cx, cy, widths[node], _BOX_H, labels[node], style))
    _fit_lanes(out)
    out.width = max(out.width, 520.0)  # room for the legend
    out.legend = [
        ("data", words("data")),
        ("parameter", words("parameter")),
        ("value", words("value")),
        ("forward", words("forward")),
        ("adjoint", (Run("adjoint ", "word"), Run("∂J/∂·"))),
    ]
    return out


def _fit_lanes(out: Drawing, margin: float = 8.0) -> None:
    """Move the picture down and make it taller where arrows routed above or below every box
    reach past its edges (hostile36c #4: the lanes of a fan of skip arrows left the canvas at
    the top, over nothing, and at the bottom, over the legend)."""
    ys = [y for line in out.lines for _, y in line.points()]
    if not ys:
        return
    shift = max(0.0, margin - min(ys))
    if shift:
        out.boxes = [dataclasses.replace(box, y=box.y + shift) for box in out.boxes]
        out.lines = [
            dataclasses.replace(
                line,
                y1=line.y1 + shift,
                y2=line.y2 + shift,
                via=tuple((x, y + shift) for x, y in line.via),
            )
            for line in out.lines
        ]
    out.height = max(out.height + shift, max(ys) + shift + margin)


def _spread(index: int, count: int) -> float:
    """The offset of arrow ``index`` of ``count`` along a box's side."""
    if count == 1:
        return 0.0
    return (index / (count - 1) - 0.5) * (_BOX_H - 12)


def _order(columns: list[list[str]], edges: list[tuple[str, str]]) -> None:
    """Reorder each column by the mean position of its neighbours (two sweeps each way), which
    keeps arrows short and crossings few on graphs of this size."""
    for _ in range(2):
        for i in range(1, len(columns)):
            _sort_by(columns[i], columns[i - 1], [(t, s) for s, t in edges])
        for i in range(len(columns) - 2, -1, -1):
            _sort_by(columns[i], columns[i + 1], edges)


def _sort_by(column: list[str], beside: list[str], links: list[tuple[str, str]]) -> None:
    """Sort ``column`` by the mean index in ``beside`` of each node's linked nodes."""
    where = {n: k for k, n in enumerate(beside)}
    keys = {}
    for k, node in enumerate(column):
        near = [where[b] for a, b in links if a == node and b in where]
        keys[node] = (sum(near) / len(near) if near else float(k), k)
    column.sort(key=keys.__getitem__)
