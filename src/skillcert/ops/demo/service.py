"""The demo's government-service stage (issue 14): the authorities' seals, a 补正 waiting for
its applicant, a withdrawn application, plans received, returned and awaiting receipt, a plan
drawn for an on-site check then withdrawn (the inspection ended with it), an objection followed
by its reference, ratings, the ministry's confirmations, e-mail choices.

Everything goes through the services, as the rest of the demo does; the messages, formal
documents and case numbers follow from them."""

from __future__ import annotations

import datetime as dt

from skillcert.accounts.models import User
from skillcert.assessment.models import Batch
from skillcert.assessment.services.objections import lodge_objection, resolve_objection
from skillcert.assessment.services.plans import submit_plan
from skillcert.assessment.services.receipt import receive_plan, return_plan, withdraw_plan
from skillcert.certificates.models import FilingReport
from skillcert.certificates.national.filings import confirm, deliver
from skillcert.formal.seals import decide_seal, upload_seal
from skillcert.inbox.service import set_preference
from skillcert.ops.demo.batches import _batch
from skillcert.ops.demo.clock import on
from skillcert.ops.demo.filings import _organization, _submitted
from skillcert.ops.samples import sample_seal
from skillcert.registry.services.filings import withdraw_filing
from skillcert.registry.services.review import request_correction
from skillcert.supervision.ratings import rate
from skillcert.supervision.services.draws import make_draw

days = dt.timedelta


def _seals(today: dt.date, officers: dict[str, User]) -> None:
    """合肥 and 芜湖 confirmed by the province; the province's own waits for a second officer."""
    province = officers["province_dept"]
    with on(today - days(440)):
        for username in ("hefei_bureau", "wuhu_bureau"):
            officer = officers[username]
            assert officer.authority is not None  # a city bureau
            seal = upload_seal(
                officer.authority,
                sample_seal(f"{officer.authority.name}人力资源和社会保障局"),
                actor=officer,
            )
            decide_seal(seal, confirmed=True, note="与备案印模一致", actor=province)
        assert province.authority is not None
        upload_seal(province.authority, sample_seal("安徽省人力资源和社会保障厅"), actor=province)


def _choices(officers: dict[str, User], users: dict[str, User]) -> None:
    """Who chose e-mail copies (sent once SKILLCERT_EMAIL_URL is set)."""
    set_preference(users["org_hefei"], channel="email", phone="", email="mingde@example.org.cn")
    set_preference(
        officers["hefei_bureau"], channel="email", phone="", email="zhiyejiandingchu@hfhrss.example"
    )


def _filing_cases(today: dt.date, officers: dict[str, User], users: dict[str, User]) -> None:
    hefei = officers["hefei_bureau"]
    # 合肥: returned for 补正 (一次性告知), waiting for the applicant to correct and resubmit.
    shushan = _submitted(users["org_shushan"], today - days(9))
    with on(today - days(7)):
        request_correction(
            shushan,
            {
                "items": [
                    {
                        "target": "basic.contact_phone",
                        "message": "联系电话无法接通，请填写经办人可接通的固定电话或手机号码。",
                    },
                    {
                        "target": "experts",
                        "message": "考评人员名单缺少职业技能等级证书编号，请补充后重新上传。",
                    },
                ]
            },
            actor=hefei,
        )
    # 合肥: withdrawn by its applicant before acceptance (final, the case number kept).
    feixi = _submitted(users["org_feixi"], today - days(30))
    with on(today - days(26)):
        withdraw_filing(feixi, actor=users["org_feixi"])


def _plans(today: dt.date, officers: dict[str, User], users: dict[str, User]) -> None:
    center, hefei = officers["hefei_center"], users["org_hefei"]
    # The older plans and results (batches.py) count as received by time: nobody answered
    # within 3 working days. This one the center received the next day.
    received = _batch(hefei, today - days(6), today + days(24), 8, 700)
    with on(today - days(6)):
        submit_plan(received, actor=hefei)
    with on(today - days(5)):
        receive_plan(received, actor=center)
    # Returned with every reason at once: a draft again, to be corrected and filed anew.
    returned = _batch(hefei, today - days(4), today + days(26), 10, 500)
    with on(today - days(4)):
        submit_plan(returned, actor=hefei)
    with on(today - days(3)):
        return_plan(
            returned,
            reason=(
                "认定地点与备案的考核场所不一致，请核实后填写。\n"
                "考评人员配比不足 1:15，请补充考评人员。"
            ),
            actor=center,
        )
    # Filed yesterday: waiting for the center's receipt (3 working days, then by time).
    waiting = _batch(hefei, today - days(1), today + days(29), 6, 600)
    with on(today - days(1)):
        submit_plan(waiting, actor=hefei)


def _withdrawn_plan(today: dt.date, officers: dict[str, User], users: dict[str, User]) -> None:
    """合肥 drew this plan for an on-site check (the only batch starting that day), then its
    organization withdrew it before the assessment: the inspection ended (已终止) with it and
    its inspector and the bureau were told; the organization never saw the inspection."""
    hefei = users["org_hefei"]
    start = today + days(40)
    planned = _batch(hefei, today - days(9), start, 5, 950)
    with on(today - days(9)):
        submit_plan(planned, actor=hefei)
    with on(today - days(8)):
        make_draw(
            {
                "targets": "batches",
                "count": 1,
                "inspectors": 1,
                "seed": f"{today.year}-合肥-双随机-02",
                "from": start.isoformat(),
                "to": start.isoformat(),
            },
            actor=officers["hefei_bureau"],
        )
    with on(today - days(2)):
        withdraw_plan(planned, actor=hefei)


def _objection(today: dt.date, officers: dict[str, User], users: dict[str, User]) -> None:
    """An objection to the result publicity running now, followed by its reference: the
    center found it unfounded (dismissed), so the publicity runs on to its end."""
    running = Batch.objects.filter(
        organization=_organization(users["org_hefei"]), state="in_publicity"
    ).get()
    with on(today - days(1)):
        objection = lodge_objection(
            running,
            {
                "content": "考生王某某未参加操作技能考核却显示合格。",
                "contact": "张先生 13955100000",
            },
        )
    resolve_objection(
        objection,
        upheld=False,
        reason="经调阅考场视频及签到表，该考生按时参加了操作技能考核，异议不成立。",
        actor=officers["hefei_center"],
    )


def _ratings(today: dt.date, users: dict[str, User]) -> None:
    jiujiang = _organization(users["org_jiujiang"])
    case = jiujiang.filing_cases.filter(state="filed").order_by("pk").first()
    if case is not None:
        rate(f"filing:{case.pk}", 5, "材料一次性告知清楚，办理及时。", actor=users["org_jiujiang"])
    hefei = _organization(users["org_hefei"])
    done = Batch.objects.filter(organization=hefei, state="results_filed").get()
    rate(f"batch:{done.pk}", 4, "签收及时；希望增加批量导入成绩的说明。", actor=users["org_hefei"])


def _ministry(today: dt.date, officers: dict[str, User]) -> None:
    """The filings sent to the ministry's appraisal center; the oldest confirmed."""
    center = officers["province_center"]
    reports = list(FilingReport.objects.order_by("pk"))
    for report in reports:
        deliver(report, actor=center)
    for report in reports[:2]:
        confirm(report, {}, actor=center)


def build_service(today: dt.date, officers: dict[str, User], users: dict[str, User]) -> None:
    _seals(today, officers)
    _choices(officers, users)
    _filing_cases(today, officers, users)
    _plans(today, officers, users)
    _withdrawn_plan(today, officers, users)
    _objection(today, officers, users)
    _ratings(today, users)
    _ministry(today, officers)
