"""Assessment batches (五): periods, the pass rule, and checking candidate rows.

The same row check serves the API (JSON candidates) and the Excel import, so a file and a
request are refused for the same reasons with the same Chinese messages.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from skillcert.rules.errors import InvalidInput
from skillcert.rules.idtypes import parse_id_type, validate_id_number
from skillcert.rules.levels import Level, level_name, parse_level
from skillcert.rules.regions import ANHUI, RegionTable
from skillcert.rules.workdays import (
    Deadline,
    WorkCalendar,
    due_after_working_days,
    latest_before_working_days,
    publicity_end_days,
)

PLAN_WORKING_DAYS = 10  # 五(一): the plan is filed 10 working days in advance
RESULT_PUBLICITY_DAYS = 7  # 五(三): result publicity of at least 7 (calendar) days
RESULT_FILING_WORKING_DAYS = 10  # 五(三): results filed within 10 working days after it
RECEIPT_WORKING_DAYS = 3  # 九: the appraisal center receives or returns a filing within 3
DEFAULT_PASS_MARK = Decimal(60)
MAX_SCORE = Decimal(100)
MAX_CANDIDATES = 20_000

CANDIDATE_COLUMNS = (
    "姓名",
    "证件类型",
    "证件号码",
    "所在单位",
    "考生所在地市",
    "职业编码",
    "工种",
    "申报等级",
    "考生来源",
)
REQUIRED_COLUMNS = (
    "姓名",
    "证件类型",
    "证件号码",
    "考生所在地市",
    "职业编码",
    "申报等级",
    "考生来源",
)
# The contract's JSON names for the same columns.
COLUMN_FIELDS = {
    "姓名": "name",
    "证件类型": "id_type",
    "证件号码": "id_number",
    "所在单位": "work_unit",
    "考生所在地市": "city",
    "职业编码": "occupation_code",
    "工种": "work_type",
    "申报等级": "level",
    "考生来源": "source",
}


def plan_filing_deadline(calendar: WorkCalendar, start: dt.date) -> Deadline:
    """The last day the plan may be filed: the 10th working day before the start."""
    return latest_before_working_days(calendar, start, PLAN_WORKING_DAYS)


def result_publicity_end(start: dt.date) -> dt.date:
    """Result publicity: at least 7 calendar days, the first day counting."""
    return publicity_end_days(start, RESULT_PUBLICITY_DAYS)


def result_filing_due(calendar: WorkCalendar, publicity_end: dt.date) -> Deadline:
    """Result filing: within 10 working days after the publicity."""
    return due_after_working_days(calendar, publicity_end, RESULT_FILING_WORKING_DAYS)


def receipt_due(calendar: WorkCalendar, filed_on: dt.date) -> Deadline:
    """Receipt or return of a plan or result filing by the appraisal center: within 3 working
    days after it was filed (domain.md §9); unanswered, it counts as received on that day."""
    return due_after_working_days(calendar, filed_on, RECEIPT_WORKING_DAYS)


@dataclass(frozen=True)
class PlanItem:
    occupation_code: str
    occupation_name: str
    work_type: str
    level: int


@dataclass(frozen=True)
class PlanIndex:
    """The (occupation, work type, level) combinations a plan covers (lookups built once)."""

    items: tuple[PlanItem, ...]

    @functools.cached_property
    def _names(self) -> dict[str, str]:
        return {item.occupation_code: item.occupation_name for item in self.items}

    @functools.cached_property
    def _levels(self) -> dict[tuple[str, str], frozenset[int]]:
        levels: dict[tuple[str, str], set[int]] = {}
        for item in self.items:
            levels.setdefault((item.occupation_code, item.work_type), set()).add(item.level)
        return {key: frozenset(value) for key, value in levels.items()}

    @functools.cached_property
    def _work_types(self) -> dict[str, frozenset[str]]:
        work_types: dict[str, set[str]] = {}
        for item in self.items:
            work_types.setdefault(item.occupation_code, set()).add(item.work_type)
        return {key: frozenset(value) for key, value in work_types.items()}

    def names(self) -> dict[str, str]:
        return self._names

    def levels_for(self, code: str, work_type: str) -> frozenset[int]:
        return self._levels.get((code, work_type), frozenset())

    def work_types_for(self, code: str) -> frozenset[str]:
        return self._work_types.get(code, frozenset())


class CandidateRow(NamedTuple):  # a tuple: thousands are built per import
    name: str
    id_type: str
    id_number: str
    work_unit: str
    city: str  # city code
    occupation_code: str
    occupation_name: str
    work_type: str
    level: int
    source: str


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class RowCheck:
    """Check many rows; collect every error with its row and column."""

    plan: PlanIndex
    regions: RegionTable = ANHUI
    today: dt.date | None = None
    errors: list[RowError] = field(default_factory=list)
    seen: dict[tuple[str, str], int] = field(default_factory=dict)

    def check(self, row_number: int, values: Mapping[str, object]) -> CandidateRow | None:
        """``values`` keyed by the Chinese column names; None (with errors noted) when bad."""
        before = len(self.errors)
        text = {column: _cell(values.get(column)) for column in CANDIDATE_COLUMNS}
        for column in REQUIRED_COLUMNS:
            if not text[column]:
                self._error(row_number, column, f"{column}不能为空")
        name = text["姓名"]
        if len(name) > 50:
            self._error(row_number, "姓名", "姓名不能超过 50 个字符")
        id_type = self._id_type(row_number, text["证件类型"])
        id_number = self._id_number(row_number, id_type, text["证件号码"])
        city = self._city(row_number, text["考生所在地市"])
        code, occupation_name = self._occupation(row_number, text["职业编码"])
        level = self._level(row_number, code, text["工种"], text["申报等级"])
        if id_type and id_number:
            key = (id_type, id_number)
            if key in self.seen:
                self._error(
                    row_number, "证件号码", f"与第 {self.seen[key]} 行是同一考生（证件号码重复）"
                )
            else:
                self.seen[key] = row_number
        for column, limit in (("所在单位", 100), ("工种", 100), ("考生来源", 50)):
            if len(text[column]) > limit:
                self._error(row_number, column, f"{column}不能超过 {limit} 个字符")
        if len(self.errors) > before:
            return None
        return CandidateRow(
            name=name,
            id_type=id_type,
            id_number=id_number,
            work_unit=text["所在单位"],
            city=city,
            occupation_code=code,
            occupation_name=occupation_name,
            work_type=text["工种"],
            level=level,
            source=text["考生来源"],
        )

    def _error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def _id_type(self, row: int, value: str) -> str:
        if not value:
            return ""
        try:
            return parse_id_type(value).code
        except InvalidInput:
            self._error(row, "证件类型", f"未知的证件类型「{value}」：请填写代码（如 201）或名称")
            return ""

    def _id_number(self, row: int, id_type: str, value: str) -> str:
        if not (id_type and value):
            return ""
        try:
            return validate_id_number(id_type, value, today=self.today)
        except InvalidInput as exc:
            self._error(row, "证件号码", exc.message)
            return ""

    def _city(self, row: int, value: str) -> str:
        if not value:
            return ""
        try:
            return self.regions.city_by_name(value).code
        except InvalidInput:
            self._error(
                row,
                "考生所在地市",
                f"未知的地市「{value}」：请填写{self.regions.province_name}的地市名称",
            )
            return ""

    def _occupation(self, row: int, value: str) -> tuple[str, str]:
        if not value:
            return "", ""
        names = self.plan.names()
        if value not in names:
            self._error(row, "职业编码", f"职业编码 {value} 不在本批次计划中")
            return "", ""
        return value, names[value]

    def _level(self, row: int, code: str, work_type: str, value: str) -> int:
        if not value:
            return 0
        try:
            level = int(parse_level(value))
        except InvalidInput:
            self._error(row, "申报等级", f"申报等级「{value}」无法识别：应为 1-5 或等级名称")
            return 0
        if not code:
            return level
        if work_type not in self.plan.work_types_for(code):
            self._error(row, "工种", f"工种「{work_type or '（空）'}」不在本批次计划中")
            return level
        if level not in self.plan.levels_for(code, work_type):
            planned = "、".join(
                level_name(planned_level)
                for planned_level in sorted(self.plan.levels_for(code, work_type))
            )
            self._error(row, "申报等级", f"{level_name(level)} 不在本批次计划中（计划：{planned}）")
        return level


def _cell(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets store "3" and ID-free numbers as floats
    return str(value).strip()


# --- results ---------------------------------------------------------------------------


def parse_score(value: object, *, field: str) -> Decimal:
    """A score from 0 to 100 with at most two decimals."""
    if isinstance(value, bool) or value is None or value == "":
        raise InvalidInput.for_field(field, "请填写成绩（0-100）")
    try:
        score = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput.for_field(field, f"成绩「{value}」不是数字") from None
    if not score.is_finite() or score < 0 or score > MAX_SCORE:
        raise InvalidInput.for_field(field, f"成绩 {value} 超出 0-100 的范围")
    exponent = score.as_tuple().exponent  # an int: the letters are for NaN and infinity
    if isinstance(exponent, int) and exponent < -2:
        raise InvalidInput.for_field(field, "成绩最多保留两位小数")
    return score


def has_passed(scores: Mapping[str, Decimal | None], pass_marks: Mapping[str, Decimal]) -> bool:
    """Passed when every subject has a score at or above its pass mark."""
    return all(
        (score := scores.get(subject)) is not None and score >= mark
        for subject, mark in pass_marks.items()
    )


def pass_marks_for(
    subjects: Iterable[str], marks: Mapping[str, object] | None
) -> dict[str, Decimal]:
    """Every subject's pass mark: the batch's setting, else the default 60."""
    marks = marks or {}
    result: dict[str, Decimal] = {}
    for subject in subjects:
        mark = marks.get(subject, DEFAULT_PASS_MARK)
        result[subject] = parse_score(mark, field=f"pass_marks.{subject}")
    return result


SENIOR_LEVELS = frozenset({Level.ONE, Level.TWO})
