"""Unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters: registration authority (1), organization type (1), division code (6), the
organization code of GB 11714-1997 (9, itself ending in a check character) and a check
character over the first 17. The characters I, O, S, V and Z are never used, so they cannot be
confused with 1, 0, 5, U and 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from skillcert.rules.errors import DomainError, InvalidInput

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {ch: index for index, ch in enumerate(CHARSET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB 11714-1997: body characters are digits (their value) or letters (A=10 … Z=35).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Registration authorities of GB 32100 and the later allocations: 1 机构编制, 2 外交, 3 司法行政,
# 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 工商/市场监管, A 中央军委改革和编制办公室,
# N 农业, Y 其他. Type codes differ per authority; all of 1-9 are accepted.
REGISTRATION_AUTHORITIES = frozenset("123456789ANY")
ORG_TYPES = frozenset("123456789")

LENGTH = 18


@dataclass(frozen=True)
class CreditCode:
    """A checked unified social credit code and its parts."""

    code: str
    registration_authority: str
    org_type: str
    division: str
    org_code: str

    @property
    def province(self) -> str:
        """The province-level code of the registering division (e.g. "34" for Anhui)."""
        return self.division[:2]

    def __str__(self) -> str:
        return self.code


def credit_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    if len(first17) != LENGTH - 1 or any(ch not in _VALUES for ch in first17):
        raise InvalidInput(f"计算统一社会信用代码校验位需要 17 位合法字符，收到的是“{first17}”")
    total = sum(_VALUES[ch] * weight for ch, weight in zip(first17, _WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """The GB 11714-1997 check character for the 8-character body of an organization code."""
    if not re.fullmatch(r"[0-9A-Z]{8}", first8):
        raise InvalidInput(f"计算组织机构代码校验位需要 8 位数字或大写字母，收到的是“{first8}”")
    total = sum(int(ch, 36) * weight for ch, weight in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return "X"
    if check == 11:
        return "0"
    return str(check)


def validate_credit_code(text: str, *, field: str = "credit_code") -> CreditCode:
    """Check a unified social credit code and split it (spaces around it and case forgiven).

    Enforced, each with its own message: 18 characters; only characters of the code set (no
    I, O, S, V, Z); a known registration authority (1-9, A, N, Y) and a type code 1-9; a 6-digit
    division code; the check character over the first 17 characters; the check character of the
    embedded organization code (positions 9-17).
    """
    value = text.strip().upper()
    if len(value) != LENGTH:
        raise _error(field, f"统一社会信用代码应为 18 位，“{value}”为 {len(value)} 位")
    for position, ch in enumerate(value, start=1):
        if ch not in _VALUES:
            raise _error(
                field,
                f"统一社会信用代码第 {position} 位字符“{ch}”不合法："
                "只能使用数字和除 I、O、S、V、Z 以外的大写字母",
            )
    if value[0] not in REGISTRATION_AUTHORITIES:
        raise _error(field, f"统一社会信用代码第 1 位（登记管理部门代码）“{value[0]}”不存在")
    if value[1] not in ORG_TYPES:
        raise _error(field, f"统一社会信用代码第 2 位（机构类别代码）“{value[1]}”不存在")
    division = value[2:8]
    if not re.fullmatch(r"[0-9]{6}", division):
        raise _error(field, f"统一社会信用代码第 3-8 位（行政区划码）应为 6 位数字：“{division}”")
    # The overall check comes first: a mistyped character anywhere shows here, and the
    # message can say what the last character would have to be.
    expected = credit_check_char(value[:17])
    if value[17] != expected:
        raise _error(
            field,
            f"统一社会信用代码校验位错误：按前 17 位计算应为 {expected}，请核对是否录入有误",
        )
    org_code = value[8:17]
    org_expected = org_code_check_char(org_code[:8])
    if org_code[8] != org_expected:
        raise _error(
            field,
            f"统一社会信用代码第 9-17 位（组织机构代码）“{org_code}”校验错误："
            f"第 17 位应为 {org_expected}",
        )
    return CreditCode(
        code=value,
        registration_authority=value[0],
        org_type=value[1],
        division=division,
        org_code=org_code,
    )


def _error(field: str, message: str) -> DomainError:
    return InvalidInput.for_field(field, message)
