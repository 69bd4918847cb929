"""The site's style sheet: a rule meant for one page does not restyle another's markup."""

from __future__ import annotations

import re
from pathlib import Path

from django.template.loader import render_to_string

from skillcert.rules.filing import CheckItem

WEB = Path(__file__).resolve().parents[2] / "src" / "skillcert" / "web"
CSS = (WEB / "static" / "web" / "site.css").read_text(encoding="utf-8")
RULE = re.compile(r"([^{}]+)\{[^{}]*\}")
CLASS = re.compile(r"\.([A-Za-z0-9_-]+)")
# Classes that only the verify page's answer carries (verify.html).
VERIFY_ONLY = {"verify-answer", "answer-valid", "answer-revoked", "answer-superseded"}


def selectors() -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", CSS, flags=re.DOTALL)
    return [
        selector.strip()
        for group in RULE.findall(css)
        for selector in group.split(",")
        if selector.strip() and not selector.strip().startswith("@")
    ]


def classes_of(markup: str) -> set[str]:
    return {name for value in re.findall(r'class="([^"]*)"', markup) for name in value.split()}


def checklist_markup() -> str:
    items = [
        CheckItem("1", "（一）在本省登记注册", True, "合肥市市场监督管理局登记"),
        CheckItem("2", "（二）职业在目录内", False, "「保安员」属于准入类职业资格"),
    ]
    return render_to_string("web/parts/checklist.html", {"checklist": items})


def test_checklist_carries_its_verdicts_as_text():
    markup = checklist_markup()
    assert '<span class="verdict">符合</span>' in markup
    assert '<span class="verdict">不符合</span>' in markup


def test_verify_page_styles_do_not_reach_the_checklist():
    """Every rule styling a .verdict names the page it is meant for; the verify page's
    answer box (flex, border, padding) once turned the checklist's 符合/不符合 into boxes."""
    checklist_classes = classes_of(checklist_markup())
    assert "verdict" in checklist_classes
    assert not checklist_classes & VERIFY_ONLY
    verdict_rules = [s for s in selectors() if "verdict" in CLASS.findall(s)]
    assert verdict_rules
    for selector in verdict_rules:
        scope = set(CLASS.findall(selector)) - {"verdict"}
        assert scope & ({"checklist"} | VERIFY_ONLY), f"unscoped: {selector}"
    verify_rules = [s for s in verdict_rules if "checklist" not in CLASS.findall(s)]
    for selector in verify_rules:
        assert set(CLASS.findall(selector)) & VERIFY_ONLY, selector


def test_verify_page_answer_box_classes_are_scoped():
    for selector in selectors():
        names = set(CLASS.findall(selector))
        if names & {"verdict-mark", "verdict-title"}:
            assert names & VERIFY_ONLY, f"unscoped: {selector}"
