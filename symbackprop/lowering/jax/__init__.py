"""The JAX backend, one folder: its expression printer (:mod:`.printer`, the NumPy printer with
``jnp.``/``jax.nn.`` spellings), its emitters for networks (:mod:`.emitter`) and models
(:mod:`.model_emitter`) and their module templates (:mod:`.template`). Every generated
function is pure (JAX arrays are immutable): no ``out=`` buffers, no in-place updates."""
