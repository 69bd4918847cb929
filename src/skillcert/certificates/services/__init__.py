"""Writes on certificates: segments (``segments``), numbering a batch (``issuing``)."""
