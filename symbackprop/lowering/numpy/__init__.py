"""The NumPy backend: its emitter (:mod:`.emitter`) and its module template (:mod:`.template`).

Its expression printer is :mod:`symbackprop.lowering.numpy_printer`.
"""
