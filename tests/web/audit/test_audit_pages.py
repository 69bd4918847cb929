"""The audit administrator's pages: search, verify, export (.xlsx); nobody else opens them
(403, the system administrator included); the navigation shows 审计 to that role only."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.db import connection, transaction

from skillcert.audit import service as audit
from skillcert.audit.models import AuditEntry
from tests.support import personas
from tests.support.pages import html

PAGES = ["/audit/entries", "/audit/verify", "/audit/entries.xlsx"]
NAV = ">审计</a>"


@pytest.fixture
def auditor(db):
    return personas.province_officer("audit_admin")


def append(action: str, after=None) -> AuditEntry:
    with transaction.atomic():
        return audit.record(
            actor=audit.SYSTEM, action=action, object_type="test.thing", object_id=1, after=after
        )


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_nobody_but_the_audit_administrator_opens_the_pages(path, auditor):
    cast = personas.cast()
    cast["security_admin"] = personas.province_officer("security_admin")
    for name, persona in cast.items():
        answer = persona.web.get(path)
        if persona.user is None:
            assert answer.status_code == 302 and "/login" in answer["Location"], name
        else:
            assert answer.status_code == 403, name
    assert auditor.web.get(path).status_code == 200


@pytest.mark.django_db
def test_navigation_shows_audit_to_the_audit_administrator_only(auditor):
    assert NAV in html(auditor.web.get("/dashboard"))
    for role in ("admin", "dept"):
        persona = personas.cast()[role]
        assert NAV not in html(persona.web.get("/dashboard"))


@pytest.mark.django_db
def test_search_filters_and_pages(auditor):
    append("export", after={"what": "附件5"})
    append("test.other")
    page = html(auditor.web.get("/audit/entries", {"action": "export"}))
    assert "导出个人数据" in page and "附件5" in page
    assert "test.other" not in page
    assert "导出为 Excel" in page and "/audit/entries.xlsx?action=export" in page
    page = html(auditor.web.get("/audit/entries", {"action": "nothing.here"}))
    assert "没有符合条件的审计记录" in page


@pytest.mark.django_db
def test_bad_dates_are_refused_in_chinese(auditor):
    answer = auditor.web.get("/audit/entries", {"from": "2026-12-09", "to": "2026-12-01"})
    assert answer.status_code == 400
    assert "结束日期不能早于开始日期" in html(answer)
    answer = auditor.web.get("/audit/entries.xlsx", {"from": "不是日期"})
    assert answer.status_code == 400
    assert "日期格式应为 YYYY-MM-DD" in html(answer)


@pytest.mark.django_db
def test_verify_page_says_ok_then_names_the_broken_entry(auditor):
    append("test.one")
    bad = append("test.two").seq
    append("test.three")
    page = html(auditor.web.get("/audit/verify"))
    assert "校验通过" in page and "审计记录完整" in page
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_append_only")
        cursor.execute("UPDATE audit_auditentry SET action = 'x' WHERE seq = %s", [bad])
    page = html(auditor.web.get("/audit/verify"))
    assert "校验未通过" in page and f"第 {bad} 条起" in page


@pytest.mark.django_db
def test_export_is_text_only_and_recorded(auditor):
    append("test.formula", after={"note": '=HYPERLINK("http://x.invalid","x")'})
    before = AuditEntry.objects.count()
    answer = auditor.web.get("/audit/entries.xlsx", {"action": "test"})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content))["审计记录"]
    rows = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert rows[0][:6] == ["序号", "记录时间", "业务日期", "操作人", "操作人角色", "操作"]
    assert len(rows) == 2 and rows[1][5] == "test.formula"
    assert all(cell.data_type == "s" for line in sheet.iter_rows() for cell in line)
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "export" and entry.actor_id == auditor.user.pk
    assert '"count":1' in entry.after
