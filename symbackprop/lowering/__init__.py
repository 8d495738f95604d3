"""Lowering a derivation to code: the forward cache, the backward statements, the emitted module
and the loader that puts it in memory. A sibling of check and render: it imports neither."""
