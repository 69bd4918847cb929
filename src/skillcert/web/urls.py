from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from skillcert.web import (
    applicant,
    batch_print,
    batch_review,
    batches,
    certificates,
    national,
    photos,
    review,
    seals,
    segment_requests,
    supervision,
    supervision_public,
    supervision_tasks,
    verify,
    views,
)
from skillcert.web.ratelimit import limit_posts

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalog", views.catalog, name="catalog"),
    path("notices", views.notices, name="notices"),
    path("notices/<int:pk>/objection", views.objection, name="objection"),
    path("verify", verify.verify, name="verify"),
    path("verify/<str:number>", verify.verify, name="verify_number"),
    path("register", views.register, name="register"),
    # Supervision in public: the random draws, the published inspection results (一公开)
    path("draws", supervision_public.draws_list, name="public_draws"),
    path("draws/<int:pk>", supervision_public.draw_detail, name="public_draw"),
    path("inspection-results", supervision_public.inspection_results, name="inspection_results"),
    path(
        "login",
        # Login attempts count per client at the token endpoint's rate (auth).
        limit_posts("auth", "login")(
            auth_views.LoginView.as_view(
                template_name="web/login.html", redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("logout", auth_views.LogoutView.as_view(), name="logout"),
    path("dashboard", views.dashboard, name="dashboard"),
    # An organization's applications
    path("org/filings", applicant.filings, name="org_filings"),
    path("org/filings/new", applicant.filing_new, name="org_filing_new"),
    path("org/filings/<int:pk>", applicant.filing_detail, name="org_filing"),
    path("org/filings/<int:pk>/edit", applicant.filing_edit, name="org_filing_edit"),
    path("org/filings/<int:pk>/materials", applicant.filing_material, name="org_filing_material"),
    path("org/filings/<int:pk>/submit", applicant.filing_submit, name="org_filing_submit"),
    # An organization's assessment batches
    path("org/batches", batches.batch_list, name="org_batches"),
    path("org/batches/new", batches.batch_new, name="org_batch_new"),
    path(
        "org/batches/candidates-template.xlsx",
        batches.candidates_template,
        name="org_batch_candidates_template",
    ),
    path("org/batches/<int:pk>", batches.batch_detail, name="org_batch"),
    path("org/batches/<int:pk>/edit", batches.batch_edit, name="org_batch_edit"),
    path(
        "org/batches/<int:pk>/candidates",
        batches.candidates_upload,
        name="org_batch_candidates",
    ),
    path("org/batches/<int:pk>/submit", batches.batch_submit, name="org_batch_submit"),
    path("org/batches/<int:pk>/act", batches.batch_act, name="org_batch_act"),
    path("org/batches/<int:pk>/results", batches.results_upload, name="org_batch_results"),
    path(
        "org/batches/<int:pk>/results-template.xlsx",
        batches.results_template,
        name="org_batch_results_template",
    ),
    re_path(
        r"^org/batches/(?P<pk>\d+)/reports/(?P<kind>candidates|results)/"
        r"(?P<token>[A-Za-z0-9_-]+)\.xlsx$",
        batches.report,
        name="org_batch_report",
    ),
    path("org/batches/<int:pk>/photos", photos.batch_photos, name="org_batch_photos"),
    path(
        "org/batches/<int:pk>/photos/<int:candidate>.jpg",
        photos.candidate_photo,
        name="org_batch_photo",
    ),
    # An organization's certificates and seal
    path("org/certificates", certificates.org_list, name="org_certificates"),
    path("org/certificates/<str:number>", certificates.org_record, name="org_certificate"),
    path(
        "org/certificates/<str:number>/act",
        certificates.org_action,
        name="org_certificate_act",
    ),
    path("org/seal", seals.org_seal, name="org_seal"),
    # An organization's annual reports and the inspections of it
    path("org/annual-reports", supervision_tasks.annual_reports, name="org_reports"),
    path("org/inspections", supervision_tasks.org_inspections, name="org_inspections"),
    path(
        "org/inspections/<int:pk>/rectification",
        supervision_tasks.rectification_report,
        name="org_rectification",
    ),
    # The annexes: the organization, its center and bureau, the province
    path("batches/<int:pk>/annex<int:number>.xlsx", batches.annex, name="batch_annex"),
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
    path("seals/<int:pk>.png", seals.seal_image, name="seal_image"),
    # Officers and inspectors
    path("review/filings", review.worklist_page, name="review_worklist"),
    path("review/filings/<int:pk>", review.case_page, name="review_case"),
    path("review/filings/<int:pk>/act", review.filing_action, name="review_action"),
    path("review/objections/<int:pk>/resolve", review.objection_resolve, name="review_objection"),
    path("review/organizations", review.organizations_page, name="review_organizations"),
    path("review/organizations/<int:pk>", review.organization_page, name="review_organization"),
    path(
        "review/organizations/<int:pk>/act",
        review.organization_action,
        name="review_organization_action",
    ),
    path("review/thresholds", review.thresholds_page, name="review_thresholds"),
    path("review/batches", batch_review.batch_worklist, name="review_batches"),
    path("review/batches/<int:pk>", batch_review.batch_page, name="review_batch"),
    path(
        "review/batches/<int:pk>/inspections",
        batch_review.inspection_record,
        name="review_batch_inspections",
    ),
    path(
        "review/batches/objections/<int:pk>/resolve",
        batch_review.objection_resolve,
        name="review_batch_objection",
    ),
    path("review/segments", batch_review.segments_page, name="review_segments"),
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
    path("review/seals", seals.review_seals, name="review_seals"),
    path("review/seals/<int:pk>/decide", seals.review_seal_decide, name="review_seal_decide"),
    path("review/national", national.outbox, name="review_national"),
    path("review/national/new", national.export_new, name="review_national_new"),
    path("review/national/<int:pk>/send", national.export_send, name="review_national_send"),
    path("review/national/<int:pk>/file", national.export_file, name="review_national_file"),
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
