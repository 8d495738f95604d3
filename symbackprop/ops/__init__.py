"""Activation and loss records: one small record per function, in one place each."""
