from django.urls import re_path
from drf_spectacular.views import SpectacularSwaggerView

from skillcert.api import (
    batches,
    certificates,
    filings,
    national,
    organizations,
    public,
    segment_requests,
    supervision,
    views,
    worklist,
)
from skillcert.api.routing import route
from skillcert.api.schema import SchemaView
from skillcert.api.unknown import unknown_endpoint

app_name = "api"

urlpatterns = [
    # Public verification first: the busiest path resolves without scanning the others.
    route(
        r"api/v1/public/certificates/(?P<number>[^/]+)/credential",
        certificates.PublicCredentialView.as_view(),
        "public-credential",
    ),
    route(
        r"api/v1/public/certificates/(?P<number>[^/]+)",
        certificates.PublicVerifyView.as_view(),
        "public-certificate",
    ),
    route(r"api/v1/auth/token", views.TokenView.as_view(), "token"),
    route(r"api/v1/register", views.RegisterView.as_view(), "register"),
    route(r"api/v1/me", views.MeView.as_view(), "me"),
    route(r"api/v1/worklist", worklist.WorklistView.as_view(), "worklist"),
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
        filings.ObjectionResolveView.as_view(),
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
    # Batches
    route(r"api/v1/batches", batches.BatchListView.as_view(), "batches"),
    route(
        r"api/v1/batches/candidates-template\.xlsx",
        batches.CandidatesTemplateView.as_view(),
        "candidates-template",
    ),
    route(r"api/v1/batches/(?P<pk>\d+)", batches.BatchDetailView.as_view(), "batch"),
    *[
        route(
            rf"api/v1/batches/(?P<pk>\d+)/{action}",
            batches.batch_action_view(action).as_view(),
            f"batch-{action}",
        )
        for action in batches.BATCH_ACTIONS
    ],
    route(
        r"api/v1/batches/(?P<pk>\d+)/inspections",
        batches.BatchInspectionsView.as_view(),
        "batch-inspections",
    ),
    route(
        r"api/v1/batches/(?P<pk>\d+)/objections",
        batches.BatchObjectionsView.as_view(),
        "batch-objections",
    ),
    route(
        r"api/v1/batches/(?P<pk>\d+)/candidates\.xlsx",
        batches.CandidatesUploadView.as_view(),
        "batch-candidates-xlsx",
    ),
    route(
        r"api/v1/batches/(?P<pk>\d+)/candidates-report/(?P<token>[A-Za-z0-9_-]+)\.xlsx",
        batches.CandidatesReportView.as_view(),
        "batch-candidates-report",
    ),
    route(
        r"api/v1/batches/(?P<pk>\d+)/results-report/(?P<token>[A-Za-z0-9_-]+)\.xlsx",
        batches.CandidatesReportView.as_view(),
        "batch-results-report",
    ),
    route(
        r"api/v1/batches/(?P<pk>\d+)/results\.xlsx",
        batches.ResultsUploadView.as_view(),
        "batch-results-xlsx",
    ),
    route(
        r"api/v1/batches/(?P<pk>\d+)/results-template\.xlsx",
        batches.ResultsTemplateView.as_view(),
        "batch-results-template",
    ),
    route(
        r"api/v1/batches/(?P<pk>\d+)/annex4\.xlsx",
        batches.AnnexView.as_view(annex=4),
        "batch-annex4",
    ),
    route(
        r"api/v1/batches/(?P<pk>\d+)/annex5\.xlsx",
        batches.AnnexView.as_view(annex=5),
        "batch-annex5",
    ),
    route(r"api/v1/segments", batches.SegmentsView.as_view(), "segments"),
    route(
        r"api/v1/segment-requests",
        segment_requests.SegmentRequestListView.as_view(),
        "segment-requests",
    ),
    route(
        r"api/v1/segment-requests/(?P<pk>\d+)",
        segment_requests.SegmentRequestDetailView.as_view(),
        "segment-request",
    ),
    route(
        r"api/v1/segment-requests/(?P<pk>\d+)/grant",
        segment_requests.SegmentRequestGrantView.as_view(),
        "segment-request-grant",
    ),
    route(
        r"api/v1/segment-requests/(?P<pk>\d+)/refuse",
        segment_requests.SegmentRequestRefuseView.as_view(),
        "segment-request-refuse",
    ),
    # Certificates
    route(r"api/v1/certificates", certificates.CertificateListView.as_view(), "certificates"),
    route(
        r"api/v1/certificates/(?P<number>[A-Za-z0-9]+)\.pdf",
        certificates.CertificatePdfView.as_view(),
        "certificate-pdf",
    ),
    route(
        r"api/v1/certificates/(?P<number>[A-Za-z0-9]+)",
        certificates.CertificateDetailView.as_view(),
        "certificate",
    ),
    route(
        r"api/v1/certificates/(?P<number>[A-Za-z0-9]+)/revoke",
        certificates.RevokeView.as_view(),
        "certificate-revoke",
    ),
    route(
        r"api/v1/certificates/(?P<number>[A-Za-z0-9]+)/reissue",
        certificates.ReissueView.as_view(),
        "certificate-reissue",
    ),
    route(
        r"api/v1/certificates/(?P<number>[A-Za-z0-9]+)/correct",
        certificates.CorrectView.as_view(),
        "certificate-correct",
    ),
    re_path(r"^\.well-known/jwks\.json$", certificates.jwks_view, name="jwks"),
    route(
        r"api/v1/batches/(?P<pk>\d+)/candidates/(?P<id_number>[0-9A-Za-z-]+)/photo",
        certificates.CandidatePhotoView.as_view(),
        "candidate-photo",
    ),
    route(
        r"api/v1/batches/(?P<pk>\d+)/certificates\.pdf",
        certificates.BatchPrintView.as_view(),
        "batch-certificates-pdf",
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
    # The national query system's outbox
    route(
        r"api/v1/national/exports", national.NationalExportListView.as_view(), "national-exports"
    ),
    route(
        r"api/v1/national/exports/(?P<pk>\d+)",
        national.NationalExportDetailView.as_view(),
        "national-export",
    ),
    route(
        r"api/v1/national/exports/(?P<pk>\d+)\.xlsx",
        national.NationalExportFileView.as_view(),
        "national-export-xlsx",
    ),
    route(
        r"api/v1/national/exports/(?P<pk>\d+)/send",
        national.NationalExportSendView.as_view(),
        "national-export-send",
    ),
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
    # Public
    route(r"api/v1/public/organizations", public.CatalogView.as_view(), "catalog"),
    route(r"api/v1/public/notices", public.NoticesView.as_view(), "notices"),
    route(r"api/v1/occupations", public.OccupationSearchView.as_view(), "occupations"),
    # Schema
    route(r"api/schema", SchemaView.as_view(), "schema"),
    route(r"api/docs", SpectacularSwaggerView.as_view(url_name="api:schema"), "docs"),
    re_path(r"^api/", unknown_endpoint),
]
