"""``GET /api/v1/messages`` and ``POST /api/v1/messages/{id}/read``: one's own messages only."""

from __future__ import annotations

import pytest

from skillcert.inbox.models import Message
from skillcert.inbox.service import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(city_bureau, city_center):
    notify([city_bureau], event="a", title="收到备案申请", body="合肥测试培训学校", link="/x/1")
    notify([city_bureau], event="b", title="异议已提出", link="/x/2")
    notify([city_center], event="c", title="别人的消息")
    return Message.objects.filter(recipient=city_bureau)


def test_list_is_the_callers_own_with_unread(inbox, city_bureau, client_for):
    api = client_for(city_bureau)
    answer = api.get("/api/v1/messages")
    assert answer.status_code == 200
    data = answer.json()
    assert data["count"] == 2 and data["unread"] == 2 and data["next"] is None
    assert [m["title"] for m in data["results"]] == ["异议已提出", "收到备案申请"]
    first = data["results"][1]
    assert set(first) == {"id", "at", "title", "body", "link", "read"}
    assert (first["body"], first["link"], first["read"]) == ("合肥测试培训学校", "/x/1", False)


def test_mark_read(inbox, city_bureau, client_for):
    api = client_for(city_bureau)
    message = inbox.get(title="收到备案申请")
    answer = api.post(f"/api/v1/messages/{message.pk}/read")
    assert answer.status_code == 200
    assert answer.json()["read"] is True
    data = api.get("/api/v1/messages").json()
    assert data["unread"] == 1
    assert [m["read"] for m in data["results"]] == [False, True]  # unread first
    assert api.post(f"/api/v1/messages/{message.pk}/read").status_code == 200  # idempotent


def test_another_persons_message_is_404(inbox, city_center, client_for):
    mine = Message.objects.get(recipient=city_center)
    theirs = inbox.first()
    api = client_for(city_center)
    answer = api.post(f"/api/v1/messages/{theirs.pk}/read")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert not Message.objects.get(pk=theirs.pk).read
    assert api.post("/api/v1/messages/999999/read").status_code == 404
    assert [m["id"] for m in api.get("/api/v1/messages").json()["results"]] == [mine.pk]


def test_anonymous_is_401(inbox, public_client):
    assert public_client.get("/api/v1/messages").status_code == 401
    message = inbox.first()
    assert public_client.post(f"/api/v1/messages/{message.pk}/read").status_code == 401


def test_pages(city_bureau, client_for):
    for n in range(3):
        notify([city_bureau], event="a", title=f"消息{n}")
    data = client_for(city_bureau).get("/api/v1/messages?page_size=2").json()
    assert data["count"] == 3 and len(data["results"]) == 2 and data["next"]
    assert data["unread"] == 3
