"""What a renderer shows of a derivation: the steps for ``--wrt``, sizes, the expanded forms.

Selection only: the view filters and looks up what the derivation already holds (steps,
deltas, gradients, ``expanded``); it never computes a derivative.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from symbackprop.core.graph import resolve_activations
from symbackprop.core.segments import Segment, words_with_m
from symbackprop.render.mode import ModeText
from symbackprop.spec import check_wrt

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation, Step

#: beyond this depth the fully expanded gradients are not printed (they nest one level per
#: layer and get unreadable long before Python's recursion limit); the compact form is shown
EXPAND_MAX_DEPTH = 8


@dataclass
class View(ModeText):
    """A derivation prepared for printing (see the module docstring)."""

    d: Derivation
    wrt: str | None = None
    expanded: bool = False
    extra_sizes: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_wrt(self.wrt, self.d.network)

    # -- what to show ------------------------------------------------------------------------
    @property
    def layer(self) -> int:
        """The lowest layer shown: the ``wrt`` parameter's layer, else 1."""
        return self.d.graph.layers[self.wrt] if self.wrt else 1

    @functools.cached_property
    def steps(self) -> list[Step]:
        """Every step, or for ``wrt`` those on the path from the loss to that parameter."""
        if self.wrt is None:
            return list(self.d.steps)
        out = []
        for step in self.d.steps:
            if step.wrt is not None and step.wrt.name in self.d.gradients:  # a parameter
                if step.wrt.name == self.wrt:
                    out.append(step)
            elif step.layer >= self.layer:
                out.append(step)
        return out

    @property
    def parameters(self) -> list[str]:
        """The gradients to show, in the derivation's order (last layer first)."""
        if self.wrt:
            return [self.wrt]
        return list(self.d.gradients)

    @property
    def delta_layers(self) -> list[int]:
        """The delta recursion to show, last layer first."""
        return [layer for layer in sorted(self.d.deltas, reverse=True) if layer >= self.layer]

    @property
    def show_expanded(self) -> bool:
        return self.expanded and self.d.depth <= EXPAND_MAX_DEPTH

    @property
    def expanded_note(self) -> str | None:
        """Why the expanded forms are left out, when they are."""
        if self.expanded and not self.show_expanded:
            return (
                f"expanded forms are not printed for networks deeper than {EXPAND_MAX_DEPTH} "
                f"layers (this one has {self.d.depth}); substitute the delta recursion above"
            )
        return None

    def expanded_gradients(self) -> dict[str, Any]:
        """The expanded gradients to show (empty when :attr:`show_expanded` is false)."""
        if not self.show_expanded:
            return {}
        full = self.d.expanded
        return {name: full[name] for name in self.parameters}

    # -- names and sizes ---------------------------------------------------------------------
    @functools.cached_property
    def sizes(self) -> dict[str, int]:
        """Dimension name -> concrete size (the spec's widths plus ``--size`` values)."""
        out = {str(sym): value for sym, value in self.d.sizes.items()}
        out.update(self.extra_sizes)
        return out

    @functools.cached_property
    def meeting_sizes(self) -> list[list[str]]:
        """The layer widths (and m) that meet at the sizes shown, each group with its size last:
        ``[["n3", "1"]]`` for 4-3-2-1, ``[["n1", "n2", "3"]]`` for 4-3-3-1. Shape analysis
        judges the candidates with the widths as symbols (sizes in general), so at these sizes
        a product rejected as undefined or of another shape may exist (:meth:`generic_note`)."""
        # each layer's width as the shapes name it (n2, or a named width such as h)
        g = self.d.graph
        widths = [str(self.d.shapes[f"W{layer}"][1]) for layer in range(1, g.depth + 1)]
        widths.append(str(self.d.shapes[f"W{g.depth}"][0]))
        widths += ["m"] if self.d.batch else []
        groups: dict[int, list[str]] = {}
        for name in widths:
            size = self.sizes.get(name)
            if size is not None:
                groups.setdefault(size, []).append(name)
        return [
            [*names, str(size)]
            for size, names in sorted(groups.items())
            if len(names) > 1 or size == 1
        ]

    def generic_note(
        self, dim: Callable[[str], str] = str, shown: Callable[[str], str] = str
    ) -> str | None:
        """What the kept and rejected candidates mean where widths meet at the sizes shown
        (4-3-2-1: n3 = 1, where ``dJ/da3 sigmoid'(z3)``, rejected as undefined, exists);
        ``None`` where none meet. ``dim`` names a width (LaTeX: ``n_{3}``), ``shown`` sets
        each group in the printer's math (LaTeX: ``$...$``)."""
        groups = [
            shown(" = ".join([*(dim(name) for name in group[:-1]), group[-1]]))
            for group in self.meeting_sizes
        ]
        if not groups:
            return None
        return (
            "The candidates are judged with the sizes as symbols, for sizes in general; at "
            f"the sizes shown, {', '.join(groups)}: an arrangement rejected for its shape may "
            "exist there too, but only the one kept is right at every size"
        )

    @functools.cached_property
    def activation_latex(self) -> dict[str, str]:
        return {name: rec.latex for name, rec in resolve_activations(self.d.network).items()}

    @functools.cached_property
    def definitions(self) -> list[tuple[str, str]]:
        """Each custom activation the network uses, with its formula as it was defined
        (``("sw", "z*sigmoid(z)")``): printed beside the forward equations, which call it by
        name (no readable output defined it: hostile38c #4)."""
        used = set(self.d.network.activations)
        return [
            (name, record.custom_formula)
            for name, record in resolve_activations(self.d.network).items()
            if name in used and record.custom_formula is not None
        ]

    @functools.cached_property
    def mode(self) -> tuple[Segment, ...]:
        """ "batch of m examples (columns)" or "single example", with m as mathematics: every
        printer prints these segments (m in italics in LaTeX, MathML on the web page)."""
        return words_with_m("batch of m examples (columns)" if self.d.batch else "single example")

    def table_names(self) -> list[str]:
        """The names of the shape table: x, then W, b, z, a per layer, then y."""
        g = self.d.graph
        names = [g.x.name]
        for layer in range(1, g.depth + 1):
            names += [g.W(layer).name, g.b(layer).name, g.z(layer).name, g.a(layer).name]
        return [*names, g.y.name]
