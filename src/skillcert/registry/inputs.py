"""The request shapes of the registry's writes (``skillcert.rules.inputs``).

Each is what one service reads from a request body, and what the contract publishes for it:
filing applications (``payloads.parse_filing_payload``), technical evaluations, materials,
organization actions (pilot result, revocation, merger), city thresholds and seals.
"""

from __future__ import annotations

from dataclasses import dataclass

from skillcert.rules.inputs import given

# --- a filing application (附件1) ---------------------------------------------------------


@dataclass
class FilingBasic:
    """The organization's basic information (all text, each at most 200 characters)."""

    name: str | None = given("名称", max_length=200)
    address: str | None = given("地址", max_length=200)
    registration_authority: str | None = given("注册登记机构", max_length=200)
    nature: str | None = given(
        "机构性质：企业、民办非企业单位、行业协会、科研院所、技工院校 或 其他（代码或名称）",
        max_length=200,
    )
    credit_code: str | None = given("统一社会信用代码（18 位）", max_length=200)
    legal_representative: str | None = given("法定代表人", max_length=200)
    registered_capital: str | None = given("注册资金", max_length=200)
    contact_name: str | None = given("联系人", max_length=200)
    contact_position: str | None = given("职务", max_length=200)
    contact_phone: str | None = given("联系电话", max_length=200)
    contact_email: str | None = given("电子邮箱", max_length=200, format="email")


@dataclass
class FilingOccupation:
    """One occupation (工种) applied for; name and code must match the 2022 catalogue."""

    name: str | None = given("职业（工种）名称", required=True, max_length=100)
    code: str | None = given("职业编码（如 4-01-02-01）", required=True, max_length=16)
    work_type: str | None = given("工种", max_length=100)
    new_occupation: bool | None = given("是否新职业")
    years: int | None = given("开展该职业培训评价的年限（0-200）")
    persons: int | None = given("累计培训评价人数")
    subsidised: bool | None = given("是否开展过补贴性培训")
    levels: list[int] | None = given(
        "评价等级范围：1-5 的等级代码（也可写等级名称，如“三级/高级工”）", required=True
    )
    experience_level: int | None = given("已有评价经验的最高等级（1-5）")


@dataclass
class FilingRecord:
    """The organization's track record (for the city's thresholds)."""

    years_continuous: int | None = given("连续开展培训评价的年限（0-200）")
    persons_total: int | None = given("累计培训评价人数")
    subsidised_training: bool | None = given("是否承担过补贴性培训")


@dataclass
class FilingNarrative:
    """The application's statements (each at most 5000 characters)."""

    strengths: str | None = given("组织优势，专职人员、专家等专业人员情况", max_length=5000)
    sites: str | None = given("场地、设备设施（含视频监控设备）情况", max_length=5000)
    expertise: str | None = given(
        "专业优势（培训考核评价经验、参与标准题库教材编制等）", max_length=5000
    )


@dataclass
class FilingRequest:
    """A filing application, or the parts of a draft being saved (absent = unchanged)."""

    kind: str | None = given(
        "申请类型（创建时默认 initial；创建后不能修改）",
        choices=("initial", "scope_change", "renewal", "cross_city"),
    )
    channel: str | None = given(
        "渠道：city（市级）或 province（省直）", choices=("city", "province")
    )
    city: str | None = given("受理地市代码（跨市备案时为目标地市）", max_length=100)
    category: str | None = given("类别：S（社会培训评价组织）或 Y（用人单位）", choices=("S", "Y"))
    basic: FilingBasic | None = given("基本情况")
    occupations: list[FilingOccupation] | None = given(
        "申请备案的职业（工种），最多 100 个；给出时替换全部"
    )
    record: FilingRecord | None = given("培训评价业绩")
    narrative: FilingNarrative | None = given("申请说明")
    industry: str | None = given("所属行业", max_length=100)
    recommended_by: str | None = given("推荐单位", max_length=100)
    pledge_signed: bool | None = given("已签署承诺书")
    already_filed: bool | None = given("已在其他地市备案")
    same_scope: bool | None = given("与已备案的职业范围相同")
    priority_standards: bool | None = given("优先条件：参与国家职业技能标准编制")
    priority_appraisal_station: bool | None = given("优先条件：原职业技能鉴定所（站）")
    priority_self_certification: bool | None = given("优先条件：已开展企业自主评价")


# --- review --------------------------------------------------------------------------------


@dataclass
class EvaluationRequest:
    """One technical evaluation step of a filing case."""

    method: str | None = given(
        "评估方式",
        required=True,
        choices=("report", "interview", "defence", "document_review", "technical_check"),
    )
    evaluators: str | None = given("评估人员（多人以、分隔；也可给出姓名列表）", required=True)
    date: str | None = given("评估日期（不晚于今天）", required=True, format="date")
    opinion: str | None = given("评估意见", required=True)
    score: float | None = given("评分：0-100，最多一位小数（可省略）")


@dataclass
class MaterialUpload:
    """One material of a draft (replaces an earlier file of the same type)."""

    type: str | None = given(
        "材料类型",
        required=True,
        choices=("basic_form", "registration", "plan", "experts", "assets", "credit"),
    )
    file: bytes | None = given("PDF、JPEG 或 PNG 文件", required=True, format="binary")


# --- organizations -------------------------------------------------------------------------


@dataclass
class PilotResult:
    passed: bool | None = given("试点评估是否通过", required=True)


@dataclass
class Revocation:
    reason: str | None = given("撤销理由（公告中公开）", required=True)
    category: str | None = given(
        "退出原因（默认 other）",
        choices=(
            "false_materials",
            "dishonesty",
            "vicious_competition",
            "disorderly_management",
            "other",
        ),
    )


@dataclass
class Merger:
    """Mergers (附件3): into an existing organization (``into``), or into a new one."""

    members: list[int] | None = given("被合并的评价组织编号", required=True)
    into: int | None = given("并入的评价组织编号；null 表示合并新设", required=True, nullable=True)
    name: str | None = given("合并新设组织的名称（新设时必填）")
    credit_code: str | None = given("合并新设组织的统一社会信用代码（新设时必填）")
    category: str | None = given("合并新设组织的类别", choices=("S", "Y"))


@dataclass
class CityThresholds:
    """A city's filing thresholds; null (or empty) means no threshold."""

    years_continuous: int | None = given("连续开展培训评价的最少年限", required=True, nullable=True)
    persons_total: int | None = given("累计培训评价的最少人数", required=True, nullable=True)
    persons_per_occupation: int | None = given(
        "每个职业（工种）培训评价的最少人数", required=True, nullable=True
    )


@dataclass
class SealUpload:
    file: bytes | None = given("印章图片（JPEG 或 PNG）", required=True, format="binary")


@dataclass
class SealDecision:
    confirmed: bool | None = given("是否确认", required=True)
    note: str | None = given("说明（不予确认时必填）")


# --- objections (to a filing case in publicity, or to a batch's published results) -------------


@dataclass
class ObjectionRequest:
    """An objection to a filing case while its publicity runs."""

    content: str | None = given("异议内容（写明事实和理由）", required=True, max_length=2000)
    contact: str | None = given(
        "联系方式（姓名和电话，仅供处理机关核实）", required=True, max_length=100
    )


@dataclass
class BatchObjectionRequest(ObjectionRequest):
    """An objection to a batch's published results while their publicity runs."""


@dataclass
class ObjectionResolution:
    """The reviewer's answer to an objection: upheld or not, and why."""

    upheld: bool | None = given("异议是否成立", required=True)
    reason: str | None = given("处理意见", required=True, max_length=2000)


# --- 一次性告知 (domain.md §9) ------------------------------------------------------------


@dataclass
class CorrectionItem:
    """One thing to correct: a field path of the case or the type of one of its materials."""

    target: str | None = given(
        "字段路径（如 basic.contact_phone、occupations[0]、record.persons_total）或材料类型"
        "（如 plan）",
        required=True,
        max_length=100,
    )
    message: str | None = given("需要补正的具体内容（申请单位可见）", required=True, max_length=500)


@dataclass
class CorrectionRequest:
    """A 补正 request: every item at once (non-empty)."""

    items: list[CorrectionItem] | None = given("需要补正的全部事项", required=True)
