"""The registry pages' addresses (names under the ``web`` namespace)."""

from django.urls import path

from skillcert.web.registry import applicant, review, seals

urlpatterns = [
    # An organization's applications
    path("org/filings", applicant.filings, name="org_filings"),
    path("org/filings/new", applicant.filing_new, name="org_filing_new"),
    path("org/filings/<int:pk>", applicant.filing_detail, name="org_filing"),
    path("org/filings/<int:pk>/edit", applicant.filing_edit, name="org_filing_edit"),
    path("org/filings/<int:pk>/materials", applicant.filing_material, name="org_filing_material"),
    path("org/filings/<int:pk>/submit", applicant.filing_submit, name="org_filing_submit"),
    path("org/filings/<int:pk>/withdraw", applicant.filing_withdraw, name="org_filing_withdraw"),
    path("org/seal", seals.org_seal, name="org_seal"),
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
    path("review/seals", seals.review_seals, name="review_seals"),
    path("review/seals/<int:pk>/decide", seals.review_seal_decide, name="review_seal_decide"),
]
