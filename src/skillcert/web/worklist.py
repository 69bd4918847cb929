"""The worklist on the home pages and its count in the navigation: what I can do now."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse

from skillcert.registry.models import Objection
from skillcert.supervision.models import Rectification
from skillcert.workflow.worklist import counts, worklist

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from skillcert.accounts.models import User

TYPE_LABELS = {
    "filing": "备案申请",
    "organization": "评价组织",
    "objection": "公示期异议",
    "batch": "认定批次",
    "segment_request": "号段申请",
    "national_export": "全国联网上报",
    "filing_report": "备案报部",
    "certificate": "证书",
    "inspection": "监督检查",
    "rectification": "限期整改",
    "annual_report": "年度报告",
}


def _objection_link(pk: int, organization_user: bool) -> str:
    objection = Objection.objects.filter(pk=pk).only("filing_id", "batch_id").first()
    if objection is None:
        return ""
    if objection.filing_id is not None:
        return reverse("web:review_case", args=[objection.filing_id]) + "#objections"
    return reverse("web:review_batch", args=[objection.batch_id]) + "#objections"


def _rectification_link(pk: int, organization_user: bool) -> str:
    inspection = Rectification.objects.filter(pk=pk).values_list("inspection_id", flat=True)
    inspection_id = inspection.first()
    if inspection_id is None:
        return ""
    if organization_user:
        return reverse("web:org_inspections") + f"#inspection-{inspection_id}"
    return reverse("web:supervision_inspection", args=[inspection_id])


def link_for(item: dict[str, Any], user: User | AnonymousUser) -> str:
    """The page where the item's action is taken."""
    organization_user = getattr(user, "role", None) == "organization"
    kind, pk = item["type"], item["id"]
    names = {
        "filing": "web:org_filing" if organization_user else "web:review_case",
        "batch": "web:org_batch" if organization_user else "web:review_batch",
        "organization": "web:review_organization",
        "inspection": "web:inspector_inspection"
        if getattr(user, "role", None) == "inspector"
        else "web:supervision_inspection",
    }
    try:
        if kind == "objection":
            return _objection_link(pk, organization_user)
        if kind == "filing" and organization_user and item["action"] == "submit":
            return reverse("web:org_filing_edit", args=[pk]) + "?step=review"
        if kind == "batch" and organization_user and item["action"] == "submit":
            return reverse("web:org_batch_edit", args=[pk]) + "?step=review"
        if kind in names:
            return reverse(names[kind], args=[pk])
        if kind == "segment_request":
            return reverse("web:review_segments") + f"#request-{pk}"
        if kind == "national_export":
            return reverse("web:review_national")
        if kind == "filing_report":
            return reverse("web:review_national_filing_reports") + f"#report-{pk}"
        if kind == "rectification":
            return _rectification_link(pk, organization_user)
        if kind == "annual_report":  # ``id`` is the organization's: one page files every year
            return reverse("web:org_reports")
    except NoReverseMatch:
        return ""
    return ""


def items_for(request: HttpRequest) -> list[dict[str, Any]]:
    """The signed-in user's worklist, computed once per request (the navigation's count and
    the home page's card read the same list)."""
    cached = getattr(request, "_worklist_items", None)
    if cached is None:
        cached = worklist(request.user)
        vars(request)["_worklist_items"] = cached  # a per-request cache on the request
    return cached


def worklist_view(
    user: User | AnonymousUser, items: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The home page's 待办事项 card: ``items`` when the request already has them."""
    items = [dict(item) for item in (worklist(user) if items is None else items)]
    for item in items:
        item["type_label"] = TYPE_LABELS.get(item["type"], item["type"])
        item["link"] = link_for(item, user)
    by_type = counts(items)
    return {
        "items": items,
        "total": len(items),
        "overdue": sum(1 for item in items if item["overdue"]),
        "counts": [
            {"type": kind, "label": TYPE_LABELS.get(kind, kind), "count": n}
            for kind, n in sorted(by_type.items(), key=lambda kv: -kv[1])
        ],
    }


def worklist_count(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the number of items waiting for the signed-in user (lazily)."""
    from django.utils.functional import SimpleLazyObject

    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    return {"work_count": SimpleLazyObject(lambda: len(items_for(request)))}
