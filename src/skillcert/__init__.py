"""skillcert: 职业技能等级认定平台 (vocational skill level certification, Anhui first)."""

__version__ = "0.1.0"
