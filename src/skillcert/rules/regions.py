"""Region tables: the province, its cities and their codes.

Filing numbers use the city codes of 附件3 (六安 24, 宣城 25, 池州 29, 亳州 30 keep old prefecture
numbers), while ID numbers and credit codes carry GB/T 2260 division codes; the table links the two.
The table is data, so another province's table can be loaded the same way (domain.md section 4).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skillcert.rules.errors import InvalidInput

DATA_DIR = Path(__file__).parent / "data"

# GB/T 2260 province-level codes. 71 is Taiwan; 81/82 are Hong Kong/Macao. "83" is not a
# province: it only prefixes Taiwan residents' residence permits, so it is deliberately absent.
PROVINCE_CODES: frozenset[str] = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82",
    }
)  # fmt: skip

_TWO_DIGITS = re.compile(r"[0-9]{2}")
_SIX_DIGITS = re.compile(r"[0-9]{6}")


@dataclass(frozen=True)
class City:
    """A city of the province.

    ``code`` is the 2-digit filing-number code (附件3); ``division`` the current GB/T 2260 code;
    ``division_prefixes`` the division prefixes (current and former) that belong to the city.
    """

    code: str
    name: str
    division: str
    division_prefixes: tuple[str, ...]

    @property
    def short_name(self) -> str:
        """The name without the trailing 市 ("合肥市" → "合肥")."""
        return self.name.removesuffix("市")


@dataclass(frozen=True)
class RegionTable:
    """One province: its codes, the province channel (省直) and its cities."""

    province_code: str
    province_name: str
    province_division: str
    channel_code: str
    channel_name: str
    cities: tuple[City, ...]

    def city(self, code: str) -> City:
        """The city with this filing-number code; InvalidInput when there is none."""
        for city in self.cities:
            if city.code == code:
                return city
        raise InvalidInput.for_field(
            "city", f"未知的地市代码“{code}”：{self.province_name}没有这个地市"
        )

    def has_city(self, code: str) -> bool:
        """Whether a city has this filing-number code (the province channel code is not a city)."""
        return any(city.code == code for city in self.cities)

    @functools.cached_property
    def _cities_by_name(self) -> dict[str, City]:
        names = {city.name: city for city in self.cities}
        names.update({city.short_name: city for city in self.cities})
        return names

    def city_by_name(self, name: str) -> City:
        """The city with this name, with or without the trailing 市 ("合肥" or "合肥市")."""
        wanted = name.strip()
        city = self._cities_by_name.get(wanted)
        if city is not None:
            return city
        raise InvalidInput.for_field(
            "city", f"未知的地市名称“{wanted}”：{self.province_name}没有这个地市"
        )

    def city_for_division(self, division6: str) -> City | None:
        """The city a 6-digit division code belongs to, by the longest matching prefix.

        None when the code lies outside this province or names the province itself (340000).
        A malformed code raises InvalidInput.
        """
        if not _SIX_DIGITS.fullmatch(division6):
            raise InvalidInput.for_field(
                "division", f"行政区划代码应为 6 位数字，收到的是“{division6}”"
            )
        best: City | None = None
        best_length = 0
        for city in self.cities:
            for prefix in city.division_prefixes:
                if division6.startswith(prefix) and len(prefix) > best_length:
                    best, best_length = city, len(prefix)
        return best

    def is_in_province(self, division6: str) -> bool:
        """Whether a 6-digit division code belongs to this province (its first two digits)."""
        return bool(_SIX_DIGITS.fullmatch(division6)) and division6[:2] == self.province_code

    def filing_city_codes(self) -> tuple[str, ...]:
        """The codes a filing number may carry: the province channel (省直, 00), then the cities."""
        return (self.channel_code, *(city.code for city in self.cities))


def load_region_table(path: str | Path) -> RegionTable:
    """Read a region table from JSON (the shape of data/regions_34_anhui.json).

    Raises ValueError on a malformed file: codes must be 2 digits and unique (the channel code
    included), names non-empty, divisions and prefixes digits of the right length inside the
    province.
    """
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError("region table: the top level must be an object")
    province_code = _text(raw, "province_code")
    province_name = _text(raw, "province_name")
    province_division = _text(raw, "province_division")
    channel_code = _text(raw, "channel_code")
    channel_name = _text(raw, "channel_name")
    if province_code not in PROVINCE_CODES:
        raise ValueError(f"region table: {province_code!r} is not a province code")
    if province_division != f"{province_code}0000":
        raise ValueError(f"region table: province_division should be {province_code}0000")
    if not _TWO_DIGITS.fullmatch(channel_code):
        raise ValueError(f"region table: channel_code {channel_code!r} is not 2 digits")
    raw_cities = raw.get("cities")
    if not isinstance(raw_cities, list) or not raw_cities:
        raise ValueError("region table: 'cities' must be a non-empty list")
    cities = tuple(_city(item, province_code) for item in raw_cities)
    _check_unique([channel_code, *(c.code for c in cities)], "city code")
    _check_unique([c.name for c in cities], "city name")
    # The same prefix under two cities would make city_for_division depend on file order.
    _check_unique([p for c in cities for p in c.division_prefixes], "division prefix")
    return RegionTable(
        province_code=province_code,
        province_name=province_name,
        province_division=province_division,
        channel_code=channel_code,
        channel_name=channel_name,
        cities=cities,
    )


def _city(item: Any, province_code: str) -> City:
    if not isinstance(item, dict):
        raise ValueError("region table: each city must be an object")
    code = _text(item, "code")
    name = _text(item, "name")
    division = _text(item, "division")
    if not _TWO_DIGITS.fullmatch(code):
        raise ValueError(f"region table: city code {code!r} is not 2 digits")
    if not _SIX_DIGITS.fullmatch(division) or not division.startswith(province_code):
        raise ValueError(f"region table: {name}: division {division!r} is not in the province")
    prefixes = item.get("division_prefixes")
    if not isinstance(prefixes, list) or not prefixes:
        raise ValueError(f"region table: {name}: 'division_prefixes' must be a non-empty list")
    for prefix in prefixes:
        # A prefix shorter than 4 digits would swallow the whole province.
        if (
            not isinstance(prefix, str)
            or not re.fullmatch(r"[0-9]{4,6}", prefix)
            or not prefix.startswith(province_code)
        ):
            raise ValueError(f"region table: {name}: bad division prefix {prefix!r}")
    return City(code=code, name=name, division=division, division_prefixes=tuple(prefixes))


def _text(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"region table: {key!r} must be a non-empty string")
    return value.strip()


def _check_unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"region table: duplicate {what} {value!r}")
        seen.add(value)


ANHUI: RegionTable = load_region_table(DATA_DIR / "regions_34_anhui.json")
