"""SMS senders: ``SKILLCERT_SMS_SENDER`` names a class whose instances ``send(phone, text)``
and raise on failure (the delivery job records the error and tries again later).

The default, ``FolderSender``, writes each SMS as one UTF-8 file in the ``outbox/`` folder of
the file storage (the data directory's ``files/outbox/`` by default; the storage writes whole
files), for a gateway that picks them up or for an operator to read. A province
plugs in its SMS gateway with a class of the same shape."""

from __future__ import annotations

import secrets
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from skillcert.documents import files


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None: ...


OUTBOX = "outbox"


class FolderSender:
    """One file per SMS: ``sms-<time>-<random>.txt`` holding ``To: <phone>``, a blank line
    and the text."""

    def send(self, phone: str, text: str) -> None:
        name = f"{OUTBOX}/sms-{timezone.now():%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.txt"
        files.save(name, f"To: {phone}\n\n{text}\n".encode())


def sender() -> SmsSender:
    """The configured sender (``SKILLCERT_SMS_SENDER``, a dotted path to a class)."""
    factory = import_string(settings.SKILLCERT_SMS_SENDER)
    return factory()
