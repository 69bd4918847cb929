"""Business rules in pure Python: codes, check digits, levels, regions, working days.

Nothing in this package imports Django; everything above it may import from here.
"""
