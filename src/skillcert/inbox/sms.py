"""SMS senders: ``SKILLCERT_SMS_SENDER`` names a class whose instances ``send(phone, text)``
and raise on failure (the delivery job records the error and tries again later).

The default, ``FolderSender``, writes each SMS as one UTF-8 file under
``$SKILLCERT_DATA_DIR/outbox/`` (written to a temporary name, then renamed: a reader never
sees half a message), for a gateway that picks them up or for an operator to read. A province
plugs in its SMS gateway with a class of the same shape."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None: ...


def outbox_dir() -> Path:
    return Path(settings.DATA_DIR) / "outbox"


class FolderSender:
    """One file per SMS: ``sms-<time>-<random>.txt`` holding ``To: <phone>``, a blank line
    and the text."""

    def send(self, phone: str, text: str) -> None:
        folder = outbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        name = f"sms-{timezone.now():%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.txt"
        temporary = folder / f".{name}.part"
        temporary.write_text(f"To: {phone}\n\n{text}\n", encoding="utf-8")
        os.replace(temporary, folder / name)


def sender() -> SmsSender:
    """The configured sender (``SKILLCERT_SMS_SENDER``, a dotted path to a class)."""
    factory = import_string(settings.SKILLCERT_SMS_SENDER)
    return factory()
