"""Writes on the registry, one function per state change (see the submodules).

- ``organizations``: registration, pilot result, revocation, expiry, mergers, thresholds
- ``filings``: filing cases from draft to filed, province-wide recommendations
- ``materials``: uploads (sniffed, size-limited, stored outside the web root)
- ``numbers``: filing numbers from a locked counter per city; the retired pool

Objections to a filing's publicity are lodged and resolved by ``assessment.services.objections``
(one service for filings and batches; it reaches both workflows).
"""
