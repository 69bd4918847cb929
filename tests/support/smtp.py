"""A real SMTP server on loopback (aiosmtpd), for the e-mail tests: ``smtp_server`` starts one
on a free port with a user name and password, points Django's SMTP backend at it through
``SKILLCERT_EMAIL_URL``'s reading (``env.email_settings``), and yields the catcher."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from skillcert.env import email_settings

SMTP_USER = "mailer"
SMTP_PASSWORD = "s3cret/pass"


@dataclass
class Catcher:
    """The aiosmtpd handler: keeps every message it accepts, parsed."""

    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Any] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.received.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == SMTP_USER
            and auth_data.password.decode() == SMTP_PASSWORD
        )
        if ok:
            self.logins.append(SMTP_USER)
        return AuthResult(success=ok)

    def texts(self) -> list[str]:
        return [m.get_content() for m in self.received]  # type: ignore[union-attr]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Catcher]:
    catcher = Catcher()
    port = free_port()
    controller = Controller(
        catcher,
        hostname="127.0.0.1",
        port=port,
        authenticator=catcher.authenticate,
        auth_require_tls=False,  # loopback only; production uses smtp+tls:// or smtp+ssl://
    )
    controller.start()
    try:
        url = f"smtp://{SMTP_USER}:s3cret%2Fpass@127.0.0.1:{port}?timeout=5"
        for name, value in email_settings(url).items():
            setattr(settings, name, value)
        settings.DEFAULT_FROM_EMAIL = "平台通知 <notice@skillcert.test>"
        yield catcher
    finally:
        controller.stop()
