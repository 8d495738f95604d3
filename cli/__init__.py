"""The ``symbackprop`` command line, installed as the subpackage ``symbackprop.cli``.

A thin layer over the library's public API. Importing it must stay cheap: SymPy, NumPy and rich
are imported inside the commands, never at module import time, so ``symbackprop --help`` is fast.
"""
