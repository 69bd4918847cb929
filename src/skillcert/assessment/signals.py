"""What the assessment tells the apps above it about batches (it imports none of them).

Sent inside the writing transaction, after the change: a receiver's writes commit or roll
back with it.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``batch``: its filed plan has just been withdrawn (撤回) before the assessment
# (supervision ends the inspections of it still waiting for their inspectors).
plan_withdrawn = Signal()
