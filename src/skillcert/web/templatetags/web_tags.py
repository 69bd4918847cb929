"""Filters the registry pages use: level names, labels of stored codes, dictionary lookups."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html_join

from skillcert.registry.models import Category, Scope
from skillcert.registry.workflow import FilingState
from skillcert.rules.filing import parse_nature
from skillcert.rules.levels import level_name

register = template.Library()


@register.filter
def levels(value: Any) -> str:
    """[3, 4, 5] → "三级/高级工、四级/中级工、五级/初级工", each name kept on one line."""
    names = [level_name(level) for level in sorted(value or [])]
    return format_html_join("、", '<span class="nowrap">{}</span>', ((name,) for name in names))


@register.filter
def level(value: Any) -> str:
    return level_name(int(value)) if value not in (None, "") else "无"


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def nature(value: str) -> str:
    parsed = parse_nature(value or "")
    return parsed.label if parsed else (value or "")


@register.filter
def category(value: str) -> str:
    return Category(value).label if value in Category.values else (value or "")


@register.filter
def scope(value: str) -> str:
    return Scope(value).label if value in Scope.values else (value or "")


@register.filter
def state_label(value: str) -> str:
    return FilingState(value).label if value in FilingState.values else (value or "")


@register.filter
def yesno_cn(value: Any) -> str:
    return "是" if value else "否"


@register.filter
def action_label(value: str) -> str:
    """A history row's action as the button that made it was labelled."""
    from skillcert.registry.workflow import FILING_TRANSITIONS

    transition = FILING_TRANSITIONS.get(value)
    return transition.label if transition else value


@register.filter
def material_label(value: str) -> str:
    from skillcert.rules.filing import Material

    try:
        return Material(value).label
    except ValueError:
        return value
