"""The certificates part of the v1 contract's paths (names under the ``api`` namespace)."""

from django.urls import re_path

from skillcert.api.certificates import filing_reports, national, segment_requests
from skillcert.api.certificates import views as certificates
from skillcert.api.routing import route

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
    # The filing's report to the ministry's appraisal center (备案报部)
    route(
        r"api/v1/national/filing-reports",
        filing_reports.FilingReportListView.as_view(),
        "filing-reports",
    ),
    route(
        r"api/v1/national/filing-reports/(?P<pk>\d+)",
        filing_reports.FilingReportDetailView.as_view(),
        "filing-report",
    ),
    *(
        route(
            rf"api/v1/national/filing-reports/(?P<pk>\d+)/{action}",
            view.as_view(),
            f"filing-report-{action}",
        )
        for action, view in (
            ("send", filing_reports.FilingReportSendView),
            ("confirm", filing_reports.FilingReportConfirmView),
            ("return", filing_reports.FilingReportReturnView),
            ("resend", filing_reports.FilingReportResendView),
        )
    ),
]
