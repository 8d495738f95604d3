"""Checks of a derivation: exact (rational arithmetic against SymPy's scalar ``diff``) and
numeric (generated code against central finite differences). A sibling of lowering and render:
it imports neither."""
