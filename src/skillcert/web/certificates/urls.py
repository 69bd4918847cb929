"""The certificates pages' addresses (names under the ``web`` namespace)."""

from django.urls import path, re_path

from skillcert.web.certificates import filing_reports, national, segment_requests, segments
from skillcert.web.certificates import printing as batch_print
from skillcert.web.certificates import views as certificates

urlpatterns = [
    path("review/segments", segments.segments_page, name="review_segments"),
    # An organization's certificates and seal
    path("org/certificates", certificates.org_list, name="org_certificates"),
    path("org/certificates/<str:number>", certificates.org_record, name="org_certificate"),
    path(
        "org/certificates/<str:number>/act",
        certificates.org_action,
        name="org_certificate_act",
    ),
    # Certificates as printed (the issuer, the officers over it), a batch's print jobs
    path("certificates/<str:number>.pdf", certificates.certificate_pdf, name="certificate_pdf"),
    path("batches/<int:pk>/print", batch_print.print_start, name="batch_print"),
    re_path(
        r"^batches/(?P<pk>\d+)/print/(?P<job>[0-9a-f]{32})$",
        batch_print.print_job,
        name="batch_print_job",
    ),
    re_path(
        r"^batches/(?P<pk>\d+)/print/(?P<job>[0-9a-f]{32})/progress$",
        batch_print.print_progress,
        name="batch_print_progress",
    ),
    re_path(
        r"^batches/(?P<pk>\d+)/print/(?P<job>[0-9a-f]{32})/file$",
        batch_print.print_file,
        name="batch_print_file",
    ),
    path(
        "review/segment-requests/<int:pk>",
        segment_requests.segment_request_act,
        name="review_segment_request",
    ),
    path("org/segments", segment_requests.org_segments, name="org_segments"),
    path("review/certificates", certificates.review_list, name="review_certificates"),
    path(
        "review/certificates/<str:number>",
        certificates.review_record,
        name="review_certificate",
    ),
    path(
        "review/certificates/<str:number>/act",
        certificates.review_action,
        name="review_certificate_act",
    ),
    path("review/national", national.outbox, name="review_national"),
    path("review/national/new", national.export_new, name="review_national_new"),
    path("review/national/jobs/<str:job>", national.export_job, name="review_national_job"),
    path("review/national/<int:pk>/send", national.export_send, name="review_national_send"),
    path("review/national/<int:pk>/file", national.export_file, name="review_national_file"),
    path(
        "review/national/filing-reports",
        filing_reports.reports_page,
        name="review_national_filing_reports",
    ),
    path(
        "review/national/filing-reports/<int:pk>/<str:action>",
        filing_reports.report_act,
        name="review_national_filing_report_act",
    ),
]
