"""E-mail and SMS copies: planned with the messages, sent by the ``deliver`` job after the
transaction commits, failures recorded and retried after a pause, at most MAX_ATTEMPTS."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from skillcert.documents import files as stored_files
from skillcert.inbox import delivery, service
from skillcert.inbox.models import Delivery, Preference
from skillcert.inbox.sms import OUTBOX

pytestmark = pytest.mark.django_db

FAILURES = {"left": 0, "sent": []}


class FlakySender:
    """Fails while ``FAILURES["left"]`` > 0, then keeps what it sends."""

    def send(self, phone: str, text: str) -> None:
        if FAILURES["left"] > 0:
            FAILURES["left"] -= 1
            raise ConnectionError("短信网关无响应")
        FAILURES["sent"].append((phone, text))


@pytest.fixture
def flaky(settings):
    settings.SKILLCERT_SMS_SENDER = "tests.inbox.test_delivery.FlakySender"
    FAILURES["left"], FAILURES["sent"] = 0, []
    return FAILURES


def choose(user, channel, *, phone="", email=""):
    Preference.objects.update_or_create(user=user, defaults={"channel": channel, "phone": phone})
    if email:
        user.email = email
        user.save(update_fields=["email"])


def tell(user, django_capture_on_commit_callbacks, **extra):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        return service.notify(
            [user],
            event="filing.accepted",
            title="备案申请已受理",
            body="您的备案申请已受理，请等待评估。",
            link="/org/filings/7",
            **extra,
        )


def test_email_copy_is_sent_after_commit(org_user, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_COPIES_ENABLED = True
    choose(org_user, "email", email="school@example.cn")
    with django_capture_on_commit_callbacks() as pending, transaction.atomic():
        service.notify([org_user], event="x", title="备案申请已受理", link="/org/filings/7")
        assert Delivery.objects.get().state == "pending"
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in pending:
        callback()
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["school@example.cn"]
    assert "备案申请已受理" in sent.subject
    assert f"详情：{django_settings.BASE_URL}/org/filings/7" in sent.body  # it only informs
    copy = Delivery.objects.get()
    assert (copy.state, copy.attempts, copy.channel) == ("sent", 1, "email")
    assert copy.sent_at is not None


def test_no_email_when_email_is_not_configured(
    org_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_COPIES_ENABLED = False
    choose(org_user, "email", email="school@example.cn")
    tell(org_user, django_capture_on_commit_callbacks)
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_a_rolled_back_change_sends_nothing(org_user, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_COPIES_ENABLED = True
    choose(org_user, "email", email="school@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            service.notify([org_user], event="x", title="不会发出")
            raise RuntimeError
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_default_sms_sender_writes_one_file(org_user, django_capture_on_commit_callbacks):
    choose(org_user, "sms", phone="13800138000")
    storage = stored_files.storage()

    def written() -> set[str]:
        return set(storage.listdir(OUTBOX)[1]) if storage.exists(OUTBOX) else set()

    before = written()
    tell(org_user, django_capture_on_commit_callbacks)
    new = written() - before
    assert len(new) == 1 and next(iter(new)).startswith("sms-")
    text = (stored_files.read(f"{OUTBOX}/{next(iter(new))}") or b"").decode("utf-8")
    assert text.startswith("To: 13800138000\n")
    assert "备案申请已受理" in text and "/org/filings/7" in text
    assert Delivery.objects.get().state == "sent"


def test_a_failed_send_is_recorded_and_retried(org_user, flaky, django_capture_on_commit_callbacks):
    choose(org_user, "sms", phone="13800138000")
    flaky["left"] = 1
    tell(org_user, django_capture_on_commit_callbacks)
    copy = Delivery.objects.get()
    assert (copy.state, copy.attempts) == ("pending", 1)
    assert "短信网关无响应" in copy.last_error
    assert copy.next_attempt > timezone.now()
    # Not before its pause is over …
    assert delivery.retry_due() == 0
    assert flaky["sent"] == []
    # … then sent by the hourly pass.
    assert delivery.retry_due(now=copy.next_attempt + dt.timedelta(seconds=1)) == 1
    copy.refresh_from_db()
    assert (copy.state, copy.attempts, copy.last_error) == ("sent", 2, "")
    assert flaky["sent"][0][0] == "13800138000"
    assert delivery.retry_due(now=timezone.now() + dt.timedelta(days=1)) == 0  # sent once


def test_attempts_are_bounded(org_user, flaky, django_capture_on_commit_callbacks):
    choose(org_user, "sms", phone="13800138000")
    flaky["left"] = 100
    tell(org_user, django_capture_on_commit_callbacks)
    later = timezone.now()
    for _ in range(delivery.MAX_ATTEMPTS + 2):
        later += dt.timedelta(hours=3)
        delivery.retry_due(now=later)
    copy = Delivery.objects.get()
    assert (copy.state, copy.attempts) == ("failed", delivery.MAX_ATTEMPTS)
    assert flaky["left"] == 100 - delivery.MAX_ATTEMPTS
    assert flaky["sent"] == []


def test_a_copy_being_sent_is_not_sent_twice(org_user, flaky, django_capture_on_commit_callbacks):
    choose(org_user, "sms", phone="13800138000")
    tell(org_user, django_capture_on_commit_callbacks)
    copy = Delivery.objects.get()
    assert copy.state == "sent"
    assert delivery.send(copy.pk) == "sent"  # a second job for the same copy: nothing
    assert len(flaky["sent"]) == 1


def test_a_copy_left_sending_by_a_dead_worker_is_taken_again(org_user, flaky):
    choose(org_user, "sms", phone="13800138000")
    copy = Delivery.objects.create(
        message=service.notify([org_user], event="x", title="中断")[0],
        user=org_user,
        channel="sms",
        state="sending",
        attempts=1,
        next_attempt=timezone.now(),
    )
    assert delivery.send(copy.pk) == "sending"  # still being sent by someone
    assert delivery.send(copy.pk, now=timezone.now() + delivery.STALE_AFTER * 2) == "sent"


def test_no_address_any_more_is_skipped(org_user, flaky, django_capture_on_commit_callbacks):
    choose(org_user, "sms", phone="13800138000")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        service.notify([org_user], event="x", title="号码已删除")
        Preference.objects.filter(user=org_user).update(phone="")
    assert Delivery.objects.get().state == "skipped"
    assert flaky["sent"] == []


def test_the_worker_imports_the_delivery_jobs():
    from skillcert.jobs import schedule
    from skillcert.jobs.worker import discover

    discover()
    assert "skillcert.inbox.tasks.retry_deliveries" in schedule.PERIODIC
    assert "skillcert.ops.tasks.send_reminders" in schedule.PERIODIC


def test_an_email_asking_to_act_says_where_and_one_without_a_link_has_none(
    org_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_COPIES_ENABLED = True
    choose(org_user, "email", email="school@example.cn")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        service.notify(
            [org_user], event="filing.correction_requested", title="需要补正", link="/org/f/7"
        )
        service.notify([org_user], event="filing.filed", title="已备案")
    bodies = {sent.subject.split("】")[1]: sent.body for sent in mail.outbox}
    assert f"办理地址：{django_settings.BASE_URL}/org/f/7" in bodies["需要补正"]
    assert "办理地址" not in bodies["已备案"] and "详情：" not in bodies["已备案"]


def test_an_sms_without_a_link_points_nowhere(org_user, flaky, django_capture_on_commit_callbacks):
    choose(org_user, "sms", phone="13800138000")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        service.notify([org_user], event="filing.filed", title="已备案")
        service.notify([org_user], event="filing.accepted", title="已受理", link="/org/filings/7")
    texts = sorted(text for _phone, text in flaky["sent"])
    assert len(texts) == 2
    assert "详见" not in next(t for t in texts if "已备案" in t)
    assert f"详见 {django_settings.BASE_URL}/org/filings/7" in next(
        t for t in texts if "已受理" in t
    )
