"""What the certificates tell the apps above them (the statistics' summaries): the issue
days whose certificates changed. Sent inside the writing transaction, so a receiver's
update commits or rolls back with the change. Every certificate write announces, so the
cached counts (``counts``) are left behind here too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.dispatch import Signal

from skillcert.certificates.counts import changed

# Sent with ``days``: a set of ``issued_on`` dates whose certificates were added or changed.
certificates_changed = Signal()


def announce(days: Iterable[dt.date]) -> None:
    changed()
    certificates_changed.send(sender="certificates", days=set(days))
