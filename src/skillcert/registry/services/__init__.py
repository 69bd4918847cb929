"""Writes on the registry, one function per state change (see the submodules).

- ``organizations``: registration, pilot result, revocation, expiry, mergers, thresholds
- ``filings``: filing cases from draft to filed, province-wide recommendations
- ``materials``: uploads (sniffed, size-limited, stored outside the web root)
- ``objections``: objections during publicity and their resolution
- ``numbers``: filing numbers from a locked counter per city; the retired pool
"""
