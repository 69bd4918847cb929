"""The registry part of the v1 contract's paths (names under the ``api`` namespace)."""

from skillcert.api.registry import filings, objections, organizations
from skillcert.api.routing import route

urlpatterns = [
    # Filing cases
    route(r"api/v1/filings", filings.FilingListView.as_view(), "filings"),
    route(r"api/v1/filings/(?P<pk>\d+)", filings.FilingDetailView.as_view(), "filing"),
    route(
        r"api/v1/filings/(?P<pk>\d+)/materials",
        filings.FilingMaterialsView.as_view(),
        "filing-materials",
    ),
    route(
        r"api/v1/filings/(?P<pk>\d+)/materials/(?P<material_pk>\d+)",
        filings.MaterialDownloadView.as_view(),
        "filing-material",
    ),
    route(
        r"api/v1/filings/(?P<pk>\d+)/evaluations",
        filings.FilingEvaluationsView.as_view(),
        "filing-evaluations",
    ),
    route(
        r"api/v1/filings/(?P<pk>\d+)/objections",
        filings.FilingObjectionsView.as_view(),
        "filing-objections",
    ),
    route(
        r"api/v1/filings/(?P<pk>\d+)/receipt\.pdf",
        filings.FilingReceiptView.as_view(),
        "filing-receipt",
    ),
    *[
        route(
            rf"api/v1/filings/(?P<pk>\d+)/{action}",
            filings.action_view(action).as_view(),
            f"filing-{action}",
        )
        for action in filings.ACTIONS
    ],
    route(
        r"api/v1/objections/(?P<pk>\d+)/resolve",
        objections.ObjectionResolveView.as_view(),
        "objection-resolve",
    ),
    # Organizations
    route(r"api/v1/organizations", organizations.OrganizationListView.as_view(), "organizations"),
    route(r"api/v1/organizations/merge", organizations.MergeView.as_view(), "merge"),
    route(
        r"api/v1/organizations/(?P<pk>\d+)",
        organizations.OrganizationDetailView.as_view(),
        "organization",
    ),
    route(
        r"api/v1/organizations/(?P<pk>\d+)/pilot-result",
        organizations.PilotResultView.as_view(),
        "pilot-result",
    ),
    route(r"api/v1/organizations/(?P<pk>\d+)/revoke", organizations.RevokeView.as_view(), "revoke"),
    route(
        r"api/v1/organizations/(?P<pk>\d+)/recommend",
        organizations.RecommendView.as_view(),
        "recommend",
    ),
    route(r"api/v1/registry/retired", organizations.RetiredNumbersView.as_view(), "retired"),
    route(
        r"api/v1/cities/(?P<code>\d{2})/thresholds",
        organizations.CityThresholdsView.as_view(),
        "city-thresholds",
    ),
    route(
        r"api/v1/organizations/(?P<pk>\d+)/seals",
        organizations.OrganizationSealsView.as_view(),
        "organization-seals",
    ),
    route(
        r"api/v1/organizations/(?P<pk>\d+)/seals/(?P<seal_pk>\d+)/decide",
        organizations.SealDecisionView.as_view(),
        "organization-seal-decide",
    ),
]
