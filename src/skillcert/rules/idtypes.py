"""ID document types (证件类型, 附件5) and the checks on their numbers.

Mainland ID cards (居民身份证) and the residence permits for Hong Kong, Macao and Taiwan residents
(居住证) share the GB 11643-1999 layout: 6-digit division, 8-digit birth date, 3-digit sequence and
an ISO 7064 MOD 11-2 check character. The 2023 foreign permanent residence ID card uses the same
check character. Other documents have no public check algorithm, so only their shape is checked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from skillcert.rules import clock
from skillcert.rules.errors import DomainError, InvalidInput
from skillcert.rules.regions import PROVINCE_CODES


@dataclass(frozen=True)
class IdType:
    """An ID document type: the code written in 附件5 and its name."""

    code: str
    name: str


RESIDENT_ID = "201"
CHINESE_PASSPORT = "227"
HK_MACAO_PERMIT = "210"
HK_MACAO_RESIDENCE = "237"
TAIWAN_PERMIT = "213"
TAIWAN_RESIDENCE = "238"
FOREIGN_PASSPORT = "208"
FOREIGN_PERMANENT_RESIDENCE = "233"
WORK_PERMIT_A = "239"
WORK_PERMIT_B = "240"
WORK_PERMIT_C = "241"
OTHER = "299"

ID_TYPES: dict[str, IdType] = {
    t.code: t
    for t in (
        IdType(RESIDENT_ID, "居民身份证"),
        IdType(CHINESE_PASSPORT, "中国护照"),
        IdType(HK_MACAO_PERMIT, "港澳居民来往内地通行证"),
        IdType(HK_MACAO_RESIDENCE, "港澳居民居住证"),
        IdType(TAIWAN_PERMIT, "台湾居民来往大陆通行证"),
        IdType(TAIWAN_RESIDENCE, "台湾居民居住证"),
        IdType(FOREIGN_PASSPORT, "外国护照"),
        IdType(FOREIGN_PERMANENT_RESIDENCE, "外国人永久居留身份证"),
        IdType(WORK_PERMIT_A, "外国人工作许可证（A类）"),
        IdType(WORK_PERMIT_B, "外国人工作许可证（B类）"),
        IdType(WORK_PERMIT_C, "外国人工作许可证（C类）"),
        IdType(OTHER, "其他个人证件"),
    )
}

# GB 11643-1999 / ISO 7064 MOD 11-2: weight of position i is 2^(17-i) mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"

_EARLIEST_BIRTH_YEAR = 1900

# Division prefixes of the residence permits (居住证): 81 Hong Kong, 82 Macao, 83 Taiwan.
_HK_MACAO_PREFIXES = ("810000", "820000")
_TAIWAN_PREFIX = "830000"

_EIGHTEEN = re.compile(r"[0-9]{17}[0-9X]")
_FULLWIDTH_OFFSET = 0xFEE0  # U+FF01..U+FF5E are full-width forms of ASCII 0x21..0x7E.


def parse_id_type(value: str, *, field: str = "id_type") -> IdType:
    """The ID type for a code ("201") or an exact name ("居民身份证").

    The work-permit names are also accepted with ASCII parentheses ("外国人工作许可证(A类)").
    """
    key = value.strip()
    if key in ID_TYPES:
        return ID_TYPES[key]
    key = key.replace("(", "（").replace(")", "）")
    for id_type in ID_TYPES.values():
        if id_type.name == key:
            return id_type
    raise InvalidInput.for_field(
        field, f"未知的证件类型“{value.strip()}”：应为证件类型代码（如 201）或证件类型名称"
    )


def id_check_char(first17: str) -> str:
    """The GB 11643-1999 (ISO 7064 MOD 11-2) check character for 17 digits."""
    if not re.fullmatch(r"[0-9]{17}", first17):
        raise InvalidInput(f"计算校验位需要 17 位数字，收到的是“{first17}”")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def normalize_id_number(number: str) -> str:
    """The number as stored: full-width forms made ASCII, whitespace removed, upper case.

    Full-width forms are converted because Chinese input methods produce them easily and they
    are the same characters to the person typing.
    """
    if number.isascii():  # the usual case, without the per-character walk
        return "".join(number.split()).upper()
    ascii_form = "".join(
        chr(ord(ch) - _FULLWIDTH_OFFSET) if "\uff01" <= ch <= "\uff5e" else ch for ch in number
    )
    return "".join(ascii_form.split()).upper()


def validate_id_number(
    id_type: str | IdType,
    number: str,
    *,
    today: dt.date | None = None,
    field: str = "id_number",
) -> str:
    """Check an ID number against its type and return it normalized.

    Enforced per type:
    - 201 居民身份证: 18 characters, a province code of a mainland province (not 71, 81, 82, 83),
      a real birth date from 1900 up to ``today``, the MOD 11-2 check character;
    - 237 港澳居民居住证 (810000/820000…) and 238 台湾居民居住证 (830000…): the same birth-date and
      check-character rules;
    - 210: H or M and 8 or 10 digits; 213: 8 digits;
    - 233: the 2017 form (3 letters + 12 digits) or the 2023 form (9 + 16 digits + check character);
    - 227, 208 passports: 5-20 letters or digits with at least one digit;
    - 239-241 work permits: 1-30 letters, digits or "-"; 299: 1-30 printable characters.
    """
    kind = id_type if isinstance(id_type, IdType) else parse_id_type(id_type)
    value = normalize_id_number(number)
    if not value:
        raise InvalidInput.for_field(field, f"{kind.name}号码不能为空")
    checker = _CHECKERS.get(kind.code)
    if checker is None:
        raise InvalidInput.for_field("id_type", f"未知的证件类型“{kind.code}”")
    checker(value, kind, field, today)
    return value


def mask_id_number(number: str) -> str:
    """The number with its middle replaced by "*", for lists and the public certificate check.

    The birth date is never shown, and at least half of every number is hidden:
    - 16 characters or more keep the first 3 and the last 4 ("340***********1234"); for the
      18-character numbers that hides the division's county part and the birth date (7-14);
    - 15 characters (old ID cards, 2017 permanent residence cards) keep the first 3 and the
      last 2, because their birth date reaches the 4th-last position;
    - 8-14 characters (passports, permits) keep the first 2 and the last 2;
    - 4-7 characters keep the first and the last; 3 or fewer are fully masked.
    The length is kept, so that the number of characters can still be checked by eye.
    """
    value = normalize_id_number(number)
    length = len(value)
    if length <= 3:
        return "*" * length
    if length < 8:
        head, tail = 1, 1
    elif length < 15:
        head, tail = 2, 2
    elif length == 15:
        head, tail = 3, 2
    else:
        head, tail = 3, 4
    return value[:head] + "*" * (length - head - tail) + value[length - tail :]


# --- checkers, one per type --------------------------------------------------------------


def _check_resident_id(value: str, kind: IdType, field: str, today: dt.date | None) -> None:
    _check_eighteen_shape(value, kind, field)
    province = value[:2]
    if province in ("81", "82"):
        raise _error(
            field,
            f"{kind.name}号码不能以“{province}”开头：这是港澳居民居住证的号段，"
            "请选择证件类型 237 港澳居民居住证",
        )
    if province == "83":
        raise _error(
            field,
            f"{kind.name}号码不能以“83”开头：这是台湾居民居住证的号段，"
            "请选择证件类型 238 台湾居民居住证",
        )
    if province == "71":
        raise _error(
            field,
            f"{kind.name}号码不能以“71”开头：台湾地区不签发居民身份证，"
            "请选择证件类型 238 台湾居民居住证或 213 台湾居民来往大陆通行证",
        )
    if province not in PROVINCE_CODES:
        raise _error(field, f"{kind.name}号码前两位“{province}”不是有效的省级行政区划代码")
    _check_birth_date(value, kind, field, today)
    _check_mod11(value, kind, field)


def _check_residence_permit(value: str, kind: IdType, field: str, today: dt.date | None) -> None:
    _check_eighteen_shape(value, kind, field)
    prefixes = _HK_MACAO_PREFIXES if kind.code == HK_MACAO_RESIDENCE else (_TAIWAN_PREFIX,)
    if not value.startswith(prefixes):
        raise _error(field, f"{kind.name}号码应以 {' 或 '.join(prefixes)} 开头")
    _check_birth_date(value, kind, field, today)
    _check_mod11(value, kind, field)


def _check_hk_macao_permit(value: str, kind: IdType, field: str, today: dt.date | None) -> None:
    if not re.fullmatch(r"[HM]([0-9]{8}|[0-9]{10})", value):
        raise _error(field, f"{kind.name}号码应为 H 或 M 加 8 位或 10 位数字，收到的是“{value}”")


def _check_taiwan_permit(value: str, kind: IdType, field: str, today: dt.date | None) -> None:
    if not re.fullmatch(r"[0-9]{8}", value):
        raise _error(field, f"{kind.name}号码应为 8 位数字，收到的是“{value}”")


def _check_permanent_residence(value: str, kind: IdType, field: str, today: dt.date | None) -> None:
    if re.fullmatch(r"[A-Z]{3}[0-9]{12}", value):
        return  # 2017 form: no published check character.
    if len(value) == 18 and value.startswith("9"):
        # 2023 form: the ID card's check character. The birth date is deliberately not
        # checked: the layout of the new card is not published in a standard we can cite.
        _check_eighteen_shape(value, kind, field)
        _check_mod11(value, kind, field)
        return
    raise _error(
        field,
        f"{kind.name}号码应为 3 位字母加 12 位数字（2017 版），"
        f"或以 9 开头的 18 位号码（2023 版），收到的是“{value}”",
    )


def _check_passport(value: str, kind: IdType, field: str, today: dt.date | None) -> None:
    if not re.fullmatch(r"[A-Z0-9]{5,20}", value) or not any(ch.isdigit() for ch in value):
        raise _error(
            field, f"{kind.name}号码应为 5-20 位字母或数字，且至少含 1 位数字，收到的是“{value}”"
        )


def _check_work_permit(value: str, kind: IdType, field: str, today: dt.date | None) -> None:
    if not re.fullmatch(r"[A-Z0-9-]{1,30}", value):
        raise _error(field, f"{kind.name}号码应为 1-30 位字母、数字或“-”，收到的是“{value}”")


def _check_other(value: str, kind: IdType, field: str, today: dt.date | None) -> None:
    if len(value) > 30 or not value.isprintable():
        raise _error(field, f"{kind.name}号码应为 1-30 位可打印字符")


_CHECKERS: dict[str, Callable[[str, IdType, str, dt.date | None], None]] = {
    RESIDENT_ID: _check_resident_id,
    CHINESE_PASSPORT: _check_passport,
    HK_MACAO_PERMIT: _check_hk_macao_permit,
    HK_MACAO_RESIDENCE: _check_residence_permit,
    TAIWAN_PERMIT: _check_taiwan_permit,
    TAIWAN_RESIDENCE: _check_residence_permit,
    FOREIGN_PASSPORT: _check_passport,
    FOREIGN_PERMANENT_RESIDENCE: _check_permanent_residence,
    WORK_PERMIT_A: _check_work_permit,
    WORK_PERMIT_B: _check_work_permit,
    WORK_PERMIT_C: _check_work_permit,
    OTHER: _check_other,
}


# --- shared parts of the 18-character layout -------------------------------------------


def _check_eighteen_shape(value: str, kind: IdType, field: str) -> None:
    if len(value) != 18:
        raise _error(field, f"{kind.name}号码应为 18 位，“{value}”为 {len(value)} 位")
    if not _EIGHTEEN.fullmatch(value):
        raise _error(field, f"{kind.name}号码格式错误：前 17 位应为数字，最后一位为数字或 X")


def _check_birth_date(value: str, kind: IdType, field: str, today: dt.date | None) -> None:
    digits = value[6:14]
    try:
        born = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise _error(field, f"{kind.name}号码中的出生日期“{digits}”不是有效日期") from None
    if born.year < _EARLIEST_BIRTH_YEAR:
        raise _error(field, f"{kind.name}号码中的出生日期“{digits}”早于 1900 年")
    reference = today or clock.today()
    if born > reference:
        raise _error(
            field, f"{kind.name}号码中的出生日期“{digits}”晚于今天（{reference.isoformat()}）"
        )


def _check_mod11(value: str, kind: IdType, field: str) -> None:
    # The shape was checked already: 17 digits, so no second pattern match here.
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _ID_WEIGHTS, strict=True))
    expected = _ID_CHECK_CHARS[total % 11]
    if value[17] != expected:
        raise _error(field, f"{kind.name}号码校验位错误：应为 {expected}")


def _error(field: str, message: str) -> DomainError:
    return InvalidInput.for_field(field, message)
