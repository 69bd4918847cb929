import json

import pytest

from skillcert.rules.errors import InvalidInput
from skillcert.rules.regions import ANHUI, PROVINCE_CODES, load_region_table

ANNEX3_CITIES = {
    "01": "合肥市",
    "02": "芜湖市",
    "03": "蚌埠市",
    "04": "淮南市",
    "05": "马鞍山市",
    "06": "淮北市",
    "07": "铜陵市",
    "08": "安庆市",
    "10": "黄山市",
    "11": "滁州市",
    "12": "阜阳市",
    "13": "宿州市",
    "24": "六安市",
    "25": "宣城市",
    "29": "池州市",
    "30": "亳州市",
}


def test_anhui_table_matches_annex3():
    assert ANHUI.province_code == "34"
    assert ANHUI.province_name == "安徽省"
    assert ANHUI.channel_code == "00"
    assert ANHUI.channel_name == "省直"
    assert {c.code: c.name for c in ANHUI.cities} == ANNEX3_CITIES
    assert ANHUI.filing_city_codes() == ("00", *ANNEX3_CITIES)


def test_city_lookup_by_code():
    assert ANHUI.city("24").name == "六安市"
    assert ANHUI.city("24").division == "341500"
    assert ANHUI.has_city("30")
    assert not ANHUI.has_city("09")
    assert not ANHUI.has_city("00")  # the province channel is not a city


@pytest.mark.parametrize("code", ["09", "00", "14", "1", "abc"])
def test_unknown_city_code(code):
    with pytest.raises(InvalidInput, match="未知的地市代码"):
        ANHUI.city(code)


@pytest.mark.parametrize(("name", "code"), [("合肥", "01"), ("合肥市", "01"), (" 马鞍山 ", "05")])
def test_city_by_name(name, code):
    assert ANHUI.city_by_name(name).code == code


@pytest.mark.parametrize("name", ["南京", "巢湖市", "", "省直"])
def test_city_by_unknown_name(name):
    with pytest.raises(InvalidInput, match="未知的地市名称"):
        ANHUI.city_by_name(name)


@pytest.mark.parametrize(
    ("division", "city_code"),
    [
        ("340104", "01"),  # 蜀山区
        ("340100", "01"),
        ("341402", "01"),  # former 巢湖市 居巢区 → 合肥
        ("341422", "02"),  # 无为 went to 芜湖 (longer prefix wins over 3414)
        ("341423", "05"),  # 含山 → 马鞍山
        ("341424", "05"),  # 和县 → 马鞍山
        ("342101", "12"),  # former 阜阳地区
        ("342201", "13"),  # former 宿县地区
        ("341502", "24"),
        ("341802", "25"),
        ("341702", "29"),
        ("341602", "30"),
        ("340000", None),  # the province itself
        ("320102", None),  # 南京 is not in Anhui
        ("110105", None),
    ],
)
def test_city_for_division(division, city_code):
    city = ANHUI.city_for_division(division)
    assert (city.code if city else None) == city_code


def test_city_for_malformed_division():
    with pytest.raises(InvalidInput, match="6 位数字"):
        ANHUI.city_for_division("3401")


@pytest.mark.parametrize(
    ("division", "inside"), [("340104", True), ("340000", True), ("320102", False), ("34", False)]
)
def test_is_in_province(division, inside):
    assert ANHUI.is_in_province(division) is inside


def test_province_codes():
    assert len(PROVINCE_CODES) == 34
    assert "34" in PROVINCE_CODES
    assert "71" in PROVINCE_CODES
    assert {"81", "82"} <= PROVINCE_CODES
    assert "83" not in PROVINCE_CODES
    assert "10" not in PROVINCE_CODES


def _table(**changes):
    data = {
        "province_code": "32",
        "province_name": "江苏省",
        "province_division": "320000",
        "channel_code": "00",
        "channel_name": "省直",
        "cities": [
            {
                "code": "01",
                "name": "南京市",
                "division": "320100",
                "division_prefixes": ["3201"],
            },
            {
                "code": "02",
                "name": "无锡市",
                "division": "320200",
                "division_prefixes": ["3202"],
            },
        ],
    }
    data.update(changes)
    return data


def _write(tmp_path, data):
    path = tmp_path / "regions.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_load_another_province(tmp_path):
    table = load_region_table(_write(tmp_path, _table()))
    assert table.province_name == "江苏省"
    assert table.city_by_name("无锡").code == "02"
    assert table.city_for_division("320102").name == "南京市"
    assert table.filing_city_codes() == ("00", "01", "02")


def _city(code="03", name="徐州市", division="320300", prefixes=("3203",)):
    return {"code": code, "name": name, "division": division, "division_prefixes": list(prefixes)}


@pytest.mark.parametrize(
    "changes",
    [
        {"province_code": "99"},
        {"province_code": ""},
        {"province_division": "320100"},
        {"channel_code": "0"},
        {"channel_code": "01"},  # collides with a city code
        {"cities": []},
        {"cities": "南京"},
        {"cities": [_city(), _city(name="另一个市")]},  # duplicate code
        {"cities": [_city(), _city(code="04")]},  # duplicate name
        {"cities": [_city(code="3")]},
        {"cities": [_city(code="ab")]},
        {"cities": [_city(division="32030")]},
        {"cities": [_city(division="340300")]},  # outside the province
        {"cities": [_city(prefixes=())]},
        {"cities": [_city(prefixes=("32",))]},
        {"cities": [_city(prefixes=("3403",))]},
        {"cities": [_city(), _city(code="04", name="常州市", prefixes=("3203",))]},
        {"cities": [{"code": "03", "name": "徐州市", "division": "320300"}]},
        {"cities": [_city(name=" ")]},
    ],
)
def test_malformed_tables_are_refused(tmp_path, changes):
    with pytest.raises(ValueError, match="region table"):
        load_region_table(_write(tmp_path, _table(**changes)))


def test_top_level_must_be_an_object(tmp_path):
    path = tmp_path / "regions.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(ValueError, match="region table"):
        load_region_table(path)
