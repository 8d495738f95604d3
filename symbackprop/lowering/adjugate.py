"""det(A) inv(A)^T in the code as the transposed adjugate, which has a value at every A.

Jacobi's formula gives dJ/dA = g det(A) inv(A)^T for J = g det(A) (the derivation states it for
an invertible A). The gradient itself, adj(A)^T, exists at every A: at a singular one (a
parameter initialised to zeros, a rank-deficient product) the written form has no value, and
the generated code stopped with NumPy's "Singular matrix", or in JAX returned NaNs where
``jax.grad`` gives the adjugate. The plan writes each such product as :class:`TransposedAdjugate`,
printed as a call of the module's ``_adjugate_t`` helper, which computes adj(A)^T from A's
singular value decomposition (A = U S V^T: adj(A)^T = det(U) det(V) U diag(p) V^T, p_i the
product of the singular values other than s_i): one formula at every A, with no branch on a
determinant that rounding makes 1e-17 instead of 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp
from sympy import Determinant, Inverse, MatMul, MatrixExpr, Transpose


class TransposedAdjugate(MatrixExpr):  # type: ignore[misc]  # SymPy is untyped
    """adj(A)^T of the square matrix A: equal to ``det(A) inv(A)^T`` wherever A is invertible
    (:meth:`definition`, what the plan's proof reads it as), and defined at every A."""

    def __new__(cls, matrix: Any) -> TransposedAdjugate:
        return MatrixExpr.__new__(cls, matrix)  # type: ignore[no-any-return]

    @property
    def matrix(self) -> Any:
        return self.args[0]

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[0].shape  # type: ignore[no-any-return]

    def definition(self) -> Any:
        """``det(A) inv(A^T)``: the form the derivation wrote (where A is invertible); of
        A = B^T, ``det(B^T) inv(B)``."""
        matrix = self.matrix
        turned = matrix.arg if isinstance(matrix, Transpose) else Transpose(matrix)
        return MatMul(Determinant(matrix), Inverse(turned))


def defined(expr: Any) -> Any:
    """``expr`` with every :class:`TransposedAdjugate` written as its :meth:`definition`."""
    if not expr.has(TransposedAdjugate):
        return expr
    return expr.replace(lambda e: isinstance(e, TransposedAdjugate), lambda e: e.definition())


def adjugates(
    expr: Any, cached: Mapping[Any, Any], untransposed: Mapping[Any, Any] | None = None
) -> Any:
    """``expr`` with each product ``c det(A) inv(A^T)`` written ``c adj(A)^T``
    (:class:`TransposedAdjugate`), unless the cache holds that inverse (A = inv(X): the
    forward pass made it, so A is invertible and its inverse is read, not computed).

    ``untransposed``: each model value that is a transpose, as ``t^T`` -> its argument (t = B^T
    turned back: B). Of ``J = det(t)`` with t = B^T the code reads ``det(t) inv(B)``, which is
    ``adj(B^T)^T`` too (NumPy's module raised "Singular matrix" at a singular B: hostile50a #2).
    """
    turned = untransposed or {}

    def inverted(matrix: Any, factors: tuple[Any, ...]) -> tuple[Any, Any] | None:
        """(adj(A)^T, the factor det(...) it replaces) where ``matrix`` is inv(A^T) and det(A)
        is among ``factors``, or inv(B) with det(t) among them and t = B^T (then A = B^T,
        named t); else None."""
        a = _inverted_transpose(matrix)
        if a is not None:
            return (TransposedAdjugate(a), Determinant(a)) if Determinant(a) in factors else None
        if not isinstance(matrix, Inverse):
            return None
        for factor in factors:
            if isinstance(factor, Determinant) and turned.get(Transpose(factor.arg)) == matrix.arg:
                return TransposedAdjugate(Transpose(matrix.arg)), factor
        return None

    def rewrite(product: Any) -> Any:
        coeff, matrices = product.as_coeff_matrices()
        factors = sp.Mul.make_args(coeff)
        for k, matrix in enumerate(matrices):
            found = inverted(matrix, factors)
            if found is None or Inverse(Transpose(found[0].matrix)) in cached:
                continue
            adjugate, det = found
            rest = sp.Mul(*(f for f in factors if f != det))
            swapped = [*matrices[:k], adjugate, *matrices[k + 1 :]]
            return MatMul(rest, *swapped).doit(deep=False) if rest != 1 else MatMul(*swapped)
        return product

    if not expr.has(Determinant):
        return expr
    return expr.replace(lambda e: isinstance(e, MatMul), rewrite)


def _inverted_transpose(matrix: Any) -> Any:
    """A, where ``matrix`` is inv(A^T) or inv(A)^T; else None."""
    if isinstance(matrix, Inverse) and isinstance(matrix.arg, Transpose):
        return matrix.arg.arg
    if isinstance(matrix, Transpose) and isinstance(matrix.arg, Inverse):
        return matrix.arg.arg
    return None
