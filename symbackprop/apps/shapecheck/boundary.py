"""Notes on a passing formula's boundaries, which no compared point reaches.

The comparison's points never lie on a kink (they are drawn at random, or placed either side
of it), so a formula with ``1{z1 >= 0}`` for relu'(z1) equals the gradient at every point
compared, and it is right wherever relu has a derivative. At z1 = 0 it takes 1 where the
derivation takes relu'(0) = 0 (as PyTorch and JAX do): both are subgradients there, yet a
reader should know the two differ on that boundary, and why the check did not say so. The
same holds for a model's abs (and norm1) at 0, and for a formula that divides by a value
(``a1 / z1`` for relu'(z1)): it has no value where an entry of z1 is 0 (hostile31 F5, F11).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sympy as sp

from symbackprop.core.graph import Kind
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.formula import ast
from symbackprop.formula.decimals import number_phrase
from symbackprop.formula.table import FUNCTIONS
from symbackprop.records import scalars
from symbackprop.records.activations import Activation


def kinked_activations(derivation: Any) -> dict[str, Activation]:
    """The activations the derivation applies that have a kink at 0 (relu, leaky_relu):
    written piece by piece, with their derivative at 0 fixed by the record."""
    if isinstance(derivation, ModelDerivation):
        found = [
            node.record.activation
            for node in derivation.graph.nodes.values()
            if node.kind is Kind.FUNCTION and getattr(node.record, "activation", None) is not None
        ]
    else:
        found = list(derivation.graph.activations)
    return {
        record.name: record
        for record in found
        if isinstance(record.formula, sp.Piecewise) and record.derivative_in_a is not None
    }


#: a model's abs (norm1 is a sum of it) at its kink: what the derivation and the frameworks take
ABS_KINK = (
    "any value in [-1, 1] is a subgradient there; the derivation takes abs'(0) = sign(0) = 0, "
    "as PyTorch does (JAX takes 1)"
)


def _kinks(derivation: Any) -> dict[str, str]:
    """Each kinked function the derivation applies -> what is said of its kink at 0."""
    texts = {
        name: _kink_text(name, record) for name, record in kinked_activations(derivation).items()
    }
    if isinstance(derivation, ModelDerivation) and any(
        node.kind is Kind.FUNCTION and getattr(node.record, "name", None) == "abs"
        for node in derivation.graph.nodes.values()
    ):
        texts["abs"] = ABS_KINK
    return texts


def boundary_note(derivation: Any, tree: ast.Node) -> str | None:
    """The note for the first indicator of ``tree`` that compares a value with 0 and counts
    the boundary (``>=``, ``<=``), where the derivation has a kinked activation; else None."""
    kinked = _kinks(derivation)
    if not kinked:
        return None
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Indicator) and node.cmp in (">=", "<=")):
            continue
        sides = [side for side in (node.left, node.right) if not _zero(side)]
        if len(sides) != 1:
            continue
        side = ast.to_text(sides[0])
        names = sorted(kinked)
        if len(names) == 1:
            (name,) = names
            where = f"its kink, where {name} has no derivative ({kinked[name]})"
        else:
            each = "; ".join(f"{n}: {kinked[n]}" for n in names)
            where = f"a kink, where it has no derivative ({each})"
        return (
            f"{ast.to_text(node)} is 1 where {side} = 0, which no compared point reaches: if "
            f"{side} feeds {' or '.join(names)}, that is {where}"
        )
    return None


def _kink_text(name: str, record: Activation) -> str:
    """``any value in [0, 1] is a subgradient; the derivation takes relu'(0) = 0, ...``."""
    assert isinstance(record.formula, sp.Piecewise)  # kinked_activations keeps only these
    slopes = sorted({sp.diff(piece, scalars.z) for piece, _ in record.formula.args})
    at_zero = record.derivative_in_a.xreplace({scalars.a: 0})  # type: ignore[union-attr]
    text = (
        f"any value in [{number_phrase(slopes[0])}, {number_phrase(slopes[-1])}] is a subgradient "
        "there; "
        f"the derivation takes {name}'(0) = {number_phrase(at_zero)}"
    )
    return text + (", as PyTorch and JAX do" if record.kink_as_frameworks else "")


def _zero(node: ast.Node) -> bool:
    return isinstance(node, ast.Num) and node.value == 0


def positive_values(derivation: Any) -> set[str]:
    """The names whose every entry is > 0 at every point: a layer's activation (``a3``, ``A3``)
    or a model's value that applies a function positive for every real argument (sigmoid,
    softplus, exp). A division by one of them has a value everywhere.

    Also what an activation's range (its record's ``output_range``, open at the top) says of
    its value ``a``, as text the rules read: ``1 - a`` is > 0 for a below 1 (sigmoid,
    softmax), ``1 - a ⊙ a`` and ``1 - a^2`` for a between -1 and 1 (tanh), and ``a >= 0`` for
    a never negative (relu): sqrt(a1) of a relu layer and log(1 - a2) of a sigmoid one were
    said to have no value somewhere (hostile44d #2)."""
    if isinstance(derivation, ModelDerivation):
        named = [
            (str(name), node.record)
            for name, node in derivation.graph.nodes.items()
            if node.kind is Kind.FUNCTION
        ]
        facts = {
            fact
            for name, record in named
            for fact in _range_facts(name, getattr(record, "activation", None))
        }
        return facts | {name for name, record in named if _positive(record)}
    graph = derivation.graph
    values = [
        (str(graph.a(layer)), graph.activation(layer)) for layer in range(1, graph.depth + 1)
    ]
    facts = {fact for name, record in values for fact in _range_facts(name, record)}
    return facts | {name for name, record in values if _positive(record)}


#: the mark of a value that is never negative among :func:`positive_values`' facts
NONNEGATIVE = " >= 0"


def _range_facts(name: str, record: Any) -> set[str]:
    """What an activation record's output range says of its value ``name`` (see
    :func:`positive_values`); nothing for a record with none."""
    bounds = getattr(record, "output_range", None)
    if bounds is None:
        return set()
    # the record's own constants (ints or SymPy numbers, never user text)
    low, high = (sp.Integer(b) if isinstance(b, int) else b for b in bounds)
    facts = set()
    if bool(low >= 0):
        facts.add(f"{name}{NONNEGATIVE}")
        if not getattr(record, "elementwise", True):  # softmax: a ratio of exponentials, > 0
            facts.add(name)
    if bool(high <= 1):
        facts.add(f"1 - {name}")
        if bool(low >= -1):
            facts |= {f"1 - {name} ⊙ {name}", f"1 - {name}^2"}
    return facts


def _positive(record: Any) -> bool:
    """Whether a function record is > 0 for every real argument (SymPy's assumptions)."""
    # an activation's formula in z, or a model's function's body in its real argument
    formula = getattr(record, "formula", None) or getattr(record, "body", None)
    return formula is not None and bool(formula.is_positive)


def _positive_call(name: str) -> bool:
    """Whether the formula language's function ``name`` is > 0 for every real argument, by
    SymPy's assumptions on its scalar form (exp, sigmoid, softplus: the function table says,
    not a list kept here)."""
    scalar = FUNCTIONS.scalars().get(name)
    return scalar is not None and bool(scalar(scalars.z).is_positive)


def _never_zero(node: ast.Node, positive: set[str]) -> bool:
    """Whether every entry of ``node`` is > 0 wherever it has a value: positive names,
    numbers and calls, and their sums, element-wise and matrix products, quotients, powers
    and transposes (``1 + exp(-z3)``, ``a3``: hostile33b #4 was told where they are 0)."""
    if isinstance(node, ast.Num):
        return node.value > 0
    if ast.to_text(node) in positive:  # a name, or a fact of an activation's range
        return True
    if isinstance(node, ast.Name):
        return False
    if isinstance(node, ast.Transpose):
        return _never_zero(node.operand, positive)
    if isinstance(node, ast.Call):
        if node.func in SUMS or node.func in ZERO_WHERE_ARGUMENT:
            # a sum of entries each > 0 (sum(exp(w)): hostile41d #2); sqrt(w ⊙ w + 1) is 0
            # only where its argument is (hostile43c #6 was told where it is 0)
            return all(_never_zero(arg, positive) for arg in node.args)
        return _positive_call(node.func)
    if isinstance(node, ast.Binary) and node.op == "+":  # 1 + w ⊙ w: > 0 plus >= 0
        left, right = node.left, node.right
        return (_never_zero(left, positive) and _nonnegative(right, positive)) or (
            _nonnegative(left, positive) and _never_zero(right, positive)
        )
    if isinstance(node, ast.Binary) and node.op in ("*", "⊙", "/", "@", "juxt"):
        return _never_zero(node.left, positive) and _never_zero(node.right, positive)
    if isinstance(node, ast.Binary) and node.op == "^":
        return _never_zero(node.left, positive)
    return False


#: the calls that add up entries (all of them, a row's, the diagonal's): > 0 of entries > 0
SUMS = frozenset({"sum", "rowsum", "tr"})
#: the element-wise calls whose entry is 0 exactly where their argument's is
ZERO_WHERE_ARGUMENT = frozenset({"sqrt", "abs"})
#: the calls whose value is >= 0 for every real argument
NONNEGATIVE_CALLS = frozenset({"abs", "norm1", "norm2", "relu", "sqrt"})


def _nonnegative(node: ast.Node, positive: set[str]) -> bool:
    """Whether every entry of ``node`` is >= 0 wherever it has a value: what
    :func:`_never_zero` takes, a square (``w ⊙ w``, ``w^2``: an even power), abs, norms,
    relu, sqrt, and sums and products of such parts (the entries of ``w ⊙ w + 1`` are >= 1)."""
    if isinstance(node, ast.Num):
        return node.value >= 0
    if _never_zero(node, positive) or f"{ast.to_text(node)}{NONNEGATIVE}" in positive:
        return True
    if isinstance(node, ast.Transpose):
        return _nonnegative(node.operand, positive)
    if isinstance(node, ast.Call):
        if node.func in SUMS:
            return all(_nonnegative(arg, positive) for arg in node.args)
        return node.func in NONNEGATIVE_CALLS
    if not isinstance(node, ast.Binary):
        return False
    if node.op == "^":  # an element-wise power by a number
        exponent = node.right
        even = isinstance(exponent, ast.Num) and exponent.value % 2 == 0
        return even or _nonnegative(node.left, positive)
    if node.op in ("*", "⊙") and ast.to_text(node.left) == ast.to_text(node.right):
        return True  # an entry times itself
    if node.op == "-" and ast.to_text(node.left) == ast.to_text(node.right):
        return True  # Y - Y is 0 (sum(Y - Y + 1) was told where it is 0: hostile43c #6)
    if node.op in ("+", "*", "⊙", "/", "@", "juxt"):
        return _nonnegative(node.left, positive) and _nonnegative(node.right, positive)
    return False


def division_note(
    tree: ast.Node,
    values: set[str],
    positive: set[str] = frozenset(),  # type: ignore[assignment]
) -> str | None:
    """The note for the first division of ``tree`` by a part that reads one of ``values``
    (the model's or network's matrices, not a size such as m) and may be 0 (not by a part
    every entry of which is > 0, from ``positive`` names: :func:`positive_values`):
    ``a1 / z1`` has no value where an entry of z1 is 0, a point random draws never reach."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Binary) and node.op == "/":
            divisor = node.right
        elif isinstance(node, ast.Binary) and node.op == "^" and _negative(node.right):
            divisor = node.left
        else:
            continue
        if not any(isinstance(n, ast.Name) and n.id in values for n in ast.walk(divisor)):
            continue
        if _never_zero(divisor, positive):
            continue
        shown = ast.to_text(divisor)
        return (
            f"{ast.to_text(node)} divides by {shown}: where an entry of {shown} is 0 the "
            "formula has no value, and the points compared did not show one"
        )
    return None


def zero_times(
    tree: ast.Node,
    values: set[str],
    positive: set[str] = frozenset(),  # type: ignore[assignment]
) -> str | None:
    """Why ``tree`` cannot be checked when it multiplies by a written 0 a part that may have
    no value (a division by one of ``values`` that may be 0, a log of one): SymPy folds
    ``0 * (1/a1)`` to 0 before any point is compared, so the points where a1 has a zero entry,
    where the formula has no value (NumPy's 0 * inf is NaN), are never seen (hostile35c #3:
    it passed, beside a note that no compared point made a1 zero, where one did). ``None``
    for any other formula."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Binary) and node.op in ("*", "⊙", "juxt")):
            continue
        for zero, part in ((node.left, node.right), (node.right, node.left)):
            if not _zero(zero):
                continue
            logs = [  # log(a1) of a value that may be 0 (not log(sigmoid(...)): its own rules)
                n
                for n in ast.walk(part)
                if isinstance(n, ast.Call)
                and n.func == "log"
                and len(n.args) == 1
                and isinstance(n.args[0], ast.Name)
                and n.args[0].id in values
                and n.args[0].id not in positive
            ]
            # (a log of a compound argument is left to domain_note's note: 0 log(det(X) -
            # det(X^T) + 1) is compared, the log of 1 by an identity)
            if logs or division_note(part, values, positive) is not None:
                return (
                    f"'{ast.to_text(node)}' is 0 only where {ast.to_text(part)} has a value, "
                    "and the comparison folds it to 0 before any point is taken, so it cannot "
                    "see where it has none: leave the term out"
                )
    return None


def _domain_parts(
    tree: ast.Node, values: set[str], positive: set[str], exempt: frozenset[str] = frozenset()
) -> Iterator[tuple[ast.Node, ast.Node, bool]]:
    """Each log, root or fractional power in ``tree`` of an argument that reads one of
    ``values`` and may leave its domain: ``(part, argument, strict)``, ``strict`` where the
    argument must be > 0 (a log, a negative power), else >= 0 (sqrt(x), x^(1/2)); not one whose
    argument is > 0 (or >= 0) wherever it has a value (:func:`_never_zero`,
    :func:`_nonnegative`): log(sigmoid(z)), sqrt(w ⊙ w); not one whose argument reads a name of
    ``exempt`` (:func:`own_domain_names`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.func in ("log", "sqrt") and len(node.args) == 1:
            argument, strict = node.args[0], node.func == "log"
        elif isinstance(node, ast.Binary) and node.op == "^":
            exponent = ast.constant_value(node.right)
            if exponent is None or exponent.denominator == 1:
                continue  # an integer power is real at every real argument
            argument, strict = node.left, exponent < 0
        else:
            continue
        read = {n.id for n in ast.walk(argument) if isinstance(n, ast.Name)}
        if not read & values or read & exempt:
            continue
        if _never_zero(argument, positive) or (not strict and _nonnegative(argument, positive)):
            continue
        yield node, argument, strict


def _below_zero(node: ast.Node, positive: set[str]) -> bool:
    """Whether every entry of ``node`` is < 0 wherever it has a value: minus a value > 0
    (``-a2`` of a sigmoid layer), and ``a - c`` for a value below 1 (``1 - a`` > 0 among
    ``positive``'s facts) and a number c >= 1 (``a2 - 1``)."""
    if isinstance(node, ast.Unary) and node.op == "-":
        return _never_zero(node.operand, positive)
    if isinstance(node, ast.Binary) and node.op == "-":
        bound = ast.constant_value(node.right)
        return bound is not None and bound >= 1 and f"1 - {ast.to_text(node.left)}" in positive
    return False


def own_domain_names(derivation: Any, values: set[str], positive: set[str]) -> frozenset[str]:
    """The names a model's own log, root or fractional power reads where its argument may
    leave its domain (batch norm's ``sqrt(var + 0.001)``: var, and D, Z, mu, W, X it is made
    from), through the values defined from them; none for a network. The model's gradient has
    no value where such an argument leaves its domain either, so a formula's part over these
    names gets no domain note, while one over other names does (review44 #6: every model that
    took a log or root itself had the notes switched off)."""
    model = getattr(derivation, "model", None) if isinstance(derivation, ModelDerivation) else None
    if model is None:
        return frozenset()
    return frozenset(
        model.names_read(
            argument
            for eq in model.equations
            for _part, argument, _strict in _domain_parts(eq.expr, values, positive)
        )
    )


def nowhere_defined(
    tree: ast.Node,
    values: set[str],
    positive: set[str] = frozenset(),  # type: ignore[assignment]
    exempt: frozenset[str] = frozenset(),
) -> str | None:
    """Why ``tree`` has no real value at any point, from what is known of its values: a log
    or a root of an argument below 0 everywhere (``log(a2 - 1)`` of a sigmoid layer, whose a2
    is below 1); SymPy folds ``0 log(a2 - 1)`` away and the comparison passed it "exactly"
    (review44b #2). ``None`` where no such part is known."""
    for part, argument, _strict in _domain_parts(tree, values, positive, exempt):
        if _below_zero(argument, positive):
            return (
                f"{ast.to_text(part)} has no real value at any point: {ast.to_text(argument)} "
                "is below 0 wherever it has a value, so the formula has none, while the "
                "gradient has one"
            )
    return None


def domain_note(
    tree: ast.Node,
    values: set[str],
    positive: set[str] = frozenset(),  # type: ignore[assignment]
    exempt: frozenset[str] = frozenset(),
) -> str | None:
    """The note for the first log, root or fractional power of ``tree`` whose argument may
    leave its domain (:func:`_domain_parts`): the formula has no real value where it does,
    while the gradient has one; complex arithmetic can make such a formula agree there
    (sqrt(z2 - 1) ⊙ sqrt(z2 - 1) is z2 - 1 at every z2), and SymPy folds exp(log(x)) to x, so
    the comparison alone does not say so (hostile44c #2)."""
    for part, argument, strict in _domain_parts(tree, values, positive, exempt):
        shown = ast.to_text(argument)
        bound = "positive" if strict else "at least 0"
        return (
            f"{ast.to_text(part)} has a real value only where every entry of {shown} is "
            f"{bound}: elsewhere the formula has none, while the gradient has one, so it is "
            "the gradient only there"
        )
    return None


def _negative(node: ast.Node) -> bool:
    if isinstance(node, ast.Unary):
        return node.op == "-" and not _zero(node.operand)
    return isinstance(node, ast.Num) and node.value < 0
