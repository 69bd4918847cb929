"""What the supervision pages show, shaped once for the templates: a draw's pools and result,
an annual report's figures, the dashboard's counts, the statistics as charts.

Read-only: it calls the supervision selectors and services' pure helpers; nothing here
decides anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from skillcert.accounts.actors import is_signed_in
from skillcert.accounts.roles import Role
from skillcert.documents import charts
from skillcert.registry.access import organizations_for
from skillcert.supervision import selectors
from skillcert.supervision.access import DRAWING_ROLES, inspections_for
from skillcert.supervision.machines import ANNUAL_REPORT_MACHINE, due_report
from skillcert.supervision.models import (
    AnnualReport,
    Inspection,
    InspectionDraw,
    InspectionState,
    Rectification,
    RectificationState,
    TargetKind,
)
from skillcert.supervision.services.draws import public_record, recompute
from skillcert.supervision.services.reports import missing_reports, report_due

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from skillcert.accounts.models import User
    from skillcert.registry.models import Organization

RECOMPUTE_COMMAND = "skillcert draws recompute --file draw.json"
OCCUPATIONS_SHOWN = 15


def is_officer(user: User | AnonymousUser) -> bool:
    """Officers who draw, publish and read the statistics (the administrator does not)."""
    return is_signed_in(user) and user.role in DRAWING_ROLES


def current_report_year(today: dt.date) -> int:
    """The year whose report is being filed now: last year's until its due date, then this
    year's (on 2026-09-18: 2026, due 2027-03-31)."""
    return today.year - 1 if today <= report_due(today.year - 1) else today.year


def draws_for(user: User) -> QuerySet[InspectionDraw]:
    """Draws an officer reads: its authority's; all of them for the province."""
    records = InspectionDraw.objects.select_related("authority", "drawn_by")
    authority = user.authority
    if authority is None or not authority.is_province:
        records = records.filter(authority=authority)
    return records


# --- a draw --------------------------------------------------------------------------------


def filter_labels(filters: dict[str, Any]) -> list[str]:
    from skillcert.rules.levels import level_name

    labels = []
    if filters.get("from") or filters.get("to"):
        labels.append(
            f"认定开始日期 {filters.get('from') or '不限'} 至 {filters.get('to') or '不限'}"
        )
    if filters.get("occupation"):
        labels.append(f"职业：{filters['occupation']}")
    if filters.get("level"):
        labels.append(f"等级：{level_name(int(filters['level']))}")
    return labels


@dataclass(frozen=True)
class DrawView:
    record: InspectionDraw
    public: dict[str, Any]
    rows: list[dict[str, Any]]
    conflicts: list[dict[str, str]]
    filters: list[str]
    matches: bool
    drawn_targets: set[str]

    @property
    def kind_label(self) -> str:
        return TargetKind(self.record.target_kind).label


def draw_view(record: InspectionDraw, *, with_inspections: bool = False) -> DrawView:
    """The draw as its pages show it: each drawn target with its inspectors (labels), the
    conflicts by name, whether recomputing it from its public record gives the same result."""
    targets = {t["id"]: t["label"] for t in record.targets_pool}
    people = {i["id"]: i["label"] for i in record.inspectors_pool}
    inspections: dict[str, Inspection] = {}
    if with_inspections:
        for inspection in record.inspections.select_related("organization", "batch"):
            key = (
                f"batch:{inspection.batch_id}"
                if inspection.batch_id
                else (f"org:{inspection.organization_id}")
            )
            inspections[key] = inspection
    rows = [
        {
            "id": assignment["target"],
            "label": targets.get(assignment["target"], assignment["target"]),
            "inspectors": [people.get(i, i) for i in assignment["inspectors"]],
            "inspection": inspections.get(assignment["target"]),
        }
        for assignment in record.result.get("assignments", [])
    ]
    conflicts = [
        {"inspector": people.get(i, i), "target": targets.get(t, t)} for i, t in record.conflicts
    ]
    try:
        matches = recompute(record)[0]
    except Exception:  # a record that no longer recomputes shows as not matching
        matches = False
    return DrawView(
        record=record,
        public=public_record(record),
        rows=rows,
        conflicts=conflicts,
        filters=filter_labels(record.filters),
        matches=matches,
        drawn_targets=set(record.result.get("targets", [])),
    )


# --- annual reports ------------------------------------------------------------------------

STATISTIC_LABELS = [
    ("batches", "认定批次", "个"),
    ("candidates", "报名考生", "人"),
    ("attended", "实际参加认定（已录入成绩）", "人"),
    ("passed", "认定合格", "人"),
    ("certificates", "颁发证书", "张"),
    ("certificates_revoked", "本年度撤销证书", "张"),
    ("objections", "收到异议", "件"),
    ("spot_checks", "认定过程抽查", "次"),
    ("inspections", "监督检查（双随机）", "次"),
]


def statistic_rows(statistics: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"key": key, "label": label, "value": statistics.get(key, 0), "unit": unit}
        for key, label, unit in STATISTIC_LABELS
    ]


def occupation_rows(statistics: dict[str, Any]) -> list[tuple[str, int]]:
    return list((statistics.get("certificates_by_occupation_and_level") or {}).items())


# --- the dashboard -------------------------------------------------------------------------


def dashboard_card(
    user: User, organization: Organization | None, today: dt.date
) -> dict[str, Any] | None:
    """The supervision card of the dashboard: what waits for this person."""
    if organization is not None:
        year = current_report_year(today)
        filed = AnnualReport.objects.filter(organization=organization, year=year).first()
        open_rectifications = Rectification.objects.filter(
            inspection__organization=organization
        ).exclude(state=RectificationState.ACCEPTED)
        report = filed or due_report(organization, year)
        return {
            "kind": "organization",
            "year": year,
            "due": report_due(year),
            "filed": filed,
            "open_rectifications": open_rectifications.count(),
            "may_report": ANNUAL_REPORT_MACHINE.may(report, user, "annual-reports"),
        }
    if getattr(user, "role", None) == Role.INSPECTOR:
        mine = inspections_for(user)
        return {
            "kind": "inspector",
            "waiting": mine.filter(state=InspectionState.ASSIGNED).distinct().count(),
            "done": mine.exclude(state=InspectionState.ASSIGNED).distinct().count(),
        }
    if is_officer(user):
        visible = inspections_for(user).distinct()
        year = current_report_year(today)
        authority = user.authority  # an officer's: the draws' and publications' authority
        return {
            "kind": "officer",
            "waiting": visible.filter(state=InspectionState.ASSIGNED).count(),
            "to_publish": visible.filter(
                state=InspectionState.CONCLUDED, authority=authority
            ).count()
            if authority is None or not authority.is_province
            else visible.filter(state=InspectionState.CONCLUDED).count(),
            "to_review": rectifications_to_review(visible).count(),
            "year": year,
            "missing": len(missing_reports(organizations_for(user), year)),
        }
    return None


def rectifications_to_review(inspections: QuerySet[Inspection]) -> QuerySet[Inspection]:
    return inspections.filter(rectification__state=RectificationState.RESPONDED)


# --- statistics as charts ------------------------------------------------------------------

GOOD_STATUSES = {"试点中", "已备案"}
BAD_STATUSES = {"已撤销", "试点未通过", "已过期"}


def month_label(key: str, one_year: bool) -> str:
    year, month = key.split("-")
    return f"{int(month)}月" if one_year else f"{year[2:]}年{int(month)}月"


def statistics_charts(figures: dict[str, Any], start: dt.date, end: dt.date) -> list[dict]:
    """The charts of the statistics page, each with its bars (for the table under it)."""
    occupations = list(figures["certificates_by_occupation"].items())
    shown, rest = occupations[:OCCUPATIONS_SHOWN], occupations[OCCUPATIONS_SHOWN:]
    one_year = start.year == end.year
    by_month = figures["certificates_by_month"]
    month_bars = [
        charts.Bar(month_label(key, one_year), by_month.get(key, 0), key=key)
        for key in selectors.months(start, end)
    ]
    statuses = [
        charts.Bar(
            label,
            count,
            "ok" if label in GOOD_STATUSES else "bad" if label in BAD_STATUSES else "default",
        )
        for label, count in figures["organizations_by_status"].items()
    ]
    deadlines = [
        charts.Bar(label, count, "ok" if "按期" in label else "bad")
        for label, count in figures["deadlines"].items()
    ]
    specs = [
        ("city", "发证数量（按地市）", charts.bars(figures["certificates_by_city"]), "张", "bar"),
        (
            "occupation",
            f"发证数量（按职业，前 {OCCUPATIONS_SHOWN} 个）",
            charts.bars(shown),
            "张",
            "bar",
        ),
        ("level", "发证数量（按等级）", charts.bars(figures["certificates_by_level"]), "张", "bar"),
        ("month", "发证数量（按月份）", month_bars, "张", "column"),
        ("status", "评价组织（按状态）", statuses, "个", "bar"),
        ("deadlines", "办理时限（按期与超期）", deadlines, "件", "bar"),
    ]
    result = []
    for key, title, items, unit, shape in specs:
        draw = charts.column_chart if shape == "column" else charts.bar_chart
        result.append(
            {
                "key": key,
                "title": title,
                "unit": unit,
                "bars": items,
                "svg": draw(items, chart_id=f"chart-{key}", title=title, unit=unit),
                "note": (
                    f"另有 {len(rest)} 个职业共 {sum(n for _label, n in rest)} 张未列出，"
                    "见下载的统计表。"
                    if key == "occupation" and rest
                    else ""
                ),
            }
        )
    return result
