"""Who is told what about a filing case (domain.md §9), inside the step's transaction.

The reviewers are the case's deciding bureau (the city's 人社局, or the province department for
the province channel); the applicant is every active account of the organization. Each title
names the case number; the link is the page where the recipient acts.
"""

from __future__ import annotations

from skillcert.accounts.roles import Role
from skillcert.inbox.service import notify, officers, organization_users
from skillcert.registry.models import FilingCase


def _reviewer_roles(case: FilingCase) -> list[str]:
    return [Role.PROVINCE_DEPT if case.authority.is_province else Role.CITY_BUREAU]


def _name(case: FilingCase) -> str:
    return case.basic.get("name") or case.organization.name


def _ref(case: FilingCase) -> str:
    return case.case_number or f"#{case.pk}"


def tell_reviewers(case: FilingCase, *, event: str, title: str, body: str) -> None:
    notify(
        officers(_reviewer_roles(case), case.authority_id),
        event=event,
        title=title,
        body=body,
        link=f"/review/filings/{case.pk}",
        subject=f"filing:{case.pk}",
    )


def tell_applicant(case: FilingCase, *, event: str, title: str, body: str) -> None:
    notify(
        organization_users(case.organization_id),
        event=event,
        title=title,
        body=body,
        link=f"/org/filings/{case.pk}",
        subject=f"filing:{case.pk}",
    )


def submitted(case: FilingCase, *, again: bool) -> None:
    what = "补正后重新提交" if again else "提交"
    tell_reviewers(
        case,
        event="filing.submitted",
        title=f"收到备案申请 {_ref(case)}（{_name(case)}）",
        body=f"{_name(case)}已{what}{case.get_kind_display()}申请，"
        f"请于 {case.acceptance_due} 前作出是否受理的决定。",
    )


def correction_requested(case: FilingCase) -> None:
    count = len(case.correction_items)
    tell_applicant(
        case,
        event="filing.correction_requested",
        title=f"备案申请 {_ref(case)} 需要补正",
        body=f"受理机关一次性告知需要补正的内容共 {count} 项，请按补正告知书修改后重新提交。"
        "补正期间不计受理期限，重新提交后重新计算 10 个工作日。",
    )


def decided(case: FilingCase, action: str) -> None:
    """accepted / not accepted / selected / not selected / filed: to the organization."""
    ref = _ref(case)
    texts = {
        "accept": (
            "filing.accepted",
            f"备案申请 {ref} 已受理",
            "受理通知书已出具，下一步为技术评估。",
        ),
        "not-accept": (
            "filing.not_accepted",
            f"备案申请 {ref} 不予受理",
            f"不予受理通知书已出具。理由：{case.decision_reason}",
        ),
        "select": ("filing.selected", f"备案申请 {ref} 遴选通过", "下一步将向社会公示。"),
        "not-select": (
            "filing.not_selected",
            f"备案申请 {ref} 未予遴选",
            f"理由：{case.decision_reason}",
        ),
        "file": (
            "filing.filed",
            f"备案申请 {ref} 已予以备案",
            f"备案号 {case.filing_number}，备案回执已出具，可在申请页面下载。",
        ),
    }
    event, title, body = texts[action]
    tell_applicant(case, event=event, title=title, body=body)


def withdrawn(case: FilingCase) -> None:
    tell_reviewers(
        case,
        event="filing.withdrawn",
        title=f"备案申请 {_ref(case)} 已撤回（{_name(case)}）",
        body=f"{_name(case)}已撤回{case.get_kind_display()}申请，本件办结。",
    )
