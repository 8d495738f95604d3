"""One rule per node kind: the contributions a node sends back to its arguments.

A rule receives the adjoint G = dJ/d(out) of the value a node defines and returns, for each
argument, dJ/d(arg) as the rule kind gives it: the arrangement that shape analysis leaves among
the kind's candidates (:mod:`symbackprop.core.candidates`), the reason as segments
(:mod:`symbackprop.core.segments`), the cached values it reads, and any scalar algebra done
inside an element-wise product (verified before it is stored). Adding a node kind means adding
its node in :mod:`symbackprop.core.graph` and its rule in one of these modules, registered in
the tables below (and its emission per backend).
"""

from __future__ import annotations

from collections.abc import Callable

from symbackprop.core.graph import Kind, Node
from symbackprop.core.rules.activation import elementwise_rule, softmax_rule
from symbackprop.core.rules.base import Adjoint, Context, Contribution, ScalarForm
from symbackprop.core.rules.cost import loss_rule, penalty_rule
from symbackprop.core.rules.linear import TERM_RULES, sum_rule
from symbackprop.core.rules.model_elementwise import function_rule, hadamard_rule
from symbackprop.core.rules.model_elementwise import softmax_rule as column_softmax_rule
from symbackprop.core.rules.model_linear import (
    linear_rule,
    matmul_rule,
    scale_rule,
    seed_rule,
    transpose_rule,
)
from symbackprop.core.rules.model_reduce import (
    det_rule,
    inverse_rule,
    logdet_rule,
    logsumexp_rule,
    rowsum_rule,
    total_rule,
    trace_rule,
)
from symbackprop.core.rules.model_reduce import loss_rule as model_loss_rule

#: the rule of each kind that defines a named value (the engine dispatches on this table)
VALUE_RULES: dict[Kind, Callable[[Context, Node, Adjoint], list[Contribution]]] = {
    Kind.SUM: sum_rule,
    Kind.ELEMENTWISE: elementwise_rule,
    Kind.SOFTMAX: softmax_rule,
    # a model's kinds (core.model_graph)
    Kind.LINEAR: linear_rule,
    Kind.MATMUL: matmul_rule,
    Kind.SCALE: scale_rule,
    Kind.TRANSPOSE: transpose_rule,
    Kind.HADAMARD: hadamard_rule,
    Kind.FUNCTION: function_rule,
    Kind.COLUMN_SOFTMAX: column_softmax_rule,
    Kind.TOTAL: total_rule,
    Kind.ROWSUM: rowsum_rule,
    Kind.MODEL_LOSS: model_loss_rule,
    Kind.TRACE: trace_rule,
    Kind.DET: det_rule,
    Kind.LOGDET: logdet_rule,
    Kind.LOGSUMEXP: logsumexp_rule,
    Kind.INVERSE: inverse_rule,
}
#: ... and of each kind the cost is made of
COST_RULES: dict[Kind, Callable[[Context, Node], list[Contribution]]] = {
    Kind.LOSS: loss_rule,
    Kind.PENALTY: penalty_rule,
    Kind.SEED: seed_rule,  # a model's cost
}

__all__ = [
    "COST_RULES",
    "TERM_RULES",
    "VALUE_RULES",
    "Adjoint",
    "Context",
    "Contribution",
    "ScalarForm",
]
