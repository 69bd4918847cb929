"""The audit chain.

Services call ``audit.record(...)`` (``from skillcert.audit import service as audit``) inside
their transaction.
"""
