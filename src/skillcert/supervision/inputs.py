"""The request shapes of the supervision writes (``skillcert.rules.inputs``).

Each is what one service reads from a request body, and what the contract publishes for it:
draws (``services.draws.make_draw``), conflicts of interest, findings, conclusions and
rectifications (``services.inspections``), annual reports and violations
(``services.reports``).
"""

from __future__ import annotations

from dataclasses import dataclass

from skillcert.rules.inputs import given

# --- draws (``services.draws``) -----------------------------------------------------------------


@dataclass(init=False, repr=False, eq=False)  # ``from`` is a field: no generated methods
class DrawRequest:
    """A random draw (双随机): targets and inspectors from the officer's authority's pools."""

    targets: str | None = given(
        "抽查对象：organizations（评价组织）或 batches（认定批次）",
        required=True,
        choices=("organizations", "batches"),
    )
    count: int | None = given("抽取对象数（1-200）", required=True)
    inspectors: int | None = given("每个对象的督查员数（1-200）", required=True)
    seed: str | None = given("随机种子（不填则由日期、部门和两个库推导）", max_length=64)
    # ``from`` is a Python keyword: declared through the class namespace.
    __annotations__["from"] = "str | None"
    vars()["from"] = given("认定开始日期自（筛选批次）", format="date")
    to: str | None = given("认定开始日期至（筛选批次）", format="date")
    occupation: str | None = given("职业编码或名称（筛选）")
    level: int | None = given("等级：1-5 的等级代码（筛选）")


@dataclass
class ConflictRequest:
    """An inspector declares a conflict of interest with an organization (回避)."""

    organization: int | None = given("评价组织 id", required=True)
    reason: str | None = given("回避原因（超过 200 个字符的部分不保存）", required=True)


# --- inspections (``services.inspections``) -----------------------------------------------------


@dataclass
class FindingRequest:
    """A finding of a stage (JSON, or multipart with an attachment)."""

    stage: str | None = given("检查环节", required=True, max_length=100)
    findings: str | None = given("发现情况", required=True, max_length=5000)
    attachment: str | None = given("附件：PDF、JPEG 或 PNG（仅 multipart）", format="binary")


@dataclass
class InspectionConclusion:
    """The conclusion of an inspection; 限期整改 orders a rectification with a due date."""

    # The values and labels of ``Conclusion``: the contract's one ``ConclusionEnum``.
    conclusion: str | None = given(
        "结论：passed（合格）、rectify（限期整改）或 failed（不合格）",
        required=True,
        choices=(("passed", "合格"), ("rectify", "限期整改"), ("failed", "不合格")),
    )
    note: str | None = given("结论说明", required=True, max_length=5000)
    requirement: str | None = given("整改要求（rectify 时必填）", max_length=5000)
    due_on: str | None = given("整改期限，晚于今天（rectify 时必填）", format="date")


@dataclass
class RectificationReport:
    """The inspected organization reports what it rectified (整改情况)."""

    response: str | None = given("整改情况", required=True, max_length=5000)


@dataclass
class RectificationReview:
    """The officers accept the reported rectification, or send it back."""

    accepted: bool | None = given("整改是否通过", required=True)


# --- annual reports and violations (``services.reports``) ---------------------------------------


@dataclass
class AnnualReportRequest:
    """The organization's annual report (年度报告); the figures come from the records."""

    year: int | None = given("年度（2000 至今年）", required=True)
    narrative: str | None = given("年度工作情况", required=True, max_length=20000)


@dataclass
class ViolationRequest:
    """A violation; with ``exit`` the organization's filing is revoked (退出)."""

    kind: str | None = given(
        "违规类型",
        required=True,
        choices=("false_materials", "dishonesty", "vicious_competition", "disorderly_management"),
    )
    description: str | None = given("违规情况", required=True)
    exit: bool | None = given("true：同时撤销备案（退出）")
    inspection: int | None = given("相关检查的 id（本组织的检查）")
