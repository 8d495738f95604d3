"""The NumPy backend, one folder: its expression printer (:mod:`.printer`), its emitter
(:mod:`.emitter`, which alone decides the in-place updates) and its module template
(:mod:`.template`)."""
