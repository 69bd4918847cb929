import re
from pathlib import Path

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


# --- one way of writing a level everywhere ------------------------------------------------

SOURCE = Path(__file__).resolve().parents[2] / "src" / "skillcert"
# A level's title alone ("高级工", "技师"), not as part of its full name "三级/高级工";
# 技师学院 (a technician college) is a school, not a level.
BARE_TITLE = re.compile(
    r"(?<![一二三四五]级/)(?:高级技师|高级工|中级工|初级工)"
    r"|(?<![一二三四五]级/)(?<!高级)技师(?!学院)"
)
# A level written as its number: f"{level}级", "{{ level }}级", "3级".
NUMBERED = re.compile(r"\}\s*级|(?<![0-9-])[1-5]\s*级(?!别)")
# Where a title alone is right: the names themselves, 附件4's column titles (初级 … 高级技师,
# fixed by the notice), the roster guide listing the spellings an upload accepts, and a
# demo person's professional title.
ALLOWED = {
    "rules/levels.py": None,
    "assessment/annex4.py": None,
    "assessment/excel/templates.py": {"也可填写 1-5 的等级代码或 三级、高级工"},
    "ops/demo/filings.py": {"刘高级技师"},
}


def displayed_sources() -> list[Path]:
    return sorted(
        path
        for pattern in ("*.py", "*.html", "*.js", "*.txt")
        for path in SOURCE.rglob(pattern)
        if "migrations" not in path.parts
    )


def test_levels_are_written_only_through_level_name():
    """Every level a person reads is "三级/高级工": pages, PDFs, Excel files and notices
    all get it from level_name (or a template filter built on it)."""
    found = []
    for path in displayed_sources():
        relative = path.relative_to(SOURCE).as_posix()
        allowed = ALLOWED.get(relative, set())
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if allowed is None or any(text in line for text in allowed):
                continue
            if BARE_TITLE.search(line) or NUMBERED.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []


def test_the_short_title_is_only_for_annex4_columns():
    users = [
        path.relative_to(SOURCE).as_posix()
        for path in displayed_sources()
        if "level_short_name" in path.read_text(encoding="utf-8")
    ]
    assert sorted(users) == ["assessment/annex4.py", "rules/levels.py"]
