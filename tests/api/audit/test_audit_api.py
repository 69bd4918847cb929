"""``GET /api/v1/audit/entries`` and ``/api/v1/audit/verify``: the audit administrator
only (everyone else 403, the public 401); filters by actor, action and recorded days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from skillcert.audit import service as audit
from skillcert.audit.models import AuditEntry
from tests.support import personas

ENTRIES = "/api/v1/audit/entries"
VERIFY = "/api/v1/audit/verify"


@pytest.fixture
def auditor(db):
    persona = personas.province_officer("audit_admin")
    persona.api  # noqa: B018  # the token (and its audit entry) before the test's own entries
    return persona


def everyone_else() -> dict[str, personas.Persona]:
    cast = personas.cast()
    cast["security_admin"] = personas.province_officer("security_admin")
    return cast


def append(action: str, *, actor=audit.SYSTEM, after=None) -> AuditEntry:
    with transaction.atomic():
        return audit.record(
            actor=actor, action=action, object_type="test.thing", object_id=7, after=after
        )


@pytest.mark.django_db
@pytest.mark.parametrize("path", [ENTRIES, VERIFY])
def test_only_the_audit_administrator_reads_the_record(path, auditor):
    for name, persona in everyone_else().items():
        answer = persona.api.get(path)
        expected = 401 if persona.user is None else 403
        assert answer.status_code == expected, name
        assert answer.json()["error"]["code"] in {"forbidden", "not_authenticated"}, name
    assert auditor.api.get(path).status_code == 200


@pytest.mark.django_db
def test_system_administrator_is_refused_in_chinese(admin_user, client_for):
    answer = client_for(admin_user).get(ENTRIES)
    assert answer.status_code == 403
    assert answer.json()["error"]["message"] == "只有审计管理员可以查阅、校验和导出审计记录"


@pytest.mark.django_db
def test_entries_are_paginated_newest_first_in_the_contract_s_shape(auditor):
    append("test.first", after={"value": 1})
    append("test.second", after={"名称": "更改"})
    body = auditor.api.get(ENTRIES, {"page_size": 1}).json()
    assert set(body) == {"count", "next", "results"}
    assert body["next"] is not None
    item = body["results"][0]
    assert {"seq", "at", "actor", "action", "object", "before", "after"} <= set(item)
    assert item["seq"] == AuditEntry.objects.order_by("-seq").first().seq
    assert item["object"] == {"type": "test.thing", "id": "7"}
    assert item["before"] is None


@pytest.mark.django_db
def test_filters_by_actor_action_and_days(auditor, city_bureau):
    append("test.by_system")
    append("test.by_bureau", actor=city_bureau)
    append("export", actor=city_bureau)

    def actions(**params):
        return {r["action"] for r in auditor.api.get(ENTRIES, params).json()["results"]}

    assert actions(action="export") == {"export"}
    assert actions(action="test") == {"test.by_system", "test.by_bureau"}
    by_bureau = actions(actor=city_bureau.signature)
    assert by_bureau >= {"test.by_bureau", "export"} and "test.by_system" not in by_bureau
    assert actions(actor=str(city_bureau.pk)) == by_bureau
    today = timezone.localdate()
    assert "export" in actions(**{"from": today.isoformat(), "to": today.isoformat()})
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert actions(**{"from": tomorrow}) == set()
    assert "export" in actions(to=today.isoformat())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "20261201"}, "from"),
        ({"from": "2026-12-02", "to": "2026-12-01"}, "to"),
        ({"actor": "x" * 151}, "actor"),
    ],
)
def test_bad_filters_are_400_naming_the_field(auditor, params, field):
    answer = auditor.api.get(ENTRIES, params)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert field in error["fields"]
    assert "查询条件有误" in error["message"]


@pytest.mark.django_db
def test_a_refused_reader_gets_403_even_with_bad_filters(province_dept, client_for):
    assert client_for(province_dept).get(ENTRIES, {"from": "bad"}).status_code == 403


@pytest.mark.django_db
def test_reading_changes_nothing(auditor):
    append("test.thing")
    before = AuditEntry.objects.count()
    auditor.api.get(ENTRIES)
    auditor.api.get(VERIFY)
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_verify_answers_ok_then_names_the_first_bad_entry(auditor):
    for i in range(4):
        append(f"test.step{i}")
    answer = auditor.api.get(VERIFY).json()
    count = AuditEntry.objects.count()
    assert answer == {"ok": True, "entries": count, "first_bad": None}
    bad = AuditEntry.objects.get(action="test.step2").seq
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_append_only")
        cursor.execute("UPDATE audit_auditentry SET after = %s WHERE seq = %s", ['"x"', bad])
    answer = auditor.api.get(VERIFY).json()
    assert answer["ok"] is False
    assert answer["first_bad"] == bad
    assert answer["entries"] == bad - 1
