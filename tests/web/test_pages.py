"""Pages for people: Chinese, reachable, and the login and registration flows."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from skillcert.registry.models import Organization
from tests.conftest import PASSWORD
from tests.support.factories import credit_code

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/", "证书查询"),
        ("/catalog", "目前还没有已备案的评价组织"),
        ("/catalog?scope=province", "面向全省开展认定的评价组织目录"),
        ("/notices", "目前没有正在公示的事项"),
        ("/verify", "职业技能等级证书查询"),
        ("/verify/S000034010001263000001", "S000034010001263000001"),
        ("/login", "登录"),
        ("/register", "评价组织注册"),
    ],
)
def test_public_pages_are_in_chinese(client: Client, path, text):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert text in html


PUBLIC_PAGES = ["/", "/catalog", "/notices", "/verify", "/login", "/register"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_link_the_developer_docs_without_jargon(client: Client, path):
    html = client.get(path).content.decode()
    assert '<a href="/api/docs" data-developer-docs>开发者接口</a>' in html
    assert "开放接口" not in html
    words = re.sub(r"<[^>]+>", "", html)
    for jargon in ("Ed25519", "EdDSA", "JWS", "JWKS", "kid"):
        assert jargon not in words, jargon


def test_unknown_page_is_a_chinese_404(client: Client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_verify_explains_a_malformed_number(client: Client):
    html = client.get("/verify", {"number": "S0000", "name": "张三"}).content.decode()
    assert "证书编号" in html and "22" in html


def test_verify_unknown_number(client: Client):
    html = client.get("/verify", {"number": "S000034010001263000001", "name": "张三"}).content
    assert "未查询到该证书" in html.decode()


def test_dashboard_requires_login(client: Client):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response["Location"].startswith("/login")


def test_login_shows_role_and_authority(client: Client, city_bureau):
    response = client.post("/login", {"username": "hf_bureau", "password": PASSWORD}, follow=True)
    html = response.content.decode()
    assert "工作台" in html and "市人社局" in html and "合肥市" in html


def test_wrong_password_is_explained(client: Client, city_bureau):
    html = client.post("/login", {"username": "hf_bureau", "password": "nope"}).content.decode()
    assert "请输入一个正确的" in html or "不正确" in html


def test_register_page_registers_and_logs_in(client: Client, authorities):
    code = credit_code("340104", "WB000001")
    response = client.post(
        "/register",
        {
            "name": "合肥网页注册培训学校",
            "credit_code": code,
            "username": "web_org",
            "password": "Web-pass-2026",
            "password_again": "Web-pass-2026",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "注册成功" in html and "尚未备案" in html
    assert Organization.objects.filter(credit_code=code).exists()


def test_register_page_shows_credit_code_error_and_writes_nothing(client: Client, authorities):
    code = credit_code("340104", "WB000002")
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    html = client.post(
        "/register",
        {
            "name": "合肥网页注册培训学校",
            "credit_code": bad,
            "username": "web_org2",
            "password": "Web-pass-2026",
            "password_again": "Web-pass-2026",
        },
    ).content.decode()
    assert "校验" in html
    assert not Organization.objects.exists()
