"""Applications built on the stages below: shapecheck (a hand-written gradient checked), the
lecture companion (collapse, gradient norms) and training helpers (optimisers, data)."""
