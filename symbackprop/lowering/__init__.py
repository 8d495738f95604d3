"""Lowering a derivation to code: a backend-neutral plan (:mod:`.plan`: the forward statements,
the cache, the backward statements with their provenance, the cost; :mod:`.model_plan` the
same for a model), one naming module (:mod:`.names`), and one emitter per backend
(:mod:`.numpy` first) that writes the module the loader (:mod:`.executor`) puts in memory. A
sibling of check and render: it imports neither."""
