"""The supervision part of the v1 contract's paths (names under the ``api`` namespace)."""

from skillcert.api.routing import route
from skillcert.api.supervision import ratings
from skillcert.api.supervision import views as supervision

urlpatterns = [
    # 好差评 (docs/government-service.md)
    route(r"api/v1/ratings", ratings.RatingsView.as_view(), "ratings"),
    # Supervision
    route(r"api/v1/inspection-draws", supervision.DrawsView.as_view(), "draws"),
    route(r"api/v1/public/inspection-draws", supervision.PublicDrawsView.as_view(), "public-draws"),
    route(
        r"api/v1/public/inspection-draws/(?P<pk>\d+)",
        supervision.PublicDrawView.as_view(),
        "public-draw",
    ),
    route(r"api/v1/inspections", supervision.InspectionsView.as_view(), "inspections"),
    route(
        r"api/v1/inspections/(?P<pk>\d+)", supervision.InspectionDetailView.as_view(), "inspection"
    ),
    route(
        r"api/v1/inspections/(?P<pk>\d+)/findings",
        supervision.FindingsView.as_view(),
        "inspection-findings",
    ),
    *[
        route(
            rf"api/v1/inspections/(?P<pk>\d+)/{action}",
            supervision.inspection_action(action).as_view(),
            f"inspection-{action}",
        )
        for action in supervision.INSPECTION_ACTIONS
    ],
    route(
        r"api/v1/public/inspection-results",
        supervision.PublicInspectionResultsView.as_view(),
        "public-inspection-results",
    ),
    route(r"api/v1/inspector-conflicts", supervision.ConflictsView.as_view(), "conflicts"),
    route(
        r"api/v1/organizations/(?P<pk>\d+)/annual-reports",
        supervision.AnnualReportsView.as_view(),
        "annual-reports",
    ),
    route(
        r"api/v1/annual-reports/missing",
        supervision.MissingReportsView.as_view(),
        "annual-reports-missing",
    ),
    route(
        r"api/v1/organizations/(?P<pk>\d+)/violations",
        supervision.ViolationsView.as_view(),
        "violations",
    ),
    route(r"api/v1/statistics", supervision.StatisticsView.as_view(), "statistics"),
    route(
        r"api/v1/statistics\.xlsx", supervision.StatisticsWorkbookView.as_view(), "statistics-xlsx"
    ),
    route(
        r"api/v1/statistics/talent\.xlsx",
        supervision.TalentWorkbookView.as_view(),
        "statistics-talent",
    ),
]
