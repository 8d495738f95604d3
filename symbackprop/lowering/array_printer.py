"""The printer every backend's code is printed by: Python array code in CS229 code names.

SymPy's stock ``NumPyPrinter`` prints ``numpy.multiply((W).dot(a), s)``: correct, but nobody
writes that. :class:`ArrayPrinter` here subclasses SymPy's ``StrPrinter`` and dispatches on the
node class with ``_print_<ClassName>`` methods, as every SymPy printer does, to print what a
person would write, in the operators NumPy, PyTorch and JAX arrays share::

    MatMul(Transpose(W3), dZ3)               ->  W3.T @ dZ3
    HadamardProduct(A2, OneMatrix - A2)      ->  A2 * (1.0 - A2)
    (1/m) * (A3 - Y)                         ->  (A3 - Y) / m
    dZ1 * OneMatrix(m, 1)                    ->  dZ1.sum(axis=1, keepdims=True)
    1{t > 0} applied to Z1                   ->  Z1 > 0
    softplus'(t) applied to Z1               ->  sigmoid(Z1)   (the record's derivative)

Parentheses follow Python's precedence, and spacing follows ``ruff format`` (spaces around
binary operators, ``**`` hugging simple operands), so generated modules pass ``ruff format
--check`` unchanged. Symbols print under their own names: the lowering plan has already
renamed the derivation's to code names (:mod:`symbackprop.lowering.names`: ``delta2`` ->
``dZ2``, ``lambda`` -> ``L2``). A backend (:mod:`~symbackprop.lowering.numpy.printer`,
:mod:`~symbackprop.lowering.torch.printer`, :mod:`~symbackprop.lowering.jax.printer`) names its
module (:attr:`ArrayPrinter.LIB`: ``np.eye``, ``jnp.linalg.inv``, ``torch.sqrt``), its function
table and its activation code, and overrides what its arrays spell otherwise (torch's
``.sum(dim=1, keepdim=True)``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import sympy as sp
from sympy import (
    HadamardPower,
    HadamardProduct,
    Identity,
    MatAdd,
    MatMul,
    OneMatrix,
    Transpose,
    ZeroMatrix,
)
from sympy.printing.str import StrPrinter

from symbackprop.errors import InternalError, SpecError
from symbackprop.formula.decimals import decimal_text
from symbackprop.formula.float_range import OUTSIDE_FLOAT64, short_number
from symbackprop.lowering.guards import SafeArgument
from symbackprop.records import scalars
from symbackprop.records.activations import Activation, softplus_argument
from symbackprop.records.nodes import Elementwise, Softmax

# Python precedence levels (higher binds tighter)
CMP, ADD, MUL, UNARY, POW, ATOM = 10, 20, 30, 40, 50, 60

#: m, the batch size: a Python int in a model module (``_check`` returns it), not an array
BATCH_SIZE = sp.Symbol("m", integer=True, positive=True)
#: scalar SymPy function -> its spelling on a Python number: a function of m alone
#: (``sqrt(m)``, ``exp(-m)``) is a Python float, which scales an array of any dtype and keeps
#: that dtype (np.sqrt(m) is a float64 scalar that makes float32 arrays float64; torch.sqrt
#: takes tensors only; the stable ``sigmoid`` helper writes into an array)
NUMBER_FUNCTIONS: dict[str, str] = {
    name: f"math.{name}" for name in ("exp", "log", "sqrt", "tanh", "sinh", "cosh", "sin", "cos")
}
#: those of them that raise OverflowError past the float range (exp(m) for m >= 710), where
#: NumPy, torch and JAX give +-inf: called through the module's ``_math`` helper, which does too
OVERFLOWING = frozenset({"exp", "sinh", "cosh"})


def _polynomial(expr: Any) -> bool:
    """Whether ``expr`` (a function of m alone) is a polynomial in m: a Python number that
    neither overflows nor underflows at any batch size (``exp(-m)`` is 0.0 from m = 746 on)."""
    return bool(expr.is_polynomial(BATCH_SIZE))


def raises_in_python(name: str, args: tuple[Any, ...]) -> bool:
    """Whether Python's math may raise (or go complex) on a function of m alone where the
    arrays give inf or nan: an overflowing function, log or sqrt of a value not shown positive
    (nonnegative) for every m, sin and cos of one that may be inf, a power (``name`` "pow",
    ``args`` base and exponent) with a pole or a non-real value at some m (``1/(m - 1)``,
    ``(m - 3)^1.5``). Those go through the module's ``_math``, which gives NumPy's values."""
    if name in OVERFLOWING:
        return True
    if name == "tanh":
        return False
    (arg, *rest) = args
    if not _polynomial(arg):
        return True
    if name == "log":
        return not arg.is_positive
    if name == "sqrt":
        return not arg.is_nonnegative
    if name != "pow":
        return False
    (exp,) = rest
    real = exp.is_integer or arg.is_nonnegative  # (-1)**0.5 is complex in Python
    finite = exp.is_nonnegative or arg.is_nonzero  # 0.0**-1 raises ZeroDivisionError
    return not (real and finite)


SIMPLE_OPERAND = re.compile(r"-?[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*|-?[0-9.]+")


def _is_ones_row(expr: Any) -> bool:
    return isinstance(expr, OneMatrix) and expr.shape[0] == 1


def float_literal(value: sp.Expr | float) -> str:
    """A rational or float as a Python float literal (``1/100`` -> ``0.01``); a number past
    the float64 range (the printer's regrouping of exp(-400) 10^600 as 10^600 / exp(800)) is
    a SpecError: never an ``inf`` literal in generated code."""
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        shown = short_number(value)
        raise SpecError(
            f"the constant {shown}, which the generated code computes, {OUTSIDE_FLOAT64}"
        )
    return repr(number)


#: a coefficient p/q with |p| and q at most this prints as a fraction (``x / 2.0``), exact to
#: read; a longer one (GELU's 0.044715 is 8943/200000) as the decimal Python reads back to
#: the same float
SHORT_FRACTION = 1000


def decimal_coefficient(coeff: sp.Expr, factors: tuple[Any, ...]) -> tuple[sp.Expr, list[Any]]:
    """``coeff`` times the numeric ``factors`` (``sqrt(2/pi)``) as one float where that is not
    a short fraction, with the other factors: ``997355701/1250000000 x`` prints as
    ``0.7978845608 * x``, not as ``997355701.0 * x / 1250000000.0``. The SymPy expression
    stays exact; only its code is the float, ``repr`` of the correctly rounded value."""
    # pi and e keep their names (np.pi * Z1); numbers and their roots fold into one float
    numeric = [f for f in factors if f.is_number and not f.has(sp.NumberSymbol)]
    value = sp.Mul(coeff, *numeric)
    short = value.is_Rational and max(abs(value.p), value.q) <= SHORT_FRACTION
    if decimal_text(value) is not None:
        short = False  # as the user wrote it: 1.702 * z, not 851.0 / 500.0 * z
    if short or not value.is_finite or not value.is_real:
        return coeff, list(factors)
    rest = [f for f in factors if f not in numeric]
    return sp.Float(float(sp.N(value, 30))), rest


class ArrayPrinter(StrPrinter):  # type: ignore[misc]  # SymPy ships no type information
    """Print matrix (and scalar) SymPy expressions as array code in CS229 names.

    ``activations`` maps activation names to records (needed for g(Z) and g'(Z));
    ``rename`` prints particular symbols under other names. A backend sets the class
    attributes below and :meth:`record_code`.
    """

    #: the backend's name in messages (``NumPy``) and its module in code (``np``)
    NAME = ""
    LIB = ""
    #: the field of an activation record holding the backend's code (``numpy``, ``torch``)
    RECORD = ""
    #: scalar SymPy function -> the backend's spelling; one without a module (``sigmoid``) is
    #: the generated module's own helper
    FUNCTIONS: Mapping[str, str] = {}
    #: the backend's spellings of ``where`` and ``full_like`` (a number as an array like another)
    WHERE = ""
    FULL_LIKE = ""
    ZEROS = ""
    #: the test of an array ``{a}`` for float16, its cast to float32 and its cast to a dtype
    #: ``{d}``: a loss over such arrays is computed in float32 (lowering.half_cost)
    HALF = ""
    TO_FLOAT32 = ""
    TO_DTYPE = ""
    #: the ``_print_<Class>`` methods of this class and its bases in symbackprop (set for each
    #: backend's class as it is made): :meth:`_print` dispatches to these only
    _own_methods: frozenset[str] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._own_methods = _print_methods(cls)

    def __init__(
        self,
        activations: Mapping[str, Activation],
        rename: Mapping[str, str] | None = None,
        guards: Mapping[Any, Any] | None = None,
    ) -> None:
        super().__init__()
        self.activations = dict(activations)
        self.rename = dict(rename or {})
        #: a scalar form -> the form printed for it, its where-branches with a pole reading a
        #: safe argument where not taken (the plan's decision: :mod:`~symbackprop.lowering.guards`)
        self.guards = dict(guards or {})
        self.helpers: set[str] = set()  # module helpers the printed code calls (``sigmoid``)
        self.symbols: set[str] = set()  # scalar symbols printed (``m``): what the code reads
        #: whether a function of m was printed with Python's ``math`` (the module imports it)
        self.reads_math = False
        #: a name holding the arrays' dtype: constant arrays (np.eye, np.zeros) take it, so
        #: float32 parameters get float32 gradients; ``reads_dtype`` says it was printed
        self.dtype: str | None = None
        self.reads_dtype = False
        #: print an indicator 1{t > c} as 0.0/1.0 in the arrays' dtype (model and network
        #: modules set it): a bool array fails or mistypes where it is a value of its own (a
        #: gradient, -mask, mask @ x, mask / m, mask - mask); a factor of an element-wise
        #: product beside a floating-point factor stays a bool mask, which the product
        #: converts on the way (:meth:`factor_code`)
        self.float_indicators = False

    # -- entry points ----------------------------------------------------------------------
    def code(self, expr: Any) -> str:
        """The backend's expression for ``expr``."""
        return self._print(expr)  # type: ignore[no-any-return]

    def scalar_code(self, expr: sp.Expr, names: Mapping[sp.Symbol, str]) -> str:
        """Print a scalar record formula with its symbols (``z``, ``a``, ``y``) renamed."""
        subs = {sym: sp.Symbol(name, real=True) for sym, name in names.items()}
        return self.code(self.guards.get(expr, expr).xreplace(subs))

    def activation_code(self, name: str, z_code: str) -> str:
        """Forward code of activation ``name`` applied to the array named ``z_code``."""
        act = self.activations[name]
        code = self.record_code(act)
        if code is not None:
            return code.replace("{z}", z_code)
        if act.formula is None:
            raise InternalError(f"activation {name} has neither {self.NAME} code nor a formula")
        return self.scalar_code(act.formula, {scalars.z: z_code})

    def record_code(self, act: Activation) -> str | None:
        """The activation record's code in this backend (its :attr:`RECORD` field, in ``{z}``),
        ``None`` when it has none (a custom activation: its formula is printed)."""
        return getattr(act, self.RECORD)  # type: ignore[no-any-return]

    # -- precedence --------------------------------------------------------------------------
    def prec(self, expr: Any) -> int:
        """Python precedence of the printed form of ``expr``."""
        if isinstance(expr, Elementwise) and expr.derivative_name is not None:
            return self.prec(self._derivative_of(expr))
        if isinstance(expr, Elementwise) and expr.activation_name is not None:
            return ATOM
        if isinstance(expr, (sp.MatrixSymbol, Transpose, OneMatrix, ZeroMatrix, Softmax)):
            return ATOM
        if isinstance(expr, sp.Symbol):
            return ATOM
        if isinstance(expr, Elementwise):
            if expr.indicator is not None:
                return ATOM if self.float_indicators else CMP
            return self.prec(expr.body.xreplace({expr.variable: sp.Symbol("x", real=True)}))
        if isinstance(expr, (MatAdd, sp.Add)):
            return ADD
        if isinstance(expr, MatMul):
            coeff, matrices = self._split_matmul(expr)
            if coeff == -1 or (coeff.is_Number and coeff < 0):
                return UNARY
            if coeff == 1 and len(matrices) == 2 and _is_ones_row(matrices[1]):
                return self.prec(matrices[0])  # b 1_m^T prints as b: broadcasting
            if coeff == 1 and sum_call(matrices):
                return ATOM  # G.sum(axis=0, keepdims=True): a call binds as a name does
            return MUL
        if isinstance(expr, HadamardProduct):
            return MUL
        if isinstance(expr, sp.Mul):
            return UNARY if expr.could_extract_minus_sign() else MUL
        if isinstance(expr, (HadamardPower, sp.Pow)):
            if isinstance(expr, sp.Pow) and expr.exp.is_negative:
                return MUL  # printed as 1.0 / base
            return POW
        if isinstance(expr, (sp.core.relational.Relational, sp.And, sp.Or)):
            return CMP
        if expr.is_Number:
            return UNARY if expr < 0 else ATOM
        return ATOM

    def paren(self, expr: Any, level: int, *, strict: bool = False) -> str:
        """``expr`` printed, parenthesized when it binds looser than ``level``."""
        text = self._print(expr)
        p = self.prec(expr)
        if p < level or (strict and p == level):
            return f"({text})"
        return text  # type: ignore[no-any-return]

    # -- matrix nodes ----------------------------------------------------------------------
    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol) -> str:
        return self.rename.get(expr.name, expr.name)

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        self.symbols.add(expr.name)
        return self.rename.get(expr.name, expr.name)

    def _print_Dummy(self, expr: sp.Dummy) -> str:
        return self.rename.get(expr.name, expr.name)

    def _print_Transpose(self, expr: Transpose) -> str:
        if not expr.arg.atoms(sp.MatrixSymbol):
            # a constant prints as a number (1.0), which has no .T: the plans settle it first
            raise InternalError(f"the transpose of the constant {expr.arg} reached the printer")
        return self.paren(expr.arg, ATOM) + ".T"

    def _print_OneMatrix(self, expr: OneMatrix) -> str:
        return "1.0"  # broadcasting does the rest

    def _split_matmul(self, expr: MatMul) -> tuple[sp.Expr, list[Any]]:
        scalars_ = [arg for arg in expr.args if not getattr(arg, "is_Matrix", False)]
        matrices = [arg for arg in expr.args if getattr(arg, "is_Matrix", False)]
        return sp.Mul(*scalars_), matrices

    def matrix_product(self, matrices: list[Any]) -> str:
        """A product of matrices; a ones matrix at either end is a sum (broadcast back), and
        then one inside, a column (row) of ones, ends (starts) a factor that is such a sum:
        ``A 1_a 1_b^T B`` is ``A.sum(axis=1, keepdims=True) @ B.sum(axis=0, keepdims=True)``.
        The ends go first, as :func:`sum_call` and the printed shapes read them: ``A 1_n 1_m^T``
        is A's row sums, broadcast. The backend spells the sums (:meth:`sum_all`,
        :meth:`sum_axis`)."""
        if (
            len(matrices) == 3
            and isinstance(matrices[0], OneMatrix)
            and isinstance(matrices[-1], OneMatrix)
            and matrices[0].shape[0] == 1
            and matrices[-1].shape[1] == 1
        ):
            return self.sum_all(self.paren(matrices[1], ATOM))  # 1^T G 1: every entry
        if len(matrices) > 1 and isinstance(matrices[-1], OneMatrix):
            rest = matrices[:-1]
            if matrices[-1].shape[0] == 1:
                # b 1_m^T: an outer product with a row of ones is the arrays' broadcasting
                return self.matrix_product(rest)
            return self.sum_axis(self._atom_product(rest), 1)
        if len(matrices) > 1 and isinstance(matrices[0], OneMatrix):
            rest = matrices[1:]
            if matrices[0].shape[1] == 1:
                return self.matrix_product(rest)
            # 1_n 1_n^T G: column sums of G, broadcast back over the n rows
            return self.sum_axis(self._atom_product(rest), 0)
        inner = inner_ones_split(matrices)
        if inner is not None:
            left, right = inner
            first = self._factor(left)
            second = self._factor(right, strict=True)
            return f"{first} @ {second}"
        if len(matrices) == 1:
            return self.paren(matrices[0], MUL)
        parts = [self.paren(matrices[0], MUL)]
        parts += [self.paren(m, MUL, strict=True) for m in matrices[1:]]
        return " @ ".join(parts)

    def sum_all(self, array: str) -> str:
        """The sum of every entry of ``array`` (printed as an operand), as a 1 x 1 array."""
        return f"{array}.sum(keepdims=True)"

    def sum_axis(self, array: str, axis: int) -> str:
        """The sums of ``array`` along ``axis`` (1: each row's, 0: each column's), kept 2-D."""
        return f"{array}.sum(axis={axis}, keepdims=True)"

    def _factor(self, matrices: list[Any], *, strict: bool = False) -> str:
        """One operand of ``@``: a product of ``matrices``, parenthesized unless one name or
        a sum (``X.sum(...)``)."""
        if len(matrices) == 1:
            return self.paren(matrices[0], MUL, strict=strict)
        text = self.matrix_product(matrices)
        ends = (matrices[0], matrices[-1])
        return text if any(isinstance(m, OneMatrix) for m in ends) else f"({text})"

    def _atom_product(self, matrices: list[Any]) -> str:
        if len(matrices) == 1:
            return self.paren(matrices[0], ATOM)
        return f"({self.matrix_product(matrices)})"

    def _print_MatMul(self, expr: MatMul) -> str:
        coeff, matrices = self._split_matmul(expr)
        if coeff == 1:
            return self.matrix_product(matrices)
        if self._is_constant(expr):
            return self._constant_or(expr, MUL)  # c 1_n is c: broadcasting (or a fill)
        body_expr = matrices[0] if len(matrices) == 1 else MatMul(*matrices)
        if coeff == -1:
            return "-" + self.paren(body_expr, UNARY + 1)
        num, den = sp.fraction(coeff)
        if decimal_text(coeff) is not None:
            num, den = coeff, sp.Integer(1)  # 1.702 * z as written, not 851.0 / 500.0 * z
        if self.of_batch_size(den) and raises_in_python("pow", (den, sp.Integer(-1))):
            # a number 1.0 / 0.0 raises: _print_Mul decides (the number alone for c I_1)
            if body_expr == Identity(1):
                return self.code(coeff)
            num, den = coeff, sp.Integer(1)
        mean = self.of_batch_size(den)  # a mean over the examples: 1/m, 2/m, 1/(2m)
        if num == 1:
            scaled = mean and self._scaled_before_the_sum(
                matrices, f" / {self.paren(den, MUL, strict=True)}"
            )
            if scaled:
                return scaled
            # (A3 - Y) / m: one array operation
            return f"{self.paren(body_expr, MUL)} / {self.paren(den, MUL, strict=True)}"
        scal = self.paren(num, MUL)
        if den != 1:
            scal += " / " + self.paren(den, MUL, strict=True)
            scaled = mean and self._scaled_before_the_sum(matrices, f" * {scal}")
            if scaled:
                return scaled
        if body_expr == Identity(1):
            # c I_1 is the number c (printed_shape: a number, filled where a 1 x 1 array is
            # needed): a product with the 1 x 1 one, 1.0, changes no value
            return scal
        # scalar first: L2 / m * W2 scales once, on a scalar, before touching the array
        return f"{scal} * {self.paren(body_expr, MUL, strict=True)}"

    def _scaled_before_the_sum(self, matrices: list[Any], scale: str) -> str | None:
        """The product of ``matrices`` with a mean's ``scale`` (``" / m"``, ``" * 2.0 / m"``)
        applied before its first sum over the m examples, else ``None`` (no such sum, or ones
        matrices other than a last column of them): ``((t1 - Y) / m) @ X.T`` and
        ``((t1 - Y) / m).sum(axis=1, keepdims=True)``. A float16 sum over m overflows past
        65504 where the mean fits (``(t1 - Y) @ X.T / m`` was inf at m = 20,000 with
        entries of 5). Scaled first, a term under float16's smallest number over m (a
        residual of 3e-4 at m = 20,000: 1.5e-8) rounds, as it does in the network modules'
        ``dZ = (A - Y) / m`` and in torch's and JAX's autograd of a mean, which scale first
        too; an overflow is the worse of the two. It costs one pass over the factor."""
        rest, ones = matrices, None
        if (
            len(matrices) > 1
            and isinstance(matrices[-1], OneMatrix)
            and matrices[-1].shape[1] == 1
        ):
            rest, ones = matrices[:-1], matrices[-1]
        if any(isinstance(a, OneMatrix) for a in rest):
            return None
        # the first product over m inside, else (a last column of ones of m rows) the row sums
        inner = next((i + 1 for i, a in enumerate(rest[:-1]) if a.shape[1] == BATCH_SIZE), 0)
        cut = inner or (len(rest) if ones is not None and ones.shape[0] == BATCH_SIZE else 0)
        if not cut:
            return None
        left, right = rest[:cut], rest[cut:]
        first = f"({self._factor(left) if len(left) > 1 else self.paren(left[0], MUL)}{scale})"
        if ones is not None and not right:
            return self.sum_axis(first, 1)
        text = " @ ".join([first, *(self.paren(a, MUL, strict=True) for a in right)])
        return text if ones is None else self.sum_axis(f"({text})", 1)

    def _negated(self, term: Any) -> Any | None:
        """``-term`` when ``term`` carries a negative coefficient, else ``None``."""
        if isinstance(term, MatMul):
            coeff, matrices = self._split_matmul(term)
            if coeff.could_extract_minus_sign():
                body = matrices[0] if len(matrices) == 1 else MatMul(*matrices)
                return body if -coeff == 1 else MatMul(-coeff, *matrices)
        return None

    def _print_MatAdd(self, expr: MatAdd) -> str:
        terms = list(expr.args)
        # a person writes 1 - A and A - Y: positive terms first, constants leading
        positive = [t for t in terms if self._negated(t) is None]
        negative = [t for t in terms if self._negated(t) is not None]
        positive.sort(key=lambda t: 0 if self._is_constant(t) else 1)
        out = ""
        for index, term in enumerate(positive):
            out += ("" if index == 0 else " + ") + self._constant_or(term, ADD)
        for term in negative:
            neg = self._negated(term)
            text = self._constant_or(neg, ADD, strict=True)
            out = f"{out} - {text}" if out else f"-{self.paren(neg, UNARY + 1)}"
        return out

    def _is_constant(self, term: Any) -> bool:
        if isinstance(term, (OneMatrix, ZeroMatrix)):
            return True
        if isinstance(term, MatMul):
            _, matrices = self._split_matmul(term)
            return len(matrices) == 1 and isinstance(matrices[0], OneMatrix)
        return False

    def _constant_or(self, term: Any, level: int, *, strict: bool = False) -> str:
        if isinstance(term, (OneMatrix, ZeroMatrix)):
            return self.code(term)
        if self._is_constant(term):
            coeff, _ = self._split_matmul(term)
            return float_literal(coeff) if coeff.is_Number else self.paren(coeff, level)
        return self.paren(term, level, strict=strict)

    def _print_HadamardProduct(self, expr: HadamardProduct) -> str:
        # a matrix product inside an element-wise one is parenthesized: (W3.T @ dZ3) * A2
        parts = []
        masks = mask_factors(expr.args) if self.float_indicators else set()
        for arg in expr.args:
            if arg in masks:
                parts.append(f"({self.mask_code(arg)})")
                continue
            text = self._constant_or(arg, MUL, strict=True)
            simple = SIMPLE_OPERAND.fullmatch(text)  # b 1_m^T is b: broadcasting
            product = isinstance(arg, MatMul) and self.prec(arg) < ATOM  # not G.sum(...)
            if product and not text.startswith("(") and not simple:
                text = f"({text})"
            parts.append(text)
        return " * ".join(parts)

    def _power(self, base: str, exp: str) -> str:
        if SIMPLE_OPERAND.fullmatch(base) and SIMPLE_OPERAND.fullmatch(exp):
            return f"{base}**{exp}"  # ruff format hugs simple operands
        return f"{base} ** {exp}"

    def _print_HadamardPower(self, expr: HadamardPower) -> str:
        base, exp = expr.args
        exp_text = str(int(exp)) if exp.is_Integer else self.paren(exp, ATOM)
        return self._power(self.paren(base, POW, strict=True), exp_text)

    def _print_MatrixElement(self, expr: Any) -> str:
        # the entry of a 1 x 1 value (s[0, 0]), which multiplies like a number
        return f"{self.paren(expr.parent, ATOM)}[{expr.i}, {expr.j}]"

    def dtype_argument(self) -> str:
        """``, dtype=<name>`` for a constant array when a dtype name is set, else nothing."""
        if self.dtype is None:
            return ""
        self.reads_dtype = True
        return f", dtype={self.dtype}"

    def _print_Identity(self, expr: Any) -> str:
        rows = int(expr.shape[0])
        return "1.0" if rows == 1 else f"{self.LIB}.eye({rows}{self.dtype_argument()})"

    def _print_ZeroMatrix(self, expr: Any) -> str:
        # a whole value that is zero (the plans make any product with a zero factor zero, so
        # no zero is ever multiplied): zeros of its shape, in the arrays' dtype (and device)
        rows, cols = (
            self.code(d) if isinstance(d, sp.Symbol) else str(int(d)) for d in expr.shape
        )
        return f"{self.ZEROS}(({rows}, {cols}){self.dtype_argument()})"

    def _print_TransposedAdjugate(self, expr: Any) -> str:
        self.helpers.add("_adjugate_t")  # adj(A)^T from an SVD, at a singular A too
        return f"_adjugate_t({self.code(expr.matrix)})"

    def _print_Inverse(self, expr: Any) -> str:
        return f"{self.LIB}.linalg.inv({self.code(expr.arg)})"

    def _print_MatPow(self, expr: Any) -> str:
        base, exp = expr.args
        if exp == -1:
            return f"{self.LIB}.linalg.inv({self.code(base)})"
        return f"{self.LIB}.linalg.matrix_power({self.code(base)}, {int(exp)})"

    def _print_Determinant(self, expr: Any) -> str:
        return f"{self.LIB}.linalg.det({self.code(expr.arg)})"

    def _print_Trace(self, expr: Any) -> str:
        return f"{self.LIB}.trace({self.code(expr.arg)})"

    # -- symbackprop nodes -------------------------------------------------------------------
    def _print_Softmax(self, expr: Softmax) -> str:
        return self.activation_code("softmax", self.paren(expr.arg, ATOM))

    def _derivative_of(self, expr: Elementwise) -> sp.Expr:
        """The record's g'(z) with z renamed to the printed argument (``sigmoid(Z1)``)."""
        act = self.activations[str(expr.derivative_name)]
        derivative = self.guards.get(act.derivative, act.derivative)
        return derivative.xreplace({scalars.z: sp.Symbol(self._print(expr.arg), real=True)})

    def _print_ElementwiseApplyFunction(self, expr: Elementwise) -> str:
        if expr.activation_name is not None:
            return self.activation_code(expr.activation_name, self.paren(expr.arg, ATOM))
        if expr.derivative_name is not None:
            return self.code(self._derivative_of(expr))
        if expr.indicator is not None:
            if self.float_indicators:
                return self.float_indicator(expr)
            return self.mask_code(expr)
        arg = self.paren(expr.arg, ATOM)
        body = self.guards.get(expr.body, expr.body)
        return self.code(body.xreplace({expr.variable: sp.Symbol(arg, real=True)}))

    def mask_code(self, expr: Elementwise) -> str:
        """The indicator ``1{t rel c}`` as a comparison: a bool array (``t1 > 0``)."""
        rel, threshold = expr.indicator or ("", sp.S.Zero)
        limit = str(int(threshold)) if threshold.is_Integer else self.code(threshold)
        return f"{self.paren(expr.arg, ATOM)} {rel} {limit}"

    def factor_code(self, factor: Any, level: int, *, mask: bool, strict: bool = False) -> str:
        """``factor`` of an element-wise product printed at precedence ``level``: an
        indicator as its bool mask when ``mask`` (the product has a floating-point array
        beside it, or multiplies one in place, and converts the mask on the way: relu's
        ``dZ1 *= A1 > 0``, no conversion of its own), else as :meth:`code` prints it."""
        if mask and isinstance(factor, Elementwise) and _is_mask(factor):
            text = self.mask_code(factor)
            return f"({text})" if level > CMP else text
        return self.paren(factor, level, strict=strict)

    def float_indicator(self, expr: Elementwise) -> str:
        """The indicator as 0.0/1.0 in the dtype of its argument (a cached array), else in
        the parameters' dtype (:attr:`dtype`), else in the default float."""
        mask = self.mask_code(expr)
        if isinstance(expr.arg, sp.MatrixSymbol):
            return f"({mask}).astype({self.code(expr.arg)}.dtype)"
        if self.dtype is not None:
            self.reads_dtype = True
            return f"({mask}).astype({self.dtype})"
        return f"({mask}).astype(float)"

    # -- scalar nodes ---------------------------------------------------------------------
    def _print_Integer(self, expr: sp.Integer) -> str:
        return float_literal(expr)

    def _print_Rational(self, expr: sp.Rational) -> str:
        return float_literal(expr)

    def _print_Float(self, expr: sp.Float) -> str:
        return float_literal(expr)

    def _print_Half(self, expr: sp.Rational) -> str:
        return "0.5"

    def _print_One(self, expr: sp.Integer) -> str:
        return "1.0"

    def _print_Zero(self, expr: sp.Integer) -> str:
        return "0.0"

    def _print_NegativeOne(self, expr: sp.Integer) -> str:
        return "-1.0"

    def _print_Add(self, expr: sp.Add) -> str:
        terms = list(expr.as_ordered_terms())
        positive = [t for t in terms if not t.could_extract_minus_sign()]
        negative = [-t for t in terms if t.could_extract_minus_sign()]
        positive.sort(key=lambda t: 0 if t.is_Number else 1)
        out = " + ".join(self.paren(t, ADD) for t in positive)
        for term in negative:
            text = self.paren(term, ADD, strict=True)
            out = f"{out} - {text}" if out else f"-{self.paren(term, UNARY + 1)}"
        return out

    def _print_Mul(self, expr: sp.Mul) -> str:
        if expr.could_extract_minus_sign():
            minus = -expr
            if isinstance(minus, sp.Pow) and not minus.exp.is_negative:
                return f"-({self.code(minus)})"  # ruff format writes -(x**2)
            return "-" + self.paren(minus, UNARY + 1)
        coeff, factors = expr.as_coeff_mul()
        coeff, factors = decimal_coefficient(coeff, factors)
        # a number divided by a function of m that may be 0 is a power through ``_math``:
        # Python's 1.0 / 0.0 raises ZeroDivisionError where the arrays give inf
        number = self.of_batch_size(expr)

        def divides(f: Any) -> bool:
            if not (f.is_Pow and f.exp.is_negative):
                return False
            return not (number and raises_in_python("pow", (f.base, f.exp)))

        num = [f for f in factors if not divides(f)]
        den = [sp.Pow(f.base, -f.exp) for f in factors if divides(f)]
        p, q = sp.fraction(coeff)
        if not num and q != 1 and den:
            num, q = [coeff], sp.Integer(1)  # 1 / (2 x) is 0.5 / x: one number
        elif p != 1 or not num:
            num.insert(0, p)
        if q != 1:
            den.insert(0, q)
        out = " * ".join(
            self.paren(f, MUL, strict=index > 0) if not f.is_Number else float_literal(f)
            for index, f in enumerate(num)
        )
        for f in den:
            out += " / " + (float_literal(f) if f.is_Number else self.paren(f, MUL, strict=True))
        return out

    def of_batch_size(self, expr: Any) -> bool:
        """Whether ``expr`` is a number given m alone (``sqrt(m)``, ``exp(-m)``)."""
        return bool(expr.free_symbols) and expr.free_symbols == {BATCH_SIZE}

    def number_function(self, name: str, args: tuple[Any, ...]) -> str | None:
        """``math.<name>(...)``, a Python float, for a function of m alone; else None."""
        if name not in (*NUMBER_FUNCTIONS, "sigmoid") or not all(map(self.of_batch_size, args)):
            return None
        self.reads_math = True
        if name == "sigmoid":  # through tanh: no overflow of exp for any argument
            return f"(0.5 + 0.5 * math.tanh({self.paren(args[0], MUL)} / 2))"
        called = ", ".join(self.code(a) for a in args)
        if raises_in_python(name, args):
            self.helpers.add("_math")
            return f"_math({NUMBER_FUNCTIONS[name]}, {called})"
        return f"{NUMBER_FUNCTIONS[name]}({called})"

    def _print_Pow(self, expr: sp.Pow) -> str:
        base, exp = expr.args
        if expr.is_number and not expr.is_Rational:
            return float_literal(sp.N(expr, 17))  # sqrt(3): torch.sqrt(3.0) is a TypeError
        number = self.of_batch_size(base) and exp != sp.Rational(1, 2)  # sqrt: number_function
        if number and raises_in_python("pow", (base, exp)):
            self.reads_math = True
            self.helpers.add("_math")
            return f"_math(math.pow, {self.code(base)}, {self.code(exp)})"
        if exp == sp.Rational(1, 2):
            return self.number_function("sqrt", (base,)) or f"{self.LIB}.sqrt({self.code(base)})"
        if exp.is_negative:
            return f"1.0 / {self.paren(sp.Pow(base, -exp), MUL, strict=True)}"
        exp_text = str(int(exp)) if exp.is_Integer else self.paren(exp, ATOM)
        return self._power(self.paren(base, POW, strict=True), exp_text)

    def _print_log(self, expr: sp.log) -> str:
        # log(1 + e^x) is softplus: logaddexp(0, x) stays finite where e^x overflows
        # (the one pattern the custom-activation probe evaluates the same way: records')
        arg = expr.args[0]
        found = softplus_argument(arg)
        if found is not None and found[1] == 1 and not self.of_batch_size(arg):
            # (a number of the batch size, log(1 + exp(-m)), is Python's math: not here)
            x = self.code(found[0])
            return f"{self.LIB}.logaddexp({self.zero_like(x)}, {x})"
        return self._print_Function(expr)

    def _print_Function(self, expr: sp.Function) -> str:
        name = type(expr).__name__
        if expr.is_number:
            # a number, such as sigmoid(3) or log(2): torch.log(2.0) is a TypeError, np.log(2.0)
            # a float64 scalar that makes float32 arrays float64
            return float_literal(sp.N(expr, 17))
        number = self.number_function(name, expr.args)
        if number is not None:
            return number
        spelling = self.FUNCTIONS.get(name)
        if spelling is None:
            raise InternalError(f"no {self.NAME} spelling for the function {name}")
        if "." not in spelling:
            self.helpers.add(spelling)  # the module's own (NumPy's stable sigmoid)
        return f"{spelling}({', '.join(self.code(a) for a in expr.args)})"

    def _print_Heaviside(self, expr: sp.Heaviside) -> str:
        x = self.code(expr.args[0])
        return f"{self.LIB}.heaviside({x}, {self.zero_like(x)})"

    def zero_like(self, x: str) -> str:
        """A 0 for a binary function beside the array ``x`` (``logaddexp``, ``heaviside``):
        the number, which NumPy and JAX broadcast."""
        return "0.0"

    def _like(self, expr: Any) -> str | None:
        """An array that ``expr`` reads (the first by name), for a number made an array."""
        names = sorted(
            s.name for s in expr.free_symbols if s.name not in (scalars.z.name, "m", "L2")
        )
        return names[0] if names else None

    def _branch(self, value: Any, like: str | None) -> str:
        """A ``where`` branch: a number becomes an array like ``like`` (its dtype)."""
        if value.is_Number and like is not None:
            return f"{self.FULL_LIKE}({like}, {float_literal(value)})"
        return self.code(value)

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        # between numbers only (a step's 1.0 and 0.0, leaky_relu' = 1.0 or 0.01), ``where``
        # would make the default float (float64 in NumPy and JAX with x64, float32 in torch)
        # whatever the arrays' dtype: the last branch is made an array like the argument's
        *pairs, last = expr.args
        if last.cond != sp.true:
            raise InternalError(f"piecewise without an otherwise branch: {expr}")
        numbers = all(pair.expr.is_Number for pair in expr.args)
        like = self._like(expr) if numbers else None
        out = self._branch(last.expr, like)
        for value, cond in reversed(pairs):
            out = f"{self.WHERE}({self.code(cond)}, {self.code(value)}, {out})"
        return out

    def _print_SafeArgument(self, expr: SafeArgument) -> str:
        t, cond, c = expr.args
        return f"{self.WHERE}({self.code(cond)}, {self.code(t)}, {float_literal(c)})"

    def _print_Relational(self, expr: Any) -> str:
        rhs = str(int(expr.rhs)) if expr.rhs.is_Integer else self.paren(expr.rhs, ADD)
        return f"{self.paren(expr.lhs, ADD)} {expr.rel_op} {rhs}"

    def _print_Max(self, expr: Any) -> str:
        return self._reduce(f"{self.LIB}.maximum", expr.args)

    def _print_Min(self, expr: Any) -> str:
        return self._reduce(f"{self.LIB}.minimum", expr.args)

    def _reduce(self, fn: str, args: tuple[Any, ...]) -> str:
        out = self.code(args[-1])
        for arg in reversed(args[:-1]):
            out = f"{fn}({self.code(arg)}, {out})"
        return out

    def _print_ITE(self, expr: Any) -> str:
        cond, then, otherwise = expr.args
        return f"{self.WHERE}({self.code(cond)}, {self.code(then)}, {self.code(otherwise)})"

    def _print_And(self, expr: Any) -> str:
        return " & ".join(f"({self.code(arg)})" for arg in expr.args)

    def _print_Or(self, expr: Any) -> str:
        return " | ".join(f"({self.code(arg)})" for arg in expr.args)

    def _print_Not(self, expr: Any) -> str:
        return f"~({self.code(expr.args[0])})"

    def _print_BooleanTrue(self, expr: Any) -> str:
        return "True"

    def _print_BooleanFalse(self, expr: Any) -> str:
        return "False"

    def _print_Pi(self, expr: Any) -> str:
        return f"{self.LIB}.pi"

    def _print_Exp1(self, expr: Any) -> str:
        return f"{self.LIB}.e"

    # -- the whitelist ----------------------------------------------------------------------
    def _print(self, expr: Any, **kwargs: Any) -> str:
        """Dispatch to a ``_print_<Class>`` method defined *here*, never to one inherited from
        SymPy's string printer (which would emit ``I``, ``pi``, ``ITE``, ... that are not
        names in the generated module): a node this printer does not know is refused."""
        self._print_level += 1
        try:
            for cls in type(expr).__mro__:
                name = "_print_" + cls.__name__
                if name in self._own_methods:
                    return getattr(self, name)(expr, **kwargs)  # type: ignore[no-any-return]
            return self.emptyPrinter(expr)
        finally:
            self._print_level -= 1

    def emptyPrinter(self, expr: Any) -> str:  # noqa: N802 - SymPy's hook name
        raise InternalError(f"the {self.NAME} printer cannot print {type(expr).__name__}: {expr}")


def _print_methods(printer: type) -> frozenset[str]:
    """The ``_print_<Class>`` methods ``printer`` and its bases in symbackprop define: the node
    kinds it knows (never one of SymPy's string printer)."""
    return frozenset(
        name
        for klass in printer.__mro__
        if klass.__module__.startswith("symbackprop.")
        for name in vars(klass)
        if name.startswith("_print_")
    )


ArrayPrinter._own_methods = _print_methods(ArrayPrinter)


def sum_call(matrices: list[Any]) -> bool:
    """Whether the product of ``matrices`` prints as one call ``G.sum(...)`` (a ones matrix at
    an end, read before any inside: :meth:`ArrayPrinter.matrix_product`)."""
    if len(matrices) < 2:
        return False
    first, last = matrices[0], matrices[-1]
    if isinstance(last, OneMatrix):
        return last.shape[0] != 1 or sum_call(matrices[:-1])  # b 1_m^T is b
    if isinstance(first, OneMatrix):
        return first.shape[1] != 1 or sum_call(matrices[1:])
    return False


def inner_ones_split(matrices: list[Any]) -> tuple[list[Any], list[Any]] | None:
    """``matrices`` cut at the first ones matrix that is neither first nor last: after it when
    it is a column (``A 1_a | 1_b^T B``), before it when it is a row (``a | 1_b^T B``), so that
    each part is a sum; ``None`` when there is none. A ones matrix of more rows and columns
    inside a product is the plan's error: it splits them into a column and a row."""
    for index, a in enumerate(matrices[1:-1], start=1):
        if not isinstance(a, OneMatrix):
            continue
        if a.shape[1] == 1:
            return matrices[: index + 1], matrices[index + 1 :]
        if a.shape[0] == 1:
            return matrices[:index], matrices[index:]
        raise InternalError(f"a ones matrix {a.shape} inside a product: {matrices}")
    return None


def mask_factors(factors: Any) -> set[Any]:
    """The indicator factors of an element-wise product that may stay bool masks: all of
    them when another factor is a floating-point array (it reads a matrix), else none."""
    masks = {f for f in factors if isinstance(f, Elementwise) and _is_mask(f)}
    others = [f for f in factors if f not in masks]
    return masks if any(f.atoms(sp.MatrixSymbol) for f in others) else set()


def _is_mask(expr: Elementwise) -> bool:
    return (
        expr.indicator is not None
        and expr.activation_name is None
        and expr.derivative_name is None
    )
