"""The demo's filing cases, one at each stage, and the organizations they make."""

from __future__ import annotations

import datetime as dt
from typing import Any

from skillcert.accounts.models import User
from skillcert.accounts.services import set_user_names
from skillcert.ops.demo.clock import on
from skillcert.ops.demo.people import DEMO_ACTOR, DEMO_PASSWORD, DemoOrganization, demo_credit_code
from skillcert.ops.samples import (
    sample_application,
    sample_upload,
)
from skillcert.registry.models import FilingCase, Organization
from skillcert.registry.services import filings
from skillcert.registry.services.materials import add_material
from skillcert.registry.services.organizations import (
    record_pilot_result,
    register_organization,
    revoke_organization,
)
from skillcert.rules.filing import Material


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
    assert case.publicity_end is not None  # set when the publicity began
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
