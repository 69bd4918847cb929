"""Organization filing rules (domain.md section 2): eligibility checklist, materials, periods.

Everything here is computed from data the application carries; the reviewer reads the result
as a checklist (rule, passed, detail). Conditions that only documents can prove (staff,
sites, quality control) pass when the document is attached, and say that the evaluation
verifies them. The decisions on ambiguous points are collected in ``INTERPRETATIONS``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from skillcert.rules.levels import Level, level_name

ACCEPTANCE_WORKING_DAYS = 10  # 三(一): feedback on acceptance within 10 working days
PUBLICITY_WORKING_DAYS = 5  # 三(二): publicity of at least 5 working days


class Material(StrEnum):
    """The six material types of 二 (备案材料)."""

    BASIC_FORM = "basic_form"
    REGISTRATION = "registration"
    PLAN = "plan"
    EXPERTS = "experts"
    ASSETS = "assets"
    CREDIT = "credit"

    @property
    def label(self) -> str:
        return MATERIAL_LABELS[self]


MATERIAL_LABELS: dict[Material, str] = {
    Material.BASIC_FORM: "评价组织基本情况表",
    Material.REGISTRATION: "法人登记证书副本复印件",
    Material.PLAN: "认定工作实施方案及质量管控措施",
    Material.EXPERTS: "专家等专业人员技能水平证明",
    Material.ASSETS: "场地设备设施等资产有效证明文件",
    Material.CREDIT: "信用报告或诚信承诺",
}


class Nature(StrEnum):
    """机构性质 of 附件1."""

    ENTERPRISE = "enterprise"
    PRIVATE_NON_ENTERPRISE = "private_non_enterprise"
    INDUSTRY_ASSOCIATION = "industry_association"
    RESEARCH_INSTITUTE = "research_institute"
    TECHNICAL_SCHOOL = "technical_school"
    OTHER = "other"

    @property
    def label(self) -> str:
        return NATURE_LABELS[self]


NATURE_LABELS: dict[Nature, str] = {
    Nature.ENTERPRISE: "企业",
    Nature.PRIVATE_NON_ENTERPRISE: "民办非企业单位",
    Nature.INDUSTRY_ASSOCIATION: "行业协会",
    Nature.RESEARCH_INSTITUTE: "科研院所",
    Nature.TECHNICAL_SCHOOL: "技工院校",
    Nature.OTHER: "其他",
}


def parse_nature(value: str) -> Nature | None:
    """A nature given as its code or its Chinese name; None when it is neither."""
    value = (value or "").strip()
    for nature in Nature:
        if value in {nature.value, nature.label}:
            return nature
    return None


def required_materials(
    nature: Nature | None, *, already_filed: bool, same_scope: bool
) -> frozenset[Material]:
    """The materials an application needs (二, last paragraph).

    Enterprises and technical schools already filed for certification (including pilots)
    that apply for the same occupations and levels submit only the basic form and the credit
    report; if the occupations or levels change, everything but the registration
    certificate. Everybody else submits all six.
    """
    everything = frozenset(Material)
    if nature in {Nature.ENTERPRISE, Nature.TECHNICAL_SCHOOL} and already_filed:
        if same_scope:
            return frozenset({Material.BASIC_FORM, Material.CREDIT})
        return everything - {Material.REGISTRATION}
    return everything


@dataclass(frozen=True)
class Thresholds:
    """Experience thresholds of 一(三): years, cumulative person-times, per occupation."""

    years_continuous: int | None = None
    persons_total: int | None = None
    persons_per_occupation: int | None = None
    subsidised_training_suffices: bool = True

    @property
    def is_empty(self) -> bool:
        return (
            self.years_continuous is None
            and self.persons_total is None
            and self.persons_per_occupation is None
        )


# 面向全省: ≥ 5 consecutive years and ≥ 20,000 person-times and ≥ 5,000 in each occupation,
# or undertaking government-subsidised training.
PROVINCE_WIDE_THRESHOLDS = Thresholds(5, 20_000, 5_000, subsidised_training_suffices=True)


@dataclass(frozen=True)
class OccupationClaim:
    name: str
    code: str
    levels: tuple[int, ...]
    persons: int = 0
    experience_level: int | None = None
    in_catalog: bool = True
    new_occupation: bool = False
    access_type: bool = False


@dataclass(frozen=True)
class Application:
    """What the checklist reads from a filing case."""

    division: str  # the credit code's division (登记管理机关行政区划码)
    province_code: str
    home_city_name: str | None
    occupations: tuple[OccupationClaim, ...]
    years_continuous: int
    persons_total: int
    subsidised_training: bool
    province_wide: bool
    thresholds: Thresholds
    thresholds_owner: str  # who set them, e.g. "合肥市人社局" or "省人社厅（面向全省）"
    materials: frozenset[Material]
    pledge_signed: bool
    priority_standards: bool = False
    priority_appraisal_station: bool = False
    priority_self_certification: bool = False


@dataclass(frozen=True)
class CheckItem:
    rule: str
    title: str
    passed: bool
    detail: str
    kind: str = "condition"  # "condition" or "priority" (ranks applicants, never blocks)


@dataclass(frozen=True)
class Checklist:
    items: tuple[CheckItem, ...] = field(default=())

    @property
    def conditions_passed(self) -> bool:
        return all(item.passed for item in self.items if item.kind == "condition")

    def failed(self) -> list[CheckItem]:
        return [item for item in self.items if item.kind == "condition" and not item.passed]


def checklist(app: Application) -> Checklist:
    """The eligibility checklist of 一 (1)-(8), each item with what the reviewer needs."""
    items = [
        _registered_in_province(app),
        _occupations_in_catalog(app),
        _technician_experience(app),
        _scope_thresholds(app),
        _documented("4_staff", "（四）专门机构、专职人员和专家团队", app, Material.EXPERTS),
        _documented("5_sites", "（五）场地和设施设备（含视频监控）", app, Material.ASSETS),
        _documented("6_quality", "（六）认定工作质量管控措施", app, Material.PLAN),
        _supervision_pledge(app),
        CheckItem(
            "8_priority_standards",
            "（八）参与国家职业技能标准、题库、教材等编制",
            app.priority_standards,
            "有" if app.priority_standards else "无",
            "priority",
        ),
        CheckItem(
            "8_priority_appraisal_station",
            "（八）设有职业技能鉴定所（站）且连续3年以上开展职业资格评价",
            app.priority_appraisal_station,
            "有" if app.priority_appraisal_station else "无",
            "priority",
        ),
        CheckItem(
            "8_priority_self_certification",
            "（八）已备案开展自主认定且社会认可",
            app.priority_self_certification,
            "有" if app.priority_self_certification else "无",
            "priority",
        ),
    ]
    return Checklist(tuple(items))


def _registered_in_province(app: Application) -> CheckItem:
    title = "（一）在本省依法登记，具有独立法人资格，社会信用良好"
    in_province = app.division.startswith(app.province_code)
    has_credit = Material.CREDIT in app.materials
    if not in_province:
        detail = f"统一社会信用代码登记地（{app.division}）不在本省"
    elif not has_credit:
        detail = f"登记地：{app.home_city_name or app.division}；尚未提交信用报告或诚信承诺"
    else:
        detail = f"登记地：{app.home_city_name or app.division}；已提交信用报告或诚信承诺"
    return CheckItem("1_registration", title, in_province and has_credit, detail)


def _occupations_in_catalog(app: Application) -> CheckItem:
    title = "（二）职业（工种）在国家职业分类大典或新职业之内，且非准入类职业资格"
    if not app.occupations:
        return CheckItem("2_occupations", title, False, "未填写拟认定的职业（工种）")
    problems = []
    for claim in app.occupations:
        if claim.access_type:
            problems.append(f"{claim.name}（{claim.code}）属于准入类职业资格，不能备案")
        elif not claim.in_catalog and not claim.new_occupation:
            problems.append(f"{claim.name}（{claim.code}）不在职业分类大典或新职业目录中")
    if problems:
        return CheckItem("2_occupations", title, False, "；".join(problems))
    names = "、".join(
        f"{c.name}{'（新职业）' if c.new_occupation else ''}" for c in app.occupations
    )
    return CheckItem("2_occupations", title, True, f"共 {len(app.occupations)} 个：{names}")


def _technician_experience(app: Application) -> CheckItem:
    senior_names = f"{level_name(Level.TWO)}、{level_name(Level.ONE)}"
    title = f"（三）{senior_names}等级须有相应（近）职业{level_name(Level.THREE)}及以上评价经历"
    senior = {Level.ONE, Level.TWO}
    lacking = []
    checked = 0
    for claim in app.occupations:
        if not senior.intersection(claim.levels):
            continue
        checked += 1
        # Level numbers run the other way round: 3 or a smaller number is "or above".
        if claim.experience_level is None or claim.experience_level > Level.THREE:
            had = level_name(claim.experience_level) if claim.experience_level else "无"
            lacking.append(f"{claim.name}：已有评价经历最高为{had}")
    if not checked:
        return CheckItem("3_experience", title, True, f"未申请{senior_names}等级，不适用")
    if lacking:
        return CheckItem("3_experience", title, False, "；".join(lacking))
    return CheckItem(
        "3_experience",
        title,
        True,
        f"{checked} 个职业具有{level_name(Level.THREE)}及以上评价经历",
    )


def _scope_thresholds(app: Application) -> CheckItem:
    scope = "面向全省" if app.province_wide else "面向本市"
    title = f"（三）{scope}开展认定的培训评价经历和规模"
    limits = app.thresholds
    if limits.is_empty:
        return CheckItem("3_scale", title, True, f"{app.thresholds_owner}未设定具体条件")
    shortfalls = _threshold_shortfalls(app, limits)
    summary = (
        f"连续 {app.years_continuous} 年，累计 {app.persons_total} 人次"
        f"{'，承担政府补贴性职业技能培训' if app.subsidised_training else ''}"
    )
    if not shortfalls:
        return CheckItem("3_scale", title, True, f"{summary}，达到{app.thresholds_owner}的条件")
    if app.subsidised_training and limits.subsidised_training_suffices:
        return CheckItem(
            "3_scale", title, True, f"{summary}；规模条件未全部达到，但承担政府补贴性培训任务"
        )
    return CheckItem(
        "3_scale",
        title,
        False,
        f"{summary}；未达到{app.thresholds_owner}的条件：{'；'.join(shortfalls)}",
    )


def _threshold_shortfalls(app: Application, limits: Thresholds) -> list[str]:
    shortfalls = []
    if limits.years_continuous is not None and app.years_continuous < limits.years_continuous:
        shortfalls.append(f"连续年限不足 {limits.years_continuous} 年")
    if limits.persons_total is not None and app.persons_total < limits.persons_total:
        shortfalls.append(f"累计培训评价不足 {limits.persons_total} 人次")
    if limits.persons_per_occupation is not None:
        for claim in app.occupations:
            if claim.persons < limits.persons_per_occupation:
                shortfalls.append(
                    f"{claim.name} 培训评价 {claim.persons} 人次，不足 "
                    f"{limits.persons_per_occupation} 人次"
                )
    return shortfalls


def _documented(rule: str, title: str, app: Application, material: Material) -> CheckItem:
    if material in app.materials:
        return CheckItem(rule, title, True, f"已提交《{material.label}》，由技术评估核实")
    return CheckItem(rule, title, False, f"缺少《{material.label}》")


def _supervision_pledge(app: Application) -> CheckItem:
    title = "（七）接受人社部门监管和公众监督（承诺）"
    if app.pledge_signed:
        return CheckItem("7_pledge", title, True, "已在基本情况表中签署承诺")
    return CheckItem("7_pledge", title, False, "尚未签署承诺")


def missing_materials(required: Iterable[Material], present: Iterable[str]) -> list[Material]:
    have = set(present)
    return [m for m in Material if m in set(required) and m.value not in have]


# The project's decisions where the notice leaves room (shown in the README and kept here).
INTERPRETATIONS = {
    "reviewer": (
        "市级渠道由该市人社局受理、评估、公示、备案；"
        "省直渠道和面向全省的复核由省人社厅办理，省鉴定中心可记录技术评估。"
    ),
    "province_channel_scope": (
        "省直渠道备案的评价组织在行业系统内面向全省服务："
        "范围记为 province，列入面向全省目录并注明所属行业。"
    ),
    "renewal": (
        "延续备案须在有效期届满前提交，备案号不变，"
        "有效期自原有效期届满次日起顺延三年；延续办理期间不因届满而注销。"
    ),
    "materials": (
        "已备案开展认定的企业和技工院校申请相同职业（工种）及等级的，"
        "仅需基本情况表和信用报告或诚信承诺；有变化的，除法人登记证书外均需提交。"
    ),
    "merger_new": (
        "合并新设的评价组织取得新备案号（在原备案地按序分配），原备案号全部注销；"
        "其备案范围为各方之和，备案日期为合并之日。"
    ),
}
