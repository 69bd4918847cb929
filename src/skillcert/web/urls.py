from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from skillcert.web import applicant, batch_review, batches, review, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalog", views.catalog, name="catalog"),
    path("notices", views.notices, name="notices"),
    path("notices/<int:pk>/objection", views.objection, name="objection"),
    path("verify", views.verify, name="verify"),
    path("verify/<str:number>", views.verify, name="verify_number"),
    path("register", views.register, name="register"),
    path(
        "login",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
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
    # The annexes: the organization, its center and bureau, the province
    path("batches/<int:pk>/annex<int:number>.xlsx", batches.annex, name="batch_annex"),
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
]
