"""``inbox.service``: notify (once per recipient, dedupe, in the caller's transaction) and the
preferences (checked, sealed, audited)."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction

from skillcert.audit.models import AuditEntry
from skillcert.inbox import service
from skillcert.inbox.models import Delivery, Message, Preference
from skillcert.rules.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_notify_writes_one_message_per_recipient(city_bureau, city_center):
    made = service.notify(
        [city_bureau, city_center, city_bureau],
        event="filing.submitted",
        title="收到备案申请",
        body="合肥测试培训学校提交了备案申请",
        link="/review/filings/1",
        subject="filing:1",
    )
    assert len(made) == 2
    assert sorted(Message.objects.values_list("recipient__username", flat=True)) == [
        "hf_bureau",
        "hf_center",
    ]
    message = Message.objects.get(recipient=city_bureau)
    assert (message.event, message.title, message.link, message.read) == (
        "filing.submitted",
        "收到备案申请",
        "/review/filings/1",
        False,
    )


def test_dedupe_key_reaches_each_person_once(city_bureau, city_center):
    first = service.notify([city_bureau], event="x", title="提醒", dedupe_key="due:filing:1")
    again = service.notify(
        [city_bureau, city_center], event="x", title="提醒", dedupe_key="due:filing:1"
    )
    assert len(first) == 1
    assert [m.recipient_id for m in again] == [city_center.pk]
    assert Message.objects.filter(dedupe_key="due:filing:1").count() == 2
    # Without a key, the same text is another message.
    service.notify([city_bureau], event="x", title="提醒")
    assert Message.objects.filter(recipient=city_bureau).count() == 2


def test_notify_is_undone_with_the_callers_transaction(city_bureau):
    with pytest.raises(RuntimeError), transaction.atomic():
        service.notify([city_bureau], event="x", title="不会留下")
        raise RuntimeError("the caller's change failed")
    assert not Message.objects.exists()


def test_unread_count_and_marking(city_bureau, city_center):
    service.notify([city_bureau], event="x", title="一")
    service.notify([city_bureau], event="x", title="二")
    other = service.notify([city_center], event="x", title="别人的")[0]
    assert service.unread_count(city_bureau) == 2
    first = Message.objects.get(title="一")
    assert service.mark_read(city_bureau, first.pk).read
    assert service.mark_read(city_bureau, other.pk) is None  # not theirs
    assert not Message.objects.get(pk=other.pk).read
    assert service.unread_count(city_bureau) == 1
    assert [m.title for m in service.messages_of(city_bureau)] == ["二", "一"]  # unread first
    assert service.mark_all_read(city_bureau) == 1
    assert service.unread_count(city_bureau) == 0
    assert service.unread_count(city_center) == 1


def test_preferences_are_checked(org_user):
    with pytest.raises(InvalidInput) as refused:
        service.set_preference(org_user, channel="sms", phone="", email="")
    assert "phone" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        service.set_preference(org_user, channel="sms", phone="12345", email="not-an-address")
    assert set(refused.value.fields) == {"phone", "email"}
    with pytest.raises(InvalidInput) as refused:
        service.set_preference(org_user, channel="email", phone="", email="")
    assert "email" in refused.value.fields
    with pytest.raises(InvalidInput):
        service.set_preference(org_user, channel="fax", phone="", email="")
    assert not Preference.objects.exists()


def test_preferences_are_sealed_and_audited(org_user):
    service.set_preference(org_user, channel="sms", phone="138 0013 8000", email="a@example.cn")
    preference = Preference.objects.get(user=org_user)
    assert (preference.channel, preference.phone) == ("sms", "13800138000")
    org_user.refresh_from_db()
    assert org_user.email == "a@example.cn"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM inbox_preference WHERE id = %s", [preference.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("sm4:") and "13800138000" not in raw
    entry = AuditEntry.objects.filter(action="inbox.preference_changed").get()
    assert json.loads(entry.after)["channel"] == "sms"
    assert "13800138000" not in entry.after  # masked in the record


def test_inbox_only_plans_no_copies(city_bureau, settings):
    settings.EMAIL_COPIES_ENABLED = True
    city_bureau.email = "bureau@example.cn"
    city_bureau.save()
    service.notify([city_bureau], event="x", title="只在站内")
    assert not Delivery.objects.exists()


def test_long_or_multiline_titles_fit_one_line_of_the_column(org_user):
    long_name = "某" * 230
    with transaction.atomic():
        (message,) = service.notify([org_user], event="test", title=f"计划\n已退回：{long_name}")
    stored = Message.objects.get(pk=message.pk).title
    assert len(stored) == Message._meta.get_field("title").max_length
    assert "\n" not in stored and stored.startswith("计划 已退回：") and stored.endswith("…")
