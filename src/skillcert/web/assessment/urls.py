"""The assessment pages' addresses (names under the ``web`` namespace)."""

from django.urls import path, re_path

from skillcert.web.assessment import batches, objections, photos, uploads
from skillcert.web.assessment import review as batch_review

urlpatterns = [
    # An organization's assessment batches
    path("org/batches", batches.batch_list, name="org_batches"),
    path("org/batches/new", batches.batch_new, name="org_batch_new"),
    path(
        "org/batches/candidates-template.xlsx",
        uploads.candidates_template,
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
    path("org/batches/<int:pk>/results", uploads.results_upload, name="org_batch_results"),
    path(
        "org/batches/<int:pk>/results-template.xlsx",
        uploads.results_template,
        name="org_batch_results_template",
    ),
    re_path(
        r"^org/batches/(?P<pk>\d+)/reports/(?P<kind>candidates|results)/"
        r"(?P<token>[A-Za-z0-9_-]+)\.xlsx$",
        uploads.report,
        name="org_batch_report",
    ),
    path("org/batches/<int:pk>/photos", photos.batch_photos, name="org_batch_photos"),
    path(
        "org/batches/<int:pk>/photos/<int:candidate>.jpg",
        photos.candidate_photo,
        name="org_batch_photo",
    ),
    # The annexes: the organization, its center and bureau, the province
    path("batches/<int:pk>/annex<int:number>.xlsx", uploads.annex, name="batch_annex"),
    path("review/batches", batch_review.batch_worklist, name="review_batches"),
    path("review/objections", objections.objection_list, name="review_objections"),
    path("review/batches/<int:pk>", batch_review.batch_page, name="review_batch"),
    path(
        "review/batches/<int:pk>/receipt",
        batch_review.batch_receipt,
        name="review_batch_receipt",
    ),
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
]
