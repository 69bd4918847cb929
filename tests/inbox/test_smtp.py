"""E-mail copies reach a real SMTP server on loopback (aiosmtpd, started by the test) through
Django's SMTP backend configured by ``SKILLCERT_EMAIL_URL``: logged in with the URL's user and
password, subject and text in Chinese, UTF-8."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from skillcert.inbox import delivery, service
from skillcert.inbox.models import Delivery, Preference
from tests.support.smtp import SMTP_USER, free_port, smtp_server

pytestmark = pytest.mark.django_db
__all__ = ["smtp_server"]  # the fixture, used by name


def test_message_arrives_at_the_smtp_server(
    smtp_server, org_user, django_capture_on_commit_callbacks
):
    Preference.objects.create(user=org_user, channel="email")
    org_user.email = "school@example.cn"
    org_user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        service.notify(
            [org_user],
            event="batch.plan_returned",
            title="认定计划被退回",
            body="退回原因：考评人员名单不完整。请修改后重新报备。",
            link="/org/batches/3",
        )
    assert Delivery.objects.get().state == "sent"
    assert smtp_server.logins == [SMTP_USER]
    assert len(smtp_server.received) == 1
    received = smtp_server.received[0]
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == ["school@example.cn"]
    # (Python folds the encoded subject onto the next line: unfolded, it starts with a space.)
    assert str(received["Subject"]).strip() == "【安徽省职业技能等级认定服务平台】认定计划被退回"
    assert received["From"].addresses[0].display_name == "平台通知"
    assert received.get_content_charset() == "utf-8"
    text = received.get_content()
    assert "退回原因：考评人员名单不完整" in text
    assert f"{django_settings.BASE_URL}/org/batches/3" in text


def test_an_unreachable_server_is_retried(settings, org_user, django_capture_on_commit_callbacks):
    settings.EMAIL_COPIES_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    Preference.objects.create(user=org_user, channel="email")
    org_user.email = "school@example.cn"
    org_user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        service.notify([org_user], event="x", title="服务器未启动")
    copy = Delivery.objects.get()
    assert (copy.state, copy.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in copy.last_error
    assert delivery.retry_due(now=timezone.now() + dt.timedelta(minutes=2)) == 0
    copy.refresh_from_db()
    assert (copy.state, copy.attempts) == ("pending", 2)
