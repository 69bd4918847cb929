"""办事指南 pages, the links to them, and the government-site footer on every page."""

from __future__ import annotations

import re

import pytest

from skillcert.reference.models import ServiceGuide
from tests.support import personas

pytestmark = pytest.mark.django_db


def test_the_guide_list_shows_the_seven_guides():
    response = personas.anonymous().web.get("/guide")
    assert response.status_code == 200
    html = response.content.decode()
    for guide in ServiceGuide.objects.all():
        assert f'href="/guide/{guide.slug}"' in html
        assert guide.title in html
    assert len(re.findall(r'href="/guide/[a-z-]+"', html)) >= 7


@pytest.mark.parametrize(
    "slug", ["filing", "change", "renewal", "cross-city", "plan", "results", "verify"]
)
def test_each_guide_page_shows_every_section(slug):
    html = personas.anonymous().web.get(f"/guide/{slug}").content.decode()
    for heading in [
        "事项名称",
        "设定依据",
        "申请条件",
        "申请材料",
        "办理流程",
        "办理时限",
        "收费标准",
        "办理地点和渠道",
        "咨询方式",
    ]:
        assert f"<dt>{heading}</dt>" in html
    assert "不收费" in html
    assert "皖人社秘〔2020〕65号" in html
    assert "修改</a>" not in html  # the public cannot edit


def test_an_unknown_guide_is_404():
    assert personas.anonymous().web.get("/guide/nothing").status_code == 404


def test_edited_text_is_escaped_and_its_line_breaks_kept():
    dept = personas.province_officer()
    guide = ServiceGuide.objects.get(slug="filing")
    data = {
        name: getattr(guide, name)
        for name in [
            "title",
            "summary",
            "basis",
            "conditions",
            "materials",
            "process",
            "time_limit",
            "fees",
            "channel",
            "contact",
        ]
    }
    data["conditions"] = '第一行<script>alert(1)</script>\r\n第二行<a href="x">链接</a>'
    response = dept.web.post("/guide/filing/edit", data)
    assert response.status_code == 302
    html = personas.anonymous().web.get("/guide/filing").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>第二行&lt;a href=&quot;x&quot;&gt;" in html
    # The province department sees the edit link.
    assert 'href="/guide/filing/edit"' in dept.web.get("/guide/filing").content.decode()


def test_an_empty_required_section_is_refused_on_the_page():
    dept = personas.province_officer()
    response = dept.web.post("/guide/plan/edit", {"title": "计划报备", "basis": ""})
    assert response.status_code == 400
    assert ServiceGuide.objects.get(slug="plan").title == "职业技能等级认定计划报备"


def test_the_related_pages_link_to_the_guides():
    public = personas.anonymous().web
    assert 'href="/guide/filing"' in public.get("/").content.decode()
    assert 'href="/guide/verify"' in public.get("/verify").content.decode()
    org = personas.organization_user()
    assert 'href="/guide/filing"' in org.web.get("/org/filings").content.decode()
    filed = personas.organization_user("in_pilot")
    assert 'href="/guide/plan"' in filed.web.get("/org/batches/new").content.decode()


# --- the footer ------------------------------------------------------------------------------


def _footer(html: str) -> str:
    match = re.search(r"<footer.*?</footer>", html, re.S)
    assert match, "no footer"
    return match.group(0)


def test_the_footer_is_on_public_and_signed_in_pages():
    pages = [
        (personas.anonymous(), "/"),
        (personas.anonymous(), "/guide/filing"),
        (personas.anonymous(), "/verify"),
        (personas.organization_user(), "/dashboard"),
        (personas.city_officer("01"), "/review/filings"),
    ]
    for persona, path in pages:
        response = persona.web.get(path)
        assert response.status_code == 200, path
        footer = _footer(response.content.decode())
        for label in [
            "主办单位",
            "承办单位",
            "联系电话",
            "地址",
            "ICP备案号",
            "公安机关备案号",
            "网站标识码",
        ]:
            assert label in footer, (path, label)
        assert "安徽省人力资源和社会保障厅" in footer
        assert "待设置" in footer
        assert 'href="/guide"' in footer


def test_the_administrator_sets_the_footer_and_every_page_shows_it_at_once():
    admin = personas.province_officer("system_admin")
    assert admin.web.get("/account/site").status_code == 200
    response = admin.web.post(
        "/account/site",
        {
            "sponsor": "安徽省人力资源和社会保障厅",
            "organizer": "安徽省职业技能鉴定中心<b>",
            "phone": "0551-62623630",
            "address": "合肥市",
            "icp_record": "皖ICP备05001234号-1",
            "police_record": "皖公网安备 34010402000123号",
            "site_code": "3400000001",
        },
    )
    assert response.status_code == 302
    footer = _footer(personas.anonymous().web.get("/").content.decode())
    assert "皖ICP备05001234号-1" in footer
    assert 'href="https://beian.miit.gov.cn/"' in footer
    assert "code=34010402000123" in footer
    assert "3400000001" in footer
    assert "安徽省职业技能鉴定中心&lt;b&gt;" in footer
    assert "待设置" not in footer


def test_a_bad_site_code_is_refused_on_the_page():
    admin = personas.province_officer("system_admin")
    response = admin.web.post("/account/site", {"site_code": "abc"})
    assert response.status_code == 400
    assert "网站标识码" in response.content.decode()
