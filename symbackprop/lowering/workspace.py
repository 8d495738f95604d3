"""The workspace of a network module: which arrays it keeps, and which value lives in which.

A network module's ``forward`` and ``backward`` write their products into arrays made once per
m and dtype and kept in the caller's ``work`` dict (``out.get("dZ2")``; ``out`` is ``{}``
without a workspace). The NumPy and torch emitters decide the same things about them, here:
which arrays each function (its *part*) keeps and their shapes, which value lives in which
array (its *home*), and when a dead delta's array is free for a later value of its shape. A
backend only spells an allocation or an ``out=`` write.
"""

from __future__ import annotations

#: the functions of a network module that keep arrays in the workspace, in module order
PARTS = ("forward", "backward")


class WorkspacePlanner:
    """The arrays a network module keeps, by part, and the array each value lives in.

    Shapes are printed tuples (``"(3, m)"``, ``"(2, 3)"``): arrays of equal printed shape are
    interchangeable. In backward of ``3-3:relu-2:relu-3:relu-1``, ``dZ3`` (3 x m) takes an
    array of its own, ``"dZ3"``; once ``dZ2`` (2 x m) has read it for the last time
    (:meth:`release`), ``take("dZ1", "(3, m)")`` returns ``"dZ3"``: dZ1 lives in dZ3's array
    (``out.get("dZ3")``) and backward keeps ``{"dW4": "(1, 3)", "dZ3": "(3, m)", "dW3":
    "(3, 2)", "dZ2": "(2, m)", "dW2": "(2, 3)", "dW1": "(3, 3)"}``, no ``dZ1``.

    Calls go in module order: :meth:`begin` a part, then :meth:`take`, :meth:`borrow`,
    :meth:`release` and :meth:`first_ones` while its statements are written, and
    :meth:`shapes` once every part is written (the ``_workspace`` helper that makes them).
    """

    def __init__(self, tag: str = "") -> None:
        #: what names this module's network in a workspace key (``"forward 1f3a9c2e"``), so
        #: that two modules sharing one ``work`` dict keep arrays of their own: a literal in
        #: the key, as cheap to hash and compare as the part's name alone
        self.tag = tag
        #: part -> array name -> printed shape: what ``_workspace`` makes
        self.arrays: dict[str, dict[str, str]] = {part: {} for part in PARTS}
        self.part = PARTS[0]  # the function being written
        #: printed shape -> arrays of dead values of that shape, the last freed taken first
        self.free: dict[str, list[str]] = {}
        #: value -> the array it lives in (its own name, or a dead value's array)
        self.home: dict[str, str] = {}
        #: whether the module fetches the column of ones 1_m of db = dZ 1_m
        self.ones = False

    @property
    def key(self) -> str:
        """The current part's name in a workspace key: ``"forward 1f3a9c2e"``."""
        return f"{self.part} {self.tag}" if self.tag else self.part

    def begin(self, part: str) -> None:
        """Start writing ``part`` (``"forward"``, ``"backward"``): its arrays are its own."""
        self.part = part
        self.free = {}
        self.home = {}

    def take(self, name: str, shape: str) -> str:
        """The array a new value ``name`` of ``shape`` lives in until :meth:`release`: a dead
        value's of that shape (the last freed), else its own (``name``, or ``name`` and a
        number, ``slope2``, when that array holds a live value or has another shape)."""
        free = self.free.get(shape)
        if free:
            home = free.pop()
        else:
            arrays, live = self.arrays[self.part], set(self.home.values())
            home, number = name, 1
            while home in live or (home in arrays and arrays[home] != shape):
                number += 1
                home = f"{name}{number}"
            arrays.setdefault(home, shape)
        self.home[name] = home
        return home

    def borrow(self, name: str, shape: str) -> str:
        """The array of a temporary ``name`` of ``shape`` that dies within the statement that
        makes it (``1.0 - A2**2`` evaluated in one array): :meth:`take`, free again at once."""
        home = self.take(name, shape)
        self.release(name)
        return home

    def release(self, name: str) -> None:
        """``name`` is dead: its array may hold a later value of its shape."""
        home = self.home.pop(name, None)
        if home is not None:
            self.free.setdefault(self.arrays[self.part][home], []).append(home)

    def first_ones(self, array: str | None = None) -> bool:
        """True the first time backward needs the column of ones 1_m (m x 1) of db = dZ 1_m,
        False after: the backend fetches it once (NumPy fetches 1/m with it). ``array`` names
        it when it is a workspace array of its own (torch's ``"ones_m"``, shape ``(m, 1)``)."""
        if self.ones:
            return False
        self.ones = True
        if array is not None:
            self.arrays[self.part][array] = "(m, 1)"
        return True

    def shapes(self) -> list[str]:
        """The ``_workspace`` helper's branch that sets ``shapes``, the printed shape of each
        array of ``part``: ``"dZ2": (3, m),`` one per line, a part per branch."""
        out = []
        for index, (part, named) in enumerate(self.arrays.items()):
            key = f"{part} {self.tag}" if self.tag else part
            out.append(f'        if part == "{key}":' if index == 0 else "        else:")
            out.append("            shapes = {")
            out += [f'                "{name}": {shape},' for name, shape in named.items()]
            out.append("            }")
        return out
