"""Organization filing numbers (机构备案号) and certificate numbers (证书编号), 附件3.

Filing number, 13 characters: category (Y employer, S social organization) + 4 digits (``0000``
filed with a province, ``0001``-``9999`` filed with the ministry) + province (2) + city (2) +
serial (4). Example: ``S000034010001``.

Certificate number, 22 characters: filing number + issue year (2) + level code (1) + serial (6).
Example: ``S000034010001263000001``.

This module only composes and checks numbers; which serial comes next is decided by the counter
rows of the Django layer, using :func:`next_serial` for the arithmetic and the overflow error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from skillcert.rules.errors import Exhausted, InvalidInput
from skillcert.rules.levels import Level, parse_level
from skillcert.rules.regions import ANHUI, PROVINCE_CODES, RegionTable

FILING_SERIAL_MAX = 9999
CERTIFICATE_SERIAL_MAX = 999999

# Organizations filed with a province carry 0000; allocation here always writes it.
PROVINCIAL_MINISTRY_CODE = "0000"
CATEGORIES: frozenset[str] = frozenset({"Y", "S"})

FILING_NUMBER_LENGTH = 13
CERTIFICATE_NUMBER_LENGTH = 22

_SERIAL_LABELS: dict[int, str] = {
    FILING_SERIAL_MAX: "备案号流水号",
    CERTIFICATE_SERIAL_MAX: "证书编号流水号",
}


@dataclass(frozen=True)
class FilingNumber:
    """A parsed organization filing number (机构备案号)."""

    category: str
    ministry: str
    province: str
    city: str
    serial: int

    def __str__(self) -> str:
        return f"{self.category}{self.ministry}{self.province}{self.city}{self.serial:04d}"

    @property
    def is_provincial(self) -> bool:
        """Filed with a province (positions 2-5 are 0000) rather than with the ministry."""
        return self.ministry == PROVINCIAL_MINISTRY_CODE


@dataclass(frozen=True)
class CertificateNumber:
    """A parsed certificate number (证书编号); ``year`` holds the two printed digits."""

    filing: FilingNumber
    year: int
    level: Level
    serial: int

    def __str__(self) -> str:
        return f"{self.filing}{self.year:02d}{int(self.level)}{self.serial:06d}"

    def year_full(self, century: int = 2000) -> int:
        """The four-digit issue year, assuming the given century (2000 unless told)."""
        return century + self.year


def next_serial(highest_assigned: int, *, maximum: int, label: str | None = None) -> int:
    """The serial after the highest one ever assigned (0 when none was assigned yet).

    Serials are never reused, so the next is always one past the highest; past ``maximum``
    raises Exhausted. ``label`` names the sequence in the message; by default it is derived
    from the two known maxima (filing 9999, certificate 999999).
    """
    if highest_assigned < 0:
        raise InvalidInput(f"已分配的最大流水号不能为负数：{highest_assigned}")
    candidate = highest_assigned + 1
    if candidate > maximum:
        name = label or _SERIAL_LABELS.get(maximum, "流水号")
        raise Exhausted(f"{name}已用尽（最大 {maximum}）")
    return candidate


def compose_filing_number(
    category: str,
    city: str,
    serial: int,
    *,
    province: str = "34",
    ministry: str = PROVINCIAL_MINISTRY_CODE,
    regions: RegionTable | None = ANHUI,
) -> str:
    """Build a filing number, checking every part.

    The category is Y or S; the city must be the province channel (00) or a city of ``regions``
    when that table is for ``province`` (other provinces' city codes are only format-checked);
    the serial runs 1..9999: above raises Exhausted, below InvalidInput.
    """
    category = category.strip().upper()
    if category not in CATEGORIES:
        raise InvalidInput.for_field(
            "category", f"机构类别应为 Y（用人单位）或 S（社会培训评价组织），收到的是“{category}”"
        )
    if not re.fullmatch(r"[0-9]{4}", ministry):
        raise InvalidInput.for_field(
            "ministry", f"备案号第 2-5 位应为 4 位数字，收到的是“{ministry}”"
        )
    if province not in PROVINCE_CODES:
        raise InvalidInput.for_field("province", f"未知的省级行政区划代码“{province}”")
    _check_city(city, province, regions, "city")
    _check_serial_range(serial, FILING_SERIAL_MAX, "serial", exhausted_label="备案号流水号")
    return str(FilingNumber(category, ministry, province, city, serial))


def parse_filing_number(
    text: str, *, regions: RegionTable | None = ANHUI, field: str = "filing_number"
) -> FilingNumber:
    """Check and split a 13-character filing number (spaces around it and case are forgiven).

    Enforced: category Y/S; 4 digits (0000 provincial or 0001-9999 ministry); a GB/T 2260
    province code; a 2-digit city code that exists in ``regions`` when the number belongs to
    that table's province; a serial 0001-9999.
    """
    value = text.strip().upper()
    if len(value) != FILING_NUMBER_LENGTH:
        raise InvalidInput.for_field(field, f"机构备案号应为 13 位，“{value}”为 {len(value)} 位")
    return _split_filing(value, regions, field)


def compose_certificate_number(
    filing_number: str | FilingNumber, year: int, level: int | str, serial: int
) -> str:
    """Build a certificate number from a filing number, the issue year, a level and a serial.

    The year is 2000-2099 or its last two digits (0-99); the level a code 1-5; the serial
    1..999999, past which Exhausted is raised.
    """
    filing = (
        filing_number
        if isinstance(filing_number, FilingNumber)
        else parse_filing_number(filing_number)
    )
    if isinstance(year, bool) or not isinstance(year, int):
        raise InvalidInput.for_field("year", f"发证年份应为整数，收到的是“{year}”")
    if 2000 <= year <= 2099:
        year = year - 2000
    elif not 0 <= year <= 99:
        raise InvalidInput.for_field("year", f"发证年份应在 2000-2099 之间，收到的是 {year}")
    lv = parse_level(level)
    _check_serial_range(serial, CERTIFICATE_SERIAL_MAX, "serial", exhausted_label="证书编号流水号")
    return str(CertificateNumber(filing, year, lv, serial))


def parse_certificate_number(
    text: str, *, regions: RegionTable | None = ANHUI, field: str = "number"
) -> CertificateNumber:
    """Check and split a 22-character certificate number.

    Enforced: a valid filing number (see :func:`parse_filing_number`) in the first 13
    characters, then a 2-digit year, a level code 1-5 and a serial 000001-999999.
    """
    value = text.strip().upper()
    if len(value) != CERTIFICATE_NUMBER_LENGTH:
        raise InvalidInput.for_field(field, f"证书编号应为 22 位，“{value}”为 {len(value)} 位")
    filing = _split_filing(value[:FILING_NUMBER_LENGTH], regions, field)
    year_text, level_text, serial_text = value[13:15], value[15], value[16:]
    if not year_text.isascii() or not year_text.isdigit():
        raise InvalidInput.for_field(
            field, f"证书编号第 14-15 位（发证年份）应为数字：“{year_text}”"
        )
    if level_text not in "12345":
        raise InvalidInput.for_field(
            field, f"证书编号第 16 位（等级代码）应为 1-5，收到的是“{level_text}”"
        )
    if not re.fullmatch(r"[0-9]{6}", serial_text) or serial_text == "000000":
        raise InvalidInput.for_field(
            field, f"证书编号第 17-22 位（流水号）应为 000001-999999，收到的是“{serial_text}”"
        )
    return CertificateNumber(filing, int(year_text), Level(int(level_text)), int(serial_text))


def _split_filing(value: str, regions: RegionTable | None, field: str) -> FilingNumber:
    category, ministry, province, city, serial = (
        value[0],
        value[1:5],
        value[5:7],
        value[7:9],
        value[9:13],
    )
    if category not in CATEGORIES:
        raise InvalidInput.for_field(
            field,
            f"机构备案号第 1 位应为 Y（用人单位）或 S（社会培训评价组织），收到的是“{category}”",
        )
    if not re.fullmatch(r"[0-9]{4}", ministry):
        raise InvalidInput.for_field(
            field, f"机构备案号第 2-5 位应为 4 位数字，收到的是“{ministry}”"
        )
    if province not in PROVINCE_CODES:
        raise InvalidInput.for_field(field, f"机构备案号第 6-7 位“{province}”不是省级行政区划代码")
    _check_city(city, province, regions, field)
    if not re.fullmatch(r"[0-9]{4}", serial) or serial == "0000":
        raise InvalidInput.for_field(
            field, f"机构备案号第 10-13 位（流水号）应为 0001-9999，收到的是“{serial}”"
        )
    return FilingNumber(category, ministry, province, city, int(serial))


def _check_city(city: str, province: str, regions: RegionTable | None, field: str) -> None:
    if not re.fullmatch(r"[0-9]{2}", city):
        raise InvalidInput.for_field(field, f"地市代码应为 2 位数字，收到的是“{city}”")
    # Only the loaded table's own province can be checked; other provinces' numbers arrive
    # through imports and ministry filings, and we have no table for them.
    if (
        regions is not None
        and province == regions.province_code
        and city not in regions.filing_city_codes()
    ):
        raise InvalidInput.for_field(
            field, f"未知的地市代码“{city}”：{regions.province_name}没有这个地市"
        )


def _check_serial_range(serial: int, maximum: int, field: str, *, exhausted_label: str) -> None:
    if isinstance(serial, bool) or not isinstance(serial, int):
        raise InvalidInput.for_field(field, f"流水号应为整数，收到的是“{serial}”")
    if serial > maximum:
        raise Exhausted(f"{exhausted_label}已用尽（最大 {maximum}）")
    if serial < 1:
        raise InvalidInput.for_field(field, f"流水号应从 1 开始，收到的是 {serial}")
