"""Logins in a browser (docs/security.md, "A"): five wrong passwords lock an account with a
message in Chinese, the security administrator unlocks it, and the officer changes the
password on the password page. On an instance of its own (the lock would disturb the shared
demo's journeys)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from skillcert.ops.demo import DEMO_PASSWORD
from tests.e2e import conftest as e2e
from tests.e2e.conftest import DESKTOP, PHONE

SECURITY_PASSWORD = "Security-admin-2026"


@pytest.fixture(scope="module")
def accounts_instance() -> Iterator[str]:
    data_dir, env, log = e2e.demo_data_dir("accounts")
    e2e._run_command(
        [
            "user",
            "add",
            "sec_admin",
            "--password",
            SECURITY_PASSWORD,
            "--role",
            "security_admin",
            "--authority",
            "province",
            "--name",
            "孙强",
            "--department",
            "安徽省人社厅信息中心",
        ],
        env,
        log,
    )
    process, base_url = e2e._start_server(env, log)
    try:
        yield base_url
    finally:
        e2e._stop(process)
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def open_page(browser, accounts_instance):
    yield from e2e.page_opener(browser, accounts_instance)


def both_screenshots(page: Page, name: str) -> None:
    e2e.save_screenshot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["viewport"], f"page scrolls sideways: {widths}"
    e2e.save_screenshot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    form = page.locator("main form")
    form.get_by_label("用户名").fill(username)
    form.get_by_label("密码").fill(password)
    form.get_by_role("button", name="登录").click()


def test_lock_unlock_and_password_change(open_page):
    officer = open_page()
    for _ in range(5):
        log_in(officer, "hefei_bureau", "Wrong-pass-2026")
    expect(officer.get_by_role("heading", name="账号已被锁定")).to_be_visible()
    expect(officer.locator("main")).to_contain_text(
        "账号已被锁定，请于 15 分钟后再试或联系安全管理员"
    )
    both_screenshots(officer, "accounts-locked")
    log_in(officer, "hefei_bureau", DEMO_PASSWORD)  # the right password: still locked
    expect(officer.get_by_role("heading", name="账号已被锁定")).to_be_visible()

    admin = open_page()
    log_in(admin, "sec_admin", SECURITY_PASSWORD)
    expect(admin).to_have_url(re.compile(r"/dashboard$"))
    admin.get_by_role("navigation", name="主导航").get_by_role("link", name="账号锁定").click()
    row = admin.locator("tr", has_text="hefei_bureau")
    expect(row).to_contain_text("张明")
    both_screenshots(admin, "accounts-security-locks")
    row.get_by_role("button", name="解除锁定").click()
    expect(admin.locator(".messages")).to_contain_text("已解除账号 hefei_bureau 的锁定")
    expect(admin.locator("main")).to_contain_text("目前没有被锁定的账号")

    log_in(officer, "hefei_bureau", DEMO_PASSWORD)
    expect(officer).to_have_url(re.compile(r"/dashboard$"))
    officer.get_by_role("navigation", name="主导航").get_by_role("link", name="修改密码").click()
    form = officer.locator("main form")
    form.get_by_label("原密码").fill(DEMO_PASSWORD)
    form.get_by_label("新密码", exact=True).fill("aaaaaaaaaaaa")
    form.get_by_label("确认新密码").fill("aaaaaaaaaaaa")
    form.get_by_role("button", name="保存新密码").click()
    expect(officer.locator("main")).to_contain_text(
        "须包含大写字母、小写字母、数字和符号中的至少 3 类"
    )
    both_screenshots(officer, "accounts-password-refused")
    form = officer.locator("main form")
    form.get_by_label("原密码").fill(DEMO_PASSWORD)
    form.get_by_label("新密码", exact=True).fill("Hefei-new-pass-2026")
    form.get_by_label("确认新密码").fill("Hefei-new-pass-2026")
    form.get_by_role("button", name="保存新密码").click()
    expect(officer).to_have_url(re.compile(r"/dashboard$"))
    expect(officer.locator(".messages")).to_contain_text("密码已修改")
