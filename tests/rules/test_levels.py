import pytest

from skillcert.rules.errors import InvalidInput
from skillcert.rules.levels import (
    ANNEX4_COLUMNS,
    Level,
    level_name,
    level_short_name,
    parse_level,
)


@pytest.mark.parametrize(
    ("level", "full", "short"),
    [
        (Level.ONE, "一级/高级技师", "高级技师"),
        (Level.TWO, "二级/技师", "技师"),
        (Level.THREE, "三级/高级工", "高级工"),
        (Level.FOUR, "四级/中级工", "中级工"),
        (Level.FIVE, "五级/初级工", "初级工"),
    ],
)
def test_names(level, full, short):
    assert level_name(level) == full
    assert level_short_name(level) == short
    assert level.full_name == full
    assert level.short_name == short
    assert parse_level(full) is level
    assert parse_level(short) is level


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, Level.ONE),
        (5, Level.FIVE),
        ("3", Level.THREE),
        (" 4 ", Level.FOUR),
        ("三级", Level.THREE),
        ("高级工", Level.THREE),
        ("三级/高级工", Level.THREE),
        ("三级／高级工", Level.THREE),
        ("三级 / 高级工", Level.THREE),
        ("一级/高级技师", Level.ONE),
        ("技师", Level.TWO),
    ],
)
def test_parse_level_accepts(value, expected):
    assert parse_level(value) is expected


@pytest.mark.parametrize(
    "value", [0, 6, -1, "0", "6", "", "六级", "高级", "三级/中级工", "3级", True, "1.0"]
)
def test_parse_level_refuses(value):
    with pytest.raises(InvalidInput) as excinfo:
        parse_level(value, field="grade")
    assert "等级应为 1-5" in excinfo.value.message
    assert "grade" in excinfo.value.fields


def test_annex4_columns_run_from_lowest_level_up():
    assert ANNEX4_COLUMNS == (Level.FIVE, Level.FOUR, Level.THREE, Level.TWO, Level.ONE)
    assert [level_short_name(lv) for lv in ANNEX4_COLUMNS] == [
        "初级工",
        "中级工",
        "高级工",
        "技师",
        "高级技师",
    ]


def test_level_value_is_certificate_code():
    assert [int(lv) for lv in Level] == [1, 2, 3, 4, 5]
