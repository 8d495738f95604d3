"""``Model``: a computation written as forward equations, parsed and shaped (DESIGN.md).

This is the spec stage for models: it validates once, with errors naming the line, and hands
the next stages plain data (the equations as formula trees, every name's symbolic shape). It
derives nothing yet.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from symbackprop.errors import SpecError, did_you_mean, file_path, quote_user_text, wrt_name
from symbackprop.formula import Binary, Call, Name, walk
from symbackprop.formula.ast import Node, constant_value, to_text
from symbackprop.model.shapes import Shape, infer
from symbackprop.model.statements import (
    READ_AS_NUMBER,
    Equation,
    Statements,
    name_problem,
    read,
)
from symbackprop.records.losses import LOSSES
from symbackprop.spec import (
    MAX_SPEC_FILE_BYTES,
    build_customs,
    load_json,
    load_toml,
    normalize_define,
)

#: functions whose argument must be positive (log) or non-negative (sqrt) for a value
_POSITIVE_ARGUMENTS = frozenset({"log", "sqrt"})
#: leaves that are data when a model has no ``data:`` line
DEFAULT_DATA = ("x", "y", "X", "Y")
_FILE_KEYS = ("equations", "define")
#: the 'model' block of ``derive --format json`` repeats what the equations make under these
#: keys: accepted when they agree, so that block reads back as a model file
_REPEATED_KEYS: dict[str, Callable[[Model], Any]] = {
    "parameters": lambda model: list(model.parameters),
    "data": lambda model: list(model.data),
    "cost": lambda model: model.cost,
    "sizes": lambda model: dict(model.sizes),
}


@dataclass(frozen=True)
class Model:
    """A parsed, shape-checked model. Build it with :meth:`parse` or :meth:`from_file`.

    ``shapes`` maps every name (leaves and defined values) to ``(rows, cols)``: SymPy dimension
    symbols ``Symbol("n0", integer=True, positive=True)`` (``m`` the batch size) or integers.
    """

    text: str
    equations: tuple[Equation, ...]
    parameters: tuple[str, ...]
    data: tuple[str, ...]
    shapes: dict[str, Shape]
    sizes: dict[str, int]
    #: name -> (line, equation text) of the equation that fixed an inferred shape
    shape_reasons: dict[str, tuple[int, str]]
    define: tuple[tuple[str, str], ...] = field(default=())
    #: where the text came from (``model file 'net.model'``; ``""`` for text): a later stage's
    #: error about a line starts with it, as the parser's do
    origin: str = field(default="", compare=False, repr=False)

    def __hash__(self) -> int:
        # the dataclass hash would hash the shape dicts and fail; every other field is made
        # from the text and the definitions, so equal models hash alike (a dict or set key)
        return hash((Model, self.text, self.define))

    @property
    def cost(self) -> str:
        """The last equation's name: the 1 x 1 cost that gradients are taken of."""
        return self.equations[-1].name

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The names of the dimensions in its shapes, sorted (``("m", "n0", "n1")``): what a
        ``sizes`` may give a value (m among them where the model has it)."""
        return tuple(
            sorted({str(d) for shape in self.shapes.values() for d in shape if d.is_Symbol})
        )

    @property
    def batch(self) -> bool:
        """Batch form: a data leaf has ``m`` in its shape."""
        m = sympy.Symbol("m", integer=True, positive=True)
        return any(m in self.shapes[name] for name in self.data)

    def names_read(self, trees: Iterable[Node]) -> set[str]:
        """Every name ``trees`` read, and those the values they read are defined from, through
        the equations (``log(W H)`` of ``P = W H``: P, W, H)."""
        definitions = {eq.name: eq.expr for eq in self.equations}
        found: set[str] = set()
        stack = list(trees)
        while stack:
            for sub in walk(stack.pop()):
                if isinstance(sub, Name) and sub.id not in found:
                    found.add(sub.id)
                    if sub.id in definitions:
                        stack.append(definitions[sub.id])
        return found

    @property
    def positive_leaves(self) -> tuple[str, ...]:
        """The parameters and data inside the argument of a log, a sqrt or a fractional power,
        through the values defined from them (``log(W H)``: W and H), in model order: where
        signed draws leave the model no value, the checks draw these positive."""
        found = self.names_read(
            node.args[0] if isinstance(node, Call) else node.left
            for eq in self.equations
            for node in walk(eq.expr)
            if (isinstance(node, Call) and node.func in _POSITIVE_ARGUMENTS and node.args)
            or (
                isinstance(node, Binary)
                and node.op == "^"
                and constant_value(node.right) is not None
                and constant_value(node.right).denominator != 1  # type: ignore[union-attr]
            )
        )
        return tuple(name for name in (*self.parameters, *self.data) if name in found)

    @property
    def targets(self) -> dict[str, str]:
        """Data leaves read as a loss's target -> that loss (``{"Y": "bce"}``), in order of use.

        Random data for a check must hold values the loss accepts there (0/1 for bce, one-hot
        columns for ce); a data leaf used as the target of several losses keeps the strictest
        (``mse(P, Y) + ce(Q, Y)``: ce, whose one-hot columns are also valid targets of mse).
        """
        out: dict[str, str] = {}
        for eq in self.equations:
            for node in walk(eq.expr):
                if isinstance(node, Call) and node.func in LOSSES and len(node.args) == 2:
                    target = node.args[1]
                    if isinstance(target, Name) and target.id in self.data:
                        kept = out.get(target.id)
                        if kept is None or LOSSES[node.func].strictness > LOSSES[kept].strictness:
                            out[target.id] = node.func
        return out

    def check_wrt(self, wrt: str | None) -> None:
        """A :class:`SpecError` when ``wrt`` (``--wrt``, ``wrt=``) is not a parameter; the one
        check the printers, ``check_formula`` and the command line share."""
        if wrt_name(wrt) is None or wrt in self.parameters:
            return
        if wrt in self.data:
            why = "is data, not a parameter"
        elif wrt in self.shapes:
            why = "is defined by an equation, not a parameter"
        else:
            why = "is no name of the model" + did_you_mean(wrt, self.parameters)
        raise SpecError(
            f"{quote_user_text(wrt)} {why}; the model's parameters are "
            + ", ".join(self.parameters)
        )

    @classmethod
    def parse(cls, text: str, *, define: Mapping[str, str] | None = None) -> Model:
        """Parse model text (one statement per line); every problem is a SpecError."""
        if isinstance(text, str):
            text = text.removeprefix("\ufeff")  # a byte-order mark, as model files may start
        pairs = normalize_define(define)
        customs = build_customs(pairs)
        statements = read(text, frozenset(customs))
        leaves = _leaves(statements)
        _j_is_the_cost(statements, leaves)
        _every_equation_reaches_the_cost(statements)
        data = _data(statements, leaves)
        inferred = infer(statements, leaves, set(data))
        dims = {str(d) for shape in inferred.shapes.values() for d in shape}
        for name in statements.sizes:
            if name not in dims:
                raise SpecError(
                    f"line {statements.sizes_line}: sizes: '{name}' is no dimension of the model"
                )
        parameters = tuple(name for name in leaves if name not in data)
        _check_batch_size(statements, leaves, parameters, data, inferred.shapes)
        if not parameters:
            cost = statements.equations[-1]
            raise SpecError(
                f"line {cost.line}: the model has no parameter (every leaf is data or a "
                "constant); expected at least one value to differentiate"
            )
        return cls(
            text=text,
            equations=statements.equations,
            parameters=parameters,
            data=data,
            shapes=inferred.shapes,
            sizes=dict(statements.sizes),
            shape_reasons=inferred.reasons,
            define=pairs,
        )

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], *, define: Mapping[str, str] | None = None
    ) -> Model:
        """A ``.model`` text file, or TOML/JSON with the text under ``equations`` (and
        ``define``). ``define`` adds custom activations (winning over the file's)."""
        p = file_path(path)
        label = f"model file {quote_user_text(str(p), 240)}"  # its control characters escaped
        try:
            if p.exists() and not p.is_file():
                raise SpecError(f"{label}: not a regular file")
            with p.open("rb") as handle:
                raw = handle.read(MAX_SPEC_FILE_BYTES + 1)
        except FileNotFoundError:
            raise SpecError(f"{label}: not found") from None
        except OSError as exc:
            raise SpecError(f"{label}: cannot read it ({exc.strerror or exc})") from None
        if len(raw) > MAX_SPEC_FILE_BYTES:
            raise SpecError(f"{label}: larger than {MAX_SPEC_FILE_BYTES} bytes")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SpecError(f"{label}: not UTF-8 text (byte {exc.start})") from None
        suffix = p.suffix.lower()
        try:
            if suffix in (".toml", ".json"):
                loaded = load_toml(text, label) if suffix == ".toml" else load_json(text, label)
                equations = loaded.get("equations") if isinstance(loaded, Mapping) else None
                before = _lines_before(text, equations)
                if before is None and isinstance(equations, str):
                    # escaped in the file (JSON's \n): its line numbers are the equations'
                    # own, and said so (hostile50b #7: "line 3" of a one-line JSON file)
                    label = f"{label}, in 'equations'"
                model = cls._from_mapping(loaded, define, before or 0)
            else:
                model = cls.parse(text, define=define)
        except SpecError as exc:
            raise SpecError(f"{label}: {exc}") from None
        return replace(model, origin=label)

    @classmethod
    def _from_mapping(cls, data: Any, extra: Mapping[str, str] | None, before: int = 0) -> Model:
        """The model of a TOML or JSON file's table; ``before``: the file's lines above the
        equations' first, so that every line a message names is the file's."""
        if not isinstance(data, Mapping):
            raise SpecError("expected a table with 'equations' (and optionally 'define')")
        if "symbackprop" in data and "model" in data:
            raise SpecError(
                "this is the whole output of derive --format json; its 'model' block alone "
                "reads back as a model file"
            )
        unknown = sorted(set(data) - set(_FILE_KEYS) - set(_REPEATED_KEYS))
        if unknown:
            raise SpecError(f"unknown key {unknown[0]!r}; expected {', '.join(_FILE_KEYS)}")
        text = data.get("equations")
        if not isinstance(text, str):
            raise SpecError("'equations': expected the model text as a string")
        define = data.get("define", {})
        if not isinstance(define, Mapping):  # null too, as a network file refuses it
            raise SpecError("'define': expected a table name -> formula")
        # blank lines above keep the file's line numbers (the parser skips them); the text is
        # the equations' own
        model = cls.parse("\n" * before + text, define={**(define or {}), **(extra or {})})
        model = replace(model, text=text) if before else model
        for key, made in _REPEATED_KEYS.items():
            # compared as JSON writes them: {"n": 4.0} is not the sizes {"n": 4} (a float
            # where a width belongs is refused, as in a network file: hostile44a #5)
            if key in data and _as_json(data[key]) != _as_json(made(model)):
                raise SpecError(
                    f"{key!r} is {json.dumps(data[key])} but the equations make "
                    f"{json.dumps(made(model))}: drop {key!r} (it only repeats them) or make "
                    "them agree"
                )
        return model


def _lines_before(file_text: str, equations: Any) -> int | None:
    """The number of the file's lines above the first line of ``equations`` where the file
    holds that text as it is (a TOML multi-line string: ``equations = \"\"\"`` and the text
    below it), else None (escaped in the file, as JSON's ``\\n``, or no text at all)."""
    if not isinstance(equations, str) or "\n" not in equations.strip("\n"):
        return None
    found = file_text.find(equations)
    if found < 0 or file_text.find(equations, found + 1) >= 0:
        return None
    return file_text.count("\n", 0, found)


def _check_batch_size(
    statements: Statements,
    leaves: dict[str, int],
    parameters: tuple[str, ...],
    data: tuple[str, ...],
    shapes: dict[str, Shape],
) -> None:
    """``m`` is the data's column count: a model whose data has no m columns (the
    single-example form) uses it nowhere, neither in an equation nor in a parameter declared
    with a column or row per example (``H : k x m``; an inferred shape never has m: the
    shape inference refuses that)."""
    m = sympy.Symbol("m", integer=True, positive=True)
    per_example = [name for name in parameters if m in shapes[name]]
    if per_example and statements.data is None:
        # without a data: line only x, y, X, Y are data, and data named otherwise (Xtr) would
        # silently become a parameter with a column per example (newcomer46 #7): such a
        # parameter is taken only where a data: line says what the data are
        name = per_example[0]
        decl = statements.declarations.get(name)
        line = decl.line if decl is not None else leaves[name]
        rows, cols = shapes[name]
        others = ", ".join(d for d in data)
        # with no other data, m has no data to come from: a parameter per example needs some
        # (review50 #6: "'data:' alone" led to the single-form refusal)
        alternative = (
            f"; for a parameter with a column per example, write the data line without it "
            f"(data: {others})"
            if any(m in shapes[d] for d in data)
            else ""
        )
        raise SpecError(
            f"line {line}: '{name}' is {rows} x {cols}, one per example, and the model has no "
            f"data line: if it is data, list it on the model's data line (data: "
            f"{', '.join([*data, *per_example])}){alternative}"
        )
    if any(m in shapes[name] for name in data):
        return
    for name in parameters:
        if m in shapes[name]:
            decl = statements.declarations.get(name)
            line = decl.line if decl is not None else leaves[name]
            rows, cols = shapes[name]
            # data named other than X and Y is a parameter until a data: line lists it
            # (newcomer46 #7: the message never said how to make Xtr data)
            raise SpecError(
                f"line {line}: parameter '{name}' is {rows} x {cols}, one per example, but no "
                "data leaf has m columns, and m, the number of examples, is the data's; if "
                f"'{name}' is data, list it on the model's data line (data: "
                f"{', '.join([*data, name])})"
            )
    for eq in statements.equations:
        if any(isinstance(node, Name) and node.id == "m" for node in walk(eq.expr)):
            raise SpecError(
                f"line {eq.line}: 'm' is the batch size, but no data leaf has m columns (the "
                "model is in single-example form); write the number instead"
            )


def _leaves(statements: Statements) -> dict[str, int]:
    """Names used but not defined -> line of first use, in order of first use.

    Also checks that each name is used after its definition, that it is declared or defined
    if followed by '(' (done by the reader), and that declared names are used.
    """
    defined_at = {eq.name: eq.line for eq in statements.equations}
    dims = {
        str(d)
        for decl in statements.declarations.values()
        for d in (decl.rows, decl.cols)
        if isinstance(d, str)
    }
    for eq in statements.equations:
        if eq.name in dims:
            raise SpecError(
                f"line {eq.line}: '{eq.name}' is a dimension name; it cannot be defined"
            )
    for eq in statements.equations:
        _exponent_names(eq, defined_at, statements, dims)
    leaves: dict[str, int] = {}
    used: set[str] = set()
    for eq in statements.equations:
        names = sorted((n for n in walk(eq.expr) if isinstance(n, Name)), key=lambda n: n.pos)
        for node in names:
            name = node.id
            if name == "m":
                continue
            where = f"line {eq.line}: '{name}'"
            if name in dims:
                raise SpecError(f"{where} is a dimension name; it cannot be used as a value")
            if name == eq.name:
                raise SpecError(f"{where} is used in its own definition")
            if name in defined_at and defined_at[name] > eq.line:
                raise SpecError(f"{where} is used before its definition (line {defined_at[name]})")
            used.add(name)
            if name not in defined_at and name not in leaves:
                problem = name_problem(name)
                if problem is not None and name == "lambda" and "\u03bb" in eq.text:
                    # the formula language reads λ as lambda (a network's L2 coefficient):
                    # the message names what was written (hostile47b #8: 'lambda')
                    raise SpecError(
                        f"line {eq.line}: '\u03bb' reads as lambda, a Python keyword, which "
                        "cannot name a value of a model: write its number, or give it a name "
                        "of its own (lam = 0.01)"
                    )
                if problem is not None:
                    raise SpecError(f"{where}: {problem}")
                listed = {*statements.declarations, *(statements.data or ())}
                if name in READ_AS_NUMBER and name not in listed:
                    raise SpecError(
                        f"{where} would be a parameter, but it reads as a constant "
                        f"({READ_AS_NUMBER[name]}); declare it ('{name} : 1 x 1') if it is one"
                    )
                leaves[name] = eq.line
    for name, decl in statements.declarations.items():
        if name in dims:
            raise SpecError(
                f"line {decl.line}: '{name}' is a dimension name; it cannot be declared"
            )
        if name not in used and name not in defined_at:
            raise SpecError(f"line {decl.line}: '{name}' is declared but never used")
    for eq in statements.equations:
        if eq.name in dims:
            raise SpecError(
                f"line {eq.line}: '{eq.name}' is a dimension name; it cannot be defined"
            )
    return leaves


def _exponent_names(
    eq: Equation, defined_at: dict[str, int], statements: Statements, dims: set[str]
) -> None:
    """An exponent of ``^`` is a number or a named constant; a name neither declared nor
    defined there is refused on its own line, before any check of the declarations: ``w^Tx``
    reads as ``w ^ Tx`` (one name), and the x it meant would otherwise be reported as a
    declaration never used, on another line. The batch size m of a model in batch form
    (``dims``: the declarations' dimension names) is a number in an expression, but not an
    exponent, as a named constant computed from it is not."""
    for node in walk(eq.expr):
        if not (isinstance(node, Binary) and node.op == "^" and isinstance(node.right, Name)):
            continue
        name = node.right.id
        if name in defined_at or name in statements.declarations:
            continue
        if name == "m" and name in dims:
            raise SpecError(
                f"line {eq.line}: exponent m: an exponent must be a number (or a named "
                "constant), not the batch size m"
            )
        hint = "an exponent is a number or a named constant"
        if len(name) > 1 and name[0] == "T":
            base = to_text(node.left)
            base = base if isinstance(node.left, Name) else f"({base})"
            hint += f"; for a transpose times {name[1:]} write '{base}^T {name[1:]}'"
        raise SpecError(f"line {eq.line}: unknown name '{name}' after '^' ({hint})")


def _j_is_the_cost(statements: Statements, leaves: dict[str, int]) -> None:
    """Every derivation writes the cost as J (dJ/dW, the seed dJ/dJ = 1): a value or leaf named
    J that is not the cost would print as it (dJ/dJ for its adjoint), so it is refused."""
    cost = statements.equations[-1]
    if cost.name == "J":
        return
    defined = [eq.line for eq in statements.equations if eq.name == "J"]
    declared = statements.declarations.get("J")
    line = defined[0] if defined else declared.line if declared else leaves.get("J")
    if line is not None:
        raise SpecError(
            f"line {line}: 'J' is not the cost here ('{cost.name}', line {cost.line}, is), but "
            "every derivation writes the cost as J (dJ/dW); rename this J, or name the cost J"
        )


def _every_equation_reaches_the_cost(statements: Statements) -> None:
    """An equation whose value the cost never reads, directly or through another, is refused
    on its line, as a declared name never used is: its parameters would get a gradient of 0
    with no word (``h = V x`` beside ``J = sum(W x)``: a typo in J, most likely)."""
    reads = {
        eq.name: {node.id for node in walk(eq.expr) if isinstance(node, Name)}
        for eq in statements.equations
    }
    cost = statements.equations[-1]
    reached, stack = {cost.name}, [cost.name]
    while stack:
        for name in reads.get(stack.pop(), ()):
            if name in reads and name not in reached:
                reached.add(name)
                stack.append(name)
    for eq in statements.equations:
        if eq.name not in reached:
            raise SpecError(
                f"line {eq.line}: '{eq.name}' is defined but the cost {cost.name} never reads "
                f"it (directly or through another value); remove the line, or use {eq.name}"
            )


def _data(statements: Statements, leaves: dict[str, int]) -> tuple[str, ...]:
    """The ``data:`` names (each a leaf), else the leaves named x, y, X, Y in order of use."""
    if statements.data is None:
        return tuple(name for name in leaves if name in DEFAULT_DATA)
    for name in statements.data:
        if name not in leaves:
            what = (
                "defined by an equation"
                if any(eq.name == name for eq in statements.equations)
                else "never used"
            )
            raise SpecError(
                f"line {statements.data_line}: data: '{name}' is {what}; expected a leaf"
            )
    return statements.data


def _as_json(value: Any) -> str:
    """``value`` as JSON text, keys sorted: 4.0 and 4, true and 1 differ there."""
    return json.dumps(value, sort_keys=True)
