"""The text of the registry's formal documents (文书, domain.md §9), and their issuing.

Each function returns the paragraphs of one document, in the wording of the 政务服务
notices, citing 《关于开展职业技能等级认定工作的通知》（皖人社秘〔2020〕65号）. ``issue_for_case``
and ``issue_revocation`` issue them through ``formal.service.issue`` inside the caller's
transaction (the step's own), so a step and its document commit together.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from skillcert.audit.service import Actor
from skillcert.formal.models import DocumentKind, DocumentStatus, FormalDocument
from skillcert.formal.service import issue, lapse, revoke
from skillcert.registry.models import FilingCase, Organization
from skillcert.registry.workflow import FilingKind
from skillcert.rules.filing import ACCEPTANCE_WORKING_DAYS
from skillcert.rules.levels import level_name

NOTICE = "《关于开展职业技能等级认定工作的通知》（皖人社秘〔2020〕65号）"


def _date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _applicant(case: FilingCase) -> str:
    return case.basic.get("name") or case.organization.name


def _application(case: FilingCase) -> str:
    """你单位于2026年9月18日提交的职业技能等级认定评价组织首次备案申请（办件编号 BA-…）"""
    kind = FilingKind(case.kind).label
    number = f"（办件编号：{case.case_number}）" if case.case_number else ""
    submitted = f"于{_date(case.submitted_on)}" if case.submitted_on else ""
    return f"你单位{submitted}提交的职业技能等级认定评价组织{kind}申请{number}"


def acceptance_body(case: FilingCase) -> list[str]:
    return [
        f"{_applicant(case)}：",
        f"{_application(case)}，经审查，申请材料齐全、符合法定形式。根据{NOTICE}有关规定，"
        "决定予以受理。",
        "我局（厅）将组织开展技术评估，并根据评估结果确定遴选结果；遴选通过的，将向社会公示"
        "不少于5个工作日。请保持联系方式畅通，按要求配合做好听取报告、访谈咨询、质询答辩、"
        "资料审核和技术核查等工作。",
        "特此通知。",
    ]


def non_acceptance_body(case: FilingCase) -> list[str]:
    return [
        f"{_applicant(case)}：",
        f"{_application(case)}，经审查，不符合受理条件。根据{NOTICE}有关规定，决定不予受理。",
        f"不予受理的理由：{case.decision_reason}",
        "你单位按上述意见改进后，可重新提出备案申请。",
        "特此通知。",
    ]


def correction_body(case: FilingCase, items: list[dict[str, str]]) -> list[str]:
    """Every item as a paragraph of its own (一次性告知)."""
    paragraphs = [
        f"{_applicant(case)}：",
        f"{_application(case)}，经审查，申请材料不齐全或者不符合法定形式。根据{NOTICE}和政务服务"
        f"一次性告知的有关要求，现将需要补正的全部内容一次性告知如下：",
    ]
    for index, item in enumerate(items, start=1):
        paragraphs.append(f"{index}. {item['label']}：{item['message']}")
    paragraphs += [
        "请你单位登录职业技能等级认定服务平台，按上述事项补正后重新提交。补正期间不计入受理"
        f"期限；自重新提交之日起，我局（厅）在{ACCEPTANCE_WORKING_DAYS}个工作日内作出是否受理的"
        "决定。",
        "特此告知。",
    ]
    return paragraphs


def filing_receipt_body(case: FilingCase) -> list[str]:
    paragraphs = [
        f"{_applicant(case)}：",
        f"{_application(case)}，经技术评估、遴选和公示，公示期满无异议。根据{NOTICE}有关规定，"
        "予以备案。",
        f"备案号：{case.filing_number}",
        f"统一社会信用代码：{case.organization.credit_code}",
        "备案的职业（工种）及等级：",
    ]
    for occupation in case.occupations.all():
        levels = "、".join(level_name(level) for level in sorted(occupation.levels))
        work_type = f"（{occupation.work_type}）" if occupation.work_type else ""
        paragraphs.append(f"{occupation.name}{work_type}（{occupation.code}）：{levels}")
    if case.filed_valid_until:
        paragraphs.append(f"备案有效期至{_date(case.filed_valid_until)}。")
    if case.filed_pilot_until and case.kind == FilingKind.INITIAL:
        paragraphs.append(
            f"试点期至{_date(case.filed_pilot_until)}，试点期间在登记注册地开展认定，"
            "试点期满经评估合格后正式开展认定工作。"
        )
    paragraphs += [
        "请严格按照备案的职业（工种）及等级开展职业技能等级认定，接受人力资源社会保障部门"
        "和社会公众的监督。本回执报人力资源社会保障部职业技能鉴定中心评估确认。",
    ]
    return paragraphs


def revocation_body(organization: Organization, *, category: str, reason: str) -> list[str]:
    return [
        f"{organization.name}：",
        f"你单位（备案号：{organization.filing_number}，统一社会信用代码："
        f"{organization.credit_code}）在开展职业技能等级认定工作中存在{category}的情形。",
        f"具体情况：{reason}",
        f"根据{NOTICE}有关规定，决定撤销你单位职业技能等级认定备案，收回备案号，"
        "并向社会公告。自本决定作出之日起，你单位不得再开展职业技能等级认定、颁发职业技能"
        "等级证书。",
        "你单位如对本决定不服，可依法申请行政复议或者提起行政诉讼。",
    ]


def issue_for_case(kind: str, case: FilingCase, body: list[str], *, actor: Actor) -> FormalDocument:
    """Issue a document on a filing case, from its authority to the applying organization."""
    return issue(
        kind,
        authority=case.authority,
        recipient=_applicant(case),
        subject=f"filing:{case.pk}",
        body=body,
        actor=actor,
    )


def issue_revocation(
    organization: Organization, *, category: str, reason: str, actor: Actor
) -> FormalDocument:
    authority = organization.filing_authority
    assert authority is not None, "only a filed organization is revoked"
    decision = issue(
        DocumentKind.REVOCATION,
        authority=authority,
        recipient=organization.name,
        subject=f"organization:{organization.pk}",
        body=revocation_body(organization, category=category, reason=reason),
        actor=actor,
    )
    # Its filing receipts are no longer current: their public check says so from now on.
    for receipt in valid_receipts(organization):
        revoke(receipt, note=f"备案已撤销（{decision.number}）", actor=actor)
    return decision


def valid_receipts(organization: Organization) -> list[FormalDocument]:
    """The organization's filing receipts (备案回执) still valid."""
    subjects = [f"filing:{pk}" for pk in organization.filing_cases.values_list("pk", flat=True)]
    return list(
        FormalDocument.objects.filter(
            kind=DocumentKind.FILING_RECEIPT, subject__in=subjects, status=DocumentStatus.VALID
        )
    )


def lapse_receipts(organization: Organization, *, note: str, actor: Actor) -> int:
    """The organization's filing has lapsed without a revocation (its validity ended, or it
    was merged into another): its receipts read 已失效 on the public check from now on."""
    receipts = valid_receipts(organization)
    for receipt in receipts:
        lapse(receipt, note=note, actor=actor)
    return len(receipts)


def settle_receipts(*, actor: Actor) -> int:
    """Every filing receipt still 有效 of an organization whose filing no longer holds gets the
    status it should have had (revoked with the filing, 已失效 once expired or merged away).
    The steps do this as they happen; this catches rows from before they did, or written
    outside the services. Returns how many receipts changed."""
    from skillcert.registry.models import ExitReason, OrganizationStatus

    ended = Organization.objects.filter(
        status__in=[OrganizationStatus.REVOKED, OrganizationStatus.EXPIRED]
    ).filter(
        pk__in=FilingCase.objects.filter(pk__in=_receipt_case_ids(DocumentStatus.VALID)).values(
            "organization"
        )
    )
    changed = 0
    for organization in ended.order_by("pk"):
        with transaction.atomic():
            if organization.status == OrganizationStatus.EXPIRED:
                note = f"备案有效期已于 {organization.valid_until} 届满"
                changed += lapse_receipts(organization, note=note, actor=actor)
            elif organization.exit_reason == ExitReason.MERGED:
                note = f"已合并注销，{organization.exit_detail}".rstrip("，")
                changed += lapse_receipts(organization, note=note, actor=actor)
            else:
                for receipt in valid_receipts(organization):
                    revoke(receipt, note="备案已撤销", actor=actor)
                    changed += 1
    return changed


def _receipt_case_ids(status: str) -> list[int]:
    subjects = FormalDocument.objects.filter(
        kind=DocumentKind.FILING_RECEIPT, status=status, subject__startswith="filing:"
    ).values_list("subject", flat=True)
    return [int(subject.split(":", 1)[1]) for subject in subjects]
