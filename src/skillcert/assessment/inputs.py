"""The request shapes of the assessment's writes (``skillcert.rules.inputs``).

Each is what one service reads from a request body, and what the contract publishes for it:
the batch plan (``services.plan_input.parse_plan``, its items, staff and candidates), spot checks
and attendance (``services.implementation``), scores (``services.results``) and the Excel
uploads of candidates and results.
"""

from __future__ import annotations

from dataclasses import dataclass

from skillcert.rules.inputs import given

# --- the batch plan (计划报备) -----------------------------------------------------------


@dataclass
class BatchItemEntry:
    """One occupation (工种) and level of the plan."""

    occupation_code: str | None = given("职业编码（如 4-01-02-01）", required=True)
    occupation_name: str | None = given("职业名称（超过 100 个字符的部分不保存）", required=True)
    work_type: str | None = given("工种（没有工种时留空）")
    level: int | None = given(
        "等级：1-5 的等级代码（也可写等级名称，如“三级/高级工”）", required=True
    )


@dataclass
class BatchStaffEntry:
    """One person of the batch's staff (监考、考评、内部质量督导)."""

    # Published as StaffRoleEnum (settings' ENUM_NAME_OVERRIDES), beside the users' RoleEnum.
    role: str | None = given(
        "角色：proctor（监考人员）、examiner（考评人员）或 quality_supervisor（内部质量督导员）",
        required=True,
        choices=(
            ("proctor", "监考人员"),
            ("examiner", "考评人员"),
            ("quality_supervisor", "内部质量督导员"),
        ),
    )
    name: str | None = given("姓名", required=True, max_length=50)
    id_type: str | None = given("证件类型：代码（如 201）或名称", required=True)
    id_number: str | None = given("证件号码", required=True)


@dataclass
class BatchCandidateEntry:
    """One candidate, checked like a row of the candidates' Excel file (row = index + 1)."""

    name: str | None = given("姓名", required=True, max_length=50)
    id_type: str | None = given("证件类型：代码（如 201）或名称", required=True)
    id_number: str | None = given("证件号码", required=True)
    work_unit: str | None = given("所在单位", max_length=100)
    city: str | None = given("考生所在地市（地市名称，如“合肥市”）", required=True)
    occupation_code: str | None = given("职业编码（须在本批次计划中）", required=True)
    work_type: str | None = given("工种", max_length=100)
    level: int | None = given(
        "申报等级：1-5 的等级代码（也可写等级名称，如“三级/高级工”）", required=True
    )
    source: str | None = given("考生来源", required=True, max_length=50)


@dataclass
class BatchRequest:
    """A batch plan: every field when creating it; only the fields that change when editing
    (items, staff and candidates given are replaced whole)."""

    title: str | None = given("批次名称", required=True, max_length=200)
    start_date: str | None = given("认定开始日期", required=True, format="date")
    end_date: str | None = given("认定结束日期（不早于开始日期）", required=True, format="date")
    site_city: str | None = given("认定地点所在地市的代码（如 340100）", required=True)
    site_address: str | None = given("认定地点", required=True, max_length=200)
    overview: str | None = given("认定工作概况", max_length=5000)
    subjects: list[str] | None = given(
        '认定科目（至多 10 个，每个不超过 20 个字符），如 ["理论知识", "操作技能"]',
        required=True,
    )
    pass_mark: int | None = given("各科目默认的合格分数线（0-100，缺省 60）")
    pass_marks: dict[str, float] | None = given(
        "各科目的合格分数线 {科目: 分数线}（未列出的科目用 pass_mark）"
    )
    industry_only: bool | None = given("是否仅面向本行业系统（省直渠道的评价组织须为 true）")
    items: list[BatchItemEntry] | None = given("认定的职业（工种）和等级", required=True)
    staff: list[BatchStaffEntry] | None = given("监考、考评和内部质量督导人员")
    candidates: list[BatchCandidateEntry] | None = given(
        "考生（至多 20000 名；也可上传 Excel 名单）"
    )


# --- implementation and results ----------------------------------------------------------


@dataclass
class InspectionRequest:
    """A spot check of a key stage of the assessment."""

    stage: str | None = given("抽查环节", required=True, max_length=100)
    findings: str | None = given("发现情况", required=True, max_length=5000)


@dataclass
class AttendanceRequest:
    """Who did not attend; everyone else of the batch attended."""

    absent: list[str] | None = given("缺考考生的证件号码", required=True)


@dataclass
class ResultEntry:
    """One candidate's scores: every subject of the batch."""

    id_number: str | None = given("考生证件号码", required=True)
    scores: dict[str, float] | None = given("{科目: 成绩}：0-100，最多两位小数", required=True)


@dataclass
class ResultsRequest:
    """Scores of candidates of the batch; who passed is computed from the pass marks."""

    results: list[ResultEntry] | None = given("考生成绩（非空）", required=True)


# --- uploads (multipart) -------------------------------------------------------------------


@dataclass
class CandidatesUpload:
    """The candidates' Excel file (replaces every candidate of the draft plan)."""

    file: bytes | None = given("考生名单 Excel 文件（.xlsx）", required=True, format="binary")


@dataclass
class ResultsUpload:
    """The results' Excel file (the template downloaded for the batch, filled in)."""

    file: bytes | None = given("成绩 Excel 文件（.xlsx）", required=True, format="binary")
