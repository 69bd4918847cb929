"""The supervision pages' addresses (names under the ``web`` namespace)."""

from django.urls import path

from skillcert.web.supervision import duties as supervision_tasks
from skillcert.web.supervision import views as supervision

urlpatterns = [
    # An organization's annual reports and the inspections of it
    path("org/annual-reports", supervision_tasks.annual_reports, name="org_reports"),
    path("org/inspections", supervision_tasks.org_inspections, name="org_inspections"),
    path(
        "org/inspections/<int:pk>/rectification",
        supervision_tasks.rectification_report,
        name="org_rectification",
    ),
    # Supervision by officers: draws, inspections, annual reports, violations, statistics
    path("review/supervision/draws", supervision.draws_page, name="supervision_draws"),
    path("review/supervision/draws/<int:pk>", supervision.draw_page, name="supervision_draw"),
    path(
        "review/supervision/inspections",
        supervision.inspections_page,
        name="supervision_inspections",
    ),
    path(
        "review/supervision/inspections/<int:pk>",
        supervision.inspection_page,
        name="supervision_inspection",
    ),
    path(
        "review/supervision/inspections/<int:pk>/publish",
        supervision.inspection_publish,
        name="supervision_publish",
    ),
    path(
        "review/supervision/inspections/<int:pk>/rectification",
        supervision.rectification_review,
        name="supervision_rectification",
    ),
    path("review/supervision/reports", supervision.reports_page, name="supervision_reports"),
    path("review/supervision/reports/<int:pk>", supervision.report_page, name="supervision_report"),
    path(
        "review/supervision/violations", supervision.violations_page, name="supervision_violations"
    ),
    path(
        "review/supervision/organizations/<int:pk>",
        supervision.organization_page,
        name="supervision_organization",
    ),
    path(
        "review/supervision/organizations/<int:pk>/violations",
        supervision.violation_record,
        name="supervision_violation",
    ),
    path(
        "review/supervision/statistics",
        supervision.statistics_page,
        name="supervision_statistics",
    ),
    path(
        "review/supervision/statistics.xlsx",
        supervision.statistics_workbook,
        name="supervision_statistics_xlsx",
    ),
    path(
        "review/supervision/talent.xlsx",
        supervision.talent_workbook,
        name="supervision_talent_xlsx",
    ),
    # Inspectors: their inspections, findings and conclusions, conflicts of interest
    path("inspector/inspections", supervision_tasks.my_inspections, name="inspector_inspections"),
    path(
        "inspector/inspections/<int:pk>",
        supervision_tasks.my_inspection,
        name="inspector_inspection",
    ),
    path(
        "inspector/inspections/<int:pk>/findings",
        supervision_tasks.finding_record,
        name="inspector_finding",
    ),
    path(
        "inspector/inspections/<int:pk>/conclude",
        supervision_tasks.conclusion_record,
        name="inspector_conclude",
    ),
    path("inspector/conflicts", supervision_tasks.conflicts_page, name="inspector_conflicts"),
    path(
        "supervision/findings/<int:pk>/attachment",
        supervision_tasks.finding_attachment,
        name="finding_attachment",
    ),
]
