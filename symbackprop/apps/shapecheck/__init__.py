"""``shapecheck``: a gradient formula written by hand, typed, compared and repaired."""
