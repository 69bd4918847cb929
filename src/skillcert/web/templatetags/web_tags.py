"""Filters the registry pages use: level names, labels of stored codes, dictionary lookups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.utils.html import format_html_join

from skillcert.accounts.display import with_person_labels
from skillcert.registry.models import Category, Scope
from skillcert.registry.workflow import FilingState
from skillcert.rules.disclosure import mask_phone as _mask_phone
from skillcert.rules.filing import parse_nature
from skillcert.rules.levels import level_name

if TYPE_CHECKING:
    from skillcert.assessment.models import Batch

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
    from skillcert.registry.workflow import FILING

    return FILING.action_label(value)


@register.filter
def material_label(value: str) -> str:
    from skillcert.rules.filing import Material

    try:
        return Material(value).label
    except ValueError:
        return value


@register.filter
def index(sequence: Any, position: int) -> Any:
    try:
        return sequence[position]
    except (IndexError, KeyError, TypeError):
        return ""


@register.filter
def batch_state_label(value: str) -> str:
    from skillcert.assessment.workflow import BatchState

    return BatchState(value).label if value in BatchState.values else (value or "")


@register.filter
def batch_action_label(value: str) -> str:
    from skillcert.assessment.workflow import BATCH

    return BATCH.action_label(value)


@register.filter
def mask_phone(value: Any) -> str:
    """A phone number with its middle digits hidden (``138****1234``, domain.md §11)."""
    return _mask_phone(value)


@register.filter
def phone(value: Any, full: Any = False) -> str:
    """A phone number in full for those who may see it (``full``: the view's
    ``registry.access.sees_full_phone``), masked for everyone else."""
    return str(value or "") if full is True else _mask_phone(value)


@register.filter
def notice_body(body: str) -> str:
    """A notice's text: paragraphs, and tab-separated lines (a result publicity's list of
    names) as a table whose first row is the header."""
    from django.utils.html import format_html, format_html_join

    blocks: list[tuple[str, list[str]]] = []
    for line in (body or "").splitlines():
        kind = "table" if "\t" in line else "text"
        if blocks and blocks[-1][0] == kind:
            blocks[-1][1].append(line)
        else:
            blocks.append((kind, [line]))
    parts = []
    for kind, lines in blocks:
        if kind == "text":
            parts.append(
                format_html(
                    '<p class="notice-text">{}</p>',
                    format_html_join("", "{}<br>", ((line,) for line in lines[:-1]))
                    + format_html("{}", lines[-1]),
                )
            )
            continue
        header, *rows = (line.split("\t") for line in lines)
        head = format_html_join("", "<th>{}</th>", ((cell,) for cell in header))
        body_rows = format_html_join(
            "",
            "<tr>{}</tr>",
            ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows),
        )
        parts.append(
            format_html(
                '<div class="notice-table table-scroll" tabindex="0" role="region" '
                'aria-label="名单（共 {} 人）"><table><thead><tr>{}</tr></thead>'
                "<tbody>{}</tbody></table></div>",
                len(rows),
                head,
                body_rows,
            )
        )
    return format_html_join("", "{}", ((part,) for part in parts))


@register.filter
def batch_site(batch: Batch) -> str:
    from skillcert.web.assessment.display import site_label

    return site_label(batch)


@register.filter
def cn_date(value: Any) -> str:
    """A date (or an ISO date string) as 2026年11月11日; "" for none."""
    import datetime as dt

    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def certificate_state(value: str) -> str:
    from skillcert.certificates.models import CertificateStatus

    return CertificateStatus(value).label if value in CertificateStatus.values else (value or "")


PARTY_LABELS = {
    "organization": "评价组织",
    "public": "社会公众",
    "system": "系统",
    "city_bureau": "市人社局",
    "city_center": "市职业技能鉴定中心",
    "province_dept": "省人社厅",
    "province_center": "省职业技能鉴定中心",
    "inspector": "督查员",
}


@register.filter
def with_people(rows: Any) -> list[Any]:
    """History rows, each with ``actor_label``: 姓名（部门） of the account that acted when it
    has a name on record (``accounts.display``), else the name stored."""
    return with_person_labels(rows or [])


@register.filter
def party_label(value: str) -> str:
    """Who ``next`` names, in the words officials use."""
    return PARTY_LABELS.get(value, value)
