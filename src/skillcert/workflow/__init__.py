"""The workflow engine's domain side: apply a declared transition (lock, check, move, history
row, audit entry, in one transaction), catch up time-driven steps, answer ``actions`` and
``next``. The declarations themselves are pure data in ``skillcert.rules.workflow``."""
