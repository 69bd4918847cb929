"""Vocational skill levels (职业技能等级) and their names.

The certificate number carries the level as one digit (附件3: 1 = 一级/高级技师 … 5 = 五级/初级工);
附件5 prints the full name ("三级/高级工"); 附件4 lists the levels from the lowest up.
"""

from __future__ import annotations

from enum import IntEnum

from skillcert.rules.errors import DomainError, InvalidInput


class Level(IntEnum):
    """A skill level; the value is the level code used in certificate numbers."""

    ONE = 1
    TWO = 2
    THREE = 3
    FOUR = 4
    FIVE = 5

    @property
    def full_name(self) -> str:
        """The name used in 附件5, e.g. "三级/高级工"."""
        return level_name(self)

    @property
    def short_name(self) -> str:
        """The traditional title alone, e.g. "高级工"."""
        return level_short_name(self)


_ORDINALS: dict[Level, str] = {
    Level.ONE: "一级",
    Level.TWO: "二级",
    Level.THREE: "三级",
    Level.FOUR: "四级",
    Level.FIVE: "五级",
}

_TITLES: dict[Level, str] = {
    Level.ONE: "高级技师",
    Level.TWO: "技师",
    Level.THREE: "高级工",
    Level.FOUR: "中级工",
    Level.FIVE: "初级工",
}

# 附件4 counts passes per level from the lowest up: 初级, 中级, 高级, 技师, 高级技师.
ANNEX4_COLUMNS: tuple[Level, ...] = (Level.FIVE, Level.FOUR, Level.THREE, Level.TWO, Level.ONE)

# Every spelling parse_level understands, mapped once so that lookups stay a dict access.
_SPELLINGS: dict[str, Level] = {}
for _level in Level:
    _SPELLINGS[str(_level.value)] = _level
    _SPELLINGS[_ORDINALS[_level]] = _level
    _SPELLINGS[_TITLES[_level]] = _level
    _SPELLINGS[f"{_ORDINALS[_level]}/{_TITLES[_level]}"] = _level
del _level


def level_name(level: Level | int) -> str:
    """The full name of a level as printed in 附件5, e.g. "三级/高级工"."""
    lv = parse_level(level)
    return f"{_ORDINALS[lv]}/{_TITLES[lv]}"


def level_short_name(level: Level | int) -> str:
    """The traditional title of a level, e.g. "高级工"."""
    return _TITLES[parse_level(level)]


def parse_level(value: int | str, *, field: str = "level") -> Level:
    """Read a level from its code (1-5, as int or digit string) or a Chinese name.

    Accepted names: "三级", "高级工", "三级/高级工" (an ASCII or full-width slash, spaces ignored).
    Anything else raises InvalidInput.
    """
    # bool is an int subclass; True must not silently mean level 1.
    if isinstance(value, bool):
        raise _bad_level(field, value)
    if isinstance(value, int):
        try:
            return Level(value)
        except ValueError:
            raise _bad_level(field, value) from None
    if isinstance(value, str):
        key = "".join(value.split()).replace("／", "/")
        level = _SPELLINGS.get(key)
        if level is not None:
            return level
    raise _bad_level(field, value)


def _bad_level(field: str, value: object) -> DomainError:
    return InvalidInput.for_field(
        field,
        f"等级应为 1-5 的等级代码或等级名称（如“三级/高级工”），收到的是“{value}”",
    )
