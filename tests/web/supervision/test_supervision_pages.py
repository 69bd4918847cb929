"""The supervision pages: draws (双随机) and their public record, inspections and their
publication (一公开), rectification, annual reports, violations and exit, statistics charts.

Each page is opened by the people it is for and by those it is not (login, 403, 404); each
refused write is checked for what did not change.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from skillcert.assessment.models import Batch
from skillcert.certificates.models import Certificate
from skillcert.documents import charts
from skillcert.registry.models import OrganizationStatus
from skillcert.supervision.models import (
    AnnualReport,
    Finding,
    Inspection,
    InspectionDraw,
    InspectionState,
    InspectorConflict,
    Violation,
)
from skillcert.supervision.services import draws, inspections, reports
from skillcert.supervision.services.summaries import refresh_statistics
from tests.assessment.factories import filed_organization, issued
from tests.supervision.factories import hefei_inspectors
from tests.support.pages import client_of, html

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def files(settings, tmp_path):
    settings.SKILLCERT_KEY_DIR = tmp_path / "keys"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()


@pytest.fixture
def world(occupation_catalog, org_user, city_bureau, province_center, today):
    """A filed 合肥 organization with certificates issued on 2026-11-11, four 合肥 inspectors;
    the platform's date 2026-12-01."""
    organization = filed_organization(org_user, city_bureau, today)
    batch = issued(organization, org_user, province_center, today)
    inspectors = hefei_inspectors(name="督查员{i}号")
    today("2026-12-01")
    return SimpleNamespace(organization=organization, batch=batch, inspectors=inspectors)


@pytest.fixture
def drawn(world, city_bureau):
    """A draw of the organization with two inspectors; ``team`` drawn, ``outsider`` not."""
    record = draws.make_draw(
        {"targets": "organizations", "count": 1, "inspectors": 2, "seed": "网页测试-01"},
        actor=city_bureau,
    )
    inspection = record.inspections.get()
    team = list(inspection.inspectors.order_by("pk"))
    outsider = next(u for u in world.inspectors if u not in team)
    return SimpleNamespace(record=record, inspection=inspection, team=team, outsider=outsider)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(response)))


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return SimpleUploadedFile("现场照片.png", buffer.getvalue(), content_type="image/png")


def conclude(inspection, member, **data):
    inspections.record_finding(
        inspection, {"stage": "考务管理", "findings": "身份核验到位。"}, actor=member
    )
    return inspections.conclude(inspection, {"note": "总体规范", **data}, actor=member)


def text_of(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup))


def to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/login")


# --- who opens which page ------------------------------------------------------------------


def officer_paths(drawn) -> list[str]:
    organization = drawn.inspection.organization_id
    return [
        "/review/supervision/draws",
        f"/review/supervision/draws/{drawn.record.pk}",
        "/review/supervision/inspections",
        f"/review/supervision/inspections/{drawn.inspection.pk}",
        "/review/supervision/reports",
        "/review/supervision/violations",
        f"/review/supervision/organizations/{organization}",
        "/review/supervision/statistics",
        "/review/supervision/statistics.xlsx",
        "/review/supervision/talent.xlsx",
    ]


def test_officer_pages_are_for_officers(
    drawn, city_bureau, city_center, province_dept, org_user, other_city_bureau, admin_user
):
    for path in officer_paths(drawn):
        assert to_login(client_of().get(path)), path
        for user in (city_bureau, city_center, province_dept):
            assert client_of(user).get(path).status_code == 200, (path, user.username)
        for user in (org_user, drawn.team[0], admin_user):
            assert client_of(user).get(path).status_code == 403, (path, user.username)
    # Another city reads its own lists, not 合肥's draw, inspection or organization.
    paths = officer_paths(drawn)
    for path in (paths[1], paths[3], paths[6]):
        assert client_of(other_city_bureau).get(path).status_code == 404, path
    assert client_of(other_city_bureau).get("/review/supervision/draws").status_code == 200
    listing = html(client_of(other_city_bureau).get("/review/supervision/inspections"))
    assert drawn.inspection.organization.name not in listing


def test_inspector_pages_are_for_the_assigned_inspector(drawn, city_bureau, org_user):
    member, outsider = drawn.team[0], drawn.outsider
    task = f"/inspector/inspections/{drawn.inspection.pk}"
    for path in ("/inspector/inspections", task, "/inspector/conflicts"):
        assert to_login(client_of().get(path)), path
        assert client_of(member).get(path).status_code == 200, path
        assert client_of(city_bureau).get(path).status_code == 403, path
        assert client_of(org_user).get(path).status_code == 403, path
    assert client_of(outsider).get(task).status_code == 404
    page = client_of(member).get("/inspector/inspections")
    assert drawn.inspection.organization.name in html(page)
    assert drawn.inspection.organization.name not in html(
        client_of(outsider).get("/inspector/inspections")
    )
    assert "我的检查任务" in text(page)


def test_organization_pages_are_the_organizations(
    drawn, org_user, other_org_user, city_bureau, today
):
    for path in ("/org/annual-reports", "/org/inspections"):
        assert to_login(client_of().get(path)), path
        assert client_of(org_user).get(path).status_code == 200, path
        assert client_of(other_org_user).get(path).status_code == 200, path
        assert client_of(city_bureau).get(path).status_code == 403, path
        assert client_of(drawn.team[0]).get(path).status_code == 403, path
    # Not told of an inspection before it is concluded.
    assert f"检查 #{drawn.inspection.pk}" not in text(client_of(org_user).get("/org/inspections"))
    conclude(
        drawn.inspection,
        drawn.team[0],
        conclusion="rectify",
        requirement="补齐考生档案",
        due_on="2026-12-31",
    )
    page = text(client_of(org_user).get("/org/inspections"))
    assert "补齐考生档案" in page and "2026年12月31日" in page
    assert drawn.team[0].display_name not in page
    assert "补齐考生档案" not in text(client_of(other_org_user).get("/org/inspections"))
    refused = client_of(other_org_user).post(
        f"/org/inspections/{drawn.inspection.pk}/rectification", {"response": "已整改"}
    )
    assert refused.status_code == 404


def test_public_pages_need_no_login_and_hide_the_inspectors(drawn, city_bureau):
    conclude(drawn.inspection, drawn.team[0], conclusion="passed")
    inspections.publish(drawn.inspection, actor=city_bureau)
    anonymous = client_of()
    listing = anonymous.get("/draws")
    assert listing.status_code == 200 and f"/draws/{drawn.record.pk}" in html(listing)
    page = anonymous.get(f"/draws/{drawn.record.pk}")
    body = html(page)
    assert page.status_code == 200
    for value in (drawn.record.seed, drawn.record.targets_digest, drawn.record.inspectors_digest):
        assert value in body
    assert "skillcert draws recompute --file draw.json" in body
    assert f'href="/api/v1/public/inspection-draws/{drawn.record.pk}"' in body
    assert "结果一致" in text(page)
    assert anonymous.get("/draws/9999").status_code == 404
    results = anonymous.get("/inspection-results")
    assert results.status_code == 200
    found = text(results)
    organization = drawn.inspection.organization
    assert organization.name in found and organization.filing_number in found
    assert "合格" in found and "总体规范" in found
    for member in drawn.team:
        assert member.display_name not in found and member.username not in found
    for path in ("/", "/notices"):
        page = html(anonymous.get(path))
        assert 'href="/draws"' in page and 'href="/inspection-results"' in page, path


# --- draws ---------------------------------------------------------------------------------


def upcoming_batch(organization, title: str = "2026年第12期焊工认定") -> Batch:
    """A filed plan still to be assessed on 2026-12-01: a batch a draw may take."""
    return Batch.objects.create(
        organization=organization,
        title=title,
        start_date=dt.date(2026, 12, 14),
        end_date=dt.date(2026, 12, 15),
        site_city=organization.filing_authority,
        site_address="合肥市蜀山区实训基地",
        state="plan_filed",
    )


def test_the_draw_form_shows_the_pools_and_refuses_too_large_a_draw(world, city_bureau):
    officer = client_of(city_bureau)
    page = html(officer.get("/review/supervision/draws"))
    assert 'data-pool="targets">1<' in page and 'data-pool="inspectors">4<' in page
    batches = html(officer.get("/review/supervision/draws?targets=batches"))
    assert 'data-pool="targets">0<' in batches  # the issued batch is over (domain.md §8)
    upcoming_batch(world.organization)
    batches = html(officer.get("/review/supervision/draws?targets=batches"))
    assert 'data-pool="targets">1<' in batches
    none = html(officer.get("/review/supervision/draws?targets=batches&start=2027-01-01"))
    assert 'data-pool="targets">0<' in none
    bad = officer.get("/review/supervision/draws?targets=batches&start=2026-13-01")
    assert "日期格式应为 YYYY-MM-DD" in text(bad) and "data-pool" not in html(bad)

    before = (InspectionDraw.objects.count(), Inspection.objects.count())
    refused = officer.post(
        "/review/supervision/draws",
        {"targets": "organizations", "count": "5", "inspectors": "1"},
    )
    assert refused.status_code == 400
    assert re.search(
        r'class="field-error" role="alert">抽取 5 个对象，但对象库只有 1 个<', html(refused)
    )
    too_many = officer.post(
        "/review/supervision/draws",
        {"targets": "organizations", "count": "1", "inspectors": "9"},
    )
    assert too_many.status_code == 400 and "督查员库只有 4 名" in text(too_many)
    word = officer.post(
        "/review/supervision/draws", {"targets": "organizations", "count": "两", "inspectors": "1"}
    )
    assert word.status_code == 400 and "抽取对象数应为 1-200 的整数" in text(word)
    assert (InspectionDraw.objects.count(), Inspection.objects.count()) == before


def test_a_draw_made_on_the_page_is_public_and_recomputes(world, city_bureau, tmp_path):
    InspectorConflict.objects.create(
        inspector=world.inspectors[0], organization=world.organization, reason="曾授课"
    )
    response = client_of(city_bureau).post(
        "/review/supervision/draws",
        {"targets": "organizations", "count": "1", "inspectors": "3", "seed": ""},
    )
    record = InspectionDraw.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/review/supervision/draws/{record.pk}"
    assert not record.seed_given and len(record.seed) == 32
    team = set(record.inspections.get().inspectors.all())
    assert world.inspectors[0] not in team and len(team) == 3
    page = text(client_of(city_bureau).get(response["Location"]))
    assert record.seed in page and "由公开信息生成" in page and "结果一致" in page
    assert "督查员0号 回避" in page
    assert draws.recompute(record)[0]


def test_the_draw_result_names_the_batches_drawn_never_their_ids(world, city_bureau):
    batch = upcoming_batch(world.organization)
    record = draws.make_draw(
        {"targets": "batches", "count": 1, "inspectors": 2, "seed": "网页测试-02"},
        actor=city_bureau,
    )
    for client, path in (
        (client_of(city_bureau), f"/review/supervision/draws/{record.pk}"),
        (client_of(), f"/draws/{record.pk}"),
    ):
        page = html(client.get(path))
        result = page[page.index('aria-labelledby="draw-result"') :]
        result = text_of(result[: result.index("</section>")])
        assert batch.title in result and world.organization.name in result, path
        assert f"batch:{batch.pk}" not in result and "user:" not in result, path
        assert "督查员" in result


# --- inspections ---------------------------------------------------------------------------


def test_findings_and_conclusion_by_the_assigned_inspector_only(drawn, city_bureau, org_user):
    path = f"/inspector/inspections/{drawn.inspection.pk}"
    data = {"stage": "理论知识考试", "findings": "考场秩序良好。"}
    assert client_of(drawn.outsider).post(f"{path}/findings", data).status_code == 404
    assert client_of(city_bureau).post(f"{path}/findings", data).status_code == 403
    assert client_of(org_user).post(f"{path}/findings", data).status_code == 403
    assert not Finding.objects.exists()

    member = client_of(drawn.team[0])
    early = member.post(f"{path}/conclude", {"conclusion": "passed", "note": "好"})
    assert early.status_code == 409 and "尚未记录检查情况" in text(early)
    blank = member.post(f"{path}/findings", {"stage": "", "findings": ""})
    assert blank.status_code == 400 and "请填写检查环节" in text(blank)
    not_an_image = member.post(
        f"{path}/findings",
        {**data, "attachment": SimpleUploadedFile("记录.txt", b"just text")},
    )
    assert not_an_image.status_code == 400
    assert "附件仅支持 PDF、JPEG 或 PNG" in text(not_an_image)
    assert not Finding.objects.exists()

    done = member.post(f"{path}/findings", {**data, "attachment": png()})
    assert done.status_code == 302
    finding = Finding.objects.get()
    assert finding.attachment_name == "现场照片.png"
    attachment = f"/supervision/findings/{finding.pk}/attachment"
    assert member.get(attachment).status_code == 200
    assert client_of(city_bureau).get(attachment)["Content-Type"] == "image/png"
    assert client_of(drawn.outsider).get(attachment).status_code == 404
    assert client_of(org_user).get(attachment).status_code == 404

    past = member.post(
        f"{path}/conclude",
        {
            "conclusion": "rectify",
            "note": "档案不全",
            "requirement": "补齐",
            "due_on": "2026-11-01",
        },
    )
    assert past.status_code == 400 and "整改期限应晚于今天" in text(past)
    assert member.post(
        f"{path}/conclude", {"conclusion": "passed", "note": "规范"}
    ).status_code == (302)
    inspection = Inspection.objects.get()
    assert inspection.state == InspectionState.CONCLUDED and inspection.conclusion == "passed"
    again = member.post(f"{path}/findings", data)
    assert again.status_code == 409 and Finding.objects.count() == 1


def test_officer_publishes_and_reviews_the_rectification(
    drawn, city_bureau, city_center, other_city_bureau, org_user
):
    conclude(
        drawn.inspection,
        drawn.team[0],
        conclusion="rectify",
        requirement="完善视频资料保存制度",
        due_on="2026-12-31",
    )
    path = f"/review/supervision/inspections/{drawn.inspection.pk}"
    assert client_of(other_city_bureau).post(f"{path}/publish").status_code == 404
    assert client_of(drawn.team[0]).post(f"{path}/publish").status_code == 403
    listing = html(client_of(city_bureau).get("/review/supervision/inspections?show=concluded"))
    assert f'action="{path}/publish"' in listing
    assert client_of(city_bureau).post(f"{path}/publish", {"next": "list"}).status_code == 302
    drawn.inspection.refresh_from_db()
    assert drawn.inspection.state == InspectionState.PUBLISHED
    twice = client_of(city_bureau).post(f"{path}/publish")
    assert twice.status_code == 409 and "不能公开" in text(twice)

    early = client_of(city_center).post(f"{path}/rectification", {"accepted": "1"})
    assert early.status_code == 409 and "尚未报送整改情况" in text(early)
    org = client_of(org_user)
    blank = org.post(f"/org/inspections/{drawn.inspection.pk}/rectification", {"response": ""})
    assert blank.status_code == 400 and "请填写整改情况" in text(blank)
    reported = org.post(
        f"/org/inspections/{drawn.inspection.pk}/rectification",
        {"response": "已购置存储设备，录像保存 90 天。"},
    )
    assert reported.status_code == 302
    page = text(client_of(city_bureau).get(path))
    assert "已购置存储设备" in page and "整改通过" in page
    assert client_of(city_bureau).post(f"{path}/rectification", {"accepted": "1"}).status_code == (
        302
    )
    drawn.inspection.rectification.refresh_from_db()
    assert drawn.inspection.rectification.accepted is True
    assert "整改通过" in text(org.get("/org/inspections"))


def test_an_inspector_declares_a_conflict(world):
    inspector = client_of(world.inspectors[1])
    page = html(inspector.get("/inspector/conflicts"))
    assert world.organization.name in page
    blank = inspector.post(
        "/inspector/conflicts", {"organization": str(world.organization.pk), "reason": " "}
    )
    assert blank.status_code == 400 and "请填写回避原因" in text(blank)
    none = inspector.post("/inspector/conflicts", {"organization": "", "reason": "亲属"})
    assert none.status_code == 400 and "请选择评价组织" in text(none)
    assert not InspectorConflict.objects.exists()
    done = inspector.post(
        "/inspector/conflicts",
        {"organization": str(world.organization.pk), "reason": "配偶在该机构工作"},
    )
    assert done.status_code == 302
    assert "配偶在该机构工作" in text(inspector.get("/inspector/conflicts"))


# --- annual reports ------------------------------------------------------------------------


def test_the_annual_report_shows_its_figures_and_is_filed_once(world, org_user, city_bureau):
    client = client_of(org_user)
    page = client.get("/org/annual-reports")
    body = html(page)
    expected = reports.report_statistics(world.organization, 2026)
    assert (
        expected["certificates"]
        == Certificate.objects.filter(organization=world.organization).count()
    )
    for key in ("batches", "candidates", "passed", "certificates"):
        assert f'data-stat="{key}">{expected[key]}<' in body, key
    assert "2027年3月31日前报送" in text(page)
    missing = text(client_of(city_bureau).get("/review/supervision/reports?year=2026"))
    assert world.organization.name in missing and "未报送（1 个）" in missing

    blank = client.post("/org/annual-reports", {"year": "2026", "narrative": " "})
    assert blank.status_code == 400 and "请填写年度工作情况" in text(blank)
    filed = client.post(
        "/org/annual-reports", {"year": "2026", "narrative": "全年开展焊工认定 1 批次。"}
    )
    assert filed.status_code == 302
    report = AnnualReport.objects.get()
    assert report.statistics["certificates"] == expected["certificates"] and not report.late
    again = client.post("/org/annual-reports", {"year": "2026", "narrative": "重复报送"})
    assert again.status_code == 409
    assert "2026 年度报告已报送，不能重复报送" in text(again)
    assert AnnualReport.objects.count() == 1
    assert "全年开展焊工认定 1 批次。" in text(client.get("/org/annual-reports"))

    officer = client_of(city_bureau)
    listing = text(officer.get("/review/supervision/reports?year=2026"))
    assert "未报送（0 个）" in listing and "已报送（1 个）" in listing
    detail = officer.get(f"/review/supervision/reports/{report.pk}")
    assert detail.status_code == 200 and "全年开展焊工认定" in text(detail)


# --- violations and exit -------------------------------------------------------------------


def test_a_violation_with_exit_revokes_the_organization(world, city_bureau, city_center):
    path = f"/review/supervision/organizations/{world.organization.pk}"
    page = text(client_of(city_bureau).get(path))
    assert "撤销备案" in page and "不能撤回" in page
    assert f'action="{path}/violations"' not in html(client_of(city_center).get(path))

    missing = client_of(city_bureau).post(f"{path}/violations", {"description": "x"})
    assert missing.status_code == 400 and "请选择违规类型" in text(missing)
    refused = client_of(city_center).post(
        f"{path}/violations", {"kind": "dishonesty", "description": "失信", "exit": "on"}
    )
    assert refused.status_code == 403
    assert not Violation.objects.exists()

    done = client_of(city_bureau).post(
        f"{path}/violations",
        {"kind": "false_materials", "description": "提供虚假场地证明", "exit": "on"},
    )
    assert done.status_code == 302
    world.organization.refresh_from_db()
    assert world.organization.status == OrganizationStatus.REVOKED
    violation = Violation.objects.get()
    assert violation.led_to_exit
    after = text(client_of(city_bureau).get(path))
    assert "已据此撤销备案" in after and "提供虚假场地证明" in after
    listing = text(client_of(city_bureau).get("/review/supervision/violations"))
    assert "提供虚假材料" in listing and "撤销备案" in listing


# --- statistics ----------------------------------------------------------------------------


def chart_bars(body: str, key: str) -> dict[str, int]:
    """The bars of one chart of the page: {data-key: data-value}."""
    match = re.search(rf'<svg class="chart [^"]*" id="chart-{key}".*?</svg>', body, re.S)
    assert match, key
    return {
        k: int(v)
        for k, v in re.findall(
            r'<g class="bar" data-key="([^"]*)" data-label="[^"]*" data-value="(\d+)"',
            match.group(0),
        )
    }


def test_the_charts_show_the_figures_of_the_json(drawn, city_bureau, org_user):
    reports.file_annual_report(
        drawn.inspection.organization, {"year": 2026, "narrative": "x"}, actor=org_user
    )
    client = client_of(city_bureau)
    page = client.get("/review/supervision/statistics?start=2026-01-01&end=2026-12-31")
    body = html(page)
    figures = client.get("/api/v1/statistics?from=2026-01-01&to=2026-12-31").json()
    assert figures["certificates_total"] > 0
    assert f'data-figure="certificates_total">{figures["certificates_total"]}<' in body
    assert chart_bars(body, "city") == figures["certificates_by_city"]
    occupations = dict(list(figures["certificates_by_occupation"].items())[:15])
    assert chart_bars(body, "occupation") == occupations
    assert chart_bars(body, "level") == figures["certificates_by_level"]
    months = chart_bars(body, "month")
    assert list(months) == [f"2026-{m:02d}" for m in range(1, 13)]
    assert {k: v for k, v in months.items() if v} == figures["certificates_by_month"]
    assert chart_bars(body, "status") == figures["organizations_by_status"]
    assert chart_bars(body, "deadlines") == figures["deadlines"]
    assert figures["deadlines"]["年度报告（按期）"] == 1
    # Scalable, labelled, no script.
    assert body.count('width="100%"') >= 6 and 'viewBox="0 0 420 ' in body
    assert 'role="img" aria-labelledby="chart-city-title chart-city-desc"' in body
    assert "<script" not in body
    bad = client.get("/review/supervision/statistics?start=2026-12-31&end=2026-01-01")
    assert "结束日期不能早于开始日期" in text(bad)

    for path in ("/review/supervision/statistics.xlsx", "/review/supervision/talent.xlsx"):
        response = client.get(f"{path}?start=2026-01-01&end=2026-12-31")
        assert response.status_code == 200 and response["Content-Type"] == XLSX
        assert response.content[:2] == b"PK"


def test_the_charts_escape_what_the_records_say(world, city_bureau):
    Certificate.objects.filter(organization=world.organization).update(
        occupation_name='<script>alert("x")</script>焊工'
    )
    refresh_statistics()  # an ORM write: the periodic job's refresh
    body = html(
        client_of(city_bureau).get("/review/supervision/statistics?start=2026-01-01&end=2026-12-31")
    )
    assert "<script>" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;焊工" in body


# --- the chart helper ----------------------------------------------------------------------


def test_nice_ticks_and_fitting_labels():
    assert charts.nice_ticks(0) == [0, 1]
    assert charts.nice_ticks(7) == [0, 2, 4, 6, 8]
    assert charts.nice_ticks(23) == [0, 5, 10, 15, 20, 25]
    assert charts.nice_ticks(120) == [0, 50, 100, 150]
    assert charts.text_width("焊工") == 28 and charts.text_width("ab") == pytest.approx(16.8)
    assert charts.fit("焊工", 100) == "焊工"
    cut = charts.fit("计算机程序设计员高级工程技术人员", 70)
    assert cut.endswith("…") and charts.text_width(cut) <= 70


def test_bar_and_column_charts_are_accessible_scalable_svg():
    svg = charts.bar_chart(
        charts.bars({"合肥": 5, "芜湖": 0}), chart_id="c", title="按地市", unit="张"
    )
    assert svg.startswith('<svg class="chart bar-chart" id="c" viewBox="0 0 420 ')
    assert 'width="100%"' in svg and 'role="img"' in svg
    assert '<title id="c-title">按地市</title>' in svg
    assert '<desc id="c-desc">合肥 5 张；芜湖 0 张</desc>' in svg
    assert 'data-key="合肥" data-label="合肥" data-value="5"' in svg
    columns = charts.column_chart(
        [charts.Bar("1月", 2, key="2026-01"), charts.Bar("2月", 0, key="2026-02")],
        chart_id="m",
        title="按月份",
    )
    assert 'data-key="2026-01" data-label="1月" data-value="2"' in columns
    assert "rotate" not in columns  # short labels stay level
    many = charts.column_chart(
        [charts.Bar(f"2026-{m:02d}", m) for m in range(1, 13)], chart_id="y", title="月"
    )
    assert "rotate(-45" in many
    empty = charts.bar_chart([], chart_id="e", title="空")
    assert "暂无数据" in empty and 'role="img"' in empty
    with pytest.raises(ValueError):
        charts.bar_chart([charts.Bar("x", -1)], chart_id="n", title="负数")
    with pytest.raises(ValueError):
        charts.bar_chart([charts.Bar("x", 1, "purple")], chart_id="t", title="颜色")


# --- dashboard and navigation --------------------------------------------------------------


def test_dashboard_and_nav_link_the_supervision_pages(drawn, org_user, city_bureau, admin_user):
    page = html(client_of(city_bureau).get("/dashboard"))
    assert 'href="/review/supervision/draws"' in page
    assert 'href="/review/supervision/statistics"' in page and "待检查" in page
    page = html(client_of(drawn.team[0]).get("/dashboard"))
    assert 'href="/inspector/inspections"' in page and 'href="/inspector/conflicts"' in page
    page = html(client_of(org_user).get("/dashboard"))
    assert 'href="/org/annual-reports"' in page and "2027年3月31日前报送" in page
    assert 'href="/review/supervision/draws"' not in html(client_of(admin_user).get("/dashboard"))
