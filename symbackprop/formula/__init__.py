"""symbackprop's formula language: a whitelisting parser for user formulas.

``parse`` turns gradient formulas (``W3^T (a3 - y) ⊙ sigmoid'(z2)``) and custom activations
(``z*sigmoid(z)``) into a small AST without ever executing user text; ``to_scalar`` converts an
activation formula into a SymPy expression; ``format_error`` draws a caret under a fault.
"""

from symbackprop.formula.ast import (
    Binary,
    Call,
    Deriv,
    Indicator,
    Name,
    Node,
    Num,
    Transpose,
    Unary,
    children,
    names,
    walk,
)
from symbackprop.formula.parser import format_error, parse
from symbackprop.formula.scalar import WrittenPart, scalar_parts, to_scalar
from symbackprop.formula.table import FUNCTIONS, Entry, FunctionTable

__all__ = [
    "FUNCTIONS",
    "Entry",
    "FunctionTable",
    "Binary",
    "Call",
    "Deriv",
    "Indicator",
    "Name",
    "Node",
    "Num",
    "Transpose",
    "Unary",
    "children",
    "format_error",
    "names",
    "parse",
    "WrittenPart",
    "scalar_parts",
    "to_scalar",
    "walk",
]
