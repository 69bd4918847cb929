"""文号 prefixes (rules.document_numbers): one per authority, never shared."""

from __future__ import annotations

import pytest

from skillcert.rules.document_numbers import (
    CITY_ABBREVIATIONS,
    authority_full_name,
    document_number,
    document_prefix,
)
from skillcert.rules.regions import ANHUI


def test_every_city_of_anhui_has_its_own_prefix():
    prefixes = [document_prefix(is_province=False, name=city.name) for city in ANHUI.cities]
    assert len(ANHUI.cities) == 16
    assert len(set(prefixes)) == 16, prefixes
    province = document_prefix(is_province=True, name=ANHUI.province_name)
    assert province == "皖人社认"
    assert province not in prefixes
    # The table names exactly the cities of the region table.
    assert set(CITY_ABBREVIATIONS) == {city.name for city in ANHUI.cities}


@pytest.mark.parametrize(
    ("name", "prefix"),
    [
        ("合肥市", "合人社认"),
        ("合肥", "合人社认"),
        ("安庆市", "宜人社认"),
        ("淮南市", "淮人社认"),
        ("淮北市", "淮北人社认"),
        ("马鞍山市", "马人社认"),
        ("亳州市", "亳人社认"),
        ("某某市", "某人社认"),  # outside the table: its first character
    ],
)
def test_prefixes(name, prefix):
    assert document_prefix(is_province=False, name=name) == prefix


def test_number_and_names():
    assert document_number("合人社认", 2026, 12) == "合人社认〔2026〕12号"
    with pytest.raises(ValueError):
        document_number("合人社认", 2026, 0)
    assert authority_full_name(is_province=True, name="安徽省") == "安徽省人力资源和社会保障厅"
    assert authority_full_name(is_province=False, name="合肥市") == "合肥市人力资源和社会保障局"
