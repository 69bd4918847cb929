"""The demo's certificates and supervision: issued, corrected, revoked; draws, inspections."""

from __future__ import annotations

import datetime as dt

from skillcert.accounts.models import User
from skillcert.assessment.models import Batch
from skillcert.certificates import printing
from skillcert.certificates.models import Certificate
from skillcert.certificates.national import prepare_export
from skillcert.certificates.national import send as send_export
from skillcert.certificates.services.lifecycle import (
    correct_certificate,
    reissue_certificate,
    revoke_certificate,
)
from skillcert.certificates.services.photos import upload_photo
from skillcert.ops.demo.clock import on
from skillcert.ops.demo.filings import _organization
from skillcert.ops.samples import (
    sample_photo,
    sample_seal,
)
from skillcert.registry.services.seals import decide_seal, upload_seal
from skillcert.supervision.services.draws import declare_conflict, make_draw, target_pool
from skillcert.supervision.services.inspections import conclude, publish, record_finding
from skillcert.supervision.services.reports import file_annual_report, record_violation


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
    assert filed is not None  # built by _build_batches
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
    # The batch's certificates printed by the background worker (``make run`` starts one).
    printing.start(filed, hefei)


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
        hefei_city = officers["hefei_bureau"].authority
        assert hefei_city is not None  # a city bureau's officer
        drawable = len(target_pool(hefei_city, "batches", {}))
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
    assert first is not None  # the draw picked two batches
    assessed = first.batch
    assert assessed is not None  # a draw of batches
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
