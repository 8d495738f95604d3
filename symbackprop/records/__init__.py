"""Records: what an activation, a loss and the scalar symbols are, each in one place.

The stage above the formula language and below the spec: a record may parse a formula (a custom
activation's definition) and the spec names records, never the other way round.
"""
