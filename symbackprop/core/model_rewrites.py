"""Model formulas written by hand that overflow, rewritten into equal ones that do not.

A model may spell a stable function out: ``log(1 + exp(u))`` is softplus, ``1 - sigmoid(u)``
is ``sigmoid(-u)``. Taken literally, ``exp(u)`` overflows at u = 710 and ``1 - sigmoid(u)``
rounds to 0 at u = 40, so the cost is inf and the gradient NaN where the math is finite. The
graph builder (:mod:`symbackprop.core.model_graph`) asks :func:`stable_call` for each call
before it builds it; each rewrite is an identity SymPy checks once, before its first use
(:func:`checked`), and the steps show it (``log(1 - sigmoid(W X)) = log(sigmoid(-(W X)))``).

The rewritten call is one the engine already handles stably:

* ``log(sigmoid(-u))`` cancels log's 1/a with sigmoid's derivative (1 - a, no pole) and its
  forward is computed from the argument (``stable_form``);
* ``softplus(u)`` is every backend's ``logaddexp(0, u)``, its derivative ``sigmoid(u)``;
* ``bce(sigmoid(-u), y)`` cancels to ``a - y`` and its forward is computed from the logits;
* ``log(sum(exp(u)))`` over every entry is one node (:class:`~symbackprop.records.nodes.
  LogSumExp`), its derivative exp(u)/sum(exp(u)) another, each computed with max(u)
  subtracted first; so is ``log(sum(E))`` with E a value defined as exp(u), and the graph
  builder reads ``log(c s)`` and ``log(s / c)`` of such a sum s and a number c > 0 as
  ``log(s) + log(c)`` (:func:`log_of_multiple`); so it reads a multiple of ``1 - sigmoid(u)``
  (``log(2 - 2 sigmoid(u))`` is ``log(1 - sigmoid(u)) + log(2)``), whose log is then
  log-sigmoid: the softmax twin ``log(2 - 2 softmax(u))`` is refused (no stable form).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Collection
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from symbackprop.formula import Binary, Call, Name, Num, Unary
from symbackprop.formula import Node as FormulaNode
from symbackprop.formula.ast import Transpose as TransposeNode
from symbackprop.formula.ast import to_text
from symbackprop.formula.functions import sigmoid
from symbackprop.records import scalars
from symbackprop.records.activations import ACTIVATIONS
from symbackprop.records.losses import LOSSES

_U = sp.Symbol("u", real=True)


#: (a named value, a function f) -> the name of u where the value is defined as f(u), else
#: None (the graph builder's answer: ``E = exp(U)`` on a line of its own, then
#: ``log(sum(E))``; ``a = sigmoid(u)``, then ``log(1 - a)``)
ArgumentOf = Callable[[str, str], "str | None"]


def _no_names(name: str, func: str) -> str | None:
    return None


def stable_call(
    node: Call, argument_of: ArgumentOf = _no_names
) -> tuple[Call, StableIdentity | None]:
    """``node`` with its overflowing hand-written form replaced (see the module docstring),
    and the identity used; ``(node, None)`` when it has none. Only the call's own argument is
    looked at (and a value it names, through ``argument_of``): the graph builder asks again
    for each call inside it."""
    if node.func == "log" and len(node.args) == 1:
        summed = _sum_of_exp(node.args[0], argument_of)
        if summed is not None:
            # a number's sum is what is refused: the call names it as written
            call = Call(LOGSUMEXP_CALL, (summed,), node.pos, node.start, node.end, "sum")
            return call, checked(LOGSUMEXP)
        exponent = _one_plus_exp(node.args[0])
        if exponent is not None:
            call = Call("softplus", (exponent,), node.pos, node.start, node.end)
            return call, checked(SOFTPLUS)
    if node.func in LOSSES:
        untransposed = _transposed_sigmoid(node.args[0], argument_of)
        if untransposed is not None:
            call = Call(node.func, (untransposed, *node.args[1:]), node.pos, node.start, node.end)
            return call, checked(TRANSPOSED_SIGMOID)
    if node.func == "log" or node.func in LOSSES:
        complement = _sigmoid_complement(node.args[0], argument_of)
        if complement is not None:
            call = Call(node.func, (complement, *node.args[1:]), node.pos, node.start, node.end)
            return call, checked(COMPLEMENT)
    return node, None


def named_complement(
    node: FormulaNode, argument_of: ArgumentOf = _no_names
) -> tuple[Call, StableIdentity] | None:
    """``(sigmoid(-u), the identity)`` when ``node``, the whole right-hand side of a line, is
    ``1 - sigmoid(u)`` or ``1 - a`` with a a value defined as sigmoid(u), else ``None``. A value
    named on its own line (``q = 1 - p``, then ``log(q)``) is computed as sigmoid(-u): as
    ``1 - p`` it kept a digit fewer per power of e in u (log(q)'s gradient 1/q was off by 1e-6
    at u = 14) and was 0 from u = 37 (log(q) -inf; review17 X3); as a sigmoid the log of it is
    log-sigmoid, which the graph computes and differentiates without a pole."""
    complement = _sigmoid_complement(node, argument_of)
    if complement is None or not isinstance(complement, Call):
        return None
    return complement, checked(COMPLEMENT)


def _sum_of_exp(arg: FormulaNode, argument_of: ArgumentOf = _no_names) -> FormulaNode | None:
    """u when ``arg`` is ``sum(exp(u))``, or ``sum(E)`` with E a value defined as exp(u)
    (read from u itself, so E used elsewhere is computed as before), else ``None``."""
    if isinstance(arg, Call) and arg.func == "sum" and len(arg.args) == 1:
        (inner,) = arg.args
        if isinstance(inner, Call) and inner.func == "exp" and len(inner.args) == 1:
            return inner.args[0]
        if isinstance(inner, Name):
            u = argument_of(inner.id, "exp")
            if u is not None:
                return Name(u, inner.pos, inner.start, inner.end)
    return None


#: the operators of a product of a number and a matrix (each multiplies entry by entry)
_PRODUCTS = ("*", "juxt", "⊙")


def log_of_multiple(
    node: Call, argument_of: ArgumentOf = _no_names
) -> tuple[FormulaNode, FormulaNode] | None:
    """``(s, c)`` when ``node`` is ``log(c s)``, ``log(s c)`` or ``log(s / d)`` (c = 1/d) with
    s a sum of exps (:func:`_sum_of_exp`), ``1 - sigmoid(u)``, a sigmoid or a softmax
    (:func:`_probabilities`), and c, d numbers (the caller checks that no matrix is named in
    them), or ``log(c - c sigmoid(u))`` (s = 1 - sigmoid(u),
    :func:`_complement_multiple`); the caller checks c > 0 and reads log(c s) as log(s) +
    log(c), so that log(s) is log-sum-exp (``log(sum(exp(U)) / m)``, a mean's log-sum-exp,
    overflowed at U = 710) or log-sigmoid (``log(2 - 2 sigmoid(u))`` was -inf from u = 37)."""
    if not (node.func == "log" and len(node.args) == 1 and isinstance(node.args[0], Binary)):
        return None
    arg = node.args[0]
    complement = _complement_multiple(arg, argument_of)
    if complement is not None:
        return complement
    if arg.op not in (*_PRODUCTS, "/"):
        return None
    pairs = [(arg.left, arg.right)] + ([] if arg.op == "/" else [(arg.right, arg.left)])
    for summed, other in pairs:
        if (
            _sum_of_exp(summed, argument_of) is None
            and _sigmoid_complement(summed, argument_of) is None
            and not _probabilities(summed, argument_of)
        ):
            continue
        if arg.op == "/":
            other = Binary("/", Num(Fraction(1), other.pos), other, other.pos)
        return summed, other
    return None


def _probabilities(node: FormulaNode, argument_of: ArgumentOf = _no_names) -> bool:
    """Whether ``node`` is ``sigmoid(u)`` or ``softmax(u)``, or a value defined as sigmoid(u):
    the log of a multiple of one (``log(softmax(W X) / 2)``, ``log(2 sigmoid(u))``) is its log,
    log softmax or log-sigmoid, plus the number's; taken literally it was inf from logits of
    750 and its gradient NaN (hostile46d #2)."""
    if isinstance(node, Call) and node.func == "softmax" and len(node.args) == 1:
        return True
    return _sigmoid_argument(node, argument_of) is not None


def _one_plus_exp(arg: FormulaNode) -> FormulaNode | None:
    """u when ``arg`` is ``1 + exp(u)`` or ``exp(u) + 1``, else ``None``."""
    if not (isinstance(arg, Binary) and arg.op == "+"):
        return None
    for one, other in ((arg.left, arg.right), (arg.right, arg.left)):
        if _is_one(one) and isinstance(other, Call) and other.func == "exp":
            return other.args[0]
    return None


def _sigmoid_argument(node: FormulaNode, argument_of: ArgumentOf) -> FormulaNode | None:
    """u where ``node`` is ``sigmoid(u)``, or a value defined as sigmoid(u) (read from u
    itself, so the value used elsewhere is computed as before), else ``None``."""
    if isinstance(node, Name):
        defined = argument_of(node.id, "sigmoid")
        return None if defined is None else Name(defined, node.pos, node.start, node.end)
    if isinstance(node, Call) and node.func == "sigmoid" and len(node.args) == 1:
        return node.args[0]
    return None


def _sigmoid_complement(
    arg: FormulaNode, argument_of: ArgumentOf = _no_names
) -> FormulaNode | None:
    """``sigmoid(-u)`` when ``arg`` is ``1 - sigmoid(u)``, or ``1 - a`` with a a value defined
    as sigmoid(u), else ``None``."""
    if not (isinstance(arg, Binary) and arg.op == "-" and _is_one(arg.left)):
        return None
    inner = arg.right
    u = _sigmoid_argument(inner, argument_of)
    if u is None:
        return None
    return Call("sigmoid", (Unary("-", u, inner.pos, inner.start, inner.end),), inner.pos)


def _transposed_sigmoid(
    arg: FormulaNode, argument_of: ArgumentOf = _no_names
) -> FormulaNode | None:
    """``sigmoid(u^T)`` when ``arg`` is ``sigmoid(u)^T``, or ``a^T`` with a a value defined as
    sigmoid(u), else ``None``: a loss of it is then a loss of a sigmoid, computed from the
    logits (``bce(sigmoid(X w)^T, y^T)`` of examples in rows was inf from logits of 37, its
    gradient NaN: hostile46d #1)."""
    if not isinstance(arg, TransposeNode):
        return None
    inner = arg.operand
    u = _sigmoid_argument(inner, argument_of)
    if u is None:
        return None
    flipped = TransposeNode(u, arg.pos, arg.start, arg.end)
    return Call("sigmoid", (flipped,), inner.pos, inner.start, inner.end)


def _complement_multiple(
    arg: Binary, argument_of: ArgumentOf = _no_names
) -> tuple[FormulaNode, FormulaNode] | None:
    """``(1 - sigmoid(u), c)`` when ``arg`` is ``c - c sigmoid(u)`` (the product in any order,
    by juxtaposition, ``*`` or ``⊙``; or ``(1 - a, c)`` for ``c - c a`` with a a value defined
    as sigmoid(u)), c written the same both times, else ``None``."""
    scaled = arg.right
    if arg.op != "-" or not (isinstance(scaled, Binary) and scaled.op in _PRODUCTS):
        return None
    for factor, other in ((scaled.left, scaled.right), (scaled.right, scaled.left)):
        sigmoid_of = (isinstance(other, Call) and other.func == "sigmoid") or (
            isinstance(other, Name) and argument_of(other.id, "sigmoid") is not None
        )
        if sigmoid_of and to_text(factor) == to_text(arg.left):
            one = Num(Fraction(1), arg.left.pos, arg.left.start, arg.left.end)
            return Binary("-", one, other, arg.pos, arg.start, arg.end), arg.left
    return None


def _is_one(node: FormulaNode) -> bool:
    return isinstance(node, Num) and node.value == 1


@dataclass(frozen=True)
class StableIdentity:
    """``written = rewritten`` for every real u, and how a step names it (text, LaTeX, each
    letter written ``{u}``, filled in by :meth:`shown`).
    ``shift``: a symbol the rewritten form shifts by (log-sum-exp's c), checked through it:
    the two are equal at shift = 0 and their difference does not change with it (SymPy's
    simplify of the whole difference takes a second and a half there, this 0.1 s)."""

    written: sp.Expr
    rewritten: sp.Expr
    text: str
    latex: str
    shift: sp.Symbol | None = None

    def shown(self, taken: Collection[str]) -> tuple[str, str]:
        """The text and LaTeX with each letter of the identity (u, log-sum-exp's c) renamed
        where ``taken`` (the model's own names) has it: a model with a parameter c read
        "log(sum(exp(u))) = c + ..., c = max(u)" (hostile43b #3)."""
        return in_free_letters(self.text, self.latex, ("u", "c"), taken)


def free_letter(letter: str, taken: Collection[str]) -> str:
    """``letter``, or where ``taken`` (a model's names) has it the first spare letter it
    has not."""
    spare = itertools.chain(_SPARE, (f"t_{k}" for k in itertools.count(1)))
    return letter if letter not in taken else next(n for n in spare if n not in taken)


def in_free_letters(
    text: str, latex: str, letters: tuple[str, ...], taken: Collection[str]
) -> tuple[str, str]:
    """``text`` and ``latex`` (our own statement of an identity, each of ``letters`` written
    ``{u}``) with each letter filled in by :func:`free_letter`, none twice."""
    used = {*taken}
    for letter in letters:
        fresh = free_letter(letter, used | (set(letters) - {letter}))
        used.add(fresh)
        text = text.replace("{" + letter + "}", fresh)
        latex = latex.replace("{" + letter + "}", fresh)
    return text, latex


#: letters for an identity's own where a model has those
_SPARE = ("t", "s", "r", "q", "p", "v", "w", "z")


SOFTPLUS = StableIdentity(
    sp.log(1 + sp.exp(_U)),
    ACTIVATIONS["softplus"].formula.xreplace({scalars.z: _U}),  # type: ignore[union-attr]
    "log(1 + exp({u})) = softplus({u})",
    r"\log(1 + e^{{u}}) = \operatorname{softplus}({u})",
)
COMPLEMENT = StableIdentity(
    1 - sigmoid(_U),
    sigmoid(-_U),
    "1 - sigmoid({u}) = sigmoid(-{u})",
    r"1 - \sigma({u}) = \sigma(-{u})",
)

#: an entry-by-entry function commutes with the transpose: checked on a 2 x 3 matrix of
#: symbols, entry by entry
_ENTRIES = sp.ImmutableMatrix(2, 3, lambda i, j: sp.Symbol(f"u{i}{j}", real=True))
TRANSPOSED_SIGMOID = StableIdentity(
    _ENTRIES.applyfunc(sigmoid).T,
    _ENTRIES.T.applyfunc(sigmoid),
    "sigmoid({u})^T = sigmoid({u}^T)",
    r"\sigma({u})^{\top} = \sigma({u}^{\top})",
)
#: log(S^T) of a softmax or sigmoid S is log(S)^T, whose log the graph fuses with S: log
#: softmax and log-sigmoid, computed from the logits (hostile46d #1)
LOG_OF_TRANSPOSE = StableIdentity(
    _ENTRIES.T.applyfunc(sp.log),
    _ENTRIES.applyfunc(sp.log).T,
    "log({u}^T) = log({u})^T",
    r"\log({u}^{\top}) = \log({u})^{\top}",
)


#: the graph builder's name of the log-sum-exp call: not a function of the model language (a
#: model writes log(sum(exp(u))), which this module rewrites into it)
LOGSUMEXP_CALL = "log(sum(exp(.)))"
_C = sp.Symbol("c", real=True)
_I, _N = sp.Symbol("i", integer=True), sp.Symbol("n", integer=True, positive=True)
_ENTRY = sp.IndexedBase("u", real=True)[_I]
#: how every backend computes log(sum(exp(u))): c = max(u) subtracted first, so that no exp
#: overflows; SymPy checks it for any real c on a sum of any number n of entries
LOGSUMEXP = StableIdentity(
    sp.log(sp.Sum(sp.exp(_ENTRY), (_I, 1, _N))),
    _C + sp.log(sp.Sum(sp.exp(_ENTRY - _C), (_I, 1, _N))),
    "log(sum(exp({u}))) = {c} + log(sum(exp({u} - {c}))), {c} = max({u})",
    r"\log(\operatorname{sum}(e^{{u}})) = {c} + \log(\operatorname{sum}(e^{{u} - {c}})),"
    r" {c} = \max({u})",
    _C,
)


@functools.cache
def checked(identity: StableIdentity) -> StableIdentity:
    """``identity`` once SymPy has checked it (once per run); raises if it does not hold."""
    difference: sp.Expr = (identity.written - identity.rewritten).rewrite(sp.exp)
    shift = identity.shift
    if isinstance(difference, sp.MatrixBase):  # a matrix identity, entry by entry
        held = all(sp.simplify(entry) == 0 for entry in difference)
    elif shift is not None:
        held = difference.subs(shift, 0) == 0 and sp.simplify(difference.diff(shift)) == 0
    else:
        held = sp.simplify(difference) == 0
    if not held:
        raise ArithmeticError(f"{identity.shown(())[0]} does not hold")
    return identity
