"""The request shapes of the certificates' writes (``skillcert.rules.inputs``).

Each is what one service reads from a request body, and what the contract publishes for it:
revocation and reissue (a reason), correction (``lifecycle.correct_certificate``), the
candidate's photo, national exports (``national.parse_export_request``), segment requests
(``services.segment_requests``) and segment allocations (``services.segments``).
"""

from __future__ import annotations

from dataclasses import dataclass

from skillcert.rules.inputs import given

# --- after issue (``services.lifecycle``) -------------------------------------------------------


@dataclass
class CertificateReason:
    """Revoke (撤销) or reissue (补发) a certificate: the reason is recorded with it."""

    reason: str | None = given("撤销理由或补发原因", required=True, max_length=2000)


@dataclass
class CertificateCorrection:
    """Correct (更正) a certificate: a new one with a new number; at least one change."""

    reason: str | None = given("更正原因", required=True, max_length=2000)
    name: str | None = given("姓名（更正后）", max_length=50)
    id_type: str | None = given("证件类型（代码或名称，更正后）")
    id_number: str | None = given("证件号码（更正后）")
    work_unit: str | None = given("所在单位（更正后，超过 100 个字符的部分不保存）")


@dataclass
class PhotoUpload:
    """The candidate's 2-inch photo (JPEG or PNG)."""

    file: str | None = given("照片文件（JPEG 或 PNG）", required=True, format="binary")


# --- the national query system (``national.parse_export_request``) ----------------------------


@dataclass(init=False, repr=False, eq=False)  # ``from`` is a field: no generated methods
class NationalExportRequest:
    """One of: a batch, a period of issue dates (``from``, ``to``), or the status changes."""

    batch: int | None = given("批次编号")
    # ``from`` is a Python keyword: declared through the class namespace.
    __annotations__["from"] = "str | None"
    vars()["from"] = given("发证日期自（含）", format="date")
    to: str | None = given("发证日期至（含），不晚于今天", format="date")
    changes: bool | None = given("true：已上报证书此后的撤销、更正（证书状态变更，省级）")


# --- segment requests (``services.segment_requests``) ------------------------------------------


@dataclass
class SegmentRequestCreate:
    """An organization asks for serials of a year and level."""

    year: int | None = given("年份：今年或明年", required=True)
    level: int | None = given(
        "等级：1-5 的等级代码（也可写等级名称，如“三级/高级工”）", required=True
    )
    count: int | None = given("申请数量（1-999999）", required=True)
    reason: str | None = given("申请说明", max_length=1000)


@dataclass
class SegmentRequestGrant:
    """The provincial center grants serials ``first``-``last``."""

    first: int | None = given("起始流水号（1-999999）", required=True)
    last: int | None = given("结束流水号（1-999999），不小于起始流水号", required=True)


@dataclass
class SegmentRequestRefuse:
    """The provincial center refuses, with the reason the organization reads."""

    reason: str | None = given("不予分配的理由", required=True, max_length=1000)


# --- serial segments (``services.segments.allocate_segment``) ----------------------------------


@dataclass
class SegmentAllocation:
    """The provincial center allocates serials ``first``-``last`` of a year and level to a
    filed organization."""

    organization: int | None = given("评价组织编号", required=True)
    year: int | None = given("年份（2000-2099）", required=True)
    level: int | None = given(
        "等级：1-5 的等级代码（也可写等级名称，如“三级/高级工”）", required=True
    )
    first: int | None = given("起始流水号（1-999999）", required=True)
    last: int | None = given("结束流水号（1-999999），不小于起始流水号", required=True)


# --- filing reports to the ministry's appraisal center (``national.filings``) ---------------


@dataclass
class FilingReportConfirm:
    """The ministry's appraisal center confirmed the filing (评估确认)."""

    answered_on: str | None = given("部鉴定中心答复日期（YYYY-MM-DD，默认今天）", format="date")


@dataclass
class FilingReportReturn:
    """The ministry's appraisal center returned the report (退回), with its reason."""

    reason: str | None = given("退回理由", required=True, max_length=2000)
    answered_on: str | None = given("部鉴定中心答复日期（YYYY-MM-DD，默认今天）", format="date")


@dataclass
class FilingReportResend:
    """The reviewing officer corrected what was returned and reports again."""

    note: str | None = given("更正说明", required=True, max_length=2000)
