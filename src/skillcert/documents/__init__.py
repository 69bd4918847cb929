"""Shared document helpers (PDF fonts and layout pieces) for receipts and certificates.

This package holds no models and imports no other skillcert app except ``rules``; apps
that render documents (registry, certificates) import it, never the other way round.
"""
