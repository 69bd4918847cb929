"""文号 of formal documents (domain.md §9): ``合人社认〔2026〕12号``.

A 文号 is the issuing organ's code (机关代字: the authority's short name + 人社认), the year in
〔〕 and the serial + 号. The short name is the one each authority already uses in its own
文号 (合肥 合, 安庆 宜, the province 皖). Two cities of Anhui begin with 淮: 淮南 keeps 淮
and 淮北 writes 淮北, as both cities' own documents do (淮北's read 淮北政, 淮北人社…), so no
two authorities ever share a prefix (``test_document_numbers`` checks all 16).

Pure data and string work, no Django: ``formal.service`` numbers the documents.
"""

from __future__ import annotations

from skillcert.rules.regions import ANHUI, RegionTable

ISSUER_SUFFIX = "人社认"
PROVINCE_DEPARTMENT_SUFFIX = "人力资源和社会保障厅"
CITY_BUREAU_SUFFIX = "人力资源和社会保障局"

# The province's one-character name (简称) by its GB/T 2260 code.
PROVINCE_ABBREVIATIONS: dict[str, str] = {"34": "皖"}

# The short name each city uses in its documents' 机关代字, by the city's full name.
CITY_ABBREVIATIONS: dict[str, str] = {
    "合肥市": "合",
    "芜湖市": "芜",
    "蚌埠市": "蚌",
    "淮南市": "淮",
    "马鞍山市": "马",
    "淮北市": "淮北",  # 淮 is 淮南's: 淮北 writes both characters
    "铜陵市": "铜",
    "安庆市": "宜",  # 安庆's old name 宜城, as in 宜政发
    "黄山市": "黄",
    "滁州市": "滁",
    "阜阳市": "阜",
    "宿州市": "宿",
    "六安市": "六",
    "宣城市": "宣",
    "池州市": "池",
    "亳州市": "亳",
}


def city_abbreviation(name: str) -> str:
    """The short name of a city by its name ("合肥市" or "合肥"); a city outside the table
    (another province's, a test's) falls back to its first character."""
    wanted = name.strip()
    short = CITY_ABBREVIATIONS.get(wanted) or CITY_ABBREVIATIONS.get(f"{wanted}市")
    return short or wanted[:1]


def province_abbreviation(regions: RegionTable = ANHUI) -> str:
    return PROVINCE_ABBREVIATIONS.get(regions.province_code, regions.province_name[:1])


def document_prefix(*, is_province: bool, name: str, regions: RegionTable = ANHUI) -> str:
    """The 机关代字 of a 文号: 皖人社认 for the province, 合人社认 for 合肥."""
    short = province_abbreviation(regions) if is_province else city_abbreviation(name)
    return f"{short}{ISSUER_SUFFIX}"


def document_number(prefix: str, year: int, serial: int) -> str:
    """``合人社认〔2026〕12号``."""
    if serial < 1:
        raise ValueError("a 文号 serial starts at 1")
    return f"{prefix}〔{year}〕{serial}号"


def authority_full_name(*, is_province: bool, name: str) -> str:
    """The issuing department's full name (安徽省人力资源和社会保障厅, a city's 局)."""
    return f"{name}{PROVINCE_DEPARTMENT_SUFFIX if is_province else CITY_BUREAU_SUFFIX}"
