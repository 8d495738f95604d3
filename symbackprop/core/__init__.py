"""The core: the forward graph, candidate arrangements, the engine and the Derivation record.

It reads the spec and the records and knows nothing of the stages that consume a derivation
(check, lowering, render); they import it, it never imports them.
"""
