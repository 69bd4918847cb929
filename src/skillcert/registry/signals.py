"""What the registry tells the apps above it about filings (registry imports none of them).

Both are sent inside the writing transaction, after the change: a receiver's writes commit
or roll back with it (the national outbox records its report to the ministry's appraisal
center there, and sends it once the transaction has committed).
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``case``: a filing case (any kind) has just been filed.
filing_filed = Signal()
# Sent with ``organization``: an organization's filing has just been revoked (退出).
filing_revoked = Signal()
