"""The demo data set: what a newcomer sees after ``make run``, in every role.

Each capability adds its stage here. Everything is created through the services (so the
demo exercises the rules and leaves a full audit trail), on dates before today: the demo
moves the platform's clock with ``SKILLCERT_TODAY`` while it builds the past, exactly as a
drill would, and puts it back afterwards.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from skillcert.accounts.models import User
from skillcert.accounts.services import add_user, set_user_names
from skillcert.assessment.models import Batch
from skillcert.assessment.services.implementation import record_inspection
from skillcert.assessment.services.plans import create_batch, submit_plan
from skillcert.assessment.services.results import enter_results, file_results, publicize_results
from skillcert.audit.service import ActorRef
from skillcert.certificates.models import Certificate, Segment
from skillcert.certificates.national import prepare_export
from skillcert.certificates.national import send as send_export
from skillcert.certificates.services.issuing import issue_batch
from skillcert.certificates.services.lifecycle import (
    correct_certificate,
    reissue_certificate,
    revoke_certificate,
)
from skillcert.certificates.services.photos import upload_photo
from skillcert.certificates.services.segment_requests import request_segments
from skillcert.certificates.services.segments import allocate_segment
from skillcert.ops.samples import (
    sample_application,
    sample_batch,
    sample_candidates,
    sample_photo,
    sample_seal,
    sample_upload,
)
from skillcert.registry.models import FilingCase, Organization
from skillcert.registry.services import filings
from skillcert.registry.services.materials import add_material
from skillcert.registry.services.organizations import (
    record_pilot_result,
    register_organization,
    revoke_organization,
    set_city_thresholds,
)
from skillcert.registry.services.seals import decide_seal, upload_seal
from skillcert.rules import clock
from skillcert.rules.credit_code import credit_check_char, org_code_check_char
from skillcert.rules.filing import Material
from skillcert.supervision.services.draws import declare_conflict, make_draw, target_pool
from skillcert.supervision.services.inspections import conclude, publish, record_finding
from skillcert.supervision.services.reports import file_annual_report, record_violation

DEMO_PASSWORD = "Demo-2026-skill"  # noqa: S105 - printed on purpose, demo data only
DEMO_ACTOR = ActorRef("demo", None, "system")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    authority: str | None
    display_name: str  # 姓名
    department: str  # 部门: histories and the navigation show "部门 姓名"
    note: str


OFFICERS = [
    DemoLogin("admin", "admin", "province", "陈静", "安徽省人社厅信息中心", "管理账户与基础数据"),
    DemoLogin(
        "province_dept",
        "province_dept",
        "province",
        "王建国",
        "安徽省人社厅",
        "省直渠道备案、面向全省复核",
    ),
    DemoLogin(
        "province_center",
        "province_center",
        "province",
        "李娟",
        "安徽省职业技能鉴定中心",
        "省直渠道技术评估、证书号段、全国联网上报",
    ),
    DemoLogin(
        "hefei_bureau",
        "city_bureau",
        "01",
        "张明",
        "合肥市人社局",
        "合肥市受理、评估、公示、备案，双随机抽查",
    ),
    DemoLogin(
        "hefei_center",
        "city_center",
        "01",
        "赵丽",
        "合肥市职业技能鉴定中心",
        "合肥市技术评估、计划与结果报备",
    ),
    DemoLogin(
        "wuhu_bureau",
        "city_bureau",
        "02",
        "孙伟",
        "芜湖市人社局",
        "芜湖市受理、备案（看不到合肥市的申请）",
    ),
    DemoLogin("inspector_hefei", "inspector", "01", "周敏", "合肥市人社局", "合肥市督查员"),
    DemoLogin("inspector_hefei2", "inspector", "01", "吴刚", "合肥市人社局", "合肥市督查员"),
    DemoLogin("inspector_hefei3", "inspector", "01", "郑洁", "合肥市人社局", "合肥市督查员"),
]


@dataclass(frozen=True)
class DemoOrganization:
    username: str
    name: str
    division: str
    body: str
    contact: str  # 姓名 of the person using the account; its department is the organization


ORGANIZATIONS = [
    DemoOrganization(
        "org_hefei", "合肥市明德职业技能培训学校", "340104", "MJ000101", contact="刘芳"
    ),
    DemoOrganization("org_wuhu", "芜湖市江城职业培训学校", "340202", "MJ000202", contact="黄磊"),
    DemoOrganization(
        "org_binhu", "合肥市滨湖职业技能培训中心", "340111", "MJ000303", contact="杨帆"
    ),
    DemoOrganization("org_chaohu", "安徽巢湖技工学校", "340181", "MJ000404", contact="胡斌"),
    DemoOrganization(
        "org_baohe", "合肥市包河区家政服务培训学校", "340111", "MJ000505", contact="何静"
    ),
    DemoOrganization(
        "org_jiujiang", "芜湖市鸠江职业技能评价中心", "340207", "MJ000606", contact="马超"
    ),
    DemoOrganization(
        "org_telecom", "中国电信股份有限公司安徽分公司", "340100", "MJ000707", contact="徐丽"
    ),
    DemoOrganization("org_revoked", "合肥市速成职业培训学校", "340102", "MJ000808", contact="朱强"),
]


def demo_credit_code(division: str, body: str) -> str:
    """A valid 统一社会信用代码 for demo data.

    5 (社会组织 registration) + 2 (民办非企业单位) + division + organization code.
    """
    org_code = body + org_code_check_char(body)
    first17 = "52" + division + org_code
    return first17 + credit_check_char(first17)


@contextlib.contextmanager
def on(day: dt.date) -> Iterator[None]:
    """Run with the platform's date set to ``day`` (the drill mechanism, SKILLCERT_TODAY)."""
    previous = os.environ.get(clock.TODAY_VARIABLE)
    os.environ[clock.TODAY_VARIABLE] = day.isoformat()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(clock.TODAY_VARIABLE, None)
        else:
            os.environ[clock.TODAY_VARIABLE] = previous


def load_demo() -> bool:
    """Create the demo data set once; returns False when it was already there."""
    if User.objects.filter(username="admin").exists():
        return False
    today = clock.today()
    with transaction.atomic():
        officers = {
            login.username: add_user(
                login.username,
                password=DEMO_PASSWORD,
                role=login.role,
                authority=login.authority,
                display_name=login.display_name,
                department=login.department,
                actor=DEMO_ACTOR,
            )
            for login in OFFICERS
        }
        users = {item.username: _register(item) for item in ORGANIZATIONS}
        set_city_thresholds(
            officers["hefei_bureau"].authority,
            {"years_continuous": 2, "persons_total": 1000, "persons_per_occupation": None},
            actor=officers["hefei_bureau"],
        )
        _build_stages(today, officers, users)
    return True


def _register(item: DemoOrganization) -> User:
    organization = register_organization(
        username=item.username,
        password=DEMO_PASSWORD,
        credit_code=demo_credit_code(item.division, item.body),
        name=item.name,
        actor=DEMO_ACTOR,
    )
    user = organization.members.get().user
    return set_user_names(user, display_name=item.contact, department=item.name, actor=DEMO_ACTOR)


def _organization(user: User) -> Organization:
    """The user's organization as it is now (not the copy cached on the user)."""
    return Organization.objects.get(members__user=user)


def _application(user: User, **overrides: Any) -> FilingCase:
    organization = _organization(user)
    data = sample_application(organization, **overrides)
    return filings.create_filing(organization, data, actor=user)


def _attach(case: FilingCase, user: User) -> None:
    for material in Material:
        upload = sample_upload(material.label, rendered=True)
        add_material(case, material_type=material.value, upload=upload, actor=user)


def _submitted(user: User, day: dt.date, **overrides: Any) -> FilingCase:
    with on(day):
        case = _application(user, **overrides)
        _attach(case, user)
        return filings.submit_filing(case, actor=user)


def _evaluate(
    case: FilingCase, officer: User, day: dt.date, method: str = "document_review"
) -> None:
    with on(day):
        filings.record_evaluation(
            case,
            {
                "method": method,
                "evaluators": ["张教授", "刘高级技师"],
                "date": day.isoformat(),
                "opinion": "材料齐全，考评人员和场地设施满足认定要求。",
                "score": 88,
            },
            actor=officer,
        )


def _through_publicity(case: FilingCase, officer: User, start: dt.date) -> FilingCase:
    with on(start):
        filings.accept_filing(case, actor=officer)
    _evaluate(case, officer, start + dt.timedelta(days=3))
    with on(start + dt.timedelta(days=4)):
        filings.select_filing(case, actor=officer)
    with on(start + dt.timedelta(days=5)):
        return filings.publicize_filing(case, actor=officer)


def _filed(case: FilingCase, officer: User, start: dt.date) -> FilingCase:
    case = _through_publicity(case, officer, start)
    with on(case.publicity_end + dt.timedelta(days=1)):
        return filings.file_filing(case, actor=officer)


def _build_stages(today: dt.date, officers: dict[str, User], users: dict[str, User]) -> None:
    days = dt.timedelta
    hefei, wuhu = officers["hefei_bureau"], officers["wuhu_bureau"]
    # Filed long ago and revoked: an exit notice and a retired number.
    revoked = _submitted(users["org_revoked"], today - days(420))
    _filed(revoked, hefei, today - days(415))
    with on(today - days(20)):
        revoke_organization(
            _organization(users["org_revoked"]),
            reason="抽查发现考生信息与实际参考人员不一致，提供虚假材料。",
            category="false_materials",
            actor=hefei,
        )
    # 芜湖: filed, pilot passed, then recommended for province-wide service.
    jiujiang = _submitted(users["org_jiujiang"], today - days(400), category="Y")
    _filed(jiujiang, wuhu, today - days(395))
    with on(today - days(30)):
        record_pilot_result(_organization(users["org_jiujiang"]), passed=True, actor=wuhu)
    with on(today - days(5)):
        filings.recommend_province_wide(_organization(users["org_jiujiang"]), actor=wuhu)
    # 合肥: filed about five months ago, in its pilot year; it runs batches (below).
    mingde = _submitted(users["org_hefei"], today - days(160))
    _filed(mingde, hefei, today - days(155))
    # 芜湖: in publicity now.
    jiangcheng = _submitted(users["org_wuhu"], today - days(20))
    _through_publicity(jiangcheng, wuhu, today - days(5))
    # 合肥: under evaluation (a technical school).
    chaohu = _submitted(
        users["org_chaohu"],
        today - days(15),
        basic={
            **sample_application(_organization(users["org_chaohu"]))["basic"],
            "nature": "技工院校",
            "registration_authority": "安徽省人力资源和社会保障厅",
        },
    )
    with on(today - days(10)):
        filings.accept_filing(chaohu, actor=hefei)
    _evaluate(chaohu, officers["hefei_center"], today - days(8), method="technical_check")
    # 合肥: submitted, waiting for acceptance.
    _submitted(users["org_binhu"], today - days(6))
    # 省直 channel: a central enterprise's branch, submitted to the province.
    _submitted(
        users["org_telecom"],
        today - days(3),
        channel="province",
        city="00",
        category="Y",
        industry="通信行业",
        recommended_by="中国电信集团有限公司",
        occupations=[
            {
                "name": "信息通信网络线务员",
                "code": "4-04-02-02",
                "levels": [3, 4, 5],
                "years": 8,
                "persons": 9000,
                "experience_level": 2,
            }
        ],
    )
    # 合肥: a draft still being written.
    with on(today - days(1)):
        _application(
            users["org_baohe"],
            occupations=[
                {
                    "name": "家政服务员",
                    "code": "4-10-01-06",
                    "levels": [4, 5],
                    "years": 3,
                    "persons": 1800,
                },
            ],
        )
    _build_batches(today, officers, users)


def _batch(user: User, plan_day: dt.date, start: dt.date, candidates: int, first: int) -> Batch:
    with on(plan_day):
        organization = _organization(user)
        body = sample_batch(
            start.isoformat(), candidates=candidates, site_city=organization.filing_authority.code
        )
        body["candidates"] = sample_candidates(candidates, body["items"], start=first)
        return create_batch(organization, body, actor=user)


def _results(batch: Batch, user: User, day: dt.date) -> None:
    entries = []
    for index, candidate in enumerate(batch.candidates.order_by("position")):
        practical = 52 if index % 7 == 3 else 68 + index % 25
        entries.append(
            {
                "id_number": candidate.id_number,
                "scores": {"理论知识": 70 + index % 20, "操作技能": practical},
            }
        )
    with on(day):
        enter_results(batch, {"results": entries}, actor=user)


def _batch_through(
    user: User,
    plan_day: dt.date,
    candidates: int,
    first: int,
    *,
    until: str,
    center: User | None = None,
) -> Batch:
    """A batch planned on ``plan_day`` (start 30 days later) and walked up to ``until``."""
    start = plan_day + dt.timedelta(days=30)
    batch = _batch(user, plan_day, start, candidates, first)
    if until == "draft":
        return batch
    with on(plan_day):
        submit_plan(batch, actor=user)
    if until == "plan_filed":
        return batch
    if center is not None:
        with on(start):
            record_inspection(
                batch,
                {
                    "stage": "操作技能考核",
                    "findings": "考评人员到位，考场视频监控正常，未发现违规。",
                },
                actor=center,
            )
    _results(batch, user, start + dt.timedelta(days=1))
    with on(start + dt.timedelta(days=2)):
        publicize_results(batch, actor=user)
    if until == "in_publicity":
        return batch
    issue_day = start + dt.timedelta(days=10)
    with on(issue_day):
        issue_batch(batch, actor=user)
    if until == "certificates_issued":
        return batch
    with on(issue_day + dt.timedelta(days=2)):
        file_results(batch, actor=user)
    return batch


def _segments(user: User, province_center: User, year: int) -> None:
    organization = _organization(user)
    for level in (3, 4, 5):
        if not Segment.objects.filter(organization=organization, year=year, level=level).exists():
            allocate_segment(
                {
                    "organization": organization.pk,
                    "year": year,
                    "level": level,
                    "first": 1,
                    "last": 5000,
                },
                actor=province_center,
            )


def _build_batches(today: dt.date, officers: dict[str, User], users: dict[str, User]) -> None:
    days = dt.timedelta
    center = officers["province_center"]
    hefei, jiujiang = users["org_hefei"], users["org_jiujiang"]
    for year in {(today - days(100)).year, (today - days(10)).year, today.year}:
        _segments(hefei, center, year)
        _segments(jiujiang, center, year)
    # 合肥: results filed (certificates numbered), in publicity now, plan filed, a draft.
    _batch_through(
        hefei, today - days(130), 30, 0, until="results_filed", center=officers["hefei_center"]
    )
    _batch_through(
        hefei, today - days(34), 20, 100, until="in_publicity", center=officers["inspector_hefei"]
    )
    _batch_through(hefei, today - days(12), 12, 200, until="plan_filed")
    _batch_through(hefei, today - days(1), 8, 300, until="draft")
    # 芜湖: certificates numbered, result filing due soon.
    _batch_through(jiujiang, today - days(50), 15, 400, until="certificates_issued")
    _build_certificates(today, officers, users)
    _build_supervision(today, officers, users)
    # Next year's serials are asked for, not yet granted: the provincial center's worklist.
    request_segments(
        _organization(hefei),
        {"year": today.year + 1, "level": 4, "count": 3000, "reason": "下一年度四级认定计划"},
        actor=hefei,
    )


def _build_certificates(today: dt.date, officers: dict[str, User], users: dict[str, User]) -> None:
    """Seals, photos, a national export, then certificates reissued, corrected and revoked
    (two status changes for the national system)."""
    days = dt.timedelta
    hefei, jiujiang = users["org_hefei"], users["org_jiujiang"]
    with on(today - days(140)):
        seal = upload_seal(
            _organization(hefei), sample_seal(_organization(hefei).name), actor=hefei
        )
        decide_seal(seal, confirmed=True, note="与备案材料一致", actor=officers["hefei_bureau"])
        upload_seal(
            _organization(jiujiang), sample_seal(_organization(jiujiang).name), actor=jiujiang
        )  # waiting for 芜湖's confirmation
    filed = Batch.objects.filter(organization=_organization(hefei), state="results_filed").first()
    candidates = list(filed.candidates.order_by("position"))
    with on(today - days(135)):
        for index, candidate in enumerate(candidates[:-2]):  # two without a photo
            upload_photo(candidate, sample_photo(index), actor=hefei)
    certificates = list(Certificate.objects.filter(batch=filed).order_by("number"))
    with on(today - days(60)):
        export = prepare_export(batch=filed, actor=officers["province_center"])
        send_export(export, actor=officers["province_center"])
    # Corrected and revoked after they were reported: two status changes wait for the province.
    with on(today - days(40)):
        reissue_certificate(certificates[1], reason="证书遗失，本人申请补发", actor=hefei)
    with on(today - days(30)):
        correct_certificate(
            certificates[2],
            {"name": certificates[2].name + "华", "reason": "姓名录入有误，依身份证更正"},
            actor=hefei,
        )
    with on(today - days(20)):
        revoke_certificate(
            certificates[3], reason="经核查考生冒名顶替参加考核", actor=officers["hefei_center"]
        )


def _build_supervision(today: dt.date, officers: dict[str, User], users: dict[str, User]) -> None:
    """A draw with its inspections (one published with a follow-up, one waiting for the
    inspectors), a declared conflict, an annual report, a violation.

    合肥 draws on-site spot checks of its batches still to run (domain.md §8) ten days ago:
    the batch assessed four days ago and the one planned for next month. The first is
    inspected on its assessment days; the second waits for its inspectors. The third
    inspector declared a conflict with the organization, so the other two are drawn."""
    days = dt.timedelta
    pool = [officers[f"inspector_hefei{n}"] for n in ("", "2", "3")]
    hefei_org = _organization(users["org_hefei"])
    with on(today - days(12)):
        declare_conflict(hefei_org, "曾为该机构授课", actor=pool[2])
    draw_day = today - days(10)
    with on(draw_day):
        drawable = len(target_pool(officers["hefei_bureau"].authority, "batches", {}))
        record = make_draw(
            {
                "targets": "batches",
                "count": min(drawable, 2),
                "inspectors": 2,
                "seed": f"{draw_day.year}-合肥-双随机-01",
            },
            actor=officers["hefei_bureau"],
        )
    first = record.inspections.select_related("batch").order_by("batch__start_date").first()
    assessed = first.batch
    with on(assessed.start_date):
        record_finding(
            first,
            {
                "stage": "考务管理",
                "findings": "考生身份核验记录完整；部分考场视频监控录像保存不足 30 天。",
            },
            actor=officers["inspector_hefei"],
        )
    with on(assessed.end_date):
        conclude(
            first,
            {
                "conclusion": "rectify",
                "note": "视频资料保存期限不符合要求",
                "requirement": "完善考场视频资料保存制度并补充设备",
                "due_on": (today + days(20)).isoformat(),
            },
            actor=officers["inspector_hefei"],
        )
    with on(assessed.end_date + days(1)):
        publish(first, actor=officers["hefei_bureau"])
    jiujiang = users["org_jiujiang"]
    with on(today - days(3)):
        file_annual_report(
            _organization(jiujiang),
            {
                "year": (today - days(3)).year - 1 if today.month <= 3 else today.year,
                "narrative": (
                    "本年度开展焊工、电工职业技能等级认定，严格执行计划报备和结果公示制度。"
                ),
            },
            actor=jiujiang,
        )
        record_violation(
            _organization(jiujiang),
            {
                "kind": "disorderly_management",
                "description": "考务档案归档不及时，已责令改正",
            },
            actor=officers["wuhu_bureau"],
        )
