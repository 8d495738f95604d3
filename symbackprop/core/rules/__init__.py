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

#: the rule of each kind that defines a named value (the engine dispatches on this table)
VALUE_RULES: dict[Kind, Callable[[Context, Node, Adjoint], list[Contribution]]] = {
    Kind.SUM: sum_rule,
    Kind.ELEMENTWISE: elementwise_rule,
    Kind.SOFTMAX: softmax_rule,
}
#: ... and of each kind the cost is made of
COST_RULES: dict[Kind, Callable[[Context, Node], list[Contribution]]] = {
    Kind.LOSS: loss_rule,
    Kind.PENALTY: penalty_rule,
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
